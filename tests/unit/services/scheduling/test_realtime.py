"""Changes on either side become due connections, and a real-time sync a few seconds out."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.support.fakes import FakeIntegrations, FakeMarkers, FakeQueue, RecordingHooks, connection
from tracker_integrations.models.connection import Connection
from tracker_integrations.models.push import TrackerChange
from tracker_integrations.services.scheduling.realtime import COLLAPSE_WINDOW, RealTime

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SHEET = {
    "target": {"spreadsheet_id": "sheet_0123456789", "sheet_id": 0, "tab_title": "Pitches"},
    "mapping": {"columns": [{"header": "Contact", "field": "pitch.contact_name"}]},
}


class Routing:
    def __init__(self, *connections: Connection) -> None:
        self.integrations = FakeIntegrations()
        for c in connections:
            self.integrations.connections[(c.user_id, c.provider)] = c
        self.markers = FakeMarkers()
        self.queue = FakeQueue()
        self.hooks = RecordingHooks()
        self.realtime = RealTime(
            self.integrations, self.markers, lambda provider: self.hooks, lambda: self.queue, now=lambda: NOW
        )


def _sheets(frequency: str) -> Connection:
    return connection("google-sheets", settings={"sync_frequency": frequency, "sheet": SHEET})


def test_a_tracker_edit_marks_tracker_driven_connections_due_but_not_gmail() -> None:
    # GIVEN a user with Sheets (Tracker's data flows out to it) and Gmail (it only reads replies)
    given = Routing(_sheets("every_15_minutes"), connection("gmail", settings={"sync_frequency": "every_15_minutes"}))
    # WHEN the user edits a pitch
    summary = given.realtime.tracker_changed([TrackerChange(user_id="usr_1")])
    # THEN only Sheets is marked due at its cadence, and nothing is queued before the tick
    assert given.markers.marked == {("usr_1", "google-sheets"): (NOW, "every_15_minutes")}
    assert (summary.marked, summary.queued) == (1, 0)
    assert given.queue.sent == []


def test_a_syncs_own_writes_are_not_news_to_itself() -> None:
    # GIVEN Sheets connected
    given = Routing(_sheets("every_15_minutes"))
    # WHEN the change was written by the Sheets sync itself THEN it is not marked
    given.realtime.tracker_changed([TrackerChange(user_id="usr_1", written_by="google-sheets")])
    assert given.markers.marked == {}


def test_a_burst_of_changes_on_a_real_time_connection_queues_one_delayed_sync() -> None:
    # GIVEN an agency user's real-time Sheets connection
    given = Routing(_sheets("real_time"))
    # WHEN three edits arrive in one burst
    for _ in range(3):
        given.realtime.tracker_changed([TrackerChange(user_id="usr_1")])
    # THEN one sync is queued, for when the collapse window closes
    [(job, delay)] = given.queue.sent
    assert job.requested_at == NOW + COLLAPSE_WINDOW
    assert delay == int(COLLAPSE_WINDOW.total_seconds())


def test_a_provider_change_for_a_manual_connection_queues_nothing() -> None:
    # GIVEN a free user's manual Sheets connection
    given = Routing(_sheets("manual"))
    # WHEN Drive reports an edit THEN nothing is marked or queued
    assert not given.realtime.provider_changed("usr_1", "google-sheets")
    assert given.markers.marked == {}


def test_a_finished_sync_settles_the_marker_while_the_push_is_live() -> None:
    # GIVEN Sheets whose Drive channel is live for another hour
    given = Routing(_sheets("every_15_minutes"))
    given.hooks.live_until = NOW + timedelta(hours=1)
    started = NOW - timedelta(seconds=30)
    # WHEN a sync that started 30 s ago finishes THEN the marker settles at its start
    given.realtime.synced(_sheets("every_15_minutes"), started)
    assert given.markers.settled == {("usr_1", "google-sheets"): started}


def test_without_a_live_push_the_connection_stays_due() -> None:
    # GIVEN Sheets whose Drive channel lapsed
    given = Routing(_sheets("every_15_minutes"))
    given.hooks.live_until = NOW - timedelta(minutes=1)
    # WHEN a sync finishes THEN the connection is marked due again rather than settled
    given.realtime.synced(_sheets("every_15_minutes"), NOW)
    assert given.markers.settled == {}
    assert given.markers.marked == {("usr_1", "google-sheets"): (NOW, "every_15_minutes")}


def test_a_provider_without_push_settles_without_asking_for_it() -> None:
    # GIVEN Mailchimp (no push) connected on a schedule
    given = Routing()
    mailchimp = connection("mailchimp", settings={"sync_frequency": "every_15_minutes"})
    # WHEN a sync finishes THEN the marker settles
    given.realtime.synced(mailchimp, NOW)
    assert given.markers.settled == {("usr_1", "mailchimp"): NOW}
