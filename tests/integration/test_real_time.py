"""Real time and quiet ticks: changes on either side turn into syncs, and nothing else does.

Tracker-side changes arrive through the Tracker table's stream (emulated by the local stack from
moto's stream); sheet-side changes through Drive push notifications the sandbox POSTs to the
webhook. A scheduled tick with nothing changed costs no provider call.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest

from local_stack.server import RunningStack
from provider_sandbox import Fault
from provider_sandbox.drive_channels import DriveChannels
from provider_sandbox.push import PushSender
from tests.support.api import LocalUser
from tests.support.schedule import is_due
from tests.support.sheets import SheetsUser, make_sheets_user
from tests.support.waiting import deliver_pushes_and_run_jobs, wait_until
from tracker_integrations import wiring
from tracker_integrations.jobs import SyncJob
from tracker_integrations.models.common import new_id, utcnow
from tracker_integrations.models.push import PushChannel, TrackerChange
from tracker_integrations.services.scheduling.realtime import COLLAPSE_WINDOW, RealTime

WEBHOOK = "/api/webhooks/google-drive"


@pytest.fixture
def agency_user(http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack) -> SheetsUser:
    return make_sheets_user(http, new_user, stack, plan="agency")


@pytest.fixture
def pro_user(http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack) -> SheetsUser:
    return make_sheets_user(http, new_user, stack, plan="pro")


def _scheduled_tick(user: SheetsUser) -> None:
    job = SyncJob(
        job_id=new_id("job"), user_id=user.user.name, provider="google-sheets", reason="schedule", requested_at=utcnow()
    )
    wiring.sync_queue().enqueue(job)
    user.stack.stack.run_queued_jobs()


def test_an_agency_edit_in_tracker_reaches_the_sheet_within_seconds_as_one_sync(agency_user: SheetsUser) -> None:
    # GIVEN an agency user whose sheet is synced (the first sync also opens the Drive channel)
    agency_user.sync()
    runs_before = len(agency_user.logs())
    # WHEN they add three pitches in Tracker in a burst, and nobody presses "sync now"
    pitches = [agency_user.pitch(email=f"dj{i}@radio.example", contact_name=f"DJ {i}") for i in range(3)]
    # THEN the rows appear in the sheet within seconds
    wait_until(
        lambda: all(p["pitch_id"] in agency_user.rows_by_id() for p in pitches),
        "the rows in the sheet, with no schedule tick",
        between=deliver_pushes_and_run_jobs(agency_user.stack),
    )
    # AND the burst cost one sync, not three
    assert len(agency_user.logs()) - runs_before == 1


def test_an_agency_edit_in_the_sheet_reaches_tracker_through_drive_push(agency_user: SheetsUser) -> None:
    # GIVEN a synced pitch
    pitch = agency_user.pitch(status="sent")
    agency_user.sync()
    assert DriveChannels.of(agency_user.sandbox.context).live_channels(agency_user.spreadsheet_id)
    row = agency_user.row_number(pitch["pitch_id"])
    # WHEN someone marks it replied in the spreadsheet
    agency_user.sandbox.sheets.set_cells(agency_user.spreadsheet_id, f"'{agency_user.tab}'!H{row}", [["Replied"]])
    # THEN Drive's notification brings the change into Tracker within seconds, without a schedule tick
    wait_until(
        lambda: agency_user.get_pitch(pitch["pitch_id"])["status"] == "replied",
        "the sheet's edit in Tracker, with no schedule tick",
        between=deliver_pushes_and_run_jobs(agency_user.stack),
    )


def test_notifications_not_from_a_channel_tracker_opened_are_refused(
    agency_user: SheetsUser, http: httpx.Client
) -> None:
    # GIVEN a synced sheet with a live channel
    agency_user.sync()
    channel = wiring.channel_store().current(agency_user.user.name, "google-sheets")
    assert channel is not None
    before = agency_user.stack.stack.queued_messages("SyncJobsQueue")
    headers = {
        "X-Goog-Channel-ID": channel.channel_id,
        "X-Goog-Resource-ID": channel.resource_id,
        "X-Goog-Resource-State": "update",
    }
    # WHEN someone posts notifications with a wrong token, no token, an unknown channel or the wrong resource
    forged = [
        {**headers, "X-Goog-Channel-Token": "guessed"},
        headers,
        {**headers, "X-Goog-Channel-ID": "ch_unknown", "X-Goog-Channel-Token": "guessed"},
        {**headers, "X-Goog-Resource-ID": "other-file", "X-Goog-Channel-Token": "guessed"},
    ]
    answers = [http.post(WEBHOOK, headers=h) for h in forged]
    # THEN each is refused as unauthenticated, with a reason
    assert [a.status_code for a in answers] == [401, 401, 401, 401]
    assert all(a.json()["error"]["code"] == "unauthenticated" for a in answers)
    # AND a notification missing its headers is a named bad request
    missing = http.post(WEBHOOK, headers={"X-Goog-Channel-ID": channel.channel_id})
    assert missing.status_code == 400
    assert "x-goog-resource-id" in missing.json()["error"]["message"]
    # AND nothing was queued
    assert agency_user.stack.stack.messages_queued_since("SyncJobsQueue", before) == []


def test_a_quiet_connection_is_not_due_and_a_change_on_either_side_makes_it_due(pro_user: SheetsUser) -> None:
    # GIVEN a pro user's synced sheet (its push channel opens after the first sync's writes)
    pitch = pro_user.pitch(status="sent")
    pro_user.sync()
    PushSender.of(pro_user.sandbox.context).flush()
    # WHEN nothing changes anywhere THEN the schedules leave the connection alone: no job, no call to Google
    assert not is_due(pro_user.user.name, "google-sheets")
    # WHEN the sheet is edited (a pro connection is not real time: Drive's push only makes it due)
    row = pro_user.row_number(pitch["pitch_id"])
    pro_user.sandbox.sheets.set_cells(pro_user.spreadsheet_id, f"'{pro_user.tab}'!K{row}", [["Call back Tuesday"]])
    PushSender.of(pro_user.sandbox.context).flush()
    runs = len(pro_user.logs())
    pro_user.stack.stack.run_queued_jobs()
    assert len(pro_user.logs()) == runs
    # THEN the next tick syncs it, and then it is quiet again
    assert is_due(pro_user.user.name, "google-sheets")
    _scheduled_tick(pro_user)
    assert pro_user.get_pitch(pitch["pitch_id"])["notes"] == "Call back Tuesday"
    assert not is_due(pro_user.user.name, "google-sheets")
    # AND a change in Tracker (seen on the table's stream) also makes it due, and its tick syncs it
    newcomer = pro_user.pitch(email="new@press.example", contact_name="New Contact")
    pro_user.stack.stack.run_queued_jobs()
    assert is_due(pro_user.user.name, "google-sheets")
    _scheduled_tick(pro_user)
    assert newcomer["pitch_id"] in pro_user.rows_by_id()
    # AND Drive reports that sync's own write like any edit: one more tick syncs, finds nothing, and it is quiet
    PushSender.of(pro_user.sandbox.context).flush()
    assert is_due(pro_user.user.name, "google-sheets")
    _scheduled_tick(pro_user)
    assert pro_user.logs()[0]["records_updated"] == 0
    assert not is_due(pro_user.user.name, "google-sheets")


def test_without_a_push_channel_the_connection_stays_due_at_every_tick(pro_user: SheetsUser) -> None:
    # GIVEN Drive refusing to open channels
    pro_user.pitch()
    watch = Fault(host="www.googleapis.com", path="/drive/v3/files/*/watch", status=500, times=20)
    pro_user.sandbox.inject_fault(watch)
    try:
        # WHEN the sheet syncs, twice
        log = pro_user.sync()
        _scheduled_tick(pro_user)
        # THEN the syncs succeed, and the connection stays due (nobody would tell Tracker of sheet edits)
        assert log["outcome"] == "success"
        assert wiring.channel_store().current(pro_user.user.name, "google-sheets") is None
        assert is_due(pro_user.user.name, "google-sheets")
    finally:
        pro_user.sandbox.clear_faults()


def test_a_channel_close_to_lapsing_is_renewed_by_the_next_sync_and_the_old_one_stopped(
    pro_user: SheetsUser,
) -> None:
    # GIVEN a channel with only an hour left
    pro_user.sync()
    store = wiring.channel_store()
    old = store.current(pro_user.user.name, "google-sheets")
    assert old is not None
    store.save(PushChannel(**{**old.model_dump(), "expires_at": utcnow() + timedelta(hours=1)}))
    # WHEN the next sync runs
    pro_user.pitch()
    pro_user.sync()
    # THEN a new channel lives for about a day, and Drive no longer has the old one
    new = store.current(pro_user.user.name, "google-sheets")
    assert new is not None
    assert new.channel_id != old.channel_id
    assert new.expires_at - utcnow() > timedelta(hours=23)
    live = {c.channel_id for c in DriveChannels.of(pro_user.sandbox.context).live_channels(pro_user.spreadsheet_id)}
    assert live == {new.channel_id}
    # AND a late notification of the old channel is accepted but changes nothing
    assert store.by_id(old.channel_id) is not None


def test_a_syncs_own_writes_are_not_sent_back_to_the_same_integration(agency_user: SheetsUser) -> None:
    # GIVEN an agency user's synced sheet, with nothing queued
    agency_user.sync()
    PushSender.of(agency_user.sandbox.context).flush()
    agency_user.stack.stack.run_queued_jobs()
    realtime = wiring.realtime()
    # WHEN the stream reports pitches the Sheets sync itself wrote (a sheet edit carried into Tracker)
    own = realtime.tracker_changed([TrackerChange(user_id=agency_user.user.name, written_by="google-sheets")])
    # THEN nothing is queued or marked for Google Sheets
    assert (own.marked, own.queued) == (0, 0)
    # WHEN, after the last burst's window (a clock that far ahead, not a sleep), the user writes in Tracker in
    # the same batch as the sync's writes
    root = wiring.root()
    after_the_window = RealTime(
        root.integrations_store,
        root.change_markers,
        root.hooks,
        root.sync_queue,
        now=lambda: utcnow() + COLLAPSE_WINDOW,
    )
    mixed = after_the_window.tracker_changed(
        [
            TrackerChange(user_id=agency_user.user.name, written_by="google-sheets"),
            TrackerChange(user_id=agency_user.user.name, written_by="user"),
        ]
    )
    # THEN one sync is queued for the burst
    assert (mixed.marked, mixed.queued) == (1, 1)
