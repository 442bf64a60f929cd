"""The sync options: each of the three flows can be turned off without the others noticing, or echoing later."""

from __future__ import annotations

from tests.unit.sync.test_engine import MAPPING, NOW, row, synced, tracker_record
from tracker_integrations.sync.engine import Merger, SyncState
from tracker_integrations.sync.options import SyncOptions


def test_without_new_rows_a_new_pitch_stays_out_of_the_sheet_until_the_option_is_back() -> None:
    # GIVEN a sheet in step with one pitch, and "New campaigns → new rows" off
    _, state, rows = synced({"p1": tracker_record()})
    merger = Merger(MAPPING, now=NOW, options=SyncOptions(new_records_to_rows=False))
    tracker = {"p1": tracker_record(), "p2": tracker_record("Bob")}
    # WHEN a new pitch is in Tracker
    plan = merger.plan(tracker, rows, state)
    # THEN no row is appended, and the pitch is not counted as synced (so it is no deletion later)
    assert not plan.new_rows
    assert "p2" not in plan.state.records
    # AND once the option is on again, the next sync appends it
    again = Merger(MAPPING, now=NOW).plan(tracker, rows, plan.state)
    assert [r.record_id for r in again.new_rows] == ["p2"]


def test_without_row_updates_a_tracker_change_is_not_written_and_not_undone_by_the_old_row() -> None:
    # GIVEN a synced pitch, and "Status updates → update rows" off
    _, state, rows = synced({"p1": tracker_record()})
    merger = Merger(MAPPING, now=NOW, options=SyncOptions(tracker_updates_to_rows=False))
    # WHEN Tracker's status changes
    plan = merger.plan({"p1": tracker_record(status="interested")}, rows, state)
    # THEN nothing is written to the row, and Tracker is not changed back to the row's old value
    assert not plan.cell_writes
    assert not plan.tracker_updates
    again = merger.plan({"p1": tracker_record(status="interested")}, rows, plan.state)
    assert (again.cell_writes, again.tracker_updates) == ([], {})
    # AND an edit made in the row afterwards still reaches Tracker
    rows[0].cells["Status"] = "R"
    edited = merger.plan({"p1": tracker_record(status="interested")}, rows, again.state)
    assert edited.tracker_updates == {"p1": {"pitch.status": "replied"}}


def test_without_sheet_edits_an_edited_row_is_put_back_and_a_new_row_adds_nothing() -> None:
    # GIVEN a synced pitch, and "Sheet edits → update Tracker" off
    _, state, rows = synced({"p1": tracker_record()})
    merger = Merger(MAPPING, now=NOW, options=SyncOptions(row_edits_to_tracker=False))
    # WHEN the row's status is edited and a row is typed in below
    rows[0].cells["Status"] = "R"
    typed = row(9, None, Contact="Cara", Email="cara@radio.example", Status="Sent", Campaign="Autumn")
    plan = merger.plan({"p1": tracker_record()}, [*rows, typed], state)
    # THEN Tracker is unchanged, its value goes back into the row, and the new row creates no pitch
    assert not plan.tracker_updates
    assert [(w.header, w.text) for w in plan.cell_writes] == [("Status", "Sent")]
    assert not plan.creates


def test_all_options_on_is_the_default_sync() -> None:
    # GIVEN the default options WHEN a first sync runs THEN it appends, as the engine always did
    plan = Merger(MAPPING, now=NOW, options=SyncOptions()).plan({"p1": tracker_record()}, [], SyncState())
    assert [r.record_id for r in plan.new_rows] == ["p1"]
