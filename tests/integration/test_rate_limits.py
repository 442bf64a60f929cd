"""Per-user rate limits over HTTP on the local stack: one user's burst of Connect is cut off at the limit with
429 and Retry-After, while another user's requests in the same burst all pass."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import httpx

from local_stack.server import RunningStack
from tests.support.api import LocalUser
from tracker_integrations.config import get_settings

BURST = 30


def _minute() -> int:
    return int(time.time()) // 60


def _wait_for_room_in_the_minute(seconds: float) -> None:
    """Counters are per clock minute: start the burst with `seconds` left in it, so it fits in one window."""
    deadline = time.monotonic() + 60
    while 60 - time.time() % 60 < seconds:
        assert time.monotonic() < deadline
        time.sleep(0.2)


def test_a_burst_of_connects_is_cut_off_at_the_limit_while_another_user_passes(
    stack: RunningStack, new_user: Callable[[str], LocalUser]
) -> None:
    limit = get_settings().rate_limit_connect_per_minute
    burster, bystander = new_user("free"), new_user("free")
    _wait_for_room_in_the_minute(20)
    minute = _minute()

    def connect(user: LocalUser) -> httpx.Response:
        with httpx.Client(base_url=stack.base_url, timeout=30) as client:
            return client.post("/api/integrations/google-sheets/connect", headers=user.headers)

    # WHEN one user fires 30 Connects at once, and another user's 5 Connects and reads go out in the same burst
    requests = [burster] * BURST
    for slot in range(5):
        requests.insert(slot * 6, bystander)
    with ThreadPoolExecutor(max_workers=8) as pool:
        responses = list(pool.map(connect, requests))
        reads = list(pool.map(lambda _: _cards(stack, bystander), range(5)))
    assert _minute() == minute, "the burst crossed a minute: the counters' window changed under it"
    mine = [r for user, r in zip(requests, responses, strict=True) if user is burster]
    theirs = [r for user, r in zip(requests, responses, strict=True) if user is bystander]
    # THEN exactly the limit of the first user's got through, the rest refused with 429
    assert sorted(r.status_code for r in mine) == [200] * limit + [429] * (BURST - limit)
    # AND every refusal says why and when to retry, in the JSON error body and the Retry-After header
    for refused in (r for r in mine if r.status_code == 429):
        retry_after = int(refused.headers["Retry-After"])
        assert 1 <= retry_after <= 60
        error = refused.json()["error"]
        assert error["code"] == "rate_limited"
        assert f"Try again in {retry_after} second" in error["message"]
        assert "connect attempts" in error["message"]
    # AND the other user's requests in the same burst all passed
    assert [r.status_code for r in theirs] == [200] * 5
    assert reads == [200] * 5


def _cards(stack: RunningStack, user: LocalUser) -> int:
    with httpx.Client(base_url=stack.base_url, timeout=30) as client:
        return client.get("/api/integrations", headers=user.headers).status_code


def test_the_burster_can_still_read_while_connect_is_refused(
    http: httpx.Client, new_user: Callable[[str], LocalUser]
) -> None:
    # GIVEN a user past the connect limit
    _wait_for_room_in_the_minute(10)
    user = new_user("free")
    limit = get_settings().rate_limit_connect_per_minute
    statuses = [
        http.post("/api/integrations/gmail/connect", headers=user.headers).status_code for _ in range(limit + 1)
    ]
    assert statuses[-1] == 429
    # WHEN they open the Integrations screen THEN it loads: reads have their own limit
    assert http.get("/api/integrations", headers=user.headers).status_code == 200
