"""The in-memory spreadsheet: sheets of sparse cells, structural edits, and their Sheets API JSON views.

Cells live in a dict keyed by (row, column), zero-based. Inserting, deleting, moving and sorting rows or
columns remap the keys, and carry data validation (stored per cell, as in Sheets), protected ranges,
frozen rows and dimension-located developer metadata along, as Sheets does.
"""

import secrets
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from typing import Literal

from pydantic import JsonValue

from provider_sandbox.a1 import A1Error, A1Range, Box, Span, format_a1, parse_a1
from provider_sandbox.cells import Cell

Dimension = Literal["ROWS", "COLUMNS"]
JsonDict = dict[str, JsonValue]

DEFAULT_ROWS = 1000
DEFAULT_COLUMNS = 26
# Google's cap on cells per spreadsheet (10 million).
MAX_CELLS = 10_000_000

_DEFAULT_FORMAT: JsonDict = {
    "backgroundColor": {"red": 1, "green": 1, "blue": 1},
    "padding": {"top": 2, "right": 3, "bottom": 2, "left": 3},
    "verticalAlignment": "BOTTOM",
    "wrapStrategy": "OVERFLOW_CELL",
    "textFormat": {
        "foregroundColor": {},
        "fontFamily": "arial,sans,sans-serif",
        "fontSize": 10,
        "bold": False,
        "italic": False,
        "strikethrough": False,
        "underline": False,
        "foregroundColorStyle": {"rgbColor": {}},
    },
    "backgroundColorStyle": {"rgbColor": {"red": 1, "green": 1, "blue": 1}},
}


def new_int_id() -> int:
    """Sheet, protected-range and metadata ids are positive 31-bit integers."""
    return secrets.randbelow(2**31 - 2) + 1


# Index remapping -----------------------------------------------------------------------------------


def insert_map(at: int, count: int) -> Callable[[int], int | None]:
    return lambda index: index + count if index >= at else index


def delete_map(at: int, count: int) -> Callable[[int], int | None]:
    def remap(index: int) -> int | None:
        if index < at:
            return index
        if index < at + count:
            return None
        return index - count

    return remap


def move_map(start: int, end: int, destination: int) -> Callable[[int], int | None]:
    """MoveDimension: [start, end) goes to `destination`, an index counted before the move."""
    count = end - start
    target = destination if destination <= start else destination - count

    def remap(index: int) -> int | None:
        if start <= index < end:
            return target + (index - start)
        # Take the block out, then put it back at `target`.
        shifted = index - count if index >= end else index
        return shifted + count if shifted >= target else shifted

    return remap


def remap_bounds(
    start: int | None, end: int | None, kind: str, at: int, count: int
) -> tuple[int | None, int | None] | None:
    """New half-open bounds after inserting or deleting `count` at `at`; None when nothing is left."""
    if kind == "insert":
        new_start = start if start is None or start < at else start + count
        new_end = end if end is None or end <= at else end + count
        return new_start, new_end
    new_start = start if start is None or start < at else max(at, start - count)
    new_end = end if end is None or end <= at else max(at, end - count)
    if new_start is not None and new_end is not None and new_start >= new_end:
        return None
    return new_start, new_end


# Model ---------------------------------------------------------------------------------------------


@dataclass
class ProtectedRange:
    protected_range_id: int
    span: Span
    description: str | None = None
    warning_only: bool = False
    editors: list[str] = field(default_factory=list)

    def to_json(self, sheet_id: int) -> JsonDict:
        body: JsonDict = {"protectedRangeId": self.protected_range_id, "range": grid_range_json(sheet_id, self.span)}
        if self.description:
            body["description"] = self.description
        if self.warning_only:
            body["warningOnly"] = True
        else:
            body["editors"] = {"users": list(self.editors)}
        body["requestingUserCanEdit"] = True
        return body


@dataclass
class DeveloperMetadata:
    metadata_id: int
    key: str
    value: str | None
    visibility: str
    # The OAuth client (project) that created it: PROJECT metadata is visible to that project only.
    project: str | None
    # None: the spreadsheet; else the sheet, and for row/column metadata the dimension range.
    sheet_id: int | None = None
    dimension: Dimension | None = None
    start: int = 0
    end: int = 0

    @property
    def location_type(self) -> str:
        if self.sheet_id is None:
            return "SPREADSHEET"
        if self.dimension is None:
            return "SHEET"
        return "ROW" if self.dimension == "ROWS" else "COLUMN"

    def location_json(self) -> JsonDict:
        location: JsonDict = {"locationType": self.location_type}
        if self.sheet_id is None:
            location["spreadsheet"] = True
        elif self.dimension is None:
            location["sheetId"] = self.sheet_id
        else:
            dimension_range: JsonDict = {"sheetId": self.sheet_id, "dimension": self.dimension}
            if self.start:
                dimension_range["startIndex"] = self.start
            dimension_range["endIndex"] = self.end
            location["dimensionRange"] = dimension_range
        return location

    def to_json(self) -> JsonDict:
        body: JsonDict = {
            "metadataId": self.metadata_id,
            "metadataKey": self.key,
            "location": self.location_json(),
            "visibility": self.visibility,
        }
        if self.value is not None:
            body["metadataValue"] = self.value
        return body


@dataclass
class Sheet:
    sheet_id: int
    title: str
    row_count: int = DEFAULT_ROWS
    column_count: int = DEFAULT_COLUMNS
    frozen_rows: int = 0
    frozen_columns: int = 0
    hidden: bool = False
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    protected: list[ProtectedRange] = field(default_factory=list)

    def clone(self) -> "Sheet":
        """A copy to edit: cells are immutable, so they are shared; the containers are new."""
        return replace(self, cells=dict(self.cells), protected=[replace(p) for p in self.protected])

    def cell(self, row: int, col: int) -> Cell:
        return self.cells.get((row, col)) or Cell()

    def put(self, row: int, col: int, cell: Cell) -> None:
        if cell.is_empty:
            self.cells.pop((row, col), None)
        else:
            self.cells[(row, col)] = cell

    def used_rows(self) -> int:
        """1 + the last row holding a value (0 when the sheet has no values)."""
        return 1 + max((r for (r, _), c in self.cells.items() if c.has_value), default=-1)

    def used_columns(self) -> int:
        return 1 + max((col for (_, col), c in self.cells.items() if c.has_value), default=-1)

    def read(self, span: Span) -> list[list[Cell]]:
        """The cells of a bounded span, row by row."""
        box = span.box(self.row_count, self.column_count)
        return [[self.cell(row, col) for col in range(box.left, box.right)] for row in range(box.top, box.bottom)]

    def properties_json(self, index: int) -> JsonDict:
        grid: JsonDict = {"rowCount": self.row_count, "columnCount": self.column_count}
        # Like Google's JSON, zero counts are left out.
        if self.frozen_rows:
            grid["frozenRowCount"] = self.frozen_rows
        if self.frozen_columns:
            grid["frozenColumnCount"] = self.frozen_columns
        props: JsonDict = {
            "sheetId": self.sheet_id,
            "title": self.title,
            "index": index,
            "sheetType": "GRID",
            "gridProperties": grid,
        }
        if self.hidden:
            props["hidden"] = True
        return props

    # Structural edits (called through Workbook so metadata follows) ------------------------------

    def _remap(self, dimension: Dimension, remap: Callable[[int], int | None]) -> None:
        moved: dict[tuple[int, int], Cell] = {}
        for (row, col), cell in self.cells.items():
            index = remap(row if dimension == "ROWS" else col)
            if index is not None:
                moved[(index, col) if dimension == "ROWS" else (row, index)] = cell
        self.cells = moved

    def _count(self, dimension: Dimension) -> int:
        return self.row_count if dimension == "ROWS" else self.column_count

    def _set_count(self, dimension: Dimension, value: int) -> None:
        if dimension == "ROWS":
            self.row_count = value
        else:
            self.column_count = value

    def _bounds(self, span: Span, dimension: Dimension) -> tuple[int | None, int | None]:
        return (span.start_row, span.end_row) if dimension == "ROWS" else (span.start_col, span.end_col)

    def _with_bounds(self, span: Span, dimension: Dimension, start: int | None, end: int | None) -> Span:
        if dimension == "ROWS":
            return replace(span, start_row=start, end_row=end)
        return replace(span, start_col=start, end_col=end)

    def insert(self, dimension: Dimension, at: int, count: int) -> None:
        self._remap(dimension, insert_map(at, count))
        self._set_count(dimension, self._count(dimension) + count)
        for protected in self.protected:
            bounds = remap_bounds(*self._bounds(protected.span, dimension), "insert", at, count)
            assert bounds is not None
            protected.span = self._with_bounds(protected.span, dimension, *bounds)
        if dimension == "ROWS" and at < self.frozen_rows:
            self.frozen_rows += count
        if dimension == "COLUMNS" and at < self.frozen_columns:
            self.frozen_columns += count

    def delete(self, dimension: Dimension, at: int, count: int) -> None:
        self._remap(dimension, delete_map(at, count))
        self._set_count(dimension, self._count(dimension) - count)
        kept: list[ProtectedRange] = []
        for protected in self.protected:
            bounds = remap_bounds(*self._bounds(protected.span, dimension), "delete", at, count)
            if bounds is not None:
                protected.span = self._with_bounds(protected.span, dimension, *bounds)
                kept.append(protected)
        self.protected = kept
        frozen = self.frozen_rows if dimension == "ROWS" else self.frozen_columns
        if at < frozen:
            frozen -= min(count, frozen - at)
            if dimension == "ROWS":
                self.frozen_rows = frozen
            else:
                self.frozen_columns = frozen

    def move(self, dimension: Dimension, start: int, end: int, destination: int) -> None:
        remap = move_map(start, end, destination)
        self._remap(dimension, remap)
        for protected in self.protected:
            first, last = self._bounds(protected.span, dimension)
            if first is None or last is None:
                continue
            # A range moves with its cells; one straddling the moved block keeps its extent.
            new_first, new_last = remap(first), remap(last - 1)
            if new_first is not None and new_last is not None and new_last - new_first == last - 1 - first:
                protected.span = self._with_bounds(protected.span, dimension, new_first, new_last + 1)

    def sort(self, box: Box, keys: list[tuple[int, bool]]) -> None:
        """Sort the rows of a box by (column, descending) keys; empty cells sort last."""
        columns = range(box.left, box.right)
        rows = [[self.cell(row, col) for col in columns] for row in range(box.top, box.bottom)]
        for column, descending in reversed(keys):
            offset = column - box.left
            filled = [row for row in rows if row[offset].has_value]
            empty = [row for row in rows if not row[offset].has_value]
            filled.sort(key=_column_key(offset), reverse=descending)
            rows = filled + empty
        for row_offset, row_cells in enumerate(rows):
            for col_offset, cell in enumerate(row_cells):
                self.put(box.top + row_offset, box.left + col_offset, cell)


def _column_key(offset: int) -> Callable[[list[Cell]], tuple[int, float, str]]:
    return lambda row: _sort_key(row[offset])


def _sort_key(cell: Cell) -> tuple[int, float, str]:
    # Sheets orders numbers, then text (case-insensitively), then booleans, then errors.
    value = cell.effective()
    if isinstance(value, bool):
        return (2, float(value), "")
    if isinstance(value, float):
        return (0, value, "")
    if isinstance(value, str):
        return (1, 0.0, value.casefold())
    return (3, 0.0, "")


@dataclass
class Workbook:
    """A spreadsheet's content (what spreadsheets.batchUpdate changes atomically)."""

    title: str
    sheets: list[Sheet]
    locale: str = "en_US"
    time_zone: str = "Etc/GMT"
    metadata: list[DeveloperMetadata] = field(default_factory=list)

    def clone(self) -> "Workbook":
        """A draft for an atomic batch, much cheaper than a deep copy."""
        return replace(self, sheets=[s.clone() for s in self.sheets], metadata=[replace(m) for m in self.metadata])

    # Lookups -----------------------------------------------------------------------------------

    def sheet_by_title(self, title: str) -> Sheet | None:
        # Sheets matches titles case-insensitively in ranges.
        exact = next((s for s in self.sheets if s.title == title), None)
        return exact or next((s for s in self.sheets if s.title.casefold() == title.casefold()), None)

    def sheet_by_id(self, sheet_id: int) -> Sheet | None:
        return next((s for s in self.sheets if s.sheet_id == sheet_id), None)

    def index_of(self, sheet: Sheet) -> int:
        return next(i for i, s in enumerate(self.sheets) if s is sheet)

    def first_visible(self) -> Sheet:
        return next((s for s in self.sheets if not s.hidden), self.sheets[0])

    def resolve(self, text: str) -> tuple[Sheet, Span | None]:
        """The sheet and span an A1 range names; A1Error when it names nothing."""
        parsed: A1Range = parse_a1(text)
        if parsed.sheet is None:
            return self.first_visible(), parsed.span
        sheet = self.sheet_by_title(parsed.sheet)
        if sheet is None:
            raise A1Error(f"no sheet {parsed.sheet!r}")
        return sheet, parsed.span

    def a1(self, sheet: Sheet, span: Span | None) -> str:
        """The range as Google echoes it: sheet-qualified and bounded by the grid."""
        return format_a1(sheet.title, (span or Span()).box(sheet.row_count, sheet.column_count).span)

    def total_cells(self) -> int:
        return sum(s.row_count * s.column_count for s in self.sheets)

    # Structural edits that also move developer metadata -----------------------------------------

    def insert_dimension(self, sheet: Sheet, dimension: Dimension, at: int, count: int) -> None:
        sheet.insert(dimension, at, count)
        for meta in self._dimension_metadata(sheet, dimension):
            bounds = remap_bounds(meta.start, meta.end, "insert", at, count)
            assert bounds is not None
            meta.start, meta.end = bounds[0] or 0, bounds[1] or 0

    def delete_dimension(self, sheet: Sheet, dimension: Dimension, at: int, count: int) -> None:
        sheet.delete(dimension, at, count)
        for meta in list(self._dimension_metadata(sheet, dimension)):
            bounds = remap_bounds(meta.start, meta.end, "delete", at, count)
            if bounds is None:
                self.metadata.remove(meta)
            else:
                meta.start, meta.end = bounds[0] or 0, bounds[1] or 0

    def move_dimension(self, sheet: Sheet, dimension: Dimension, start: int, end: int, destination: int) -> None:
        sheet.move(dimension, start, end, destination)
        remap = move_map(start, end, destination)
        for meta in self._dimension_metadata(sheet, dimension):
            first, last = remap(meta.start), remap(meta.end - 1)
            if first is not None and last is not None and last - first == meta.end - 1 - meta.start:
                meta.start, meta.end = first, last + 1

    def delete_sheet(self, sheet: Sheet) -> None:
        self.sheets.remove(sheet)
        self.metadata = [m for m in self.metadata if m.sheet_id != sheet.sheet_id]

    def _dimension_metadata(self, sheet: Sheet, dimension: Dimension) -> Iterator[DeveloperMetadata]:
        return (m for m in self.metadata if m.sheet_id == sheet.sheet_id and m.dimension == dimension)

    def visible_metadata(self, project: str | None) -> Iterable[DeveloperMetadata]:
        return (m for m in self.metadata if m.visibility == "DOCUMENT" or m.project == project)

    # JSON ------------------------------------------------------------------------------------------

    def properties_json(self) -> JsonDict:
        return {
            "title": self.title,
            "locale": self.locale,
            "autoRecalc": "ON_CHANGE",
            "timeZone": self.time_zone,
            "defaultFormat": _DEFAULT_FORMAT,
        }


def grid_range_json(sheet_id: int, span: Span) -> JsonDict:
    """GridRange: zero-based, half-open; open bounds and (as in proto3 JSON) zero starts are left out."""
    body: JsonDict = {"sheetId": sheet_id}
    for key, value in (
        ("startRowIndex", span.start_row),
        ("endRowIndex", span.end_row),
        ("startColumnIndex", span.start_col),
        ("endColumnIndex", span.end_col),
    ):
        if value is not None and (value or key.startswith("end")):
            body[key] = value
    return body


def cell_data_json(cell: Cell) -> JsonDict:
    """CellData: user-entered and effective values, formatted value, number format, validation."""
    data: JsonDict = {}
    entered = cell.user_entered_json()
    if entered is not None:
        data["userEnteredValue"] = entered
        effective = cell.effective_json()
        if effective is not None:
            data["effectiveValue"] = effective
        data["formattedValue"] = cell.formatted()
    if cell.number_format is not None:
        data["userEnteredFormat"] = {"numberFormat": cell.number_format.as_json()}
        data["effectiveFormat"] = {"numberFormat": cell.number_format.as_json()}
    if cell.validation is not None:
        data["dataValidation"] = cell.validation
    return data


def grid_data_json(sheet: Sheet, span: Span | None) -> JsonDict:
    """GridData for a span (the whole sheet when None), trimmed like Google's."""
    box = (span or Span()).box(sheet.row_count, sheet.column_count)
    rows: list[JsonValue] = []
    for row_cells in sheet.read(box.span):
        values = [cell_data_json(cell) for cell in row_cells]
        while values and not values[-1]:
            values.pop()
        rows.append({"values": list[JsonValue](values)} if values else {})
    while rows and rows[-1] == {}:
        rows.pop()
    data: JsonDict = {}
    if box.top:
        data["startRow"] = box.top
    if box.left:
        data["startColumn"] = box.left
    if rows:
        data["rowData"] = rows
    data["rowMetadata"] = [{"pixelSize": 21} for _ in range(box.top, box.bottom)]
    data["columnMetadata"] = [{"pixelSize": 100} for _ in range(box.left, box.right)]
    return data
