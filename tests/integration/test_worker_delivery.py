"""The worker under SQS's delivery habits: repeated messages, and a provider that fails twice then answers."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from local_stack.server import RunningStack
from provider_sandbox import Fault
from tests.support.api import LocalUser, card
from tests.support.sheets import SHEETS_HOST, SheetsUser, make_sheets_user
from tracker_integrations import wiring
from tracker_integrations.jobs import SyncJob
from tracker_integrations.models.common import new_id, utcnow


@pytest.fixture
def sheets_user(http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack) -> SheetsUser:
    return make_sheets_user(http, new_user, stack)


def test_a_burst_of_the_same_message_syncs_once(sheets_user: SheetsUser) -> None:
    # GIVEN a pitch to sync, and one job delivered five times (SQS delivers at least once; a retrying
    # sender may send again)
    pitch = sheets_user.pitch()
    job = SyncJob(
        job_id=new_id("job"),
        user_id=sheets_user.user.name,
        provider="google-sheets",
        reason="manual",
        requested_at=utcnow(),
    )
    wiring.sync_queue().enqueue_many([(job, 0)] * 5)
    runs = len(sheets_user.logs())
    # WHEN the worker takes them all
    sheets_user.stack.stack.run_queued_jobs()
    # THEN one sync ran, and the pitch is in the sheet once
    assert len(sheets_user.logs()) == runs + 1
    assert sum(1 for row in sheets_user.grid() if pitch["pitch_id"] in [str(v) for v in row]) == 1


def test_a_429_then_a_500_then_success_ends_in_one_successful_run(sheets_user: SheetsUser) -> None:
    # GIVEN Google answering the sheet read with 429 (Retry-After 1 s), then 500, then normally
    pitch = sheets_user.pitch()
    sheets_user.sandbox.inject_fault(Fault(host=SHEETS_HOST, method="GET", status=429, retry_after=1, times=1))
    sheets_user.sandbox.inject_fault(Fault(host=SHEETS_HOST, method="GET", status=500, times=1))
    runs = len(sheets_user.logs())
    # WHEN the user syncs
    log = sheets_user.sync()
    # THEN the run waited, retried, and succeeded: one run, no failure logged, no retry burnt on the queue
    assert log["outcome"] == "success"
    assert len(sheets_user.logs()) == runs + 1
    assert pitch["pitch_id"] in sheets_user.rows_by_id()
    assert sheets_user.sandbox.faults == []


def test_a_request_google_refuses_for_good_is_shown_on_the_card_not_retried_forever(sheets_user: SheetsUser) -> None:
    # GIVEN Google refusing the sync's write with a 400 that no retry will change
    sheets_user.pitch()
    refusal = {"error": {"code": 400, "message": "Invalid requests[0]: no such thing", "status": "INVALID_ARGUMENT"}}
    sheets_user.sandbox.inject_fault(Fault(host=SHEETS_HOST, method="POST", status=400, body=refusal, times=1))
    before = sheets_user.stack.stack.queue_depth("SyncJobsQueue")
    # WHEN the user syncs
    log = sheets_user.sync()
    # THEN the run is logged as failed, the card says what happened and what to do, and nothing is left to retry
    assert log["outcome"] == "failed"
    shown = card(sheets_user.http, sheets_user.user, "google-sheets")
    assert shown["status"] == "error"
    assert shown["last_error"]["message"] == "Google Sheets refused a request, so this sync did not finish."
    assert "Sync now" in shown["last_error"]["action"]
    assert sheets_user.stack.stack.queue_depth("SyncJobsQueue") == before
