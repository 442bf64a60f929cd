"""The worker under SQS's delivery habits: repeated messages, and a provider that fails twice then answers."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import httpx
import pytest

from local_stack.server import RunningStack
from tests.support.api import LocalUser, card
from tests.support.sheets import SheetsUser, make_sheets_user
from tests.support.waiting import wait_until
from tracker_integrations import wiring
from tracker_integrations.config import get_settings
from tracker_integrations.errors import SyncInProgress
from tracker_integrations.jobs import SyncJob
from tracker_integrations.models.common import new_id, utcnow

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient


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
    sheets_user.sandbox.inject_fault(sheets_user.sheet_fault(method="GET", status=429, retry_after=1, times=1))
    sheets_user.sandbox.inject_fault(sheets_user.sheet_fault(method="GET", status=500, times=1))
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
    sheets_user.sandbox.inject_fault(sheets_user.sheet_fault(method="POST", status=400, body=refusal, times=1))
    before = sheets_user.stack.stack.queued_messages("SyncJobsQueue")
    # WHEN the user syncs
    log = sheets_user.sync()
    # THEN the run is logged as failed, the card says what happened and what to do, and nothing is left to retry
    assert log["outcome"] == "failed"
    shown = card(sheets_user.http, sheets_user.user, "google-sheets")
    assert shown["status"] == "error"
    assert shown["last_error"]["message"] == "Google Sheets refused a request, so this sync did not finish."
    assert "Sync now" in shown["last_error"]["action"]
    assert sheets_user.stack.stack.messages_queued_since("SyncJobsQueue", before) == []


def _take_job_as_another_worker(user_id: str) -> SyncJob:
    """Receive this user's job as a second worker container would, while the first is busy."""
    sqs, url = wiring.sqs(), get_settings().sync_queue_url
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        for message in sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
            job = SyncJob.model_validate_json(message["Body"])
            if job.user_id == user_id:
                _deliver(sqs, url, message["ReceiptHandle"], job)
                return job
            # another test's job: back to the queue for its own worker
            sqs.change_message_visibility(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0)
    raise AssertionError("the job never reached the queue")


def _deliver(sqs: SQSClient, url: str, receipt: str, job: SyncJob) -> None:
    """As the worker's partial batch response does: a job that raised stays in flight until the queue's
    visibility timeout (720 s in AWS) lapses; one that returned is deleted."""
    try:
        wiring.sync_runner().run(job)
    except SyncInProgress:
        return
    sqs.delete_message(QueueUrl=url, ReceiptHandle=receipt)


def test_sync_now_pressed_during_a_running_sync_runs_seconds_after_it_once(sheets_user: SheetsUser) -> None:
    # GIVEN a sync under way that Google is slow to answer
    sheets_user.pitch()
    slow_read = sheets_user.sheet_fault(method="GET")
    sheets_user.sandbox.inject_fault(slow_read.model_copy(update={"status": None, "delay_seconds": 4.0}))
    runs = len(sheets_user.logs())
    assert sheets_user.http.post("/api/integrations/google-sheets/sync", headers=sheets_user.user.headers).is_success
    first_worker = threading.Thread(target=sheets_user.stack.stack.run_queued_jobs)
    first_worker.start()
    wait_until(lambda: sheets_user.sandbox.faults == [], "the first run to reach Google")
    # WHEN the user presses Sync now three more times meanwhile, and other workers take those jobs at once
    # (the API's own service: the local stack runs one handler at a time, so an HTTP press would wait)
    for _ in range(3):
        wiring.sync_requests().sync_now(sheets_user.user.name, "google-sheets")
        _take_job_as_another_worker(sheets_user.user.name)
    first_worker.join()
    first = sheets_user.logs()[len(sheets_user.logs()) - runs - 1]  # newest first: the oldest new run
    # THEN one more run starts within 30 seconds of the first one's end (the queue's poller keeps delivering)
    wait_until(lambda: _runs_after_delivery(sheets_user) >= runs + 2, "a run after the first", within=30)
    after = sheets_user.logs()[0]
    assert datetime.fromisoformat(after["started_at"]) - datetime.fromisoformat(first["finished_at"]) < timedelta(
        seconds=30
    )
    # AND the three presses made one run, not three
    sheets_user.stack.stack.run_queued_jobs()
    assert len(sheets_user.logs()) == runs + 2


def _runs_after_delivery(sheets_user: SheetsUser) -> int:
    sheets_user.stack.stack.run_queued_jobs()
    return len(sheets_user.logs())
