"""The merge and cells holding the user's formulas: never written, Tracker keeps its value, reported once."""

from __future__ import annotations

from tests.unit.sync.test_engine import NOW, synced, tracker_record
from tracker_integrations.sync.codec import decode_state, encode_state
from tracker_integrations.sync.engine import Merger, ProviderRow, SyncState

ANNE = {**tracker_record(), "pitch.contact_name": "Anne"}  # renamed in Tracker, same contact


def _formula(rows: list[ProviderRow], header: str, shows: str) -> list[ProviderRow]:
    """The sheet after the user put a formula showing `shows` in `header` of the first row."""
    first = rows[0]
    cells = {**first.cells, header: shows}
    return [ProviderRow(first.locator, first.record_id, cells, frozenset({header})), *rows[1:]]


def test_a_tracker_change_to_a_formula_cell_is_kept_in_tracker_and_reported_once() -> None:
    # GIVEN a synced pitch whose Contact cell now holds a formula showing what Tracker has
    merger, state, rows = synced({"p1": tracker_record()})
    rows = _formula(rows, "Contact", "Annie")
    state = merger.plan({"p1": tracker_record()}, rows, state).state
    # WHEN Tracker renames the contact
    plan = merger.plan({"p1": ANNE}, rows, state)
    # THEN nothing is written over the formula, Tracker is not changed back, and the conflict says a formula won
    assert not plan.cell_writes
    assert not plan.tracker_updates
    (conflict,) = plan.conflicts
    assert (conflict.header, conflict.formula, conflict.losing_value) == ("Contact", True, "Anne")
    # AND the next syncs, even once another cell of the row changes, leave both sides as they are, unreported
    again = merger.plan({"p1": ANNE}, rows, plan.state)
    assert (again.conflicts, again.cell_writes, again.tracker_updates) == ([], [], {})
    rows[0].cells["Status"] = "Replied"
    edited = merger.plan({"p1": ANNE}, rows, decode_state(encode_state(again.state, merger.fields)))
    assert edited.tracker_updates == {"p1": {"pitch.status": "replied"}}
    assert (edited.conflicts, edited.cell_writes) == ([], [])


def test_what_a_formula_shows_when_it_changes_reaches_tracker() -> None:
    merger, state, rows = synced({"p1": tracker_record()})
    rows = _formula(rows, "Contact", "Annie")
    held = merger.plan({"p1": ANNE}, rows, merger.plan({"p1": tracker_record()}, rows, state).state)
    rows = _formula(rows, "Contact", "Annie Mac")
    plan = merger.plan({"p1": ANNE}, rows, held.state)
    assert plan.tracker_updates == {"p1": {"pitch.contact_name": "Annie Mac"}}
    assert not plan.cell_writes


def test_a_formula_in_a_tracker_only_column_is_not_written_over() -> None:
    merger, state, rows = synced({"p1": tracker_record()})
    rows = _formula(rows, "Campaign", "Autumn")
    plan = merger.plan({"p1": tracker_record(campaign="Spring")}, rows, state)
    assert not plan.cell_writes
    assert [c.formula for c in plan.conflicts] == [True]


def test_a_new_rows_formula_cells_are_left_alone_when_its_id_is_written() -> None:
    merger = Merger(synced({})[0].mapping, now=NOW)
    new = ProviderRow(2, None, {"Contact": "Jo", "Email": "jo@x.example", "Campaign": "=A1"}, frozenset({"Campaign"}))
    plan = merger.plan({}, [new], SyncState())
    merger.record_created(plan, plan.creates[0], "p9", {**tracker_record("Jo"), "campaign.title": "Autumn"})
    assert [(w.header, w.text) for w in plan.cell_writes] == [("Tracker ID", "p9")]
