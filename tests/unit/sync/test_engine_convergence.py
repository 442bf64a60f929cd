"""Property: random edits on both sides, moves, inserts and deletes, with syncs between, converge.

The model plays both sides: Tracker (records by id) and a sheet (rows in an order the user keeps
changing). After every sync the two sides agree on every mapped field of every live record, no
edit is lost unless it lost a conflict (and then the conflict is logged with that value), the
sheet never holds two rows for one record, and a second sync straight after changes nothing.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from tracker_integrations.sync.engine import Merger, ProviderRow, SyncPlan, SyncState
from tracker_integrations.sync.fields import FIELDS, label_for, to_canonical
from tracker_integrations.sync.mapping import ColumnMapping, SyncMapping

MAPPING = SyncMapping(
    columns=[
        ColumnMapping(header="Contact", field="pitch.contact_name"),
        ColumnMapping(header="Status", field="pitch.status"),
    ],
    mass_delete_min_rows=1_000_000,  # the guard has its own tests; here every vanished row is pending
)
HEADERS = {"pitch.contact_name": "Contact", "pitch.status": "Status"}
NAMES = st.sampled_from(["Annie", "Bob", "Cleo", "Dev", "Eve"])
STATUSES = st.sampled_from(["pending", "sent", "replied", "interested", "not_interested"])
FIELD = st.sampled_from(["pitch.contact_name", "pitch.status"])


def canonical(field: str, text: str) -> str:
    return to_canonical(FIELDS[field], text, {})


class TwoSides(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.merger = Merger(MAPPING, now=datetime(2026, 11, 27, tzinfo=UTC))
        self.state = SyncState()
        self.tracker: dict[str, dict[str, str]] = {}
        self.sheet: list[ProviderRow] = []
        self.ids = (f"p{n}" for n in itertools.count())
        # (record or row key, field) -> last value set on that side since the last sync
        self.tracker_edits: dict[tuple[str, str], str] = {}
        self.sheet_edits: dict[tuple[str, str], str] = {}
        self.last_plan: SyncPlan | None = None
        self.dirty = False  # anything changed on either side since the last sync
        self.synced: dict[tuple[str, str], str] = {}  # what both sides held after the last sync

    # -- Tracker side -----------------------------------------------------------------------------

    @rule(name=NAMES, status=STATUSES)
    def tracker_creates(self, name: str, status: str) -> None:
        self.dirty = True
        self.tracker[next(self.ids)] = {"pitch.contact_name": name, "pitch.status": status}

    @precondition(lambda self: bool(self.tracker))
    @rule(data=st.data(), field=FIELD)
    def tracker_edits_a_field(self, data: st.DataObject, field: str) -> None:
        self.dirty = True
        record_id = data.draw(st.sampled_from(sorted(self.tracker)))
        value = data.draw(NAMES if field == "pitch.contact_name" else STATUSES)
        self.tracker[record_id][field] = value
        self.tracker_edits[(record_id, field)] = value

    # -- sheet side -------------------------------------------------------------------------------

    @precondition(lambda self: bool(self.sheet))
    @rule(data=st.data(), field=FIELD)
    def user_edits_a_cell(self, data: st.DataObject, field: str) -> None:
        self.dirty = True
        row = data.draw(st.sampled_from(self.sheet))
        value = data.draw(NAMES if field == "pitch.contact_name" else STATUSES.map(label_for))
        row.cells[HEADERS[field]] = value
        if row.record_id:
            self.sheet_edits[(row.record_id, field)] = canonical(field, value)

    @precondition(lambda self: len(self.sheet) > 1)
    @rule(data=st.data())
    def user_moves_a_row(self, data: st.DataObject) -> None:
        self.dirty = True
        source = data.draw(st.integers(0, len(self.sheet) - 1))
        target = data.draw(st.integers(0, len(self.sheet) - 1))
        self.sheet.insert(target, self.sheet.pop(source))

    @rule(name=NAMES, status=STATUSES, data=st.data())
    def user_inserts_a_row(self, name: str, status: str, data: st.DataObject) -> None:
        self.dirty = True
        at = data.draw(st.integers(0, len(self.sheet)))
        self.sheet.insert(at, ProviderRow(0, None, {"Contact": name, "Status": label_for(status)}))

    @precondition(lambda self: bool(self.sheet))
    @rule(data=st.data())
    def user_deletes_a_row(self, data: st.DataObject) -> None:
        self.dirty = True
        self.sheet.pop(data.draw(st.integers(0, len(self.sheet) - 1)))

    # -- sync -------------------------------------------------------------------------------------

    @rule()
    def sync(self) -> None:
        for index, row in enumerate(self.sheet):
            row.locator = index
        plan = self.merger.plan({k: dict(v) for k, v in self.tracker.items()}, self.sheet, self.state)
        assert plan.blocked is None
        for create in plan.creates:
            record_id = next(self.ids)
            values = {"pitch.contact_name": "", "pitch.status": "", **create.values}
            self.tracker[record_id] = values
            self.merger.record_created(plan, create, record_id, values)
        for record_id, changes in plan.tracker_updates.items():
            self.tracker[record_id].update(changes)
        for write in plan.cell_writes:
            row = self.sheet[write.locator]
            if write.header == MAPPING.id_header:
                row.record_id = write.text
            else:
                row.cells[write.header] = write.text
        for new in plan.new_rows:
            cells: dict[str, object] = {h: t for h, t in new.cells.items() if h != MAPPING.id_header}
            self.sheet.append(ProviderRow(0, new.record_id, cells))
        self.state = plan.state
        self._check_no_edit_lost(plan)
        self.tracker_edits.clear()
        self.sheet_edits.clear()
        self.last_plan = plan
        self.dirty = False
        self.synced = {(r, f): v for r, values in self.tracker.items() for f, v in values.items()}

    def _check_no_edit_lost(self, plan: SyncPlan) -> None:
        lost = {(c.record_id, c.field): c.losing_value for c in plan.conflicts}
        for side in (self.tracker_edits, self.sheet_edits):
            for (record_id, field), value in side.items():
                if record_id not in self.tracker or record_id in self.state.pending_deletions:
                    continue
                if not any(r.record_id == record_id for r in self.sheet):
                    continue
                if self.synced.get((record_id, field)) == canonical(field, value):
                    continue  # set back to what it already was: not a change
                final = self.tracker[record_id][field]
                assert final == canonical(field, value) or lost.get((record_id, field)) == canonical(field, value), (
                    f"edit {field}={value!r} on {record_id} was lost without a logged conflict"
                )

    # -- invariants -------------------------------------------------------------------------------

    @invariant()
    def no_record_has_two_rows(self) -> None:
        ids = [r.record_id for r in self.sheet if r.record_id]
        assert len(ids) == len(set(ids))

    @precondition(lambda self: self.last_plan is not None and not self.dirty)
    @invariant()
    def synced_sides_agree_and_a_second_sync_is_a_no_op(self) -> None:
        rows = {r.record_id: r for r in self.sheet if r.record_id}
        for record_id, values in self.tracker.items():
            if record_id in self.state.pending_deletions or record_id not in rows:
                continue
            for field, header in HEADERS.items():
                assert canonical(field, str(rows[record_id].cells.get(header, ""))) == values[field]
        if all(r.record_id for r in self.sheet):
            again = self.merger.plan({k: dict(v) for k, v in self.tracker.items()}, self.sheet, self.state)
            assert not again.cell_writes
            assert not again.tracker_updates
            assert not again.new_rows
            assert not again.conflicts


TwoSides.TestCase.settings = settings(max_examples=300, stateful_step_count=50, deadline=None)
test_two_sides_converge = TwoSides.TestCase
