"""The Google Sheets integration's request bodies: its settings update and a new spreadsheet.

Apart from its stored settings (`models.sheets`), which every Sheets sync reads: only the requests that
send these build them.
"""

from pydantic import BaseModel, ConfigDict, Field

from tracker_integrations.models.settings import SyncFrequency
from tracker_integrations.models.sheets import SPREADSHEET_ID
from tracker_integrations.sync.mapping import SyncMapping
from tracker_integrations.sync.options import SyncOptions


class SheetsSettingsUpdate(BaseModel):
    """`PUT /api/integrations/google-sheets/settings`; `version` as in `SettingsUpdate`."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    version: int = Field(ge=1, le=2**53)
    spreadsheet_id: str | None = Field(default=None, pattern=SPREADSHEET_ID)
    tab: str | None = Field(default=None, min_length=1, max_length=100)
    mapping: SyncMapping | None = None
    options: SyncOptions | None = None
    sync_frequency: SyncFrequency | None = None
    paused: bool | None = None


class CreateSpreadsheet(BaseModel):
    """`POST /api/integrations/google-sheets/spreadsheets`."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    title: str = Field(default="Tracker pitches", min_length=1, max_length=100)
    tab: str = Field(default="Pitches", min_length=1, max_length=100)
