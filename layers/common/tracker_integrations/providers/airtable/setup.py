"""Choosing what Airtable syncs: list bases and tables (fields with types, views), pick one, map fields.

Each Airtable field type maps only to the Tracker fields whose values it can hold: a single select to
the status (its choices read through the value map), an e-mail field to the e-mail, date and date-time
fields to the sent date, text fields to text. Number and checkbox fields hold nothing Tracker has, and
computed fields are read-only, so none of them can be mapped. A linked-record field is read-only too, but
can feed a Tracker text field one way (`from_provider`) as the linked records' names (links.py). Without a
mapping, fields are mapped by their names.
"""

from __future__ import annotations

from typing import Any

from tracker_integrations.config import Settings
from tracker_integrations.errors import NotFound, ValidationFailed
from tracker_integrations.models.airtable import (
    AirtableBase,
    AirtableBases,
    AirtableConnectionSettings,
    AirtableField,
    AirtableLink,
    AirtableSettings,
    AirtableSettingsUpdate,
    AirtableTable,
    AirtableTables,
    AirtableTarget,
    AirtableView,
)
from tracker_integrations.models.connection import Connection, ConnectionStatus
from tracker_integrations.models.settings import SettingsUpdate
from tracker_integrations.providers.airtable.client import AirtableClient, AirtableRefused
from tracker_integrations.providers.airtable.sync import PROVIDER
from tracker_integrations.services.connecting.tokens import TokenService
from tracker_integrations.services.integrations import IntegrationDetail, IntegrationsService
from tracker_integrations.store.integrations import IntegrationsStore
from tracker_integrations.sync.fields import FIELDS, FieldKind, InvalidValue, normalise_header, to_canonical
from tracker_integrations.sync.mapping import ColumnMapping, SyncMapping, auto_map

LINK = "multipleRecordLinks"
_TEXT = frozenset({"singleLineText", "multilineText", "richText", "email", "url", "phoneNumber", "singleSelect"})
# The Airtable field types each kind of Tracker field can live in.
ACCEPTS: dict[FieldKind, frozenset[str]] = {
    "text": _TEXT,
    "email": frozenset({"email", "singleLineText"}),
    "enum": frozenset({"singleSelect", "singleLineText"}),
    "date": frozenset({"date", "dateTime", "singleLineText"}),
    "datetime": frozenset({"date", "dateTime", "singleLineText"}),
}
READ_ONLY = frozenset(
    {
        "formula",
        "rollup",
        "lookup",
        "multipleLookupValues",
        "count",
        "autoNumber",
        "createdTime",
        "lastModifiedTime",
        "createdBy",
        "lastModifiedBy",
        "button",
        LINK,
    }
)


def maps_to(field_type: str) -> list[str]:
    if field_type == LINK:  # shown as names, flowing only into Tracker
        return [key for key, spec in FIELDS.items() if spec.kind == "text" and spec.writable_from_provider]
    if field_type in READ_ONLY:
        return []
    return [key for key, spec in FIELDS.items() if field_type in ACCEPTS[spec.kind]]


def table_of(raw: dict[str, Any]) -> AirtableTable:
    fields = []
    for f in raw.get("fields") or []:
        options = f.get("options") or {}
        fields.append(
            AirtableField(
                id=str(f["id"]),
                name=str(f["name"]),
                type=str(f["type"]),
                read_only=f["type"] in READ_ONLY,
                choices=[str(c.get("name")) for c in options.get("choices") or []],
                maps_to=maps_to(str(f["type"])),
                linked_table_id=options.get("linkedTableId"),
            )
        )
    views = [
        AirtableView(id=str(v["id"]), name=str(v["name"]), type=str(v.get("type", "grid")))
        for v in raw.get("views") or []
    ]
    return AirtableTable(
        id=str(raw["id"]),
        name=str(raw["name"]),
        primary_field_id=str(raw.get("primaryFieldId", "")),
        fields=fields,
        views=views,
    )


def check_mapping(mapping: SyncMapping, table: AirtableTable, *, strict: bool) -> dict[str, str]:
    """The mapping's field names -> field ids, refusing a field that is missing, read-only or of a type that
    cannot hold the Tracker field; `strict`: every choice of a single select mapped to the status must read
    as a status (directly or through the value map)."""
    by_name = {normalise_header(f.name): f for f in table.fields}
    ids: dict[str, str] = {}
    for column in mapping.columns:
        found = by_name.get(normalise_header(column.header))
        if found is None:
            names = ", ".join(f"'{f.name}'" for f in table.fields)
            raise ValidationFailed(f"mapping: '{column.header}' is not a field of '{table.name}' (fields: {names})")
        spec = FIELDS[column.field]
        if found.type == LINK and column.effective_direction != "from_provider":
            raise ValidationFailed(
                f"mapping: '{found.name}' is read-only because it links to another table: Tracker shows the linked "
                "records' names but never writes them, so map it with direction 'from_provider'"
            )
        if found.read_only and found.type != LINK:
            raise ValidationFailed(
                f"mapping: '{found.name}' is a {found.type} field, which Airtable computes or links; Tracker cannot "
                "write it, so it cannot be mapped"
            )
        if column.field not in found.maps_to:
            fits = ", ".join(sorted(ACCEPTS[spec.kind]))
            raise ValidationFailed(
                f"mapping: '{found.name}' is a {found.type} field and cannot hold {spec.label.lower()} "
                f"({column.field}); map it to a field of type {fits}"
            )
        if strict and found.type == "singleSelect" and spec.kind == "enum":
            unread = []
            for choice in found.choices:
                try:
                    to_canonical(spec, choice, column.value_map)
                except InvalidValue:
                    unread.append(choice)
            if unread:
                raise ValidationFailed(
                    f"mapping: the choices {', '.join(repr(c) for c in unread)} of '{found.name}' are not Tracker "
                    f"statuses ({', '.join(spec.choices)}); add them to its value_map"
                )
        ids[column.header] = found.id
    return ids


class AirtableSetup:
    def __init__(
        self, integrations: IntegrationsStore, tokens: TokenService, cards: IntegrationsService, settings: Settings
    ) -> None:
        self._integrations = integrations
        self._tokens = tokens
        self._cards = cards
        self._settings = settings

    def _client(self, user_id: str) -> tuple[Connection, AirtableClient]:
        connection = self._integrations.get_connection(user_id, PROVIDER)
        if connection is None:
            raise NotFound("Airtable is not connected: connect it first")
        access = self._tokens.current_tokens(connection).access_token.get_secret_value()
        return connection, AirtableClient(self._settings, access)

    def bases(self, user_id: str) -> AirtableBases:
        _, client = self._client(user_id)
        return AirtableBases(
            bases=[
                AirtableBase(id=str(b["id"]), name=str(b["name"]), permission_level=str(b.get("permissionLevel", "")))
                for b in client.bases()
            ]
        )

    def tables(self, user_id: str, base_id: str) -> AirtableTables:
        _, client = self._client(user_id)
        return AirtableTables(base_id=base_id, tables=self._tables(client, base_id))

    @staticmethod
    def _tables(client: AirtableClient, base_id: str) -> list[AirtableTable]:
        try:
            return [table_of(t) for t in client.tables(base_id)]
        except AirtableRefused as exc:
            raise NotFound(
                f"base '{base_id}' can't be opened: it does not exist or Tracker has no access to it"
            ) from exc

    def configure(self, user_id: str, update: AirtableSettingsUpdate) -> IntegrationDetail:
        """Choose base, table and view and/or change the mapping; checked against the table's real fields."""
        connection, client = self._client(user_id)
        self._cards.check_version(connection, update.version)
        current = AirtableConnectionSettings.model_validate(connection.settings).airtable
        base_id = update.base_id or (current.target.base_id if current else None)
        table_id = update.table_id or (
            current.target.table_id if current and base_id == current.target.base_id else None
        )
        if base_id is None or table_id is None:
            raise ValidationFailed("base_id and table_id: choose a base and a table first")
        tables = self._tables(client, base_id)
        table = next((t for t in tables if t.id == table_id), None)
        if table is None:
            names = ", ".join(f"'{t.name}' ({t.id})" for t in tables)
            raise ValidationFailed(f"table_id: '{table_id}' is not a table of this base (tables: {names})")
        same_table = current is not None and current.target.table_id == table_id
        view_id = (
            update.view_id
            if update.view_id is not None
            else (current.target.view_id if same_table and current else None)
        )
        view = next((v for v in table.views if v.id == view_id), None)
        if view_id is not None and view is None:
            raise ValidationFailed(f"view_id: '{view_id}' is not a view of '{table.name}'")
        mapping = update.mapping or (current.mapping if same_table and current else None)
        strict = update.mapping is not None
        if mapping is None:
            writable = [f.name for f in table.fields if f.maps_to]
            columns = [self._one_way_if_linked(table, c) for c in auto_map(writable) if c.field in self._fits(table, c)]
            if not columns:
                raise ValidationFailed(
                    f"mapping: no field of '{table.name}' matches a Tracker field by name; send a mapping"
                )
            mapping = SyncMapping(columns=columns)
        field_ids = check_mapping(mapping, table, strict=strict)
        base_name = current.target.base_name if current and current.target.base_id == base_id else None
        if base_name is None:
            base_name = next((str(b["name"]) for b in client.bases() if b.get("id") == base_id), "")
        target = AirtableTarget(
            base_id=base_id,
            base_name=base_name,
            table_id=table.id,
            table_name=table.name,
            view_id=view.id if view else None,
            view_name=view.name if view else "",
        )
        keep_campaign = current.import_campaign_id if current and same_table else None
        chosen = AirtableSettings(
            target=target,
            mapping=mapping,
            field_ids=field_ids,
            links=links_of(field_ids, table, tables),
            import_campaign_id=keep_campaign,
        )
        common = SettingsUpdate(version=update.version, sync_frequency=update.sync_frequency, paused=update.paused)

        def change(latest: Connection) -> dict[str, object]:
            settings, record = self._cards.common_changes(latest, common)
            if latest.status == ConnectionStatus.ERROR:  # a new target is a fresh start
                record = {"status": ConnectionStatus.CONNECTED, "last_error": None} | record
            return record | {"settings": settings | {"airtable": chosen.model_dump(mode="json")}}

        return self._cards.change_settings(user_id, PROVIDER, update.version, change)

    @staticmethod
    def _fits(table: AirtableTable, column: ColumnMapping) -> list[str]:
        return _field_named(table, column.header).maps_to

    @staticmethod
    def _one_way_if_linked(table: AirtableTable, column: ColumnMapping) -> ColumnMapping:
        if _field_named(table, column.header).type != LINK:
            return column
        return column.model_copy(update={"direction": "from_provider"})


def _field_named(table: AirtableTable, header: str) -> AirtableField:
    return next(f for f in table.fields if normalise_header(f.name) == normalise_header(header))


def links_of(field_ids: dict[str, str], table: AirtableTable, tables: list[AirtableTable]) -> dict[str, AirtableLink]:
    """The mapped linked-record fields (by id) and where their names are read."""
    links: dict[str, AirtableLink] = {}
    for field_id in field_ids.values():
        found = table.field(field_id)
        if found is None or found.type != LINK:
            continue
        linked = next((t for t in tables if t.id == found.linked_table_id), None)
        if linked is None or not linked.primary_field_id:
            raise ValidationFailed(f"mapping: '{found.name}' links to a table Tracker cannot open")
        links[field_id] = AirtableLink(table_id=linked.id, primary_field_id=linked.primary_field_id)
    return links
