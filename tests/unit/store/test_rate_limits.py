"""The counters hold across concurrent Lambda instances: one conditional write each, exactly N admitted."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from tests.support.rate_limits import counters_in_moto
from tracker_integrations.store.rate_limits import RateCounterStore

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

LIMIT = 10
CONCURRENT = 60


@pytest.fixture
def moto_counters() -> Iterator[tuple[RateCounterStore, DynamoDBClient, str]]:
    yield from counters_in_moto()


def test_concurrent_requests_admit_exactly_the_limit(
    moto_counters: tuple[RateCounterStore, DynamoDBClient, str],
) -> None:
    store = moto_counters[0]
    admitted: list[bool] = []
    errors: list[BaseException] = []
    ready = threading.Barrier(CONCURRENT)

    def request(user: str) -> None:
        try:
            ready.wait(timeout=30)
            admitted.append(store.take("connect", 1000, user, limit=LIMIT, expires_at_epoch=60_120))
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    # GIVEN 60 instances taking from one user's counter at once, and one request of another user among them
    threads = [threading.Thread(target=request, args=("mia",)) for _ in range(CONCURRENT - 1)]
    threads.append(threading.Thread(target=request, args=("tom",)))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    # THEN exactly the limit of mia's got through (and tom's), the rest refused
    assert errors == []
    assert len(admitted) == CONCURRENT
    assert admitted.count(True) == LIMIT + 1
    assert not store.take("connect", 1000, "mia", limit=LIMIT, expires_at_epoch=60_120)
    assert store.take("connect", 1001, "mia", limit=LIMIT, expires_at_epoch=60_180)
