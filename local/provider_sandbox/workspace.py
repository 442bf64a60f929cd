"""Google Drive files holding spreadsheets, who may open them, Sheets quotas, and the user's own controls.

One `GoogleWorkspace` per sandbox (`sandbox.sheets`) is shared by the Sheets and Drive modules. Files belong
to a Google account (login). An app (OAuth client) sees them according to its token's scopes:

- `drive`, `drive.readonly`, `spreadsheets`, `spreadsheets.readonly` (and, for Drive metadata,
  `drive.metadata[.readonly]`): every file of the user;
- `drive.file` only: the files this app created, or that the user picked for it in Google Picker
  (`pick`); `unshare` takes that access away again.

A file the app may not see answers 404, as Google does. The control methods act as the user in the Sheets
UI: they are neither counted against the app's quota nor recorded as app requests.
"""

import copy
import secrets
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from pydantic import JsonValue

from provider_sandbox.a1 import A1Error, Box, Span, cell_name, format_a1
from provider_sandbox.cells import DateTimeRender, OutputValue, ValueRender
from provider_sandbox.google_api import (
    DRIVE,
    DRIVE_FILE,
    DRIVE_METADATA,
    DRIVE_METADATA_READONLY,
    DRIVE_READONLY,
    SPREADSHEETS,
    SPREADSHEETS_READONLY,
    GoogleApiError,
    QuotaMetric,
    RateWindow,
    not_found,
    quota_exceeded,
)
from provider_sandbox.oauth import AccessToken
from provider_sandbox.routing import ControlError, SandboxContext
from provider_sandbox.sheet_values import InvalidRequest, apply_append, plan_append, plan_write, render
from provider_sandbox.spreadsheet import DEFAULT_COLUMNS, DEFAULT_ROWS, Dimension, Sheet, Workbook, new_int_id

SPREADSHEET_MIME = "application/vnd.google-apps.spreadsheet"
SHEETS_SERVICE = "sheets.googleapis.com"
READS = QuotaMetric(SHEETS_SERVICE, "Read requests", "read_requests", "ReadRequests")
WRITES = QuotaMetric(SHEETS_SERVICE, "Write requests", "write_requests", "WriteRequests")

# Scopes that show an app every file of the user, per API.
_SHEETS_ALL_FILES = frozenset({DRIVE, DRIVE_READONLY, SPREADSHEETS, SPREADSHEETS_READONLY})
_DRIVE_ALL_FILES = frozenset({DRIVE, DRIVE_READONLY, DRIVE_METADATA, DRIVE_METADATA_READONLY})

Cells = Sequence[Sequence[str | int | float | bool | None]]
SheetRef = str | int
_ID_CHARS = string.ascii_letters + string.digits + "-_"


def new_spreadsheet_id() -> str:
    """Spreadsheet ids are 44 characters of base64url, starting with 1."""
    return "1" + "".join(secrets.choice(_ID_CHARS) for _ in range(43))


@dataclass
class SpreadsheetFile:
    """A Drive file of type spreadsheet: its owner, Drive metadata, app access and content."""

    file_id: str
    owner: str
    workbook: Workbook
    created_time: datetime
    modified_time: datetime
    # The OAuth client that created it through the API (None: the user made it in the UI).
    created_by: str | None = None
    trashed: bool = False
    version: int = 1
    # Clients the drive.file scope lets in: the creator and the apps the user picked it for.
    app_access: set[str] = field(default_factory=set)

    @property
    def url(self) -> str:
        return f"https://docs.google.com/spreadsheets/d/{self.file_id}/edit"


def _sized_sheet(sheet_id: int, title: str, rows: Cells) -> Sheet:
    """A new tab of the default size, grown to hold `rows`."""
    width = max((len(row) for row in rows), default=0)
    return Sheet(sheet_id, title, row_count=max(DEFAULT_ROWS, len(rows)), column_count=max(DEFAULT_COLUMNS, width))


@dataclass(frozen=True)
class SpreadsheetInfo:
    """What the control API reports about a spreadsheet."""

    spreadsheet_id: str
    title: str
    owner: str
    trashed: bool
    tabs: list[str]
    app_access: list[str]
    modified_time: datetime


class GoogleWorkspace:
    """Spreadsheets as Drive files, app visibility, Sheets quotas and the user's controls."""

    def __init__(self, ctx: SandboxContext) -> None:
        self.ctx = ctx
        self._lock = ctx.lock
        self._files: dict[str, SpreadsheetFile] = {}
        # Called after every change to a file (Drive push channels listen here): (file, resource state).
        self._listeners: list[Callable[[SpreadsheetFile, str], None]] = []
        self._window = RateWindow(ctx.clock)
        # Sheets quotas (None = unlimited): per user per project, and per project.
        self.read_requests_per_minute: int | None = 60
        self.write_requests_per_minute: int | None = 60
        self.project_read_requests_per_minute: int | None = 300
        self.project_write_requests_per_minute: int | None = 300
        # Drive quotas, in requests (None = unlimited): per user per project, and per project. Drive answers
        # 403 userRateLimitExceeded / rateLimitExceeded, not 429 (handle-errors guide).
        self.drive_requests_per_minute: int | None = 12_000
        self.project_drive_requests_per_minute: int | None = 12_000

    @classmethod
    def of(cls, ctx: SandboxContext) -> "GoogleWorkspace":
        """The sandbox's one workspace (created on first use)."""
        return ctx.component(cls, lambda: cls(ctx))

    # Quotas --------------------------------------------------------------------------------------------

    @property
    def quota_per_minute(self) -> int | None:
        """The per-user read and write limits (they move together through this property)."""
        return self.read_requests_per_minute

    @quota_per_minute.setter
    def quota_per_minute(self, value: int | None) -> None:
        self.read_requests_per_minute = value
        self.write_requests_per_minute = value

    def reset_quotas(self) -> None:
        with self._lock:
            self._window.clear()

    def charge(self, access: AccessToken, kind: Literal["read", "write"]) -> None:
        """Count one Sheets request against the user's and the project's minute; 429 when over."""
        metric = READS if kind == "read" else WRITES
        user_limit = self.read_requests_per_minute if kind == "read" else self.write_requests_per_minute
        project_limit = (
            self.project_read_requests_per_minute if kind == "read" else self.project_write_requests_per_minute
        )
        with self._lock:
            project_key = (kind, access.client_id)
            user_key = (kind, access.client_id, access.login)
            # A refused request is not counted.
            if not self._window.allows(user_key, user_limit):
                assert user_limit is not None
                raise quota_exceeded(metric, access.client_id, user_limit, per_user=True)
            if not self._window.allows(project_key, project_limit):
                assert project_limit is not None
                raise quota_exceeded(metric, access.client_id, project_limit, per_user=False)
            self._window.record(user_key)
            self._window.record(project_key)

    def charge_drive(self, access: AccessToken) -> None:
        """Count one Drive request against the user's and the project's minute; 403 as Drive answers when over."""
        with self._lock:
            user_key = ("drive", access.client_id, access.login)
            project_key = ("drive", access.client_id)
            if not self._window.allows(user_key, self.drive_requests_per_minute):
                raise GoogleApiError(403, reason="userRateLimitExceeded", api_status="PERMISSION_DENIED")
            if not self._window.allows(project_key, self.project_drive_requests_per_minute):
                raise GoogleApiError(403, reason="rateLimitExceeded", api_status="PERMISSION_DENIED")
            self._window.record(user_key)
            self._window.record(project_key)

    # Access --------------------------------------------------------------------------------------------

    def visible(self, access: AccessToken, file: SpreadsheetFile, *, drive: bool = False) -> bool:
        if file.owner != access.login:
            return False
        if (_DRIVE_ALL_FILES if drive else _SHEETS_ALL_FILES) & set(access.scopes):
            return True
        return DRIVE_FILE in access.scopes and access.client_id in file.app_access

    def open(self, access: AccessToken, file_id: str) -> SpreadsheetFile:
        """A spreadsheet the app may open through the Sheets API; 404 otherwise (also when trashed)."""
        file = self._files.get(file_id)
        if file is None or file.trashed or not self.visible(access, file):
            raise not_found()
        return file

    def drive_file(self, access: AccessToken, file_id: str) -> SpreadsheetFile:
        file = self._files.get(file_id)
        if file is None or not self.visible(access, file, drive=True):
            raise GoogleApiError(
                404, f"File not found: {file_id}.", reason="notFound", location=("fileId", "parameter")
            )
        return file

    def drive_files(self, access: AccessToken) -> list[SpreadsheetFile]:
        with self._lock:
            return [f for f in self._files.values() if self.visible(access, f, drive=True)]

    def create(self, owner: str, workbook: Workbook, created_by: str | None) -> SpreadsheetFile:
        now = self.ctx.clock()
        file = SpreadsheetFile(new_spreadsheet_id(), owner, workbook, now, now, created_by=created_by)
        if created_by is not None:
            file.app_access.add(created_by)
        with self._lock:
            self._files[file.file_id] = file
        return file

    def touch(self, file: SpreadsheetFile, state: str = "update") -> None:
        """Every change bumps Drive's modifiedTime and version, and is announced to the file's watchers."""
        file.modified_time = self.ctx.clock()
        file.version += 1
        for listener in list(self._listeners):
            listener(file, state)

    def listen(self, listener: Callable[[SpreadsheetFile, str], None]) -> None:
        self._listeners.append(listener)

    def find(self, file_id: str) -> SpreadsheetFile | None:
        return self._files.get(file_id)

    # Control API: the user's own actions ------------------------------------------------------------

    def _file(self, spreadsheet_id: str) -> SpreadsheetFile:
        file = self._files.get(spreadsheet_id)
        if file is None:
            raise ControlError(404, f"no spreadsheet {spreadsheet_id!r}")
        return file

    def _sheet(self, file: SpreadsheetFile, sheet: SheetRef) -> Sheet:
        found = file.workbook.sheet_by_title(sheet) if isinstance(sheet, str) else file.workbook.sheet_by_id(sheet)
        if found is None and isinstance(sheet, str) and sheet.lstrip("-").isdigit():
            found = file.workbook.sheet_by_id(int(sheet))
        if found is None:
            raise ControlError(404, f"no sheet {sheet!r} in spreadsheet {file.file_id!r}")
        return found

    def create_user_spreadsheet(self, login: str, title: str, rows: Cells = (), tab: str = "Sheet1") -> str:
        """The user makes a spreadsheet in the Sheets UI: no app has access to it yet."""
        workbook = Workbook(title, [_sized_sheet(0, tab, rows)])
        with self._lock:
            file = self.create(login, workbook, created_by=None)
            if rows:
                self._write(file, format_a1(tab, Span(0, 1, 0, 1)), rows, as_user_entered=True)
            return file.file_id

    def pick(self, login: str, spreadsheet_id: str, client_id: str) -> None:
        """The user picks the file in Google Picker for this app: drive.file now lets the app open it."""
        with self._lock:
            file = self._file(spreadsheet_id)
            if file.owner != login:
                raise ControlError(404, f"{login} cannot see spreadsheet {spreadsheet_id!r}")
            file.app_access.add(client_id)

    def unshare(self, spreadsheet_id: str, client_id: str) -> None:
        """The user takes the file away from the app (Drive's "Manage apps"): drive.file access ends."""
        with self._lock:
            self._file(spreadsheet_id).app_access.discard(client_id)

    def trash_spreadsheet(self, spreadsheet_id: str) -> None:
        """The user moves the file to the bin: the Sheets API answers 404; Drive shows trashed=true."""
        with self._lock:
            file = self._file(spreadsheet_id)
            file.trashed = True
            self.touch(file, "trash")

    def restore_spreadsheet(self, spreadsheet_id: str) -> None:
        with self._lock:
            file = self._file(spreadsheet_id)
            file.trashed = False
            self.touch(file, "untrash")

    def set_locale(self, spreadsheet_id: str, locale: str, time_zone: str | None = None) -> None:
        """The user's File > Settings: the locale typed dates are read in, and the spreadsheet's time zone."""
        with self._lock:
            file = self._file(spreadsheet_id)
            file.workbook.locale = locale
            if time_zone is not None:
                file.workbook.time_zone = time_zone
            self.touch(file)

    def _write(self, file: SpreadsheetFile, a1_range: str, rows: Cells, *, as_user_entered: bool) -> None:
        values: list[JsonValue] = [list[JsonValue](row) for row in rows]
        try:
            write = plan_write(file.workbook, a1_range, values, "ROWS", "USER_ENTERED" if as_user_entered else "RAW")
        except InvalidRequest as exc:
            raise ControlError(400, str(exc)) from exc
        write.apply()
        self.touch(file)

    def set_cells(self, spreadsheet_id: str, a1_range: str, rows: Cells, *, as_user_entered: bool = True) -> None:
        """The user types values (None leaves a cell alone, "" empties it), as values.update does."""
        with self._lock:
            self._write(self._file(spreadsheet_id), a1_range, rows, as_user_entered=as_user_entered)

    def append_rows(self, spreadsheet_id: str, sheet: SheetRef, rows: Cells) -> None:
        """The user types rows under the last row of the tab's table."""
        with self._lock:
            file = self._file(spreadsheet_id)
            target = self._sheet(file, sheet)
            values: list[JsonValue] = [list[JsonValue](row) for row in rows]
            append = plan_append(file.workbook, format_a1(target.title), values, "ROWS", "USER_ENTERED", "OVERWRITE")
            apply_append(file.workbook, append)
            self.touch(file)

    def _structural(self, spreadsheet_id: str, sheet: SheetRef, dimension: Dimension, op: str, *args: int) -> None:
        with self._lock:
            file = self._file(spreadsheet_id)
            target = self._sheet(file, sheet)
            count = target.row_count if dimension == "ROWS" else target.column_count
            if any(a < 0 for a in args):
                raise ControlError(400, "indexes and counts must not be negative")
            if op == "insert":
                at, n = args
                if at > count:
                    raise ControlError(400, f"cannot insert at {at}: the tab has {count}")
                file.workbook.insert_dimension(target, dimension, at, n)
            elif op == "delete":
                at, n = args
                if at + n > count or n >= count:
                    raise ControlError(400, f"cannot delete {n} from {at}: the tab has {count}")
                file.workbook.delete_dimension(target, dimension, at, n)
            else:
                start, n, to = args
                if start + n > count or to > count:
                    raise ControlError(400, "the moved block or its destination is outside the tab")
                if not start <= to <= start + n:
                    file.workbook.move_dimension(target, dimension, start, start + n, to)
            self.touch(file)

    def insert_rows(self, spreadsheet_id: str, sheet: SheetRef, at_index: int, count: int = 1) -> None:
        """Insert `count` empty rows before zero-based row `at_index`."""
        self._structural(spreadsheet_id, sheet, "ROWS", "insert", at_index, count)

    def delete_rows(self, spreadsheet_id: str, sheet: SheetRef, at_index: int, count: int = 1) -> None:
        self._structural(spreadsheet_id, sheet, "ROWS", "delete", at_index, count)

    def insert_columns(self, spreadsheet_id: str, sheet: SheetRef, at_index: int, count: int = 1) -> None:
        self._structural(spreadsheet_id, sheet, "COLUMNS", "insert", at_index, count)

    def delete_columns(self, spreadsheet_id: str, sheet: SheetRef, at_index: int, count: int = 1) -> None:
        self._structural(spreadsheet_id, sheet, "COLUMNS", "delete", at_index, count)

    def move_rows(self, spreadsheet_id: str, sheet: SheetRef, from_index: int, count: int, to_index: int) -> None:
        """Drag rows [from_index, from_index + count) to before row `to_index` (counted before the move),
        as MoveDimensionRequest does."""
        self._structural(spreadsheet_id, sheet, "ROWS", "move", from_index, count, to_index)

    def move_columns(self, spreadsheet_id: str, sheet: SheetRef, from_index: int, count: int, to_index: int) -> None:
        self._structural(spreadsheet_id, sheet, "COLUMNS", "move", from_index, count, to_index)

    def sort_rows(
        self, spreadsheet_id: str, sheet: SheetRef, column_index: int, *, descending: bool = False, header_rows: int = 1
    ) -> None:
        """Data > Sort range: rows below the header, by one column; empty cells last."""
        with self._lock:
            file = self._file(spreadsheet_id)
            target = self._sheet(file, sheet)
            if not 0 <= column_index < target.column_count:
                raise ControlError(400, f"no column {column_index}")
            end = max(target.used_rows(), header_rows)
            target.sort(Box(header_rows, end, 0, target.column_count), [(column_index, descending)])
            self.touch(file)

    def add_tab(self, spreadsheet_id: str, title: str, rows: Cells = ()) -> int:
        """Add a tab at the end; returns its sheetId."""
        with self._lock:
            file = self._file(spreadsheet_id)
            if file.workbook.sheet_by_title(title) is not None:
                raise ControlError(400, f"a tab named {title!r} exists")
            sheet = _sized_sheet(new_int_id(), title, rows)
            file.workbook.sheets.append(sheet)
            if rows:
                self._write(file, format_a1(title, Span(0, 1, 0, 1)), rows, as_user_entered=True)
            self.touch(file)
            return sheet.sheet_id

    def rename_tab(self, spreadsheet_id: str, sheet: SheetRef, new_title: str) -> None:
        """Ranges naming the old title stop parsing ("Unable to parse range"), as in Sheets."""
        with self._lock:
            file = self._file(spreadsheet_id)
            target = self._sheet(file, sheet)
            clash = file.workbook.sheet_by_title(new_title)
            if (clash is not None and clash is not target) or not new_title.strip():
                raise ControlError(400, f"cannot rename to {new_title!r}")
            target.title = new_title
            self.touch(file)

    def delete_tab(self, spreadsheet_id: str, sheet: SheetRef) -> None:
        with self._lock:
            file = self._file(spreadsheet_id)
            target = self._sheet(file, sheet)
            if len(file.workbook.sheets) == 1:
                raise ControlError(400, "a spreadsheet keeps at least one tab")
            file.workbook.delete_sheet(target)
            self.touch(file)

    def set_frozen_rows(self, spreadsheet_id: str, sheet: SheetRef, count: int) -> None:
        with self._lock:
            file = self._file(spreadsheet_id)
            target = self._sheet(file, sheet)
            if not 0 <= count <= target.row_count:
                raise ControlError(400, f"cannot freeze {count} rows")
            target.frozen_rows = count
            self.touch(file)

    # Control API: readers ----------------------------------------------------------------------------

    def read_grid(
        self,
        spreadsheet_id: str,
        sheet: SheetRef,
        render_option: ValueRender = "UNFORMATTED_VALUE",
        date_time: DateTimeRender = "FORMATTED_STRING",
    ) -> list[list[OutputValue | None]]:
        """The tab's values as the user sees them: numbers, booleans, text, dates as shown, formulas by
        their value. Trailing empty rows and cells are trimmed; empty cells inside are None."""
        with self._lock:
            target = self._sheet(self._file(spreadsheet_id), sheet)
            cells = target.read(Span(0, max(target.used_rows(), 0), 0, max(target.used_columns(), 0)))
            rendered = render(cells, render_option, date_time, "ROWS")
            return [
                [value if cells[r][c].has_value else None for c, value in enumerate(line)]
                for r, line in enumerate(rendered)
            ]

    def read_range(
        self, spreadsheet_id: str, a1_range: str, render_option: ValueRender = "FORMATTED_VALUE"
    ) -> list[list[OutputValue]]:
        """values.get as the user would see it, without quota or access checks."""
        with self._lock:
            workbook = self._file(spreadsheet_id).workbook
            try:
                sheet, span = workbook.resolve(a1_range)
            except A1Error as exc:
                raise ControlError(400, f"Unable to parse range: {a1_range}") from exc
            return render(sheet.read(span or Span()), render_option, "SERIAL_NUMBER", "ROWS")

    def formula_cells(self, spreadsheet_id: str, sheet: SheetRef) -> dict[str, str]:
        """{"C2": "=A2*B2"} for every formula on the tab."""
        with self._lock:
            target = self._sheet(self._file(spreadsheet_id), sheet)
            return {
                cell_name(row, col): str(cell.value)
                for (row, col), cell in sorted(target.cells.items())
                if cell.kind == "formulaValue"
            }

    def data_validation(self, spreadsheet_id: str, sheet: SheetRef) -> dict[str, dict[str, JsonValue]]:
        """{"D2": {"condition": {"type": "ONE_OF_LIST", ...}, ...}} for every validated cell."""
        with self._lock:
            target = self._sheet(self._file(spreadsheet_id), sheet)
            return {
                cell_name(row, col): copy.deepcopy(cell.validation)
                for (row, col), cell in sorted(target.cells.items())
                if cell.validation is not None
            }

    def protected_ranges(self, spreadsheet_id: str, sheet: SheetRef) -> list[dict[str, JsonValue]]:
        """ProtectedRange JSON, plus `a1`: the range in A1 notation."""
        with self._lock:
            target = self._sheet(self._file(spreadsheet_id), sheet)
            views: list[dict[str, JsonValue]] = []
            for protected in target.protected:
                view = protected.to_json(target.sheet_id)
                view["a1"] = format_a1(target.title, protected.span)
                views.append(view)
            return views

    def frozen_rows(self, spreadsheet_id: str, sheet: SheetRef) -> int:
        with self._lock:
            return self._sheet(self._file(spreadsheet_id), sheet).frozen_rows

    def developer_metadata(self, spreadsheet_id: str) -> list[dict[str, JsonValue]]:
        with self._lock:
            return [m.to_json() for m in self._file(spreadsheet_id).workbook.metadata]

    def info(self, spreadsheet_id: str) -> SpreadsheetInfo:
        with self._lock:
            return self._info(self._file(spreadsheet_id))

    def spreadsheets(self, login: str | None = None) -> list[SpreadsheetInfo]:
        with self._lock:
            return [self._info(f) for f in self._files.values() if login is None or f.owner == login]

    @staticmethod
    def _info(file: SpreadsheetFile) -> SpreadsheetInfo:
        return SpreadsheetInfo(
            spreadsheet_id=file.file_id,
            title=file.workbook.title,
            owner=file.owner,
            trashed=file.trashed,
            tabs=[s.title for s in file.workbook.sheets],
            app_access=sorted(file.app_access),
            modified_time=file.modified_time,
        )
