"""Per-user rate limits: a user past a limit gets 429 with Retry-After; nobody else, and no other class, is slowed.

The counters live in moto's DynamoDB (the table built from template.yaml); the clock is the test's.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from tests.support.rate_limits import DynamoCallCounter, counters_in_moto
from tracker_integrations.api import error_response
from tracker_integrations.errors import TooManyRequests
from tracker_integrations.services.rate_limits import Limit, RateLimits, RequestClass, request_class
from tracker_integrations.store.rate_limits import RateCounterStore, counter_key

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# 42 s into a minute: the window closes 18 s later.
START = datetime(2026, 3, 2, 9, 0, 42, tzinfo=UTC)
LIMITS = {
    RequestClass.CONNECT: Limit(requests=10),
    RequestClass.SYNC_NOW: Limit(requests=10),
    RequestClass.WRITE: Limit(requests=60),
    RequestClass.READ: Limit(requests=300),
}


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def moto_counters() -> Iterator[tuple[RateCounterStore, DynamoDBClient, str]]:
    yield from counters_in_moto()


@pytest.fixture
def clock() -> Clock:
    return Clock(START)


@pytest.fixture
def limits(moto_counters: tuple[RateCounterStore, DynamoDBClient, str], clock: Clock) -> RateLimits:
    return RateLimits(moto_counters[0], LIMITS, clock=clock)


def _fill(limits: RateLimits, user: str, kind: RequestClass, times: int) -> None:
    for _ in range(times):
        limits.admit(user, kind)


def test_a_user_at_the_limit_gets_429_with_retry_after_until_the_window_ends(limits: RateLimits) -> None:
    # GIVEN a user who started 10 connects this minute
    _fill(limits, "mia", RequestClass.CONNECT, 10)
    # WHEN they start an eleventh
    with pytest.raises(TooManyRequests) as refused:
        limits.admit("mia", RequestClass.CONNECT)
    # THEN the API answers 429, Retry-After the seconds left in the window, and a body saying what and when
    response = error_response(refused.value)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "18"
    body = json.loads(str(response.body))
    assert body["error"]["code"] == "rate_limited"
    assert "Too many connect attempts" in body["error"]["message"]
    assert "10 a minute" in body["error"]["message"]
    assert "Try again in 18 seconds" in body["error"]["message"]
    assert body["error"]["details"]["retry_after"] == 18


def test_the_next_window_admits_the_user_again(limits: RateLimits, clock: Clock) -> None:
    # GIVEN a user refused at the limit
    _fill(limits, "mia", RequestClass.SYNC_NOW, 10)
    with pytest.raises(TooManyRequests):
        limits.admit("mia", RequestClass.SYNC_NOW)
    # WHEN the Retry-After has passed THEN the next request is admitted, and ten more fit that minute
    clock.now = START + timedelta(seconds=18)
    _fill(limits, "mia", RequestClass.SYNC_NOW, 10)
    with pytest.raises(TooManyRequests):
        limits.admit("mia", RequestClass.SYNC_NOW)


def test_one_users_burst_never_slows_another_user_or_another_class(limits: RateLimits) -> None:
    # GIVEN one user past the connect limit
    _fill(limits, "mia", RequestClass.CONNECT, 10)
    with pytest.raises(TooManyRequests):
        limits.admit("mia", RequestClass.CONNECT)
    # WHEN another user connects, and the first one reads and writes
    # THEN all of it is admitted: the counters are per user and per class
    _fill(limits, "tom", RequestClass.CONNECT, 10)
    _fill(limits, "mia", RequestClass.READ, 300)
    _fill(limits, "mia", RequestClass.WRITE, 60)
    # AND each of those classes has its own limit too
    with pytest.raises(TooManyRequests, match="Too many reads"):
        limits.admit("mia", RequestClass.READ)
    with pytest.raises(TooManyRequests, match="Too many changes"):
        limits.admit("mia", RequestClass.WRITE)


def test_a_request_costs_one_write_whether_admitted_or_refused(
    moto_counters: tuple[RateCounterStore, DynamoDBClient, str], limits: RateLimits
) -> None:
    # GIVEN the DynamoDB calls counted
    calls = DynamoCallCounter(moto_counters[1])
    # WHEN a user makes 10 connects (admitted) and 5 more (refused)
    _fill(limits, "mia", RequestClass.CONNECT, 10)
    admitted_calls = list(calls.calls)
    for _ in range(5):
        with pytest.raises(TooManyRequests):
            limits.admit("mia", RequestClass.CONNECT)
    refused_calls = calls.calls[len(admitted_calls) :]
    # THEN each request was one UpdateItem (no read first), the refused ones included
    assert admitted_calls == ["UpdateItem"] * 10
    assert refused_calls == ["UpdateItem"] * 5


def test_counters_expire_a_window_after_their_own(
    moto_counters: tuple[RateCounterStore, DynamoDBClient, str], limits: RateLimits
) -> None:
    # GIVEN a counted request
    _, client, table = moto_counters
    limits.admit("mia", RequestClass.READ)
    # WHEN its counter is read THEN it holds the count and a TTL one window after the window's end
    window = int(START.timestamp()) // 60
    item = client.get_item(TableName=table, Key={"pk": {"S": counter_key("read", window, "mia")}})["Item"]
    assert item["hits"] == {"N": "1"}
    assert int(item["expires_at_epoch"]["N"]) == (window + 2) * 60


@pytest.mark.parametrize(
    ("route_key", "expected"),
    [
        ("POST /api/integrations/{provider}/connect", RequestClass.CONNECT),
        ("POST /api/integrations/{provider}/sync", RequestClass.SYNC_NOW),
        ("PUT /api/integrations/{provider}/settings", RequestClass.WRITE),
        ("POST /api/integrations/{provider}/import", RequestClass.WRITE),
        ("DELETE /api/integrations/{provider}/disconnect", RequestClass.WRITE),
        ("PATCH /api/campaigns/{campaign_id}", RequestClass.WRITE),
        ("POST /api/campaigns", RequestClass.WRITE),
        ("GET /api/integrations", RequestClass.READ),
        ("GET /api/campaigns/{campaign_id}/pitches", RequestClass.READ),
    ],
)
def test_each_route_counts_in_its_class(route_key: str, expected: RequestClass) -> None:
    assert request_class(route_key) is expected
