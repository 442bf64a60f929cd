"""The merge engine: identity by Tracker id, field-by-field merge, conflicts, deletions, bad cells."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tracker_integrations.sync.engine import Merger, ProviderRow, SyncPlan, SyncState
from tracker_integrations.sync.mapping import ColumnMapping, SyncMapping

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
MAPPING = SyncMapping(
    columns=[
        ColumnMapping(header="Contact", field="pitch.contact_name"),
        ColumnMapping(header="Email", field="pitch.email"),
        ColumnMapping(header="Status", field="pitch.status", value_map={"R": "replied"}),
        ColumnMapping(header="Campaign", field="campaign.title"),
    ]
)


def tracker_record(name: str = "Annie", status: str = "sent", campaign: str = "Autumn") -> dict[str, str]:
    return {
        "pitch.contact_name": name,
        "pitch.email": f"{name.lower()}@radio.example",
        "pitch.status": status,
        "campaign.title": campaign,
    }


def row(locator: int, record_id: str | None, **cells: object) -> ProviderRow:
    return ProviderRow(locator=locator, record_id=record_id, cells=dict(cells))


def synced(
    tracker: dict[str, dict[str, str]], mapping: SyncMapping = MAPPING
) -> tuple[Merger, SyncState, list[ProviderRow]]:
    """GIVEN-helper: the state and sheet after a first sync that appended every Tracker record."""
    merger = Merger(mapping, now=NOW)
    first = merger.plan(tracker, [], SyncState())
    rows = [
        ProviderRow(locator=i + 2, record_id=r.record_id, cells=dict(r.cells)) for i, r in enumerate(first.new_rows)
    ]
    return merger, first.state, rows


def test_first_sync_appends_every_record_with_its_id_and_labels() -> None:
    plan = Merger(MAPPING, now=NOW).plan({"p1": tracker_record()}, [], SyncState())
    assert [r.cells for r in plan.new_rows] == [
        {"Contact": "Annie", "Email": "annie@radio.example", "Status": "Sent", "Campaign": "Autumn", "Tracker ID": "p1"}
    ]


def test_nothing_changed_means_nothing_to_write() -> None:
    merger, state, rows = synced({"p1": tracker_record()})
    plan = merger.plan({"p1": tracker_record()}, rows, state)
    assert not plan.has_provider_writes
    assert not plan.tracker_updates
    assert plan.unchanged == 1
    assert not plan.state_changed


def test_a_sheet_edit_flows_to_tracker_and_does_not_echo_back() -> None:
    # GIVEN a synced pitch WHEN the sheet marks it "R" (the user's abbreviation for replied)
    merger, state, rows = synced({"p1": tracker_record()})
    rows[0].cells["Status"] = "R"
    plan = merger.plan({"p1": tracker_record()}, rows, state)
    # THEN Tracker is told, and nothing is written to the sheet
    assert plan.tracker_updates == {"p1": {"pitch.status": "replied"}}
    assert not plan.cell_writes
    # AND after Tracker applies it, the next sync sees no change on either side (no echo)
    again = merger.plan({"p1": tracker_record(status="replied")}, rows, plan.state)
    assert not again.tracker_updates
    assert not again.cell_writes


def test_a_tracker_change_is_written_to_its_cell_only() -> None:
    merger, state, rows = synced({"p1": tracker_record(), "p2": tracker_record("Bob")})
    plan = merger.plan({"p1": tracker_record(status="interested"), "p2": tracker_record("Bob")}, rows, state)
    assert [(w.locator, w.header, w.text) for w in plan.cell_writes] == [(2, "Status", "Interested")]


def test_rows_are_found_by_id_wherever_they_moved() -> None:
    # GIVEN two synced pitches WHEN the sheet is sorted (rows swap places) and one is edited
    merger, state, rows = synced({"p1": tracker_record("Annie"), "p2": tracker_record("Bob")})
    moved = [row(2, "p2", **rows[1].cells), row(3, "p1", **{**rows[0].cells, "Contact": "Annie Mac"})]
    plan = merger.plan({"p1": tracker_record("Annie"), "p2": tracker_record("Bob")}, moved, state)
    # THEN the edit lands on the right pitch
    assert plan.tracker_updates == {"p1": {"pitch.contact_name": "Annie Mac"}}


def test_a_change_on_both_sides_is_a_conflict_tracker_wins_by_default_and_the_loser_is_logged() -> None:
    merger, state, rows = synced({"p1": tracker_record()})
    rows[0].cells["Status"] = "Not interested"
    plan = merger.plan({"p1": tracker_record(status="interested")}, rows, state)
    assert len(plan.conflicts) == 1
    conflict = plan.conflicts[0]
    assert (conflict.field, conflict.winner, conflict.losing_value) == ("pitch.status", "tracker", "not_interested")
    assert [(w.header, w.text) for w in plan.cell_writes] == [("Status", "Interested")]


def test_provider_wins_policy_keeps_the_sheet_value() -> None:
    mapping = MAPPING.model_copy(update={"conflict_policy": "provider_wins"})
    merger, state, rows = synced({"p1": tracker_record()}, mapping)
    rows[0].cells["Status"] = "Not interested"
    plan = merger.plan({"p1": tracker_record(status="interested")}, rows, state)
    assert plan.tracker_updates == {"p1": {"pitch.status": "not_interested"}}
    assert plan.conflicts[0].losing_value == "interested"


def test_campaign_columns_flow_from_tracker_only() -> None:
    merger, state, rows = synced({"p1": tracker_record()})
    rows[0].cells["Campaign"] = "Renamed in sheet"
    plan = merger.plan({"p1": tracker_record()}, rows, state)
    assert not plan.tracker_updates
    assert [(w.header, w.text) for w in plan.cell_writes] == [("Campaign", "Autumn")]


def test_invalid_cells_are_reported_with_their_position_and_the_rest_still_syncs() -> None:
    merger, state, rows = synced({"p1": tracker_record()})
    rows[0].cells["Status"] = "maybe"
    rows[0].cells["Contact"] = "Annie Mac"
    plan = merger.plan({"p1": tracker_record()}, rows, state)
    assert [(p.locator, p.header, p.value) for p in plan.problems] == [(2, "Status", "maybe")]
    assert "use one of" in plan.problems[0].message
    assert plan.tracker_updates == {"p1": {"pitch.contact_name": "Annie Mac"}}


def test_a_new_row_becomes_a_create_and_gets_its_id_written_back() -> None:
    merger, state, rows = synced({"p1": tracker_record()})
    rows.append(row(3, None, Contact="New Person", Email="New@Blog.example", Status="", Campaign="Autumn"))
    plan = merger.plan({"p1": tracker_record()}, rows, state)
    assert [c.values for c in plan.creates] == [
        {"pitch.contact_name": "New Person", "pitch.email": "new@blog.example", "pitch.status": ""}
    ]
    merger.record_created(plan, plan.creates[0], "p9", {**plan.creates[0].values, "campaign.title": "Autumn"})
    assert ("Tracker ID", "p9") in [(w.header, w.text) for w in plan.cell_writes]
    assert "p9" in plan.state.records


def test_blank_rows_are_ignored() -> None:
    merger, state, rows = synced({"p1": tracker_record()})
    rows.append(row(3, None, Contact="", Email=None))
    assert not merger.plan({"p1": tracker_record()}, rows, state).creates


def test_a_copied_row_with_the_same_id_is_reported_not_duplicated() -> None:
    merger, state, rows = synced({"p1": tracker_record()})
    rows.append(row(3, "p1", **rows[0].cells))
    plan = merger.plan({"p1": tracker_record()}, rows, state)
    assert [(p.locator, p.header) for p in plan.problems] == [(3, "Tracker ID")]
    assert not plan.creates


def test_a_deleted_row_becomes_a_pending_deletion_and_comes_back_if_restored() -> None:
    tracker = {f"p{n}": tracker_record(f"N{n}") for n in range(10)}
    merger, state, rows = synced(tracker)
    plan = merger.plan(tracker, rows[1:], state)
    assert [p.record_id for p in plan.new_pending] == ["p0"]
    assert not plan.new_rows  # not re-added while pending
    restored = merger.plan(tracker, rows, plan.state)
    assert restored.restored == ["p0"]
    assert not restored.state.pending_deletions


def test_a_sync_that_would_remove_many_records_stops_and_asks() -> None:
    tracker = {f"p{n}": tracker_record(f"N{n}") for n in range(10)}
    merger, state, rows = synced(tracker)
    plan = merger.plan(tracker, rows[:5], state)
    assert plan.blocked is not None
    assert (plan.blocked.vanished, plan.blocked.synced) == (5, 10)
    # AND what a blocked sync keeps is only the list awaiting approval
    kept = plan.blocked_state()
    assert sorted(kept.pending_deletions) == ["p5", "p6", "p7", "p8", "p9"]
    assert kept.records == state.records


def test_a_pitch_deleted_in_tracker_leaves_its_row_alone_and_is_not_recreated() -> None:
    merger, state, rows = synced({"p1": tracker_record(), "p2": tracker_record("Bob")})
    plan = merger.plan({"p2": tracker_record("Bob")}, rows, state)
    assert plan.rows_of_deleted_records == 1
    assert not plan.creates
    assert not plan.problems
    again = merger.plan({"p2": tracker_record("Bob")}, rows, plan.state)
    assert not again.creates
    assert not again.problems


def test_an_unknown_id_is_reported() -> None:
    merger, state, rows = synced({"p1": tracker_record()})
    rows.append(row(3, "made-up", Contact="X", Email="x@y.example"))
    plan: SyncPlan = merger.plan({"p1": tracker_record()}, rows, state)
    assert "no pitch in Tracker has this Tracker ID" in plan.problems[0].message


@pytest.mark.parametrize(
    ("direction", "tracker_status", "sheet_status", "expected_tracker", "expected_cell"),
    [
        ("to_provider", "sent", "Replied", None, "Sent"),
        ("from_provider", "interested", "Sent", {"pitch.status": "sent"}, None),
    ],
)
def test_one_way_columns_always_take_their_sources_value(
    direction: str,
    tracker_status: str,
    sheet_status: str,
    expected_tracker: dict[str, str] | None,
    expected_cell: str | None,
) -> None:
    mapping = SyncMapping(columns=[ColumnMapping(header="Status", field="pitch.status", direction=direction)])  # type: ignore[arg-type]
    merger, state, rows = synced({"p1": {"pitch.status": "sent"}}, mapping)
    rows[0].cells["Status"] = sheet_status
    plan = merger.plan({"p1": {"pitch.status": tracker_status}}, rows, state)
    assert plan.tracker_updates.get("p1") == expected_tracker
    assert [w.text for w in plan.cell_writes] == ([expected_cell] if expected_cell else [])


def test_a_newly_mapped_column_fills_in_from_whichever_side_has_a_value() -> None:
    # GIVEN a synced sheet WHEN an Outlet column (filled in by the user) is mapped later
    _, state, rows = synced({"p1": tracker_record(), "p2": tracker_record("Bob")})
    wider = MAPPING.model_copy(
        update={"columns": [*MAPPING.columns, ColumnMapping(header="Outlet", field="pitch.outlet")]}
    )
    rows[0].cells["Outlet"] = "Radio 1"
    rows[1].cells["Outlet"] = "6 Music"
    tracker = {"p1": tracker_record(), "p2": {**tracker_record("Bob"), "pitch.outlet": "BBC 6 Music"}}
    plan = Merger(wider, now=NOW).plan(tracker, rows, state)
    # THEN the user's values reach Tracker where Tracker had none, and a real disagreement is a logged conflict
    assert plan.tracker_updates == {"p1": {"pitch.outlet": "Radio 1"}}
    assert [(c.record_id, c.losing_value) for c in plan.conflicts] == [("p2", "6 Music")]


def test_new_rows_create_nothing_when_no_column_flows_from_the_sheet() -> None:
    one_way = SyncMapping(
        columns=[ColumnMapping(header="Contact", field="pitch.contact_name", direction="to_provider")]
    )
    merger, state, rows = synced({"p1": {"pitch.contact_name": "Annie"}}, one_way)
    rows.append(row(3, None, Contact="Someone new"))
    plan = merger.plan({"p1": {"pitch.contact_name": "Annie"}}, rows, state)
    assert not plan.creates
    assert not plan.problems
