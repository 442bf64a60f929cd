"""A1 notation as the Sheets API reads and writes it.

Parsing turns `'My Sheet'!A1:B2` into a sheet title (or None: the first visible sheet) and a zero-based,
half-open `Span` whose bounds may be open (`A:A` has no row bounds, `1:2` no column bounds, `A5:A` no end
row). A bare title (`Sheet1`) means the whole sheet. Formatting goes the other way and quotes titles the way
Google echoes them (`'My Sheet'!A1:B2`, `Sheet1!A1`).

Not imitated: R1C1 notation and named ranges (an unknown bare name is "Unable to parse range").
"""

import re
from dataclasses import dataclass
from typing import NamedTuple

# Google's grid limit is 18,278 columns (ZZZ).
MAX_COLUMNS = 18278

_CELL = re.compile(r"^([A-Za-z]{1,3})?([0-9]+)?$")
_PLAIN_TITLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_CELL_LIKE = re.compile(r"^[A-Za-z]{1,3}[0-9]+$|^[Rr][0-9]*[Cc][0-9]*$")


class A1Error(ValueError):
    """The text is not A1 notation."""


class Box(NamedTuple):
    """A span with every bound closed: rows [top, bottom), columns [left, right)."""

    top: int
    bottom: int
    left: int
    right: int

    @property
    def span(self) -> "Span":
        return Span(self.top, self.bottom, self.left, self.right)


@dataclass(frozen=True, slots=True)
class Span:
    """Zero-based, half-open grid bounds; None is open (to the grid's edge)."""

    start_row: int | None = None
    end_row: int | None = None
    start_col: int | None = None
    end_col: int | None = None

    def box(self, rows: int, cols: int) -> Box:
        """The closed bounds on a grid of `rows` x `cols`."""
        return Box(
            0 if self.start_row is None else self.start_row,
            rows if self.end_row is None else self.end_row,
            0 if self.start_col is None else self.start_col,
            cols if self.end_col is None else self.end_col,
        )

    @property
    def is_single_cell(self) -> bool:
        return (
            self.start_row is not None
            and self.end_row == self.start_row + 1
            and self.start_col is not None
            and self.end_col == self.start_col + 1
        )


@dataclass(frozen=True, slots=True)
class A1Range:
    # None: the first visible sheet.
    sheet: str | None
    # None: the whole sheet.
    span: Span | None


def column_letters(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    if index < 0:
        raise ValueError(f"negative column index {index}")
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def column_index(letters: str) -> int:
    """A -> 0, Z -> 25, AA -> 26 (case-insensitive)."""
    if not letters.isalpha() or not letters.isascii():
        raise A1Error(f"not a column: {letters!r}")
    index = 0
    for char in letters.upper():
        index = index * 26 + (ord(char) - ord("A") + 1)
    return index - 1


def cell_name(row: int, col: int) -> str:
    """(0, 0) -> A1."""
    return f"{column_letters(col)}{row + 1}"


@dataclass(frozen=True, slots=True)
class _Endpoint:
    col: int | None
    row: int | None


def _endpoint(text: str) -> _Endpoint:
    match = _CELL.fullmatch(text)
    if match is None or not text:
        raise A1Error(f"not a cell reference: {text!r}")
    letters, digits = match.groups()
    col = column_index(letters) if letters else None
    row = int(digits) - 1 if digits else None
    if row is not None and row < 0:
        raise A1Error(f"row numbers start at 1: {text!r}")
    if col is not None and col >= MAX_COLUMNS:
        raise A1Error(f"column beyond ZZZ: {text!r}")
    return _Endpoint(col, row)


def parse_span(text: str) -> Span:
    """`A1`, `A1:B2`, `A:B`, `1:2`, `A5:A` (reversed corners are put in order)."""
    first, sep, second = text.partition(":")
    start = _endpoint(first)
    if not sep:
        if start.col is None or start.row is None:
            raise A1Error(f"a single reference must be a cell: {text!r}")
        return Span(start.row, start.row + 1, start.col, start.col + 1)
    end = _endpoint(second)
    if start.col is not None and start.row is not None and end.col is not None and end.row is not None:
        top, bottom = sorted((start.row, end.row))
        left, right = sorted((start.col, end.col))
        return Span(top, bottom + 1, left, right + 1)
    if start.row is None and end.row is None and start.col is not None and end.col is not None:
        left, right = sorted((start.col, end.col))
        return Span(None, None, left, right + 1)
    if start.col is None and end.col is None and start.row is not None and end.row is not None:
        top, bottom = sorted((start.row, end.row))
        return Span(top, bottom + 1, None, None)
    if start.col is not None and start.row is not None and end.col is not None and end.row is None:
        # A5:A and A5:C: from row 5 to the bottom of the grid.
        left, right = sorted((start.col, end.col))
        return Span(start.row, None, left, right + 1)
    if start.col is not None and start.row is not None and end.col is None and end.row is not None:
        # A5:10: columns from A to the right edge.
        top, bottom = sorted((start.row, end.row))
        return Span(top, bottom + 1, start.col, None)
    raise A1Error(f"not a range: {text!r}")


def _split_quoted(text: str) -> tuple[str, str | None]:
    """`'It''s'!A1` -> ("It's", "A1"); `'My Sheet'` -> ("My Sheet", None)."""
    closing = text.rfind("'!")
    if closing > 0:
        name, cells = text[1:closing], text[closing + 2 :]
    elif len(text) > 1 and text.endswith("'"):
        name, cells = text[1:-1], None
    else:
        raise A1Error(f"unterminated quoted sheet name: {text!r}")
    # Google documents '' as the escape but also accepts a bare ' inside the quotes ('Jon's_Data'!A1).
    return name.replace("''", "'"), cells


def parse_a1(text: str) -> A1Range:
    """Parse a Sheets API range. Raises A1Error for anything that is not A1 notation."""
    text = text.strip()
    if not text:
        raise A1Error("empty range")
    if text.startswith("'"):
        sheet, cells = _split_quoted(text)
    elif "!" in text:
        index = text.rfind("!")
        sheet, cells = text[:index], text[index + 1 :]
    else:
        # A bare reference is a range on the first sheet when it parses as one (`A1`, `A:A`, `Q1`), else
        # a sheet title: which is why titles that look like cells must be quoted.
        try:
            return A1Range(None, parse_span(text))
        except A1Error:
            return A1Range(text, None)
    if not sheet:
        raise A1Error(f"empty sheet name: {text!r}")
    if cells is None:
        return A1Range(sheet, None)
    return A1Range(sheet, parse_span(cells))


def quote_sheet(title: str) -> str:
    """How Google writes a sheet title in a range: bare when plain, else quoted with '' escapes."""
    if _PLAIN_TITLE.fullmatch(title) and not _CELL_LIKE.fullmatch(title):
        return title
    return "'" + title.replace("'", "''") + "'"


def format_span(span: Span) -> str:
    """The A1 text of a span: `A1`, `A1:B2`, or with open bounds `A:A`, `1:2`, `A5:A`, `A5:10`."""
    top = span.start_row if span.start_row is not None else 0
    left = span.start_col if span.start_col is not None else 0
    if span.end_row is None and span.end_col is None:
        raise ValueError("a span open in both dimensions is a whole sheet: format it as the sheet title")
    if span.end_col is None:
        assert span.end_row is not None
        return f"{cell_name(top, left)}:{span.end_row}" if left else f"{top + 1}:{span.end_row}"
    if span.end_row is None:
        last = column_letters(span.end_col - 1)
        return f"{cell_name(top, left)}:{last}" if top else f"{column_letters(left)}:{last}"
    first = cell_name(top, left)
    if span.end_row - top == 1 and span.end_col - left == 1:
        return first
    return f"{first}:{cell_name(span.end_row - 1, span.end_col - 1)}"


def format_a1(sheet_title: str, span: Span | None = None) -> str:
    """`Sheet1!A1:B2`, `'My Sheet'!A1`, or just the (quoted) title for a whole sheet."""
    quoted = quote_sheet(sheet_title)
    if span is None or (span.end_row is None and span.end_col is None):
        return quoted
    return f"{quoted}!{format_span(span)}"
