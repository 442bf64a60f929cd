"""Tier schedules: the fan-out queues one job per due connection, ten per SQS call, spread over the interval."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from local_stack.server import RunningStack
from local_stack.template import resources, schedules
from provider_sandbox.push import PushSender
from tests.support.api import LocalUser, connect, put_settings
from tests.support.schedule import due_connections
from tracker_integrations import wiring
from tracker_integrations.jobs import SyncJob
from tracker_integrations.models.common import utcnow


def _ready_sheets_user(http: httpx.Client, new_user: Callable[[str], LocalUser], plan: str) -> LocalUser:
    user = new_user(plan)
    assert connect(http, user, "google-sheets").connected
    assert http.post("/api/integrations/google-sheets/spreadsheets", headers=user.headers, json={}).status_code == 201
    return user


def test_template_schedules_follow_the_tiers() -> None:
    by_name = {s.name: s for s in schedules()}
    assert by_name["ProTier"].rate_seconds == 15 * 60
    assert by_name["ProTier"].input == {"cadence": "every_15_minutes", "interval_seconds": 900}
    assert by_name["AgencyTier"].rate_seconds == 5 * 60
    assert "FreeTier" not in by_name  # free syncs only when asked
    index = resources("AWS::DynamoDB::Table")["IntegrationsTable"]["Properties"]["GlobalSecondaryIndexes"][0]
    assert index["Projection"] == {"ProjectionType": "KEYS_ONLY"}


def test_only_connections_that_sync_on_a_schedule_are_due(
    http: httpx.Client, new_user: Callable[[str], LocalUser]
) -> None:
    pro = _ready_sheets_user(http, new_user, "pro")
    agency = _ready_sheets_user(http, new_user, "agency")
    free = _ready_sheets_user(http, new_user, "free")
    not_set_up = new_user("pro")
    assert connect(http, not_set_up, "google-sheets").connected
    assert (pro.name, "google-sheets") in due_connections("every_15_minutes")
    assert (agency.name, "google-sheets") in due_connections("real_time")
    for cadence in ("every_15_minutes", "real_time"):
        assert (free.name, "google-sheets") not in due_connections(cadence)
        assert (not_set_up.name, "google-sheets") not in due_connections(cadence)
    # a paused connection drops out, and comes back when resumed
    assert put_settings(http, pro, "google-sheets", {"paused": True}).status_code == 200
    assert (pro.name, "google-sheets") not in due_connections("every_15_minutes")
    assert put_settings(http, pro, "google-sheets", {"paused": False}).status_code == 200
    assert (pro.name, "google-sheets") in due_connections("every_15_minutes")


def test_a_tick_queues_one_job_per_due_connection_spread_over_the_interval(
    http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack
) -> None:
    for _ in range(3):
        _ready_sheets_user(http, new_user, "pro")
    # Earlier tests' Drive notifications still in flight would queue or mark connections while this counts.
    PushSender.of(stack.stack.sandbox.context).flush()
    before = stack.stack.queued_messages("SyncJobsQueue")
    due = len(due_connections("every_15_minutes"))
    result: dict[str, Any] = stack.stack.run_schedule("ProTier")
    assert result["connections"] == due
    assert result["send_calls"] == -(-due // 10)
    queued = stack.stack.messages_queued_since("SyncJobsQueue", before)
    assert len(queued) == due
    # spread: with jitter over 15 minutes, hardly any job is due at once
    assert sum(message.delayed for message in queued) >= due - 1
    stack.stack.purge_queues()


def test_a_scheduled_job_syncs_the_connection(
    http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack
) -> None:
    user = _ready_sheets_user(http, new_user, "pro")
    campaign = http.post("/api/campaigns", headers=user.headers, json={"title": "Push"}).json()
    http.post(f"/api/campaigns/{campaign['campaign_id']}/pitches", headers=user.headers, json={"email": "a@x.example"})
    stack.stack.purge_queues()
    job = SyncJob(
        job_id="job_test", user_id=user.name, provider="google-sheets", reason="schedule", requested_at=utcnow()
    )
    wiring.sync_queue().enqueue_many([(job, 0)])
    stack.stack.run_queued_jobs()
    logs = http.get("/api/integrations/google-sheets/logs", headers=user.headers).json()["logs"]
    assert logs[0]["records_created"] == 1
