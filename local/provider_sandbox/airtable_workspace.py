"""Airtable's side of the sandbox: who may call (OAuth and personal access tokens), the per-base rate
limit, and the user's controls (`sandbox.airtable`): issue a token, lay out a base.

A personal access token acts as its login with every scope, over every base the login collaborates on,
as the tokens a user makes at airtable.com/create/tokens do. OAuth tokens carry the scopes granted at
consent; the sandbox's consent page offers no base picker, so they too reach every base of the login.
"""

import secrets
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel, ConfigDict, JsonValue, model_validator
from pydantic import Field as PydanticField
from werkzeug.wrappers import Request

from provider_sandbox.airtable import PROVIDER
from provider_sandbox.airtable_cells import Choice, Field, FieldType
from provider_sandbox.airtable_store import AirtableStore, Base, Table, View, WriteItem, new_id
from provider_sandbox.oauth import Clock, GrantStore
from provider_sandbox.responses import bearer_token
from provider_sandbox.routing import SandboxContext

ALL_SCOPES = ("data.records:read", "data.records:write", "schema.bases:read", "webhook:manage")


class RateLimit(BaseModel):
    """Airtable's: 5 requests a second per base; over that, 429 for every request for 30 seconds."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    per_second: int = PydanticField(default=5, ge=1)
    penalty_seconds: float = PydanticField(default=30.0, ge=0.0)


@dataclass
class _BaseTraffic:
    accepted: deque[datetime] = field(default_factory=deque)
    penalty_until: datetime | None = None


@dataclass(frozen=True)
class Caller:
    login: str
    scopes: frozenset[str]


class FieldSpec(BaseModel):
    """A field to create: its type, select choices, or the table (by name) a link points to."""

    model_config = ConfigDict(extra="forbid")

    name: str = PydanticField(min_length=1)
    type: FieldType = "singleLineText"
    choices: list[str] = PydanticField(default_factory=list)
    linked_table: str | None = None
    precision: int = PydanticField(default=0, ge=0, le=8)

    @model_validator(mode="after")
    def _link_has_table(self) -> "FieldSpec":
        if (self.type == "multipleRecordLinks") != (self.linked_table is not None):
            raise ValueError("linked_table is required for multipleRecordLinks fields, and only for them")
        return self


class ViewSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = PydanticField(min_length=1)
    # A filterByFormula-style formula: only matching records are in the view.
    formula: str | None = None


class TableSpec(BaseModel):
    """A table to create; the first field is the primary field. Records are keyed by field name."""

    model_config = ConfigDict(extra="forbid")

    name: str = PydanticField(min_length=1)
    fields: list[FieldSpec] = PydanticField(min_length=1)
    views: list[ViewSpec] = PydanticField(default_factory=list)
    records: list[dict[str, Any]] = PydanticField(default_factory=list)


class CreateBaseBody(BaseModel):
    """Body of POST /_control/airtable/bases."""

    model_config = ConfigDict(extra="forbid")

    login: str = PydanticField(min_length=1)
    name: str = PydanticField(min_length=1)
    tables: list[TableSpec] = PydanticField(min_length=1)


class UserEdit(BaseModel):
    """One record the user creates (no id) or changes in Airtable's UI: fields by name, None clears one."""

    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    fields: dict[str, Any]


class UserEditsBody(BaseModel):
    """Body of POST /_control/airtable/bases/{base_id}/tables/{table}/edits."""

    model_config = ConfigDict(extra="forbid")

    login: str = PydanticField(min_length=1)
    records: list[UserEdit] = PydanticField(default_factory=list)
    delete: list[str] = PydanticField(default_factory=list)


class IssueTokenBody(BaseModel):
    """Body of POST /_control/airtable/tokens."""

    model_config = ConfigDict(extra="forbid")

    login: str = PydanticField(min_length=1)


class AirtableWorkspace:
    """Bases, personal access tokens and the rate limit: one per sandbox (`sandbox.airtable`)."""

    def __init__(self, context: SandboxContext) -> None:
        self.lock = context.lock
        self.clock: Clock = context.clock
        self._grants: GrantStore = context.store
        self.store = AirtableStore(context.clock)
        self._personal_tokens: dict[str, str] = {}
        # None switches the limit off (tests that make many calls quickly and are not about it).
        self.rate_limit: RateLimit | None = RateLimit()
        self._traffic: dict[str, _BaseTraffic] = {}

    @classmethod
    def of(cls, context: SandboxContext) -> "AirtableWorkspace":
        return context.component(cls, lambda: cls(context))

    # Callers --------------------------------------------------------------------------------------

    def issue_token(self, login: str) -> str:
        """A personal access token for `login` with every scope, shaped like Airtable's."""
        token = f"pat{new_id('')}.{secrets.token_hex(32)}"
        with self.lock:
            self._personal_tokens[token] = login
        return token

    def caller(self, request: Request) -> Caller | None:
        token = bearer_token(request)
        if token is None:
            return None
        with self.lock:
            login = self._personal_tokens.get(token)
        if login is not None:
            return Caller(login, frozenset(ALL_SCOPES))
        access = self._grants.authenticate(PROVIDER, token)
        return None if access is None else Caller(access.login, frozenset(access.scopes))

    def admit(self, base_id: str) -> bool:
        """Count one request to the base; False when it must be answered 429."""
        limit = self.rate_limit
        if limit is None:
            return True
        with self.lock:
            now = self.clock()
            traffic = self._traffic.setdefault(base_id, _BaseTraffic())
            if traffic.penalty_until is not None and now < traffic.penalty_until:
                return False
            while traffic.accepted and traffic.accepted[0] <= now - timedelta(seconds=1):
                traffic.accepted.popleft()
            if len(traffic.accepted) >= limit.per_second:
                traffic.penalty_until = now + timedelta(seconds=limit.penalty_seconds)
                return False
            traffic.accepted.append(now)
            return True

    # The user's side ------------------------------------------------------------------------------

    def create_base(self, login: str, name: str, tables: list[TableSpec]) -> Base:
        """A base `login` owns, laid out as given; its records are there before any webhook."""
        with self.lock:
            base = Base(new_id("app"), name, {login})
            for spec in tables:
                base.tables.append(
                    Table(new_id("tbl"), spec.name, [], [View(new_id("viw"), "Grid view"), *self._views(spec)])
                )
            for spec, table in zip(tables, base.tables, strict=True):
                table.fields = [self._field(base, f) for f in spec.fields]
            self.store.bases[base.id] = base
            for spec, table in zip(tables, base.tables, strict=True):
                items = [WriteItem(None, record) for record in spec.records]
                if items:
                    self.store.write(base, table, items, typecast=True, source="client", login=login)
            return base

    @staticmethod
    def _views(spec: TableSpec) -> list[View]:
        return [View(new_id("viw"), view.name, view.formula) for view in spec.views]

    @staticmethod
    def _field(base: Base, spec: FieldSpec) -> Field:
        linked = base.table(spec.linked_table) if spec.linked_table else None
        if spec.linked_table and linked is None:
            raise ValueError(f"no table {spec.linked_table!r} in the base")
        return Field(
            id=new_id("fld"),
            name=spec.name,
            type=spec.type,
            choices=[Choice(new_id("sel"), choice, "blueLight2") for choice in spec.choices],
            linked_table_id=linked.id if linked else None,
            precision=spec.precision,
        )

    def edit(
        self, login: str, base_id: str, table: str, records: list[UserEdit], delete: Sequence[str] = ()
    ) -> list[str]:
        """The user edits in Airtable's UI (webhook source "client"): one transaction for the edits, one for the
        deletions. Returns the ids of the records written. Raises StoreError as the API would answer."""
        with self.lock:
            base, found = self.base(base_id), self.table(base_id, table)
            written: list[str] = []
            if records:
                items = [WriteItem(r.id, r.fields) for r in records]
                done, _, _ = self.store.write(base, found, items, typecast=True, source="client", login=login)
                written = [r.id for r in done]
            if delete:
                self.store.delete(base, found, list(delete), source="client", login=login)
            return written

    def delete_base(self, base_id: str) -> None:
        """The user deletes the base: every call on it then answers 403, as for a base never shared."""
        with self.lock:
            del self.store.bases[base_id]

    def delete_table(self, base_id: str, table: str) -> None:
        """The user deletes a table: calls naming it answer 404 NOT_FOUND."""
        with self.lock:
            base = self.base(base_id)
            base.tables.remove(self.table(base_id, table))

    def delete_field(self, base_id: str, table: str, field_key: str) -> None:
        """The user deletes a field (not the primary one): its values go, and naming it answers 422
        UNKNOWN_FIELD_NAME."""
        with self.lock:
            found = self.table(base_id, table)
            fld = found.field(field_key)
            if fld is None or fld is found.primary_field:
                raise KeyError(field_key)
            found.fields.remove(fld)
            for record in found.records.values():
                record.cells.pop(fld.id, None)

    def base(self, base_id: str) -> Base:
        with self.lock:
            return self.store.bases[base_id]

    def table(self, base_id: str, table: str) -> Table:
        found = self.base(base_id).table(table)
        if found is None:
            raise KeyError(table)
        return found

    def records(self, base_id: str, table: str) -> list[JsonValue]:
        """The table's records as the Web API lists them (fields by name, empty ones left out)."""
        with self.lock:
            found = self.table(base_id, table)
            return [found.record_json(r) for r in found.records.values()]
