"""One queued sync job run: its log, the connection's due marker, and jobs left waiting on it. What each failure
does to the queue is tested row by row in test_queue_actions."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.fakes import (
    FakeIntegrations,
    FakeLeases,
    FakeMarkers,
    FakeQueue,
    ScriptedSync,
    SyncingHooks,
    connection,
)
from tracker_integrations.errors import SyncInProgress
from tracker_integrations.jobs import SyncJob
from tracker_integrations.models.connection import Connection, ProviderKey
from tracker_integrations.services.integration_hooks import IntegrationHooks
from tracker_integrations.services.scheduling.realtime import RealTime
from tracker_integrations.services.syncing.sync_frame import sync_lease
from tracker_integrations.services.syncing.sync_runner import SyncRunner

REQUESTED = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
STARTED = REQUESTED + timedelta(seconds=5)


class Runner:
    def __init__(self, *connections: Connection, live_until: datetime | None = None) -> None:
        self.integrations = FakeIntegrations()
        for c in connections:
            self.integrations.connections[(c.user_id, c.provider)] = c
        self.queue = FakeQueue()
        self.leases = FakeLeases()
        self.markers = FakeMarkers()
        self.hooks = SyncingHooks(live_until=live_until, scripted=ScriptedSync(started_at=STARTED, leases=self.leases))
        self.asked: list[ProviderKey] = []

        def hooks_of(provider: ProviderKey) -> IntegrationHooks:
            self.asked.append(provider)
            return self.hooks

        realtime = RealTime(self.integrations, self.markers, hooks_of, lambda: self.queue, now=lambda: REQUESTED)
        self.runner = SyncRunner(
            self.integrations, hooks_of, lambda: self.queue, self.leases, realtime=lambda: realtime
        )

    @property
    def sync(self) -> ScriptedSync:
        return self.hooks.scripted


def job(provider: ProviderKey = "google-sheets", *, job_id: str = "job_1") -> SyncJob:
    return SyncJob(job_id=job_id, user_id="usr_1", provider=provider, reason="manual", requested_at=REQUESTED)


def test_a_finished_run_returns_its_log_and_settles_the_connection_while_its_push_channel_is_live() -> None:
    # GIVEN Sheets connected, its Drive push channel live for another day
    given = Runner(connection("google-sheets"), live_until=REQUESTED + timedelta(days=1))
    # WHEN its job runs and the sync succeeds
    log = given.runner.run(job())
    # THEN the log comes back and the connection is settled from the run's start: no tick re-syncs it
    assert log is not None
    assert log.outcome == "success"
    assert given.markers.settled == {("usr_1", "google-sheets"): STARTED}
    assert given.markers.marked == {}
    assert given.queue.sent == []


def test_a_run_without_a_live_push_channel_leaves_the_connection_due_at_every_tick() -> None:
    # GIVEN Sheets connected but its push channel lapsed (nobody would report the sheet's edits)
    given = Runner(connection("google-sheets"), live_until=REQUESTED - timedelta(minutes=1))
    # WHEN its job runs and succeeds
    given.runner.run(job())
    # THEN it stays due from the run's start, so the schedule polls it
    assert given.markers.settled == {}
    assert given.markers.marked[("usr_1", "google-sheets")][0] == STARTED


def test_a_failed_run_leaves_the_connection_due_so_the_next_tick_tries_again() -> None:
    # GIVEN a run that synced nothing (its log says failed; the card already says why)
    given = Runner(connection("google-sheets"), live_until=REQUESTED + timedelta(days=1))
    given.sync.outcome = "failed"
    # WHEN the job runs
    log = given.runner.run(job())
    # THEN the message is acknowledged (a log comes back) and the connection is still due
    assert log is not None
    assert log.outcome == "failed"
    assert given.markers.settled == {}
    assert ("usr_1", "google-sheets") in given.markers.marked


@pytest.mark.parametrize("provider", ["mailchimp", "google-drive"])
def test_a_job_for_a_provider_without_a_sync_is_dropped(provider: ProviderKey) -> None:
    # GIVEN a connection to a provider that has no sync yet
    given = Runner(connection(provider))
    # WHEN a job for it arrives THEN it is dropped before its hooks are even asked for
    assert given.runner.run(job(provider)) is None
    assert given.asked == []


def test_a_job_whose_connection_was_removed_is_dropped() -> None:
    # GIVEN no connection (disconnected after the job was queued)
    given = Runner()
    # WHEN the job arrives THEN it is dropped, nothing runs, nothing is queued
    assert given.runner.run(job()) is None
    assert given.sync.runs == 0
    assert given.queue.sent == []


def test_a_job_meeting_a_running_sync_waits_on_its_lease_and_runs_once_that_run_ends() -> None:
    # GIVEN a run of the same connection already going (it holds the lease)
    given = Runner(connection("google-sheets"))
    given.leases.held.add(sync_lease("google-sheets"))
    given.sync.failure = SyncInProgress("a sync is running")
    # WHEN a Sync now job arrives
    waiting = job(job_id="job_waiting")
    assert given.runner.run(waiting) is None
    # THEN it is not queued yet, but left on the running sync's lease
    assert given.queue.sent == []
    # WHEN the running sync's own job finishes
    given.leases.held.clear()
    given.sync.failure = None
    given.leases.held.add(sync_lease("google-sheets"))
    given.runner.run(job(job_id="job_running"))
    # THEN the waiting job is queued at once, exactly once
    assert given.queue.sent == [(waiting, 0)]
    assert given.runner.run(job(job_id="job_running")) is not None
    assert given.queue.sent == [(waiting, 0)]
