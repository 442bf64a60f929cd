"""The merge: Tracker records and provider rows against the last synced state, field by field.

Pure and provider-neutral: it reads three snapshots and returns a plan (what to write on each side,
what conflicted, which cells were invalid, which records vanished) plus the state to keep if the
plan is applied. Rules:

- identity is the Tracker id in the row, never its position; rows without one are new records;
- a change on one side wins; a change on both is a conflict, settled by the mapping's policy (or
  the column's direction) and reported with the losing value;
- what we write becomes the new base, so our own writes never come back as changes;
- a vanished row becomes a pending deletion, never a deletion; too many at once block the sync;
- an invalid cell is reported with its position and skipped, and everything else still syncs;
- a cell holding a formula is the user's: never written; where Tracker's value differs from what the
  formula shows, Tracker keeps its value, the sheet its formula, and the conflict is reported once per
  Tracker change (the state remembers what the formula showed, so neither side looks changed later).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from typing import Literal

from tracker_integrations.records import Record
from tracker_integrations.sync.fields import (
    FIELDS,
    UTC_DAY_FIRST,
    DateReading,
    FieldSpec,
    InvalidValue,
    normalise_header,
    to_canonical,
    to_cell,
)
from tracker_integrations.sync.mapping import ColumnMapping, SyncMapping
from tracker_integrations.sync.options import SyncOptions

Side = Literal["tracker", "provider"]


class ProviderRow(Record):
    __slots__ = ("cells", "formulas", "locator", "record_id")

    def __init__(
        self, locator: int, record_id: str | None, cells: dict[str, object], formulas: frozenset[str] = frozenset()
    ) -> None:
        self.locator = locator  # where the row is *in this read* (a row number); used for this sync's writes only
        self.record_id = record_id
        self.cells = cells  # header -> raw cell value
        self.formulas = formulas  # headers whose cell in this row holds a formula


class RecordBase(Record):
    __slots__ = ("held", "row_fingerprint", "tracker_fingerprint", "values")

    def __init__(
        self,
        values: dict[str, str],
        row_fingerprint: str,
        tracker_fingerprint: str,
        held: dict[str, str] | None = None,
    ) -> None:
        self.values = values  # field -> canonical value at the last sync
        self.row_fingerprint = row_fingerprint
        self.tracker_fingerprint = tracker_fingerprint
        # field -> what the row's formula showed when Tracker's different value was kept against it
        self.held: dict[str, str] = {} if held is None else held


class PendingDeletion(Record):
    __slots__ = ("detected_at", "record_id", "values")

    def __init__(self, record_id: str, values: dict[str, str], detected_at: datetime) -> None:
        self.record_id = record_id
        self.values = values
        self.detected_at = detected_at


class SyncState(Record):
    __slots__ = ("pending_deletions", "records", "tombstones")

    def __init__(
        self,
        records: dict[str, RecordBase] | None = None,
        tombstones: set[str] | None = None,
        pending_deletions: dict[str, PendingDeletion] | None = None,
    ) -> None:
        self.records: dict[str, RecordBase] = {} if records is None else records
        # Deleted in Tracker: their rows are left alone.
        self.tombstones: set[str] = set() if tombstones is None else tombstones
        self.pending_deletions: dict[str, PendingDeletion] = {} if pending_deletions is None else pending_deletions


class CellWrite(Record):
    __slots__ = ("header", "locator", "text")

    def __init__(self, locator: int, header: str, text: str) -> None:
        self.locator = locator
        self.header = header
        self.text = text


class NewRow(Record):
    __slots__ = ("cells", "record_id")

    def __init__(self, record_id: str, cells: dict[str, str]) -> None:
        self.record_id = record_id
        self.cells = cells  # header -> text, the id column included


class RecordCreate(Record):
    __slots__ = ("cells", "formulas", "locator", "values")

    def __init__(
        self,
        locator: int,
        values: dict[str, str],
        cells: dict[str, object],
        formulas: frozenset[str] = frozenset(),
    ) -> None:
        self.locator = locator
        self.values = values  # field -> canonical, for the fields the provider may set
        self.cells = cells  # the row as read (the campaign column tells which campaign it joins)
        self.formulas = formulas


class Conflict(Record):
    __slots__ = (
        "field",
        "formula",
        "header",
        "losing_value",
        "provider_value",
        "record_id",
        "tracker_value",
        "winner",
    )

    def __init__(  # noqa: PLR0913 - one parameter per reported fact
        self,
        record_id: str,
        field: str,
        header: str,
        tracker_value: str,
        provider_value: str,
        winner: Side,
        losing_value: str,
        formula: bool = False,
    ) -> None:
        self.record_id = record_id
        self.field = field
        self.header = header
        self.tracker_value = tracker_value
        self.provider_value = provider_value
        self.winner = winner
        self.losing_value = losing_value
        # The provider's cell holds a formula: it stays, and Tracker keeps its own value (not written there).
        self.formula = formula


class CellProblem(Record):
    __slots__ = ("header", "locator", "message", "value")

    def __init__(self, locator: int, header: str, value: str, message: str) -> None:
        self.locator = locator
        self.header = header
        self.value = value
        self.message = message


class DeleteGuard(Record):
    __slots__ = ("share", "synced", "vanished")

    def __init__(self, vanished: int, synced: int, share: float) -> None:
        self.vanished = vanished
        self.synced = synced
        self.share = share


class SyncPlan(Record):
    __slots__ = (
        "blocked",
        "cell_writes",
        "conflicts",
        "creates",
        "new_pending",
        "new_rows",
        "previous",
        "problems",
        "restored",
        "rows_of_deleted_records",
        "rows_read",
        "state",
        "tracker_updates",
        "unchanged",
    )

    def __init__(  # noqa: PLR0913 - keyword-built by the merge and tests, as the dataclass it was
        self,
        *,
        rows_read: int = 0,
        previous: SyncState | None = None,
        state: SyncState | None = None,
        cell_writes: list[CellWrite] | None = None,
        new_rows: list[NewRow] | None = None,
        tracker_updates: dict[str, dict[str, str]] | None = None,
        creates: list[RecordCreate] | None = None,
        conflicts: list[Conflict] | None = None,
        problems: list[CellProblem] | None = None,
        new_pending: list[PendingDeletion] | None = None,
        restored: list[str] | None = None,
        rows_of_deleted_records: int = 0,
        unchanged: int = 0,
        blocked: DeleteGuard | None = None,
    ) -> None:
        self.cell_writes: list[CellWrite] = [] if cell_writes is None else cell_writes
        self.new_rows: list[NewRow] = [] if new_rows is None else new_rows
        self.tracker_updates: dict[str, dict[str, str]] = {} if tracker_updates is None else tracker_updates
        self.creates: list[RecordCreate] = [] if creates is None else creates
        self.conflicts: list[Conflict] = [] if conflicts is None else conflicts
        self.problems: list[CellProblem] = [] if problems is None else problems
        self.new_pending: list[PendingDeletion] = [] if new_pending is None else new_pending
        self.restored: list[str] = [] if restored is None else restored
        self.rows_of_deleted_records = rows_of_deleted_records
        self.unchanged = unchanged
        self.rows_read = rows_read
        self.blocked = blocked
        self.state = SyncState() if state is None else state
        self.previous = SyncState() if previous is None else previous

    @property
    def has_provider_writes(self) -> bool:
        return bool(self.cell_writes or self.new_rows)

    @property
    def state_changed(self) -> bool:
        before, after = self.previous, self.state
        return (
            before.tombstones != after.tombstones
            or before.pending_deletions.keys() != after.pending_deletions.keys()
            or before.records != after.records
        )

    def blocked_state(self) -> SyncState:
        """What a blocked sync keeps: the previous state plus the new pending deletions, nothing else."""
        pending = dict(self.previous.pending_deletions)
        pending.update({p.record_id: p for p in self.new_pending})
        return SyncState(
            records=dict(self.previous.records), tombstones=set(self.previous.tombstones), pending_deletions=pending
        )

    def keep_previous_base(self, record_id: str) -> None:
        """A write for this record failed: keep its old base so the next sync tries again."""
        old = self.previous.records.get(record_id)
        if old is None:
            self.state.records.pop(record_id, None)
        else:
            self.state.records[record_id] = old


class _Column(Record):
    __slots__ = ("from_provider", "header", "mapping", "spec", "to_provider", "value_map")

    def __init__(  # noqa: PLR0913 - a mapped column's every fact, built in one place
        self,
        mapping: ColumnMapping,
        spec: FieldSpec,
        header: str,
        value_map: dict[str, str],
        to_provider: bool,
        from_provider: bool,
    ) -> None:
        self.mapping = mapping
        self.spec = spec
        self.header = header
        self.value_map = value_map
        self.to_provider = to_provider
        self.from_provider = from_provider


def fingerprint(parts: list[str]) -> str:
    # Stable across processes (unlike hash()), short enough to store per record.
    return hashlib.blake2b("\x1f".join(parts).encode(), digest_size=8).hexdigest()


def _raw_text(raw: object) -> str:
    return "" if raw is None else str(raw)


class Merger:
    def __init__(
        self,
        mapping: SyncMapping,
        *,
        now: datetime,
        dates: DateReading | None = None,
        options: SyncOptions | None = None,
    ) -> None:
        self.mapping = mapping
        self.options = options or SyncOptions()
        self.now = now
        # How the provider's dates read; the mapping's date_order, when set, overrides the provider's order.
        reading = dates or UTC_DAY_FIRST
        self.dates = reading if mapping.date_order is None else reading.replace(order=mapping.date_order)
        self.columns = [
            _Column(
                mapping=c,
                spec=FIELDS[c.field],
                header=c.header,
                value_map=c.value_map,
                to_provider=c.to_provider,
                from_provider=c.from_provider and self.options.row_edits_to_tracker,
            )
            for c in mapping.columns
        ]
        self.fields = [c.spec.key for c in self.columns]

    # -- helpers ----------------------------------------------------------------------------------

    def tracker_fingerprint(self, values: dict[str, str]) -> str:
        return fingerprint([values.get(f, "") for f in self.fields])

    def row_fingerprint(self, cells: dict[str, object]) -> str:
        return fingerprint([_raw_text(cells.get(c.header)) for c in self.columns])

    def cells_for(self, values: dict[str, str]) -> dict[str, str]:
        return {c.header: to_cell(c.spec, values.get(c.spec.key, ""), c.value_map) for c in self.columns}

    def _canonical(self, column: _Column, raw: object, row: ProviderRow, plan: SyncPlan) -> str | None:
        try:
            return to_canonical(column.spec, raw, column.value_map, self.dates)
        except InvalidValue as exc:
            plan.problems.append(CellProblem(row.locator, column.header, _raw_text(raw), str(exc)))
            return None

    # -- the merge --------------------------------------------------------------------------------

    def plan(self, tracker: dict[str, dict[str, str]], rows: list[ProviderRow], state: SyncState) -> SyncPlan:
        plan = SyncPlan(rows_read=len(rows), previous=state)
        new_state = SyncState(
            records=dict(state.records),
            tombstones=set(state.tombstones),
            pending_deletions=dict(state.pending_deletions),
        )
        plan.state = new_state
        seen: dict[str, int] = {}
        for row in rows:
            record_id = row.record_id
            if not record_id:
                self._new_row(row, plan)
                continue
            if record_id in seen:
                plan.problems.append(
                    CellProblem(
                        row.locator,
                        self.mapping.id_header,
                        record_id,
                        f"this Tracker ID is also on row {seen[record_id]}: clear it on the copy to add a new pitch",
                    )
                )
                continue
            seen[record_id] = row.locator
            if record_id not in tracker:
                if record_id in state.tombstones or record_id in state.records:
                    # Deleted in Tracker: the row stays (it may hold the user's own columns) but is ignored.
                    new_state.records.pop(record_id, None)
                    new_state.tombstones.add(record_id)
                    plan.rows_of_deleted_records += 1
                else:
                    plan.problems.append(
                        CellProblem(
                            row.locator,
                            self.mapping.id_header,
                            record_id,
                            "no pitch in Tracker has this Tracker ID: clear the cell to add the row as a new pitch",
                        )
                    )
                continue
            if record_id in new_state.pending_deletions:
                # The row came back (undo, restored version): it is not a deletion after all.
                del new_state.pending_deletions[record_id]
                plan.restored.append(record_id)
            self._merge(record_id, tracker[record_id], row, state.records.get(record_id), plan)

        vanished: list[str] = []
        for record_id, values in tracker.items():
            if record_id in seen or record_id in new_state.pending_deletions:
                continue
            if record_id in state.records:
                vanished.append(record_id)
            elif self.options.new_records_to_rows:
                self._append(record_id, values, plan)
        for record_id in list(new_state.pending_deletions):
            if record_id not in tracker:
                del new_state.pending_deletions[record_id]  # deleted in Tracker meanwhile
        self._guard_deletions(vanished, state, plan)
        return plan

    def _merge(
        self, record_id: str, values: dict[str, str], row: ProviderRow, base: RecordBase | None, plan: SyncPlan
    ) -> None:
        row_fp = self.row_fingerprint(row.cells)
        tracker_fp = self.tracker_fingerprint(values)
        if base is not None and base.row_fingerprint == row_fp and base.tracker_fingerprint == tracker_fp:
            plan.unchanged += 1
            return
        new_values: dict[str, str] = {}
        tracker_changes: dict[str, str] = {}
        written: dict[str, str] = {}
        held: dict[str, str] = {}
        for column in self.columns:
            key = column.spec.key
            t = values.get(key, "")
            b = base.values.get(key) if base is not None else None
            raw = row.cells.get(column.header)
            p = self._canonical(column, raw, row, plan)
            if p is None:  # invalid cell: reported; Tracker's value stands and is not pushed over it
                new_values[key] = b if b is not None else t
                continue
            shown = base.held.get(key) if base is not None else None
            result, winner = (
                self._resolve(column, t, p, b) if shown is None else self._resolve_held(column, t, p, b, shown)
            )
            if column.header in row.formulas and result != p:
                # The formula stays; Tracker keeps its value. Reported when Tracker's value is new to it.
                held[key] = p
                new_values[key] = t
                if shown is None or t != b:
                    plan.conflicts.append(Conflict(record_id, key, column.header, t, p, "provider", t, formula=True))
                continue
            if winner is not None:
                losing = p if winner == "tracker" else t
                plan.conflicts.append(Conflict(record_id, key, column.header, t, p, winner, losing))
            if result != p and not self.options.tracker_updates_to_rows:
                # The row is left as it is and Tracker keeps its value: held, as against a formula, so that
                # only a later edit of the row (not the difference itself) counts as the sheet's change.
                held[key] = p
                new_values[key] = result
                continue
            if result != t:
                tracker_changes[key] = result
            if result != p:
                text = to_cell(column.spec, result, column.value_map)
                written[column.header] = text
                plan.cell_writes.append(CellWrite(row.locator, column.header, text))
            new_values[key] = result
        if tracker_changes:
            plan.tracker_updates[record_id] = tracker_changes
        if not tracker_changes and not written and base is not None and base.values == new_values:
            plan.unchanged += 1
        cells_after = {**row.cells, **written}
        plan.state.records[record_id] = RecordBase(
            values=new_values,
            row_fingerprint=self.row_fingerprint(cells_after),
            tracker_fingerprint=self.tracker_fingerprint({**values, **tracker_changes}),
            held=held,
        )

    def _resolve(self, column: _Column, t: str, p: str, b: str | None) -> tuple[str, Side | None]:
        """The field's value after the sync, and who won when both sides had changed it."""
        if t == p:
            return t, None
        if not column.from_provider:
            return t, None  # one way, Tracker to provider: the sheet shows Tracker's value
        if not column.to_provider:
            return p, None  # one way, provider to Tracker
        if b is None:
            # Never synced on this field (a new column, or state lost): fill in from the side that has a
            # value; only two different values are a conflict.
            if t == "":
                return p, None
            if p == "":
                return t, None
        elif p == b:
            return t, None  # only Tracker changed
        elif t == b:
            return p, None  # only the provider changed
        winner: Side = "tracker" if self.mapping.conflict_policy == "tracker_wins" else "provider"
        return (t if winner == "tracker" else p), winner

    def _resolve_held(self, column: _Column, t: str, p: str, b: str | None, shown: str) -> tuple[str, Side | None]:
        """A field where Tracker kept its value against a formula: each side compared with its own base."""
        if p == shown:
            return t, None  # the sheet did not change: Tracker's value stands
        if t == b:
            return p, None  # only what the sheet shows changed: Tracker takes it
        return self._resolve(column, t, p, None)

    def _new_row(self, row: ProviderRow, plan: SyncPlan) -> None:
        if all(_raw_text(v).strip() == "" for v in row.cells.values()):
            return  # a blank row
        if not any(c.from_provider for c in self.columns):
            return  # nothing flows from the sheet, so its new rows create nothing either
        values: dict[str, str] = {}
        valid = True
        for column in self.columns:
            if not column.from_provider:
                continue
            p = self._canonical(column, row.cells.get(column.header), row, plan)
            if p is None:
                valid = False
                continue
            values[column.spec.key] = p
        if not valid:
            return
        plan.creates.append(RecordCreate(row.locator, values, dict(row.cells), row.formulas))

    def _append(self, record_id: str, values: dict[str, str], plan: SyncPlan) -> None:
        cells = self.cells_for(values)
        plan.new_rows.append(NewRow(record_id, {**cells, self.mapping.id_header: record_id}))
        plan.state.records[record_id] = RecordBase(
            values={f: values.get(f, "") for f in self.fields},
            row_fingerprint=fingerprint([cells[c.header] for c in self.columns]),
            tracker_fingerprint=self.tracker_fingerprint(values),
        )

    def _guard_deletions(self, vanished: list[str], state: SyncState, plan: SyncPlan) -> None:
        if not vanished:
            return
        synced = max(len(state.records), 1)
        share = len(vanished) / synced
        if len(vanished) >= self.mapping.mass_delete_min_rows and share > self.mapping.max_delete_share:
            # Stop this sync; the vanished records still wait for approval (nothing is deleted either way).
            plan.blocked = DeleteGuard(vanished=len(vanished), synced=synced, share=share)
        for record_id in vanished:
            base = state.records[record_id]
            pending = PendingDeletion(record_id=record_id, values=dict(base.values), detected_at=self.now)
            plan.state.pending_deletions[record_id] = pending
            plan.new_pending.append(pending)

    def record_created(self, plan: SyncPlan, create: RecordCreate, record_id: str, values: dict[str, str]) -> None:
        """After Tracker created the pitch for a new row: write its id (and Tracker's own columns) back."""
        plan.cell_writes.append(CellWrite(create.locator, self.mapping.id_header, record_id))
        cells_after: dict[str, object] = dict(create.cells)
        for column in self.columns:
            if column.from_provider or column.header in create.formulas:
                continue
            text = to_cell(column.spec, values.get(column.spec.key, ""), column.value_map)
            if _raw_text(create.cells.get(column.header)) != text:
                plan.cell_writes.append(CellWrite(create.locator, column.header, text))
                cells_after[column.header] = text
        plan.state.records[record_id] = RecordBase(
            values={f: values.get(f, "") for f in self.fields},
            row_fingerprint=self.row_fingerprint(cells_after),
            tracker_fingerprint=self.tracker_fingerprint(values),
        )


def header_positions(headers: list[str]) -> dict[str, list[int]]:
    positions: dict[str, list[int]] = {}
    for index, header in enumerate(headers):
        if header.strip():
            positions.setdefault(normalise_header(header), []).append(index)
    return positions
