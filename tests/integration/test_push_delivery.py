"""Pushes as Google really delivers them: late, more than once, or never.

Drive channels and Pub/Sub promise at-least-once delivery in no particular order, and Drive says
notifications can be lost. The sandbox's push faults make each happen; the product must lose no
edit, apply none twice, and catch a lost push by the reconciliation polling behind push.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import httpx
import pytest

from local_stack.server import RunningStack
from provider_sandbox.drive_channels import DriveChannels
from provider_sandbox.push import PushCounts, PushFault, PushSender
from tests.integration.test_gmail_replies import ANNIE, SUBJECT, GmailUser, gmail_user, mail
from tests.support.api import LocalUser
from tests.support.schedule import is_due
from tests.support.sheets import SheetsUser, make_sheets_user
from tests.support.waiting import deliver_pushes_and_run_jobs, wait_until
from tracker_integrations import wiring
from tracker_integrations.jobs import SyncJob
from tracker_integrations.models.common import new_id, utcnow
from tracker_integrations.models.connection import ProviderKey
from tracker_integrations.providers.registry import get_spec

__all__ = ["gmail_user"]  # the Gmail tests' fixture, shared

_TOTALS: dict[str, int] = {"delayed": 0, "duplicated": 0, "dropped": 0, "edits_lost": 0, "edits_applied_twice": 0}


@pytest.fixture(scope="module", autouse=True)
def _report_push_figures() -> Iterator[None]:
    yield
    print(  # the figures the issue asks for, shown with -s
        "\npush delivery: " + ", ".join(f"{name.replace('_', ' ')} {value}" for name, value in _TOTALS.items())
    )


@pytest.fixture
def pushes(stack: RunningStack) -> Iterator[PushSender]:
    sender = PushSender.of(stack.stack.sandbox.context)
    sender.flush()
    before = sender.counts
    yield sender
    sender.clear_faults()
    after = sender.counts
    for name in ("delayed", "duplicated", "dropped"):
        _TOTALS[name] += getattr(after, name) - getattr(before, name)


def _changed(sender: PushSender, before: PushCounts) -> dict[str, int]:
    after = sender.counts
    return {name: getattr(after, name) - getattr(before, name) for name in ("delayed", "duplicated", "dropped")}


def _wait_for(condition: Callable[[], bool], stack: RunningStack) -> None:
    wait_until(condition, "pushes to be delivered and acted on", within=20, between=deliver_pushes_and_run_jobs(stack))


def _reconciliation_tick(user_id: str, provider: ProviderKey, cadence: str) -> None:
    """The tier's tick once the reconciliation time has come: what the fan-out queues for this connection."""
    reconcile_every = get_spec(provider).sync.reconcile_every
    assert reconcile_every is not None
    later = utcnow() + reconcile_every + timedelta(minutes=1)
    assert is_due(user_id, provider, cadence, at=later)
    job = SyncJob(job_id=new_id("job"), user_id=user_id, provider=provider, reason="schedule", requested_at=utcnow())
    wiring.sync_queue().enqueue(job)


# -- Google Sheets through Drive channels ----------------------------------------------------------------


@pytest.fixture
def synced(http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack) -> tuple[SheetsUser, str]:
    """An agency user's synced sheet with a live Drive channel, one pitch in it, everything settled."""
    user = make_sheets_user(http, new_user, stack, plan="agency")
    pitch = user.pitch(status="sent")
    user.sync()
    assert DriveChannels.of(user.sandbox.context).live_channels(user.spreadsheet_id)
    _wait_for(lambda: not is_due(user.user.name, "google-sheets", "real_time"), stack)  # its own writes' push
    return user, str(pitch["pitch_id"])


def _mark_replied_in_the_sheet(user: SheetsUser, pitch_id: str) -> int:
    """The user edits the Status cell; returns the pitch's version before."""
    version = int(user.get_pitch(pitch_id)["version"])
    row = user.row_number(pitch_id)
    user.sandbox.sheets.set_cells(user.spreadsheet_id, f"'{user.tab}'!H{row}", [["Replied"]])
    return version


def _settled_once(user: SheetsUser, pitch_id: str, version: int) -> None:
    """The edit is in Tracker exactly once: one version more, one pitch, one row."""
    pitch = user.get_pitch(pitch_id)
    _TOTALS["edits_lost"] += pitch["status"] != "replied"
    _TOTALS["edits_applied_twice"] += pitch["version"] > version + 1
    assert (pitch["status"], pitch["version"]) == ("replied", version + 1)
    pitches = user.http.get(f"/api/campaigns/{user.campaign['campaign_id']}/pitches", headers=user.user.headers).json()[
        "pitches"
    ]
    assert [p["pitch_id"] for p in pitches] == [pitch_id]
    assert sum(1 for row in user.grid() if pitch_id in [str(v) for v in row]) == 1


def test_a_sheet_edit_whose_push_arrives_three_times_is_applied_once(
    synced: tuple[SheetsUser, str], pushes: PushSender
) -> None:
    user, pitch_id = synced
    before = pushes.counts
    # GIVEN Drive about to deliver the next notification three times
    pushes.add_fault(PushFault(action="duplicate", kind="drive", copies=3))
    # WHEN the user marks the pitch replied in the sheet
    version = _mark_replied_in_the_sheet(user, pitch_id)
    # THEN the change reaches Tracker, and once everything settles it was applied once
    _wait_for(lambda: user.get_pitch(pitch_id)["status"] == "replied", user.stack)
    _wait_for(lambda: not is_due(user.user.name, "google-sheets", "real_time"), user.stack)
    _settled_once(user, pitch_id, version)
    assert _changed(pushes, before) == {"delayed": 0, "duplicated": 2, "dropped": 0}


def test_a_sheet_edit_whose_push_arrives_late_still_arrives(synced: tuple[SheetsUser, str], pushes: PushSender) -> None:
    user, pitch_id = synced
    before = pushes.counts
    # GIVEN Drive about to hold the next notification back for three seconds
    pushes.add_fault(PushFault(action="delay", kind="drive", delay_seconds=3))
    # WHEN the user marks the pitch replied in the sheet
    version = _mark_replied_in_the_sheet(user, pitch_id)
    # THEN the change is in Tracker once the push has arrived, once
    _wait_for(lambda: user.get_pitch(pitch_id)["status"] == "replied", user.stack)
    _settled_once(user, pitch_id, version)
    assert _changed(pushes, before) == {"delayed": 1, "duplicated": 0, "dropped": 0}


def test_a_sheet_edit_whose_push_is_lost_is_caught_by_reconciliation(
    synced: tuple[SheetsUser, str], pushes: PushSender
) -> None:
    user, pitch_id = synced
    before = pushes.counts
    # GIVEN Drive about to lose the next notification
    pushes.add_fault(PushFault(action="drop", kind="drive"))
    # WHEN the user marks the pitch replied in the sheet
    version = _mark_replied_in_the_sheet(user, pitch_id)
    pushes.flush()
    user.stack.stack.run_queued_jobs()
    # THEN Tracker did not hear of it, and the connection is not due now (its channel is live)
    assert user.get_pitch(pitch_id)["status"] == "sent"
    assert not is_due(user.user.name, "google-sheets", "real_time")
    # WHEN the reconciliation time comes and the tick queues the connection
    _reconciliation_tick(user.user.name, "google-sheets", "real_time")
    user.stack.stack.run_queued_jobs()
    # THEN the edit is in Tracker, once
    _settled_once(user, pitch_id, version)
    assert _changed(pushes, before) == {"delayed": 0, "duplicated": 0, "dropped": 1}


# -- Gmail through Pub/Sub ------------------------------------------------------------------------------


def _reply(gmail: GmailUser) -> int:
    """Annie replies; returns the pitch's version before."""
    version = int(gmail.get_pitch()["version"])
    raw, _ = mail(ANNIE, gmail.login, f"Re: {SUBJECT}", "Lovely, adding it.", in_reply_to=gmail.pitch_message_id)
    gmail.sandbox.gmail.deliver(gmail.login, raw)
    return version


def _reply_recorded_once(gmail: GmailUser, version: int) -> None:
    pitch = gmail.get_pitch()
    _TOTALS["edits_lost"] += pitch["reply"] is None
    _TOTALS["edits_applied_twice"] += len(gmail.notifications("reply_received")) > 1
    assert pitch["status"] in {"replied", "interested"}
    assert pitch["version"] == version + 1
    assert len(gmail.notifications("reply_received")) == 1


def test_a_reply_whose_push_arrives_three_times_is_recorded_once(gmail_user: GmailUser, pushes: PushSender) -> None:
    before = pushes.counts
    # GIVEN Pub/Sub about to deliver the next push three times (one message id)
    pushes.add_fault(PushFault(action="duplicate", kind="pubsub", copies=3))
    # WHEN Annie replies
    version = _reply(gmail_user)
    # THEN the reply is on the pitch, recorded and told once, after every copy was handled and the user checked
    _wait_for(lambda: gmail_user.get_pitch()["reply"] is not None, gmail_user.stack)
    gmail_user.sync()
    _reply_recorded_once(gmail_user, version)
    assert _changed(pushes, before) == {"delayed": 0, "duplicated": 2, "dropped": 0}


def test_a_reply_whose_push_arrives_late_still_arrives(gmail_user: GmailUser, pushes: PushSender) -> None:
    before = pushes.counts
    # GIVEN Pub/Sub about to hold the next push back for two seconds
    pushes.add_fault(PushFault(action="delay", kind="pubsub", delay_seconds=2))
    # WHEN Annie replies
    version = _reply(gmail_user)
    # THEN the reply is on the pitch once the push arrives
    _wait_for(lambda: gmail_user.get_pitch()["reply"] is not None, gmail_user.stack)
    _reply_recorded_once(gmail_user, version)
    assert _changed(pushes, before) == {"delayed": 1, "duplicated": 0, "dropped": 0}


def test_a_reply_whose_push_is_lost_is_caught_by_the_poll_behind_push(
    gmail_user: GmailUser, pushes: PushSender
) -> None:
    before = pushes.counts
    # GIVEN Pub/Sub about to lose the next push
    pushes.add_fault(PushFault(action="drop", kind="pubsub"))
    # WHEN Annie replies
    version = _reply(gmail_user)
    pushes.flush()
    gmail_user.stack.stack.run_queued_jobs()
    # THEN Tracker has not heard of it yet
    assert gmail_user.get_pitch()["reply"] is None
    # WHEN the poll behind push comes due and the tick queues the mailbox
    _reconciliation_tick(gmail_user.user.name, "gmail", "every_15_minutes")
    gmail_user.stack.stack.run_queued_jobs()
    # THEN the reply is on the pitch, once
    _reply_recorded_once(gmail_user, version)
    assert _changed(pushes, before) == {"delayed": 0, "duplicated": 0, "dropped": 1}
