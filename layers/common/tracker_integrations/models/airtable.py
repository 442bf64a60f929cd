"""Airtable connection settings: which base, table and (optionally) view, and how its fields map.

A mapped field is named by its Airtable field name in the mapping (what the user sees) and remembered by
its field id, so renaming a field in Airtable breaks nothing.
"""

from pydantic import BaseModel, ConfigDict, Field

from tracker_integrations.models.settings import ConnectionSettings, SyncFrequency
from tracker_integrations.sync.mapping import SyncMapping

BASE_ID = r"^app[A-Za-z0-9]{3,30}$"
TABLE_ID = r"^tbl[A-Za-z0-9]{3,30}$"
VIEW_ID = r"^viw[A-Za-z0-9]{3,30}$"


class AirtableTarget(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    base_id: str = Field(pattern=BASE_ID)
    base_name: str = ""
    table_id: str = Field(pattern=TABLE_ID)
    table_name: str = ""
    # Only the view's records sync (None: the whole table).
    view_id: str | None = Field(default=None, pattern=VIEW_ID)
    view_name: str = ""


class AirtableLink(BaseModel):
    """Where a mapped linked-record field's names are read: the linked table and its primary field."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    table_id: str = Field(pattern=TABLE_ID)
    primary_field_id: str = Field(min_length=1)


class AirtableSettings(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    target: AirtableTarget
    mapping: SyncMapping
    # The mapping's field name -> Airtable field id, as chosen.
    field_ids: dict[str, str]
    # Mapped linked-record fields (by field id): read-only, synced as the linked records' names.
    links: dict[str, AirtableLink] = Field(default_factory=dict)
    # Where new records without a campaign go: the campaign the last import chose.
    import_campaign_id: str | None = None


class AirtableConnectionSettings(ConnectionSettings):
    """Airtable's connection settings: the shared ones plus the chosen table (`airtable`)."""

    airtable: AirtableSettings | None = None

    def is_configured(self) -> bool:
        return self.airtable is not None


class AirtableSettingsUpdate(BaseModel):
    """`PUT /api/integrations/airtable/settings`; `version` as in `SettingsUpdate`. Without `mapping`, fields are
    mapped by their names."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    version: int = Field(ge=1, le=2**53)
    base_id: str | None = Field(default=None, pattern=BASE_ID)
    table_id: str | None = Field(default=None, pattern=TABLE_ID)
    view_id: str | None = Field(default=None, pattern=VIEW_ID)
    mapping: SyncMapping | None = None
    sync_frequency: SyncFrequency | None = None
    paused: bool | None = None


class AirtableBase(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    id: str
    name: str
    permission_level: str = ""


class AirtableField(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    id: str
    name: str
    type: str
    # Computed, or links shown as the linked records' names: Tracker never writes it.
    read_only: bool = False
    choices: list[str] = Field(default_factory=list)
    # The Tracker fields it can map to, by its type.
    maps_to: list[str] = Field(default_factory=list)
    linked_table_id: str | None = None


class AirtableView(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    id: str
    name: str
    type: str = "grid"


class AirtableTable(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    id: str
    name: str
    primary_field_id: str = ""
    fields: list[AirtableField]
    views: list[AirtableView]

    def field(self, field_id: str) -> AirtableField | None:
        return next((f for f in self.fields if f.id == field_id), None)


class AirtableBases(BaseModel):
    """`GET /api/integrations/airtable/bases`."""

    model_config = ConfigDict(defer_build=True)

    bases: list[AirtableBase]


class AirtableTables(BaseModel):
    """`GET /api/integrations/airtable/bases/{base_id}/tables`: fields with their types, and views."""

    model_config = ConfigDict(defer_build=True)

    base_id: str
    tables: list[AirtableTable]
