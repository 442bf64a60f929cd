"""Airtable's data as the sandbox keeps it: bases a login can open, their tables, fields, views and records.

One `AirtableStore` per sandbox (a context component). Every write goes through `write` or `delete`,
whether the app sent it through the Web API or a test made it as the user; each is one transaction,
announced to the listeners (the webhooks) as a `Transaction` with the cells before and after.
"""

import secrets
import string
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from pydantic import JsonValue

from provider_sandbox.airtable_cells import CellError, Field, convert, format_datetime, is_empty
from provider_sandbox.airtable_formula import FormulaError, Node, RecordView, compile_formula
from provider_sandbox.oauth import Clock

_ID_ALPHABET = string.ascii_letters + string.digits
MAX_RECORDS_PER_REQUEST = 10
# Where a change came from, as webhook payloads name it: the Web API, or the user in Airtable's UI.
ChangeSource = Literal["publicApi", "client"]


def new_id(prefix: str) -> str:
    """Airtable ids: a three-letter kind, then 14 characters."""
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(14))


@dataclass
class Record:
    id: str
    created_time: datetime
    last_modified_time: datetime
    # Field id -> non-empty value in cellFormat=json.
    cells: dict[str, Any] = field(default_factory=dict)


@dataclass
class View:
    id: str
    name: str
    # Records outside this formula are not in the view (None: every record).
    formula: str | None = None

    def schema(self) -> dict[str, JsonValue]:
        return {"id": self.id, "name": self.name, "type": "grid"}


@dataclass
class Table:
    id: str
    name: str
    fields: list[Field]
    views: list[View]
    records: dict[str, Record] = field(default_factory=dict)
    description: str | None = None

    @property
    def primary_field(self) -> Field:
        return self.fields[0]

    def field(self, key: str) -> Field | None:
        """By id or by name, as the Web API accepts either."""
        return next((f for f in self.fields if key in {f.id, f.name}), None)

    def view(self, key: str) -> View | None:
        return next((v for v in self.views if key in {v.id, v.name}), None)

    def schema(self) -> dict[str, JsonValue]:
        body: dict[str, JsonValue] = {
            "id": self.id,
            "name": self.name,
            "primaryFieldId": self.primary_field.id,
            "fields": [f.schema() for f in self.fields],
            "views": [v.schema() for v in self.views],
        }
        if self.description:
            body["description"] = self.description
        return body

    def cell(self, record: Record, fld: Field) -> Any:
        if fld.type == "lastModifiedTime":
            return format_datetime(record.last_modified_time)
        return record.cells.get(fld.id)

    def fields_json(self, record: Record, *, by_id: bool, only: Iterable[Field] | None = None) -> dict[str, JsonValue]:
        """Non-empty cells keyed by field name (or id): Airtable leaves empty fields out."""
        chosen = self.fields if only is None else list(only)
        out: dict[str, JsonValue] = {}
        for fld in chosen:
            value = self.cell(record, fld)
            if not is_empty(value):
                out[fld.id if by_id else fld.name] = value
        return out

    def record_json(
        self, record: Record, *, by_id: bool = False, only: Iterable[Field] | None = None
    ) -> dict[str, JsonValue]:
        return {
            "id": record.id,
            "createdTime": format_datetime(record.created_time),
            "fields": self.fields_json(record, by_id=by_id, only=only),
        }

    def matcher(self, formula: str) -> Callable[[Record], bool]:
        """Raises FormulaError."""
        predicate: Node = compile_formula(formula, {f.name for f in self.fields})

        def matches(record: Record) -> bool:
            cells = {f.name: self.cell(record, f) for f in self.fields}
            view = RecordView(record.id, record.created_time, record.last_modified_time, cells)
            return bool(predicate(view))

        return matches


@dataclass
class Base:
    id: str
    name: str
    # Logins that can open the base (its collaborators).
    collaborators: set[str]
    tables: list[Table] = field(default_factory=list)
    # Writes so far; webhook payloads carry it as baseTransactionNumber.
    transaction_count: int = 0

    def table(self, key: str) -> Table | None:
        return next((t for t in self.tables if key in {t.id, t.name}), None)


@dataclass(frozen=True)
class RecordChange:
    record_id: str
    # Field id -> value before and after, for the fields that changed (None: empty).
    previous: Mapping[str, Any]
    current: Mapping[str, Any]
    # Every non-empty cell after the change, for `includeCellValuesInFieldIds`.
    cells: Mapping[str, Any]


@dataclass(frozen=True)
class Transaction:
    """One write, as webhooks report it: records created, changed and destroyed in one table."""

    base_id: str
    table_id: str
    at: datetime
    source: ChangeSource
    login: str
    created: list[tuple[Record, Mapping[str, Any]]]  # (record, its non-empty cells)
    changed: list[RecordChange]
    destroyed: list[str]

    @property
    def empty(self) -> bool:
        return not (self.created or self.changed or self.destroyed)


@dataclass(frozen=True)
class WriteItem:
    """One record of a create, update or upsert: its id (None: create or match) and fields by name or id."""

    record_id: str | None
    fields: Mapping[str, Any]


class StoreError(Exception):
    """A request Airtable refuses: status, error type and message."""

    def __init__(self, status: int, error_type: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error_type = error_type
        self.message = message


def _unknown_field(key: str) -> StoreError:
    return StoreError(422, "UNKNOWN_FIELD_NAME", f'Unknown field name: "{key}"')


class AirtableStore:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.bases: dict[str, Base] = {}
        self._listeners: list[Callable[[Transaction], None]] = []

    def listen(self, listener: Callable[[Transaction], None]) -> None:
        self._listeners.append(listener)

    def bases_of(self, login: str) -> list[Base]:
        return [b for b in self.bases.values() if login in b.collaborators]

    # Writes ---------------------------------------------------------------------------------------

    def _converted(self, base: Base, table: Table, fields: Mapping[str, Any], typecast: bool) -> dict[str, Any]:
        """Field id -> stored value (None: clear); raises StoreError as Airtable answers 422."""
        out: dict[str, Any] = {}
        for key, value in fields.items():
            fld = table.field(key)
            if fld is None:
                raise _unknown_field(key)
            try:
                stored = convert(fld, value, typecast=typecast, new_choice_id=lambda: new_id("sel"))
            except CellError as error:
                raise StoreError(422, error.error_type, error.message) from error
            if fld.type == "multipleRecordLinks" and stored is not None:
                stored = self._links(base, fld, stored, typecast)
            out[fld.id] = None if is_empty(stored) else stored
        return out

    def _links(self, base: Base, fld: Field, value: Any, typecast: bool) -> list[str]:
        linked = base.table(fld.linked_table_id or "")
        names = [value] if typecast and isinstance(value, str) else value
        if linked is None or not isinstance(names, list) or not all(isinstance(v, str) for v in names):
            raise StoreError(
                422, "INVALID_VALUE_FOR_COLUMN", f'Value for field "{fld.name}" is not an array of record IDs.'
            )
        ids: list[str] = []
        for name in names:
            if name in linked.records:
                ids.append(name)
                continue
            # With typecast a name finds the linked record whose primary field reads that name.
            found = next(
                (r for r in linked.records.values() if typecast and linked.cell(r, linked.primary_field) == name), None
            )
            if found is None:
                raise StoreError(422, "ROW_DOES_NOT_EXIST", f"Record ID {name} does not exist in this table")
            ids.append(found.id)
        return ids

    def _upsert_target(self, table: Table, converted: Mapping[str, Any], merge_on: list[str]) -> Record | None:
        keys: list[str] = []
        for key in merge_on:
            fld = table.field(key)
            if fld is None:
                raise _unknown_field(key)
            if converted.get(fld.id) is None:
                raise StoreError(
                    422, "INVALID_REQUEST_UNKNOWN", f'Each record must have a value for fieldsToMergeOn field "{key}"'
                )
            keys.append(fld.id)
        found = [r for r in table.records.values() if all(r.cells.get(k) == converted[k] for k in keys)]
        if len(found) > 1:
            raise StoreError(422, "INVALID_VALUE_FOR_COLUMN", "More than one record matches fieldsToMergeOn")
        return found[0] if found else None

    def write(
        self,
        base: Base,
        table: Table,
        items: list[WriteItem],
        *,
        typecast: bool = False,
        replace: bool = False,
        merge_on: list[str] | None = None,
        source: ChangeSource = "publicApi",
        login: str,
    ) -> tuple[list[Record], list[str], list[str]]:
        """Create or update all of `items` or none; returns (records in order, created ids, updated ids)."""
        now = self.clock()
        plans: list[tuple[Record | None, dict[str, Any]]] = []
        for item in items:
            converted = self._converted(base, table, item.fields, typecast)
            target: Record | None = None
            if item.record_id is not None:
                target = table.records.get(item.record_id)
                if target is None:
                    raise StoreError(
                        422, "ROW_DOES_NOT_EXIST", f"Record ID {item.record_id} does not exist in this table"
                    )
            elif merge_on is not None:
                target = self._upsert_target(table, converted, merge_on)
            plans.append((target, converted))
        records: list[Record] = []
        created: list[tuple[Record, Mapping[str, Any]]] = []
        changes: list[RecordChange] = []
        for target, converted in plans:
            if target is None:
                record = Record(new_id("rec"), now, now, {k: v for k, v in converted.items() if v is not None})
                table.records[record.id] = record
                created.append((record, dict(record.cells)))
            else:
                record = target
                change = self._apply(table, record, converted, replace, now)
                if change is not None:
                    changes.append(change)
            records.append(record)
        self._announce(Transaction(base.id, table.id, now, source, login, created, changes, []))
        created_ids = [r.id for r, _ in created]
        return records, created_ids, [r.id for r in records if r.id not in created_ids]

    def _apply(
        self, table: Table, record: Record, converted: Mapping[str, Any], replace: bool, now: datetime
    ) -> RecordChange | None:
        new_cells = {} if replace else dict(record.cells)
        if replace:
            # PUT: fields not sent are cleared, except computed ones, which no one writes.
            new_cells.update({f.id: record.cells[f.id] for f in table.fields if f.computed and f.id in record.cells})
        new_cells.update(converted)
        new_cells = {k: v for k, v in new_cells.items() if v is not None}
        touched = set(record.cells) | set(new_cells)
        previous = {k: record.cells.get(k) for k in touched if record.cells.get(k) != new_cells.get(k)}
        if not previous:
            return None
        record.cells = new_cells
        record.last_modified_time = now
        current = {k: new_cells.get(k) for k in previous}
        return RecordChange(record.id, previous, current, dict(new_cells))

    def delete(
        self, base: Base, table: Table, record_ids: list[str], *, source: ChangeSource = "publicApi", login: str
    ) -> None:
        missing = [r for r in record_ids if r not in table.records]
        if missing:
            raise StoreError(404, "MODEL_ID_NOT_FOUND", "Record not found")
        for record_id in record_ids:
            del table.records[record_id]
        self._announce(Transaction(base.id, table.id, self.clock(), source, login, [], [], list(record_ids)))

    def _announce(self, transaction: Transaction) -> None:
        if transaction.empty:
            return
        self.bases[transaction.base_id].transaction_count += 1
        for listener in self._listeners:
            listener(transaction)

    # Reads ----------------------------------------------------------------------------------------

    def select(self, table: Table, *, view: str | None = None, formula: str | None = None) -> list[Record]:
        """Records in the view (table order), filtered by the formula; raises StoreError."""
        records = list(table.records.values())
        if view is not None:
            chosen = table.view(view)
            if chosen is None:
                raise StoreError(422, "VIEW_NAME_NOT_FOUND", f'Could not find view "{view}"')
            if chosen.formula:
                in_view = table.matcher(chosen.formula)
                records = [r for r in records if in_view(r)]
        if formula:
            try:
                matches = table.matcher(formula)
            except FormulaError as error:
                raise StoreError(
                    422,
                    "INVALID_FILTER_BY_FORMULA",
                    "The formula for filtering records is invalid: Invalid formula. Please check your formula text."
                    f" ({error})",
                ) from error
            records = [r for r in records if matches(r)]
        return records
