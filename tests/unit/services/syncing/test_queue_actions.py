"""What a sync job's failure does to the queue: one test per row of `QUEUE_ACTIONS`, through the runner."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.fakes import FakeIntegrations, FakeLeases, FakeQueue, ScriptedSync, SyncingHooks
from tracker_integrations.errors import (
    NotFound,
    PermanentProviderError,
    RateLimited,
    SyncInProgress,
    TransientProviderError,
    ValidationFailed,
)
from tracker_integrations.jobs import SyncJob
from tracker_integrations.models.connection import Connection, ConnectionStatus, ProviderKey
from tracker_integrations.services.syncing.queue_actions import QUEUE_ACTIONS, DuplicateJob, QueueAction, queue_action
from tracker_integrations.services.syncing.sync_frame import sync_lease
from tracker_integrations.services.syncing.sync_runner import SyncRunner

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
USER = "usr_1"
PROVIDER: ProviderKey = "gmail"


class Runner:
    def __init__(self, failure: Exception | None = None, *, last_sync_at: datetime | None = None) -> None:
        self.integrations = FakeIntegrations()
        self.leases = FakeLeases()
        self.queue = FakeQueue()
        self.sync = ScriptedSync(failure, leases=self.leases, lease=sync_lease(PROVIDER))
        hooks = SyncingHooks(scripted=self.sync)
        self.runner = SyncRunner(self.integrations, lambda provider: hooks, lambda: self.queue, self.leases)
        self.integrations.connections[(USER, PROVIDER)] = Connection(
            user_id=USER,
            provider=PROVIDER,
            connection_id="con_1",
            status=ConnectionStatus.CONNECTED,
            connected_at=NOW,
            updated_at=NOW,
            last_sync_at=last_sync_at,
        )


def _job(requested_at: datetime = NOW) -> SyncJob:
    return SyncJob(job_id="job_1", user_id=USER, provider=PROVIDER, reason="manual", requested_at=requested_at)


def _rate_limited(wait: float) -> RateLimited:
    return RateLimited("slow down", provider=PROVIDER, status=429, retry_after=wait)


def test_every_failure_class_in_the_table_has_one_action() -> None:
    # GIVEN the table WHEN its classes are listed THEN none appears twice (a second row would never match)
    kinds = [kind for kind, _ in QUEUE_ACTIONS]
    assert len(kinds) == len(set(kinds))


def test_a_job_requested_before_the_last_sync_started_is_dropped_as_a_duplicate() -> None:
    # GIVEN a connection synced after the job was requested
    given = Runner(last_sync_at=NOW + timedelta(seconds=5))
    # WHEN the job runs
    result = given.runner.run(_job())
    # THEN the provider's sync does not run and nothing is queued again
    assert result is None
    assert given.sync.runs == 0
    assert given.queue.sent == []
    assert queue_action(DuplicateJob("covered")) == QueueAction.DROP


def test_a_connection_gone_during_the_run_drops_the_job() -> None:
    # GIVEN a sync that finds its connection deleted
    given = Runner(NotFound("not connected"))
    # WHEN the job runs THEN it is acknowledged without a retry or a re-queue
    assert given.runner.run(_job()) is None
    assert given.queue.sent == []


def test_a_run_already_going_leaves_the_job_on_its_lease() -> None:
    # GIVEN another worker's run holding the connection's lease
    given = Runner(SyncInProgress("already running"))
    given.leases.held.add(sync_lease(PROVIDER))
    # WHEN the job runs
    given.runner.run(_job())
    # THEN it waits on the lease for that run to queue it, and is not queued now
    assert given.leases.reruns[sync_lease(PROVIDER)] == _job().model_dump_json()
    assert given.queue.sent == []


def test_a_run_that_ended_meanwhile_queues_the_waiting_job_at_once() -> None:
    # GIVEN a sync that reported a run going, but whose lease is released by the time the job asks
    given = Runner(SyncInProgress("already running"))
    # WHEN the job runs THEN it is queued again at once, without a delay
    given.runner.run(_job())
    assert given.queue.sent == [(_job(), 0)]


def test_a_rate_limit_requeues_the_job_with_the_providers_wait() -> None:
    # GIVEN a provider asking to wait 12.2 seconds
    given = Runner(_rate_limited(12.2))
    # WHEN the job runs
    result = given.runner.run(_job())
    # THEN this delivery is acknowledged and the job returns after the whole wait
    assert result is None
    assert given.queue.sent == [(_job(), 13)]


@pytest.mark.parametrize(
    "failure",
    [
        TransientProviderError("down", provider=PROVIDER, status=503),
        PermanentProviderError("refused", provider=PROVIDER, status=400),
        ValidationFailed("not in the table: a bug"),
    ],
)
def test_outages_refusals_and_unknown_failures_fail_the_message(failure: Exception) -> None:
    # GIVEN a sync failing in a way the table retries (or does not list)
    given = Runner(failure)
    # WHEN the job runs THEN the failure reaches the queue: the message comes back, then goes to the DLQ
    with pytest.raises(type(failure)):
        given.runner.run(_job())
    assert given.queue.sent == []


def test_a_job_left_waiting_during_a_failed_run_is_still_queued() -> None:
    # GIVEN a run that fails with an outage while another job waits on its lease
    given = Runner(TransientProviderError("down", provider=PROVIDER, status=503))
    waiting = _job(NOW + timedelta(seconds=1))
    given.leases.reruns[sync_lease(PROVIDER)] = waiting.model_dump_json()
    # WHEN the run ends
    with pytest.raises(TransientProviderError):
        given.runner.run(_job())
    # THEN the waiting job is queued, so the failure does not swallow it
    assert given.queue.sent == [(waiting, 0)]
