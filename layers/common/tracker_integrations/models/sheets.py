"""Google Sheets connection settings: which spreadsheet and tab, and how its columns map."""

from pydantic import BaseModel, ConfigDict, Field

from tracker_integrations.models.settings import ConnectionSettings
from tracker_integrations.sync.mapping import SyncMapping
from tracker_integrations.sync.options import SyncOptions

SPREADSHEET_ID = r"^[A-Za-z0-9_-]{10,200}$"


class SheetTarget(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    spreadsheet_id: str = Field(pattern=SPREADSHEET_ID)
    spreadsheet_name: str = ""
    spreadsheet_url: str = ""
    sheet_id: int  # tabs are tracked by id: a renamed tab is found again
    tab_title: str


class SheetsSettings(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    target: SheetTarget
    mapping: SyncMapping
    # Columns the sheet has that no field is mapped to, noticed at each sync: offered for mapping.
    unmapped_headers: list[str] = Field(default_factory=list)
    # Where new rows without a campaign go: the campaign the last import chose.
    import_campaign_id: str | None = None
    options: SyncOptions = SyncOptions()


class SheetsConnectionSettings(ConnectionSettings):
    """Google Sheets' connection settings: the shared ones plus the chosen spreadsheet (`sheet`)."""

    sheet: SheetsSettings | None = None

    def is_configured(self) -> bool:
        return self.sheet is not None  # nothing to sync until a spreadsheet is chosen
