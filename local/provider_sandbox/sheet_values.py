"""The spreadsheets.values semantics: read with trimming, write with null-skip, append after the table, clear.

Shared by the Sheets routes and the control API (which edits cells as the user). Problems raise
`InvalidRequest` with Google's wording; the routes answer them as 400 INVALID_ARGUMENT.
"""

from dataclasses import dataclass
from typing import Literal

from pydantic import JsonValue

from provider_sandbox.a1 import A1Error, Box, Span, column_letters, format_span
from provider_sandbox.cells import (
    Cell,
    CellTooLong,
    DateTimeRender,
    InputOption,
    InvalidValue,
    OutputValue,
    ValueRender,
    entered,
)
from provider_sandbox.spreadsheet import Sheet, Workbook

MajorDimension = Literal["ROWS", "COLUMNS"]
MAJOR_DIMENSIONS: tuple[MajorDimension, ...] = ("ROWS", "COLUMNS")
InsertDataOption = Literal["OVERWRITE", "INSERT_ROWS"]
INSERT_DATA_OPTIONS: tuple[InsertDataOption, ...] = ("OVERWRITE", "INSERT_ROWS")


class InvalidRequest(ValueError):
    """A request Sheets rejects with 400 INVALID_ARGUMENT; the message is Google's."""


def resolve(workbook: Workbook, text: str) -> tuple[Sheet, Span | None]:
    try:
        return workbook.resolve(text)
    except A1Error as exc:
        raise InvalidRequest(f"Unable to parse range: {text}") from exc


def _quoted(title: str) -> str:
    return "'" + title.replace("'", "''") + "'"


def check_grid(workbook: Workbook, sheet: Sheet, span: Span | None) -> None:
    """Google refuses ranges that reach past the grid."""
    if span is None:
        return
    box = span.box(sheet.row_count, sheet.column_count)
    if box.top < box.bottom <= sheet.row_count and box.left < box.right <= sheet.column_count:
        return
    raise InvalidRequest(
        f"Range ({_quoted(sheet.title)}!{format_span(span)}) exceeds grid limits. "
        f"Max rows: {sheet.row_count}, max columns: {sheet.column_count}"
    )


# Reading ----------------------------------------------------------------------------------------------


def render(
    cells: list[list[Cell]], option: ValueRender, date_time: DateTimeRender, major: MajorDimension
) -> list[list[OutputValue]]:
    """Rendered values, transposed for COLUMNS, with trailing empty cells and lines trimmed."""
    grid = cells if major == "ROWS" else [list(column) for column in zip(*cells, strict=True)] if cells else []
    lines: list[list[OutputValue]] = []
    for line in grid:
        last = max((i for i, cell in enumerate(line) if cell.has_value), default=-1)
        lines.append([cell.render(option, date_time) for cell in line[: last + 1]])
    while lines and not lines[-1]:
        lines.pop()
    return lines


def value_range(
    workbook: Workbook,
    sheet: Sheet,
    span: Span | None,
    option: ValueRender = "FORMATTED_VALUE",
    date_time: DateTimeRender = "SERIAL_NUMBER",
    major: MajorDimension = "ROWS",
) -> dict[str, JsonValue]:
    """A ValueRange: the echoed range, the major dimension and, unless empty, the values."""
    check_grid(workbook, sheet, span)
    body: dict[str, JsonValue] = {"range": workbook.a1(sheet, span), "majorDimension": major}
    values = render(sheet.read(span or Span()), option, date_time, major)
    if values:
        body["values"] = [list[JsonValue](line) for line in values]
    return body


# Writing ----------------------------------------------------------------------------------------------


@dataclass
class Write:
    """A validated write: apply() changes the sheet; stats describe it as UpdateValuesResponse does."""

    sheet: Sheet
    row: int
    col: int
    # Cells by (row offset, column offset); None skips the cell.
    cells: list[list[Cell | None]]

    @property
    def height(self) -> int:
        return len(self.cells)

    @property
    def width(self) -> int:
        return max((len(line) for line in self.cells), default=0)

    @property
    def span(self) -> Span:
        return Span(self.row, self.row + max(self.height, 1), self.col, self.col + max(self.width, 1))

    def apply(self) -> None:
        for r, line in enumerate(self.cells):
            for c, cell in enumerate(line):
                if cell is not None:
                    row, col = self.row + r, self.col + c
                    self.sheet.put(row, col, _merge(self.sheet.cell(row, col), cell))

    def stats(self, workbook: Workbook) -> dict[str, JsonValue]:
        written = [(r, c) for r, line in enumerate(self.cells) for c, cell in enumerate(line) if cell is not None]
        body: dict[str, JsonValue] = {"updatedRange": workbook.a1(self.sheet, self.span)}
        if written:
            body["updatedRows"] = len({r for r, _ in written})
            body["updatedColumns"] = len({c for _, c in written})
            body["updatedCells"] = len(written)
        return body


def _merge(current: Cell, new: Cell) -> Cell:
    """A written value keeps the cell's validation, and its number format unless the input brings one."""
    return Cell(new.kind, new.value, new.number_format or current.number_format, current.validation)


def to_cells(
    values: JsonValue, major: MajorDimension, option: InputOption, locale: str = "en_US"
) -> list[list[Cell | None]]:
    """ValueRange.values as cells, row-major; null skips a cell, "" clears it; typed text read in `locale`."""
    if values is None:
        return []
    if not isinstance(values, list):
        raise InvalidRequest("Invalid value at 'data.values' (type.googleapis.com/google.protobuf.ListValue)")
    lines: list[list[Cell | None]] = []
    for i, line in enumerate(values):
        if not isinstance(line, list):
            raise InvalidRequest(f"Invalid values[{i}]: {line!r} is not a list")
        converted: list[Cell | None] = []
        for j, value in enumerate(line):
            try:
                converted.append(entered(value, option, locale))
            except CellTooLong as exc:
                raise InvalidRequest(str(exc)) from exc
            except InvalidValue as exc:
                raise InvalidRequest(f"Invalid values[{i}][{j}]: {exc}") from exc
        lines.append(converted)
    if major == "ROWS":
        return lines
    # COLUMNS: values[i][j] is column i, row j.
    height = max((len(line) for line in lines), default=0)
    return [[line[r] if r < len(line) else None for line in lines] for r in range(height)]


def plan_write(
    workbook: Workbook, range_text: str, values: JsonValue, major: MajorDimension, option: InputOption
) -> Write:
    """values.update: data anchored at the range's top-left, which must contain it unless it is one cell."""
    sheet, span = resolve(workbook, range_text)
    cells = to_cells(values, major, option, workbook.locale)
    anchor = span or Span()
    write = Write(sheet, anchor.start_row or 0, anchor.start_col or 0, cells)
    if span is not None and not span.is_single_cell and cells:
        if span.end_row is not None and write.row + write.height > span.end_row:
            raise InvalidRequest(
                f"Requested writing within range [{workbook.a1(sheet, span)}], but tried writing to row "
                f"[{write.row + write.height}]"
            )
        if span.end_col is not None and write.col + write.width > span.end_col:
            raise InvalidRequest(
                f"Requested writing within range [{workbook.a1(sheet, span)}], but tried writing to column "
                f"[{column_letters(write.col + write.width - 1)}]"
            )
    check_grid(workbook, sheet, write.span if cells else span)
    return write


# Appending --------------------------------------------------------------------------------------------


def _has_value(sheet: Sheet, rows: range, cols: range) -> bool:
    return any(sheet.cell(row, col).has_value for row in rows for col in cols)


def find_table(sheet: Sheet, span: Span | None) -> Box | None:
    """The "table" values.append appends to: the first row with data in the range's columns, grown down,
    left and right while the adjacent row or column holds data (so it may run past the range). A single
    cell is where the search starts: it runs down and right from there."""
    if span is not None and span.is_single_cell:
        span = Span(span.start_row, None, span.start_col, None)
    region = (span or Span()).box(sheet.row_count, sheet.column_count)
    columns = range(region.left, min(region.right, sheet.column_count))
    top = next(
        (row for row in range(region.top, region.bottom) if _has_value(sheet, range(row, row + 1), columns)), None
    )
    if top is None:
        return None
    filled = [col for col in columns if sheet.cell(top, col).has_value]
    bottom, left, right = top + 1, min(filled), max(filled) + 1
    while True:
        while bottom < sheet.row_count and _has_value(sheet, range(bottom, bottom + 1), range(left, right)):
            bottom += 1
        widened = False
        while left > 0 and _has_value(sheet, range(top, bottom), range(left - 1, left)):
            left, widened = left - 1, True
        while right < sheet.column_count and _has_value(sheet, range(top, bottom), range(right, right + 1)):
            right, widened = right + 1, True
        if not widened:
            break
    return Box(top, bottom, left, right)


@dataclass
class Append:
    table: Box | None
    write: Write
    insert_rows: bool


def plan_append(
    workbook: Workbook,
    range_text: str,
    values: JsonValue,
    major: MajorDimension,
    option: InputOption,
    insert_data: InsertDataOption,
) -> Append:
    sheet, span = resolve(workbook, range_text)
    check_grid(workbook, sheet, span)
    cells = to_cells(values, major, option, workbook.locale)
    table = find_table(sheet, span)
    anchor = span or Span()
    if table is None:
        row, col = anchor.start_row or 0, anchor.start_col or 0
    else:
        row, col = table.bottom, table.left
    return Append(table, Write(sheet, row, col, cells), insert_rows=insert_data == "INSERT_ROWS")


def apply_append(workbook: Workbook, append: Append) -> None:
    write = append.write
    sheet = write.sheet
    if write.height and append.insert_rows:
        workbook.insert_dimension(sheet, "ROWS", min(write.row, sheet.row_count), write.height)
    # Appending grows the grid as needed (values.update does not).
    sheet.row_count = max(sheet.row_count, write.row + write.height)
    sheet.column_count = max(sheet.column_count, write.col + write.width)
    write.apply()


# Clearing ---------------------------------------------------------------------------------------------


def clear(workbook: Workbook, range_text: str) -> tuple[Sheet, Span | None]:
    """values.clear: values go, formatting and validation stay. Returns what was cleared."""
    sheet, span = resolve(workbook, range_text)
    check_grid(workbook, sheet, span)
    box = (span or Span()).box(sheet.row_count, sheet.column_count)
    for row, col in [(r, c) for r, c in sheet.cells if box.top <= r < box.bottom and box.left <= c < box.right]:
        current = sheet.cells[(row, col)]
        sheet.put(row, col, Cell(number_format=current.number_format, validation=current.validation))
    return sheet, span
