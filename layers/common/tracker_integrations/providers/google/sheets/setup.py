"""Choosing where Google Sheets sync goes: list or create a spreadsheet, pick the tab, map columns."""

from pydantic import BaseModel, ConfigDict

from tracker_integrations.config import Settings
from tracker_integrations.errors import NotFound, ValidationFailed
from tracker_integrations.models.campaign import PitchStatus
from tracker_integrations.models.connection import Connection, ConnectionStatus
from tracker_integrations.models.settings import SettingsUpdate
from tracker_integrations.models.sheets import SheetsConnectionSettings, SheetsSettings, SheetTarget
from tracker_integrations.models.sheets_requests import CreateSpreadsheet, SheetsSettingsUpdate
from tracker_integrations.providers.google.sheets.client import (
    InvalidPageToken,
    SheetsClient,
    SpreadsheetUnavailable,
)
from tracker_integrations.providers.google.sheets.spreadsheets import SpreadsheetInfo, SpreadsheetSummary
from tracker_integrations.providers.google.sheets.sync import PROVIDER
from tracker_integrations.services.connecting.tokens import TokenService
from tracker_integrations.services.integrations import IntegrationDetail, IntegrationsService
from tracker_integrations.store.integrations import IntegrationsStore
from tracker_integrations.sync.fields import FIELDS, label_for, normalise_header
from tracker_integrations.sync.mapping import DEFAULT_ID_HEADER, ColumnMapping, SyncMapping, auto_map
from tracker_integrations.sync.options import SyncOptions

# The layout of a spreadsheet Tracker creates: one row per pitch, its campaign beside it.
DEFAULT_COLUMNS = [
    "campaign.title",
    "campaign.artist",
    "pitch.contact_name",
    "pitch.email",
    "pitch.outlet",
    "pitch.role",
    "pitch.region",
    "pitch.status",
    "pitch.sent_at",
    "pitch.subject",
    "pitch.notes",
]


class SpreadsheetList(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    spreadsheets: list[SpreadsheetSummary]
    next_page_token: str | None


class SheetsSetup:
    def __init__(
        self,
        integrations: IntegrationsStore,
        tokens: TokenService,
        cards: IntegrationsService,
        settings: Settings,
    ) -> None:
        self._integrations = integrations
        self._tokens = tokens
        self._cards = cards
        self._settings = settings

    def _client(self, user_id: str) -> tuple[Connection, SheetsClient]:
        connection = self._integrations.get_connection(user_id, PROVIDER)
        if connection is None:
            raise NotFound("Google Sheets is not connected: connect it first")
        access = self._tokens.current_tokens(connection).access_token.get_secret_value()
        return connection, SheetsClient(self._settings, access)

    def list_spreadsheets(self, user_id: str, page_token: str | None) -> SpreadsheetList:
        _, client = self._client(user_id)
        try:
            files, next_token = client.list_spreadsheets(page_token=page_token)
        except InvalidPageToken as exc:
            message = "not a page of this list: use the next_page_token of the previous page, or none for the first"
            raise ValidationFailed(
                f"page_token: {message}", details={"errors": [{"field": "page_token", "message": message}]}
            ) from exc
        return SpreadsheetList(spreadsheets=files, next_page_token=next_token)

    def create_spreadsheet(self, user_id: str, request: CreateSpreadsheet) -> IntegrationDetail:
        """A new spreadsheet laid out for Tracker: header row, Tracker ID column, frozen header, status list."""
        _, client = self._client(user_id)
        columns = [ColumnMapping(header=FIELDS[key].label, field=key) for key in DEFAULT_COLUMNS]
        headers = [c.header for c in columns] + [DEFAULT_ID_HEADER]
        info = client.create_spreadsheet(request.title, request.tab, headers)
        tab = info.sheets[0]
        status_column = headers.index(FIELDS["pitch.status"].label)
        id_column = len(headers) - 1
        client.batch_update(
            info.spreadsheet_id,
            [
                {
                    "setDataValidation": {
                        "range": {
                            "sheetId": tab.sheet_id,
                            "startRowIndex": 1,
                            "startColumnIndex": status_column,
                            "endColumnIndex": status_column + 1,
                        },
                        "rule": {
                            "condition": {
                                "type": "ONE_OF_LIST",
                                "values": [{"userEnteredValue": label_for(s.value)} for s in PitchStatus],
                            },
                            "strict": False,  # an unknown value is reported by the sync, cell by cell
                            "showCustomUi": True,
                        },
                    }
                },
                {
                    "addProtectedRange": {
                        "protectedRange": {
                            "range": {
                                "sheetId": tab.sheet_id,
                                "startColumnIndex": id_column,
                                "endColumnIndex": id_column + 1,
                            },
                            "description": "Tracker uses this column to recognise rows: editing it breaks the sync.",
                            "warningOnly": True,
                        }
                    }
                },
            ],
        )
        target = SheetTarget(
            spreadsheet_id=info.spreadsheet_id,
            spreadsheet_name=info.title,
            spreadsheet_url=info.url,
            sheet_id=tab.sheet_id,
            tab_title=tab.title,
        )
        return self._store(user_id, None, SheetsSettings(target=target, mapping=SyncMapping(columns=columns)))

    def configure(self, user_id: str, update: SheetsSettingsUpdate) -> IntegrationDetail:
        """Choose a spreadsheet and tab and/or change the mapping; checked against the sheet's real headers."""
        connection, client = self._client(user_id)
        self._cards.check_version(connection, update.version)  # and again by the conditional write
        current = SheetsConnectionSettings.model_validate(connection.settings).sheet
        spreadsheet_id = update.spreadsheet_id or (current.target.spreadsheet_id if current else None)
        if spreadsheet_id is None:
            raise ValidationFailed("spreadsheet_id: choose a spreadsheet first")
        try:
            info = client.spreadsheet(spreadsheet_id)
        except SpreadsheetUnavailable as exc:
            raise ValidationFailed(
                "spreadsheet_id: Tracker cannot open that spreadsheet. Choose it in Google's file picker "
                "(which shares it with Tracker) or create a new one."
            ) from exc
        target = self._target(info, update, current)
        headers = [str(h) for h in (client.read_tab(info.spreadsheet_id, target.tab_title).rows[:1] or [[]])[0]]
        mapping = update.mapping or (current.mapping if current and not update.spreadsheet_id else None)
        if mapping is None:
            columns = auto_map(headers)
            if not columns:
                raise ValidationFailed(
                    f"mapping: no column of '{target.tab_title}' matches a Tracker field by name; send a mapping"
                )
            mapping = SyncMapping(columns=columns)
        self._check_headers(mapping, headers, target)
        if normalise_header(mapping.id_header) not in {normalise_header(h) for h in headers}:
            # The sync owns an id column; add it after the last used column (one write, once).
            tab = next(s for s in info.sheets if s.sheet_id == target.sheet_id)
            grow = 1 if len(headers) >= tab.column_count else 0
            client.write_cells(target, [(0, len(headers), mapping.id_header)], [], add_columns=grow)
        common = SettingsUpdate(version=update.version, sync_frequency=update.sync_frequency, paused=update.paused)
        options = update.options or (current.options if current else SyncOptions())
        return self._store(
            user_id, update.version, SheetsSettings(target=target, mapping=mapping, options=options), common
        )

    def _target(
        self, info: SpreadsheetInfo, update: SheetsSettingsUpdate, current: SheetsSettings | None
    ) -> SheetTarget:
        if update.tab is not None:
            tab = next((s for s in info.sheets if s.title == update.tab), None)
            if tab is None:
                names = ", ".join(f"'{s.title}'" for s in info.sheets)
                raise ValidationFailed(f"tab: '{update.tab}' is not a tab of '{info.title}' (tabs: {names})")
        elif current is not None and current.target.spreadsheet_id == info.spreadsheet_id:
            tab = next((s for s in info.sheets if s.sheet_id == current.target.sheet_id), None)
            if tab is None:
                raise ValidationFailed(f"tab: the tab Tracker synced was deleted from '{info.title}'; choose another")
        else:
            tab = min(info.sheets, key=lambda s: s.index)
        return SheetTarget(
            spreadsheet_id=info.spreadsheet_id,
            spreadsheet_name=info.title,
            spreadsheet_url=info.url,
            sheet_id=tab.sheet_id,
            tab_title=tab.title,
        )

    def _check_headers(self, mapping: SyncMapping, headers: list[str], target: SheetTarget) -> None:
        present = [normalise_header(h) for h in headers]
        missing = [c.header for c in mapping.columns if normalise_header(c.header) not in present]
        if missing:
            raise ValidationFailed(
                f"mapping: the tab '{target.tab_title}' has no column named {', '.join(repr(m) for m in missing)}; "
                f"its columns are {', '.join(repr(h) for h in headers if h.strip()) or 'none'}"
            )
        doubled = sorted(
            {
                h
                for h in present
                if h and present.count(h) > 1 and h in {normalise_header(c.header) for c in mapping.columns}
            }
        )
        if doubled:
            raise ValidationFailed(
                f"mapping: the tab '{target.tab_title}' has more than one column named {', '.join(doubled)}"
            )

    def _store(
        self, user_id: str, version: int | None, sheets: SheetsSettings, common: SettingsUpdate | None = None
    ) -> IntegrationDetail:
        def change(current: Connection) -> dict[str, object]:
            settings, record = self._cards.common_changes(current, common) if common else (dict(current.settings), {})
            if current.status == ConnectionStatus.ERROR:  # a new target is a fresh start
                record = {"status": ConnectionStatus.CONNECTED, "last_error": None} | record
            return record | {"settings": settings | {"sheet": sheets.model_dump(mode="json")}}

        return self._cards.change_settings(user_id, PROVIDER, version, change)
