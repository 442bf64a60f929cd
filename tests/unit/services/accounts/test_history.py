"""A pitch's history from the Tracker table's stream: who changed which field from what to what, for 90 days."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.accounts import FakeActivity
from tests.support.fakes import FakeTracker
from tracker_integrations.errors import NotFound
from tracker_integrations.models.campaign import Pitch
from tracker_integrations.models.history import ChangeSource, member_writer
from tracker_integrations.services.accounts.history import PitchHistory, source_of
from tracker_integrations.store.dynamo import serialize

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
PITCH = {"pitch_id": "pit_1", "campaign_id": "cmp_1", "email": "dj@radio.example", "status": "sent", "version": 1}


def stream_record(
    old: dict[str, Any] | None, new: dict[str, Any] | None, *, written_by: str, sk: str = "PITCH#cmp_1#pit_1"
) -> dict[str, Any]:
    """One record of the Tracker table's stream (NEW_AND_OLD_IMAGES) as Lambda receives it."""
    change: dict[str, Any] = {"Keys": serialize({"pk": "USER#acc_1", "sk": sk})}
    if old is not None:
        change["OldImage"] = serialize({"pk": "USER#acc_1", "sk": sk, "pitch": old, "written_by": "earlier"})
    if new is not None:
        change["NewImage"] = serialize({"pk": "USER#acc_1", "sk": sk, "pitch": new, "written_by": written_by})
    return {"eventName": "MODIFY", "dynamodb": change}


class History:
    def __init__(self) -> None:
        self.clock = T0
        self.activity = FakeActivity()
        self.tracker = FakeTracker()
        self.history = PitchHistory(self.activity, lambda: self.tracker, now=lambda: self.clock)

    def page(self, *, limit: int = 50, cursor: str | None = None, pitch_id: str = "pit_1") -> Any:
        return self.history.page("acc_1", "cmp_1", pitch_id, limit=limit, cursor=cursor)


def test_a_persons_status_change_is_recorded_with_the_member_and_both_values() -> None:
    # GIVEN a member moving a pitch from sent to replied (the write also bumps its version)
    given = History()
    changed = {**PITCH, "status": "replied", "version": 2}
    # WHEN the stream delivers the write
    recorded = given.history.record_stream([stream_record(PITCH, changed, written_by=member_writer("mia"))])
    # THEN one entry names the member and the field, bookkeeping (version) left out
    assert recorded.recorded == 1
    [entry] = given.page().history
    assert (entry.action, entry.source) == ("changed", ChangeSource(kind="person", member="mia"))
    assert [(c.field, c.old, c.new) for c in entry.changes] == [("status", "sent", "replied")]


def test_a_syncs_write_names_the_integration_and_creation_and_deletion_say_so() -> None:
    # GIVEN Sheets creating a pitch, then Airtable deleting it
    given = History()
    given.history.record_stream([stream_record(None, PITCH, written_by="google-sheets")])
    given.clock += timedelta(minutes=1)
    given.history.record_stream([stream_record(PITCH, None, written_by="airtable")])
    # WHEN the history is read THEN newest first, with the values each set or removed; the creation names
    # its integration (a delete's stream record carries only the old image, so not who deleted)
    deleted, created = given.page().history
    assert deleted.action == "deleted"
    assert (created.action, created.source.provider) == ("created", "google-sheets")
    assert ("email", None, "dj@radio.example") in [(c.field, c.old, c.new) for c in created.changes]
    assert ("email", "dj@radio.example", None) in [(c.field, c.old, c.new) for c in deleted.changes]


def test_writes_that_change_nothing_a_person_sees_and_other_items_are_not_recorded() -> None:
    # GIVEN a sync's bookkeeping write (only the version moves) and a campaign item in the same batch
    given = History()
    bookkeeping = stream_record(PITCH, {**PITCH, "version": 2}, written_by="google-sheets")
    campaign = stream_record(None, {"name": "Spring"}, written_by="member:mia", sk="CAMPAIGN#cmp_1")
    # WHEN the stream delivers them THEN nothing is recorded
    assert given.history.record_stream([bookkeeping, campaign]).recorded == 0
    assert given.activity.history == {}


@pytest.mark.parametrize(
    ("written_by", "source"),
    [
        ("member:u_42", ChangeSource(kind="person", member="u_42")),
        ("gmail", ChangeSource(kind="integration", provider="gmail")),
        ("user", ChangeSource(kind="person")),  # written before members were recorded
        ("gmailx", ChangeSource(kind="person")),  # not an integration's key: never credited to one
    ],
)
def test_the_source_of_a_write(written_by: str, source: ChangeSource) -> None:
    assert source_of(written_by) == source


def test_entries_older_than_90_days_are_left_out_even_before_the_ttl_sweeps_them() -> None:
    # GIVEN a change 91 days ago and one yesterday
    given = History()
    given.history.record_stream([stream_record(PITCH, {**PITCH, "status": "replied"}, written_by="gmail")])
    given.clock = T0 + timedelta(days=90)
    given.history.record_stream([stream_record(PITCH, {**PITCH, "notes": "call back"}, written_by="member:mia")])
    # WHEN read a day later THEN only the recent one is shown
    given.clock = T0 + timedelta(days=91)
    assert [e.source.member for e in given.page().history] == ["mia"]


def test_history_pages_with_a_cursor_newest_first() -> None:
    # GIVEN three changes
    given = History()
    for status in ("replied", "interested", "playlisted"):
        given.clock += timedelta(minutes=1)
        given.history.record_stream([stream_record(PITCH, {**PITCH, "status": status}, written_by="member:mia")])
    # WHEN read two at a time THEN the pages follow each other without repeats
    first = given.page(limit=2)
    second = given.page(limit=2, cursor=first.next_cursor)
    statuses = [e.changes[0].new for e in first.history + second.history]
    assert statuses == ["playlisted", "interested", "replied"]
    assert second.next_cursor is None


def test_a_pitch_with_no_history_answers_empty_but_an_unknown_pitch_is_not_found() -> None:
    # GIVEN a pitch that exists but was never changed since history began
    given = History()
    pitch = Pitch.model_validate({**PITCH, "created_at": T0, "updated_at": T0})
    given.tracker.pitches[("acc_1", "cmp_1", "pit_1")] = pitch
    # WHEN its history is read THEN it is empty
    assert given.page().history == []
    # WHEN another account's or a made-up pitch's history is read THEN 404, saying no such pitch
    with pytest.raises(NotFound, match="no such pitch"):
        given.page(pitch_id="pit_unknown")
