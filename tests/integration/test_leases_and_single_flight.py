"""One sync and one token refresh at a time per connection, across every worker."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest

from provider_sandbox import ProviderSandbox
from tests.support.api import LocalUser, connect
from tracker_integrations import wiring
from tracker_integrations.errors import SyncInProgress
from tracker_integrations.models.common import utcnow
from tracker_integrations.models.connection import Connection
from tracker_integrations.services.connecting.credentials import unseal
from tracker_integrations.store.leases import Lease


def _connection(user: LocalUser, provider: str) -> Connection:
    found = wiring.integrations_store().get_connection(user.name, provider)  # type: ignore[arg-type]
    assert found is not None
    return found


def test_a_lease_has_one_holder_until_released_or_expired(user: LocalUser) -> None:
    leases = wiring.lease_store()
    now = utcnow()
    first = leases.acquire(user.name, "sync#google-sheets", owner="a", ttl=timedelta(seconds=60), now=now)
    assert first is not None
    # a second worker is refused while it is held
    assert leases.acquire(user.name, "sync#google-sheets", owner="b", ttl=timedelta(seconds=60), now=now) is None
    # a holder that died: after expiry the next worker takes it, with a higher fencing number
    later = now + timedelta(seconds=61)
    taken = leases.acquire(user.name, "sync#google-sheets", owner="b", ttl=timedelta(seconds=60), now=later)
    assert taken is not None
    assert taken.fence == first.fence + 1
    # the dead holder's release does not free the new holder's lease
    leases.release(user.name, first)
    assert leases.acquire(user.name, "sync#google-sheets", owner="c", ttl=timedelta(seconds=60), now=later) is None
    leases.release(user.name, taken)
    assert leases.acquire(user.name, "sync#google-sheets", owner="c", ttl=timedelta(seconds=60), now=later) is not None


def test_a_sync_while_another_runs_is_refused_for_the_queue_to_retry(
    http: httpx.Client, new_user: Callable[[str], LocalUser]
) -> None:
    user = new_user("pro")
    assert connect(http, user, "google-sheets").connected
    assert http.post("/api/integrations/google-sheets/spreadsheets", headers=user.headers, json={}).status_code == 201
    held = wiring.lease_store().acquire(
        user.name, "sync#google-sheets", owner="another-worker", ttl=timedelta(seconds=180), now=utcnow()
    )
    assert held is not None
    with pytest.raises(SyncInProgress):
        wiring.sheets_sync().run(user.name)
    wiring.lease_store().release(user.name, held)
    assert wiring.sheets_sync().run(user.name).outcome == "success"


def test_twenty_concurrent_refreshes_make_one_token_call(
    http: httpx.Client, user: LocalUser, sandbox: ProviderSandbox
) -> None:
    # GIVEN an Airtable connection (rotating refresh tokens: a second use would be invalid_grant)
    assert connect(http, user, "airtable").connected
    stale = _connection(user, "airtable")
    calls_before = sandbox.count(host="airtable.com", path="/oauth2/v1/token")
    results: list[str] = []
    errors: list[BaseException] = []

    def refresh() -> None:
        try:
            tokens = wiring.token_service().current_tokens(stale, force_refresh=True)
            results.append(tokens.access_token.get_secret_value())
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    # WHEN 20 workers holding the same stale copy refresh at once
    threads = [threading.Thread(target=refresh) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # THEN Airtable saw exactly one refresh, and everyone got the same new token
    assert errors == []
    assert sandbox.count(host="airtable.com", path="/oauth2/v1/token") == calls_before + 1
    assert len(set(results)) == 1
    assert unseal(wiring.token_cipher(), _connection(user, "airtable")).access_token.get_secret_value() == results[0]


def test_a_request_left_on_a_held_lease_is_taken_once_by_its_holder(user: LocalUser) -> None:
    leases = wiring.lease_store()
    now = utcnow()
    # GIVEN nobody holding the lease: a request cannot be left (the caller goes ahead itself)
    assert not leases.request_rerun(user.name, "sync#gmail", "first", now=now)
    held = leases.acquire(user.name, "sync#gmail", owner="a", ttl=timedelta(seconds=60), now=now)
    assert held is not None
    # WHEN two requests are left while it is held THEN the later one stands for both, and is taken once
    assert leases.request_rerun(user.name, "sync#gmail", "second", now=now)
    assert leases.request_rerun(user.name, "sync#gmail", "third", now=now)
    assert leases.release(user.name, held, take_rerun=True) == "third"
    again = leases.acquire(user.name, "sync#gmail", owner="a", ttl=timedelta(seconds=60), now=now)
    assert again is not None
    assert leases.release(user.name, again, take_rerun=True) is None
    # AND a request left on a lease whose holder died is cleared by the next holder, whose run serves it
    dead = leases.acquire(user.name, "sync#gmail", owner="b", ttl=timedelta(seconds=60), now=now)
    assert dead is not None
    assert leases.request_rerun(user.name, "sync#gmail", "fourth", now=now)
    later = now + timedelta(seconds=61)
    assert not leases.request_rerun(user.name, "sync#gmail", "fifth", now=later)  # lapsed: nobody holds it
    third = leases.acquire(user.name, "sync#gmail", owner="c", ttl=timedelta(seconds=60), now=later)
    assert third is not None
    assert leases.release(user.name, third, take_rerun=True) is None
    # AND a holder whose lease lapsed and was taken gets neither the lease nor the new holder's request
    lapsed = leases.acquire(user.name, "sync#gmail", owner="d", ttl=timedelta(seconds=60), now=later)
    assert lapsed is not None
    even_later = later + timedelta(seconds=61)
    taker = leases.acquire(user.name, "sync#gmail", owner="e", ttl=timedelta(seconds=60), now=even_later)
    assert taker is not None
    assert leases.request_rerun(user.name, "sync#gmail", "sixth", now=even_later)
    assert leases.release(user.name, lapsed, take_rerun=True) is None
    assert leases.release(user.name, taker, take_rerun=True) == "sixth"
    # AND releasing a lease nobody ever took has nothing to take, and leaves no item behind
    never = Lease(name="sync#never-taken", owner="f", fence=1, expires_at=later)
    assert leases.release(user.name, never, take_rerun=True) is None
    key = {"pk": {"S": f"USER#{user.name}"}, "sk": {"S": "LEASE#sync#never-taken"}}
    table = wiring.root().settings.integrations_table
    assert "Item" not in wiring.dynamodb().get_item(TableName=table, Key=key, ConsistentRead=True)
