"""Google Sheets API v4 (and the Drive listing used to choose a spreadsheet), over httpx.

Reference: https://developers.google.com/workspace/sheets/api/reference/rest. Every failure is
classified into the typed errors; the ones a user can fix (a deleted spreadsheet, removed access,
a deleted or renamed tab) get their own types so the sync can say what to do.
"""

from typing import TYPE_CHECKING, Any, Final
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ConfigDict, Field

from tracker_integrations.config import Settings
from tracker_integrations.errors import PermanentProviderError, ProviderError
from tracker_integrations.http.client import Classifier, ProviderApi, RefreshingBearer, RetryPolicy, send
from tracker_integrations.models.sheets import SheetTarget
from tracker_integrations.providers.google.errors import classify_google_response
from tracker_integrations.records import FrozenRecord
from tracker_integrations.sync.fields import SheetMoment

if TYPE_CHECKING:
    from tracker_integrations.providers.google.sheets.spreadsheets import SpreadsheetInfo, SpreadsheetSummary

SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"
# Google refuses a cell holding more characters than this (400, "Your input contains more than the maximum
# of 50000 characters in a single cell.").
MAX_CELL_CHARACTERS = 50_000
_POLICY = RetryPolicy(max_attempts=3, base_delay=0.5, max_delay=4.0, max_wait=10.0)


class SpreadsheetUnavailable(PermanentProviderError):
    """404/403 on the spreadsheet: deleted, trashed, or Tracker's access was removed."""

    code = "spreadsheet_unavailable"


class RangeNotFound(PermanentProviderError):
    """400 'Unable to parse range': the tab is not called that any more (renamed or deleted)."""

    code = "tab_not_found"


class InvalidPageToken(PermanentProviderError):
    """400 `invalid` at location `pageToken`: Drive does not know the list token it was given."""

    code = "invalid_page_token"


def _refused_location(response: httpx.Response) -> str:
    """Where Google says the fault is (`errors[0].location`, e.g. a parameter name), or ""."""
    try:
        error = response.json().get("error", {})
        return str(error.get("errors", [{}])[0].get("location", ""))
    except (ValueError, AttributeError, IndexError, TypeError):
        return ""


def _classify_listing(provider: str, response: httpx.Response) -> ProviderError | None:
    if response.status_code == 400 and _refused_location(response) == "pageToken":
        return InvalidPageToken("Drive refused the page token", provider=provider, status=400)
    return _classify(provider, response)


class TabRead(FrozenRecord):
    """One read of a tab: its rows (trailing empty rows and cells trimmed), which cells hold a formula
    (0-based row, column: the sync never writes over one), and how the spreadsheet reads dates
    (`properties.locale`, `properties.timeZone`). A plain record: `read_tab` builds it from the answer it
    has already taken apart, so validating it again (every row of the tab) checked nothing new."""

    __slots__ = ("formulas", "locale", "rows", "time_zone")
    __hash__ = None  # type: ignore[assignment]  # its rows are lists

    def __init__(
        self,
        rows: list[list[object]],
        formulas: frozenset[tuple[int, int]] = frozenset(),
        locale: str | None = None,
        time_zone: str | None = None,
    ) -> None:
        self.rows: Final = rows
        self.formulas: Final = formulas
        self.locale: Final = locale
        self.time_zone: Final = time_zone


class DriveChannel(BaseModel):
    """What files.watch answers: the channel, the watched resource's opaque id, and when it lapses."""

    model_config = ConfigDict(frozen=True, populate_by_name=True, defer_build=True)

    id: str
    resource_id: str = Field(alias="resourceId", min_length=1)
    expiration: int = Field(gt=0)  # milliseconds since the epoch (Drive sends a string of digits)


def a1_tab(title: str) -> str:
    """A tab name as an A1 range prefix: always quoted, quotes doubled."""
    return "'" + title.replace("'", "''") + "'"


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _spreadsheet_unavailable(message: str, provider: str, status: int) -> ProviderError:
    return SpreadsheetUnavailable(message or "spreadsheet not found", provider=provider, status=status)


def _classify(provider: str, response: httpx.Response) -> ProviderError | None:
    if response.status_code == 400:
        message = ""
        try:
            body = response.json()
            message = str(body.get("error", {}).get("message", "")) if isinstance(body, dict) else ""
        except ValueError:
            pass
        if "Unable to parse range" in message:
            return RangeNotFound(message, provider=provider, status=400)
    return classify_google_response(provider, response, unavailable=_spreadsheet_unavailable)


# Locale and time zone, and per cell its value, shown text, number format type and formula if any: one read.
_TAB_FIELDS = (
    "properties(locale,timeZone),"
    "sheets(data(rowData(values(userEnteredValue(formulaValue),effectiveValue,formattedValue,"
    "effectiveFormat(numberFormat(type))))))"
)
_DATE_TYPES = {"DATE", "TIME", "DATE_TIME"}


def _cell_value(cell: object) -> object:
    """A CellData as values.get (UNFORMATTED_VALUE) would give it: "" when empty, an error as its text;
    dates and times as a SheetMoment."""
    if not isinstance(cell, dict):
        return ""
    effective = cell.get("effectiveValue")
    shown = str(cell.get("formattedValue", ""))
    if not isinstance(effective, dict) or not effective:
        return ""
    if "errorValue" in effective:
        return shown or "#ERROR!"
    if "numberValue" in effective:
        number = effective["numberValue"]
        fmt = (
            cell.get("effectiveFormat", {}).get("numberFormat", {})
            if isinstance(cell.get("effectiveFormat"), dict)
            else {}
        )
        kind = fmt.get("type") if isinstance(fmt, dict) else None
        if kind in _DATE_TYPES and isinstance(number, int | float):
            return SheetMoment(serial=float(number), shown=shown, kind=kind)
        return number
    if "boolValue" in effective:
        return effective["boolValue"]
    return effective.get("stringValue", "")


def _is_formula(cell: object) -> bool:
    entered = cell.get("userEnteredValue") if isinstance(cell, dict) else None
    return isinstance(entered, dict) and "formulaValue" in entered


def _cell(text: str | None) -> dict[str, Any]:
    # Under the "userEnteredValue" field mask, a cell without one is cleared ("" and, in brand-new rows
    # where every cell is empty anyway, the columns Tracker does not own).
    return {} if not text else {"userEnteredValue": {"stringValue": text}}


class SheetsClient:
    def __init__(
        self, settings: Settings, access: str | RefreshingBearer, *, client: httpx.Client | None = None
    ) -> None:
        self._sheets = settings.endpoint_google_sheets.rstrip("/")
        self._drive = settings.endpoint_google_drive.rstrip("/")
        # A bare token is used as is; a run's clients pass the auth that refreshes once on a 401.
        self._auth = RefreshingBearer(access) if isinstance(access, str) else access
        self._client = client
        self.calls: dict[str, int] = {"read": 0, "write": 0, "watch": 0}

    def _send(
        self, method: str, url: str, *, kind: str, classify: Classifier | None = None, **kwargs: Any
    ) -> dict[str, Any]:
        self.calls[kind] += 1
        request = httpx.Request(method, url, **kwargs)
        api = ProviderApi("google", classify=classify or _classify, policy=_POLICY)
        response = send(request, api=api, client=self._client, auth=self._auth)
        body = response.json() if response.content else {}
        if not isinstance(body, dict):
            raise PermanentProviderError(
                "Google Sheets answered with something other than an object", provider="google"
            )
        return body

    # -- reads ------------------------------------------------------------------------------------

    def read_tab(self, spreadsheet_id: str, title: str) -> TabRead:
        """The tab's cells, where its formulas are, and the spreadsheet's locale and time zone, in one
        spreadsheets.get: each cell as values.get would give it unformatted, except dates, which come as
        `SheetMoment`s (serial and shown text); values.get cannot say which cells hold a formula."""
        # https://developers.google.com/workspace/sheets/api/reference/rest/v4/spreadsheets/get
        # https://developers.google.com/workspace/sheets/api/reference/rest/v4/spreadsheets/cells#CellData
        body = self._send(
            "GET",
            f"{self._sheets}/v4/spreadsheets/{quote(spreadsheet_id, safe='')}",
            kind="read",
            params={"ranges": a1_tab(title), "fields": _TAB_FIELDS},
        )
        props = body.get("properties")
        props = props if isinstance(props, dict) else {}
        sheets = body.get("sheets")
        grids = sheets[0].get("data") if isinstance(sheets, list) and sheets and isinstance(sheets[0], dict) else None
        grid = grids[0] if isinstance(grids, list) and grids and isinstance(grids[0], dict) else {}
        row_data = grid.get("rowData", [])  # an empty tab has no rowData at all
        if not isinstance(row_data, list):
            raise PermanentProviderError("Google Sheets returned cells in an unexpected shape", provider="google")
        rows: list[list[object]] = []
        formulas: set[tuple[int, int]] = set()
        for row_index, row in enumerate(row_data):
            cells = row.get("values", []) if isinstance(row, dict) else []
            cells = cells if isinstance(cells, list) else []
            if not any(cells):  # only formats or data validation (Google sends {} cells): most rows of a tab
                rows.append([])
                continue
            values = [_cell_value(cell) for cell in cells]
            formulas.update((row_index, column) for column, cell in enumerate(cells) if _is_formula(cell))
            # Trailing empty cells trimmed as values.get does, but a formula showing "" keeps its place.
            while values and values[-1] == "" and (row_index, len(values) - 1) not in formulas:
                values.pop()
            rows.append(values)
        # Rows holding only formats or data validation come back as empty cells: trim them, as values.get does.
        while rows and not rows[-1]:
            rows.pop()
        return TabRead(
            rows=rows,
            formulas=frozenset(formulas),
            locale=str(props.get("locale") or "") or None,
            time_zone=str(props.get("timeZone") or "") or None,
        )

    def spreadsheet(self, spreadsheet_id: str) -> "SpreadsheetInfo":
        from tracker_integrations.providers.google.sheets.spreadsheets import SheetProperties, SpreadsheetInfo

        # https://developers.google.com/workspace/sheets/api/reference/rest/v4/spreadsheets/get
        body = self._send(
            "GET",
            f"{self._sheets}/v4/spreadsheets/{quote(spreadsheet_id, safe='')}",
            kind="read",
            params={"fields": "spreadsheetId,spreadsheetUrl,properties.title,sheets.properties"},
        )
        sheets = []
        for sheet in body.get("sheets", []):
            props = sheet.get("properties", {})
            grid = props.get("gridProperties", {})
            sheets.append(
                SheetProperties(
                    sheet_id=int(props.get("sheetId", 0)),
                    title=str(props.get("title", "")),
                    index=int(props.get("index", 0)),
                    row_count=int(grid.get("rowCount", 0)),
                    column_count=int(grid.get("columnCount", 0)),
                )
            )
        return SpreadsheetInfo(
            spreadsheet_id=str(body.get("spreadsheetId", spreadsheet_id)),
            title=str(body.get("properties", {}).get("title", "")),
            url=str(body.get("spreadsheetUrl", "")),
            sheets=sheets,
        )

    def list_spreadsheets(
        self, *, page_token: str | None = None, page_size: int = 50
    ) -> tuple[list["SpreadsheetSummary"], str | None]:
        from tracker_integrations.providers.google.sheets.spreadsheets import SpreadsheetSummary

        # https://developers.google.com/workspace/drive/api/reference/rest/v3/files/list (drive.file: only
        # spreadsheets Tracker created or the user picked for it)
        params = {
            "q": f"mimeType='{SPREADSHEET_MIME}' and trashed=false",
            "fields": "nextPageToken,files(id,name,modifiedTime,webViewLink)",
            "orderBy": "modifiedTime desc",
            "pageSize": str(page_size),
        }
        if page_token:
            params["pageToken"] = page_token
        body = self._send(
            "GET", f"{self._drive}/drive/v3/files", kind="read", params=params, classify=_classify_listing
        )
        files = [
            SpreadsheetSummary(
                spreadsheet_id=str(f.get("id")),
                name=str(f.get("name", "")),
                url=str(f.get("webViewLink", "")),
                modified_time=f.get("modifiedTime"),
            )
            for f in body.get("files", [])
            if isinstance(f, dict) and f.get("id")
        ]
        token = body.get("nextPageToken")
        return files, str(token) if token else None

    # -- push notifications -----------------------------------------------------------------------

    def watch_file(
        self, file_id: str, *, channel_id: str, address: str, token: str, expires_at_ms: int
    ) -> DriveChannel:
        # https://developers.google.com/workspace/drive/api/reference/rest/v3/files/watch
        body = self._send(
            "POST",
            f"{self._drive}/drive/v3/files/{quote(file_id, safe='')}/watch",
            kind="watch",
            json={
                "id": channel_id,
                "type": "web_hook",
                "address": address,
                "token": token,
                "expiration": str(expires_at_ms),
            },
        )
        try:
            return DriveChannel.model_validate(body)
        except ValueError as exc:
            raise PermanentProviderError("Drive answered files.watch without a channel", provider="google") from exc

    def stop_channel(self, channel_id: str, resource_id: str) -> None:
        # https://developers.google.com/workspace/drive/api/reference/rest/v3/channels/stop
        self._send(
            "POST",
            f"{self._drive}/drive/v3/channels/stop",
            kind="watch",
            json={"id": channel_id, "resourceId": resource_id},
        )

    # -- writes -----------------------------------------------------------------------------------

    def write_cells(
        self,
        tab: SheetTarget,
        cells: list[tuple[int, int, str]],
        new_rows: list[list[str | None]],
        *,
        first_new_row: int = 0,
        add_columns: int = 0,
    ) -> None:
        """Every write of a sync in one spreadsheets.batchUpdate: cells by (row, column) index, and new rows
        inserted at `first_new_row` (right after the last row the read returned), so the grid grows as
        needed (values.update refuses ranges past the grid) and the new rows take the row above's
        formatting and validation. Values are `stringValue`s, never parsed: text starting with =, +, - or @
        stays text. `tab` names the spreadsheet and the tab (by id)."""
        # https://developers.google.com/workspace/sheets/api/reference/rest/v4/spreadsheets/request#UpdateCellsRequest
        # https://developers.google.com/workspace/sheets/api/reference/rest/v4/spreadsheets/request#InsertDimensionRequest
        requests: list[dict[str, Any]] = []
        if add_columns:
            requests.append(
                {"appendDimension": {"sheetId": tab.sheet_id, "dimension": "COLUMNS", "length": add_columns}}
            )
        requests.extend(
            {
                "updateCells": {
                    "start": {"sheetId": tab.sheet_id, "rowIndex": row, "columnIndex": column},
                    "rows": [{"values": [_cell(text)]}],
                    "fields": "userEnteredValue",
                }
            }
            for row, column, text in cells
        )
        if new_rows:
            span = {"sheetId": tab.sheet_id, "dimension": "ROWS", "startIndex": first_new_row}
            requests.append(
                {
                    "insertDimension": {
                        "range": {**span, "endIndex": first_new_row + len(new_rows)},
                        "inheritFromBefore": first_new_row > 0,
                    }
                }
            )
            requests.append(
                {
                    "updateCells": {
                        "start": {"sheetId": tab.sheet_id, "rowIndex": first_new_row, "columnIndex": 0},
                        "rows": [{"values": [_cell(text) for text in row]} for row in new_rows],
                        "fields": "userEnteredValue",
                    }
                }
            )
        if requests:
            self.batch_update(tab.spreadsheet_id, requests)

    def create_spreadsheet(self, title: str, tab: str, headers: list[str]) -> "SpreadsheetInfo":
        from tracker_integrations.providers.google.sheets.spreadsheets import SheetProperties, SpreadsheetInfo

        # https://developers.google.com/workspace/sheets/api/reference/rest/v4/spreadsheets/create
        header_row = {"values": [{"userEnteredValue": {"stringValue": h}} for h in headers]}
        body = self._send(
            "POST",
            f"{self._sheets}/v4/spreadsheets",
            kind="write",
            json={
                "properties": {"title": title},
                "sheets": [
                    {
                        "properties": {"title": tab, "gridProperties": {"frozenRowCount": 1}},
                        "data": [{"startRow": 0, "startColumn": 0, "rowData": [header_row]}],
                    }
                ],
            },
        )
        sheets = [
            SheetProperties(
                sheet_id=int(s["properties"].get("sheetId", 0)),
                title=str(s["properties"].get("title", tab)),
                index=int(s["properties"].get("index", 0)),
            )
            for s in body.get("sheets", [])
        ]
        return SpreadsheetInfo(
            spreadsheet_id=str(body["spreadsheetId"]),
            title=title,
            url=str(body.get("spreadsheetUrl", "")),
            sheets=sheets,
        )

    def batch_update(self, spreadsheet_id: str, requests: list[dict[str, Any]]) -> None:
        # https://developers.google.com/workspace/sheets/api/reference/rest/v4/spreadsheets/batchUpdate
        self._send(
            "POST",
            f"{self._sheets}/v4/spreadsheets/{quote(spreadsheet_id, safe='')}:batchUpdate",
            kind="write",
            json={"requests": requests},
        )
