"""spreadsheets.batchUpdate: the request kinds the sandbox imitates, applied to a workbook draft.

The route applies a batch to a deep copy and keeps it only when every request succeeded, so a batch is
atomic as in Sheets. A failing request raises InvalidRequest worded like Google's
`Invalid requests[2].deleteSheet: ...`; a request kind Sheets has but the sandbox does not imitate is
refused the same way, saying so.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from pydantic import JsonValue

from provider_sandbox.a1 import Span, format_span
from provider_sandbox.cells import CELL_TOO_LONG, MAX_CELL_CHARACTERS, Cell, NumberFormat
from provider_sandbox.fieldmask import FieldMaskError, Mask, check_mask, discovery_schemas, parse_mask, selects
from provider_sandbox.sheet_values import InvalidRequest
from provider_sandbox.spreadsheet import (
    MAX_CELLS,
    DeveloperMetadata,
    Dimension,
    ProtectedRange,
    Sheet,
    Workbook,
    new_int_id,
)

Reply = dict[str, JsonValue]
JsonDict = dict[str, Any]


@dataclass(frozen=True)
class Requester:
    """Who sends the batch: the signed-in user and the OAuth client (the Cloud project)."""

    login: str
    project: str


class Problem(ValueError):
    """One request is invalid; apply_requests prefixes the message with the request's position."""


RequestHandler = Callable[[Workbook, JsonDict, Requester], Reply]


def apply_requests(workbook: Workbook, requests: JsonValue, requester: Requester) -> list[Reply]:
    """Apply requests in order to `workbook` (the caller passes a draft) and return their replies."""
    if requests is None:
        requests = []
    if not isinstance(requests, list):
        raise InvalidRequest("Invalid value at 'requests' (type.googleapis.com/google.apps.sheets.v4.Request)")
    replies: list[Reply] = []
    for index, request in enumerate(requests):
        if not isinstance(request, dict) or len(request) != 1:
            raise InvalidRequest(f"Invalid requests[{index}]: exactly one kind of request must be set.")
        kind, body = next(iter(request.items()))
        handler = _HANDLERS.get(kind)
        if handler is None:
            if kind in _known_kinds():
                raise InvalidRequest(
                    f"Invalid requests[{index}].{kind}: the provider sandbox does not imitate {kind} requests."
                )
            raise InvalidRequest(
                f"Invalid JSON payload received. Unknown name \"{kind}\" at 'requests[{index}]': Cannot find field."
            )
        if not isinstance(body, dict):
            raise InvalidRequest(f"Invalid requests[{index}].{kind}: expected an object.")
        try:
            replies.append(handler(workbook, body, requester))
        except (Problem, InvalidRequest, FieldMaskError) as exc:
            raise InvalidRequest(f"Invalid requests[{index}].{kind}: {exc}") from exc
    return replies


def _known_kinds() -> set[str]:
    schemas = discovery_schemas("sheets", "v4")
    return set(schemas["Request"]["properties"]) if schemas else set()


# Shared parsing --------------------------------------------------------------------------------------


def _int(body: JsonDict, key: str, default: int | None = None) -> int:
    value = body.get(key, default)
    if isinstance(value, str) and value.lstrip("-").isdigit():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        if value is None:
            raise Problem(f"{key} is required.")
        raise Problem(f"Invalid value for {key}: {value!r}")
    return value


def _sheet(workbook: Workbook, sheet_id: int) -> Sheet:
    sheet = workbook.sheet_by_id(sheet_id)
    if sheet is None:
        raise Problem(f"No grid with id: {sheet_id}")
    return sheet


def _optional(body: JsonDict, key: str) -> int | None:
    return None if body.get(key) is None else _int(body, key)


def grid_range(workbook: Workbook, body: JsonDict | None) -> tuple[Sheet, Span]:
    """A GridRange (a missing start is 0, a missing end is open) resolved and checked against the grid."""
    body = body or {}
    sheet = _sheet(workbook, _int(body, "sheetId", 0))
    span = Span(
        _int(body, "startRowIndex", 0),
        _optional(body, "endRowIndex"),
        _int(body, "startColumnIndex", 0),
        _optional(body, "endColumnIndex"),
    )
    box = span.box(sheet.row_count, sheet.column_count)
    if min(box.top, box.left) < 0 or box.top > box.bottom or box.left > box.right:
        raise Problem("Invalid range: start index must not be negative or after the end index.")
    if box.bottom > sheet.row_count or box.right > sheet.column_count:
        raise Problem(
            f"Range ('{sheet.title}'!{format_span(box.span)}) exceeds grid limits. "
            f"Max rows: {sheet.row_count}, max columns: {sheet.column_count}"
        )
    return sheet, span


def _dimension_range(
    workbook: Workbook, body: JsonDict | None, *, need_end: bool = True
) -> tuple[Sheet, Dimension, int, int]:
    body = body or {}
    sheet = _sheet(workbook, _int(body, "sheetId", 0))
    dimension = body.get("dimension")
    if dimension not in {"ROWS", "COLUMNS"}:
        raise Problem("range.dimension must be ROWS or COLUMNS.")
    dim = cast("Dimension", dimension)
    count = sheet.row_count if dim == "ROWS" else sheet.column_count
    start = _int(body, "startIndex", 0)
    end = _int(body, "endIndex") if need_end else _int(body, "endIndex", count)
    if start < 0 or end <= start:
        raise Problem(f"Invalid dimension range: startIndex {start}, endIndex {end}.")
    return sheet, dim, start, end


def _mask(body: JsonDict, schema: str) -> Mask:
    fields = body.get("fields")
    if not isinstance(fields, str) or not fields.strip():
        raise Problem("At least one field must be specified in 'fields'.")
    mask = parse_mask(fields)
    check_mask(mask, "sheets", "v4", schema)
    return mask


def _check_size(workbook: Workbook, extra_cells: int) -> None:
    if workbook.total_cells() + extra_cells > MAX_CELLS:
        raise Problem(
            f"This action would increase the number of cells in the workbook above the limit of {MAX_CELLS} cells."
        )


def _unique_title(workbook: Workbook, title: str, ignore: Sheet | None = None) -> str:
    if not title.strip():
        raise Problem("A sheet's title must not be empty.")
    clash = workbook.sheet_by_title(title)
    if clash is not None and clash is not ignore:
        raise Problem(f'A sheet with the name "{title}" already exists. Please enter another name.')
    return title


# Sheets -------------------------------------------------------------------------------------------------


def _apply_grid_properties(sheet: Sheet, grid: JsonDict, mask: Mask | None, workbook: Workbook) -> None:
    if selects(mask, "rowCount") and "rowCount" in grid:
        _resize(workbook, sheet, "ROWS", _int(grid, "rowCount"))
    if selects(mask, "columnCount") and "columnCount" in grid:
        _resize(workbook, sheet, "COLUMNS", _int(grid, "columnCount"))
    if selects(mask, "frozenRowCount"):
        sheet.frozen_rows = _int(grid, "frozenRowCount", 0)
    if selects(mask, "frozenColumnCount"):
        sheet.frozen_columns = _int(grid, "frozenColumnCount", 0)
    if sheet.frozen_rows < 0 or sheet.frozen_rows >= sheet.row_count + 1:
        raise Problem(f"Invalid frozenRowCount: {sheet.frozen_rows}")
    if sheet.frozen_columns < 0 or sheet.frozen_columns >= sheet.column_count + 1:
        raise Problem(f"Invalid frozenColumnCount: {sheet.frozen_columns}")


def _resize(workbook: Workbook, sheet: Sheet, dimension: Dimension, size: int) -> None:
    current = sheet.row_count if dimension == "ROWS" else sheet.column_count
    if size < 1:
        raise Problem(f"Invalid {dimension.lower()} count: {size}")
    if size > current:
        other = sheet.column_count if dimension == "ROWS" else sheet.row_count
        _check_size(workbook, (size - current) * other)
        workbook.insert_dimension(sheet, dimension, current, size - current)
    elif size < current:
        workbook.delete_dimension(sheet, dimension, size, current - size)


def add_sheet(workbook: Workbook, body: JsonDict, _requester: Requester) -> Reply:
    props: JsonDict = body.get("properties") or {}
    if props.get("sheetType", "GRID") != "GRID":
        raise Problem("Only GRID sheets are imitated by the provider sandbox.")
    sheet_id = _int(props, "sheetId") if props.get("sheetId") is not None else new_int_id()
    if workbook.sheet_by_id(sheet_id) is not None:
        raise Problem(f"Sheet with ID {sheet_id} already exists.")
    if "title" in props:
        title = _unique_title(workbook, str(props["title"]))
    else:
        number = len(workbook.sheets) + 1
        while workbook.sheet_by_title(f"Sheet{number}") is not None:
            number += 1
        title = f"Sheet{number}"
    grid: JsonDict = props.get("gridProperties") or {}
    sheet = Sheet(sheet_id, title, hidden=bool(props.get("hidden", False)))
    sheet.row_count = _int(grid, "rowCount", sheet.row_count)
    sheet.column_count = _int(grid, "columnCount", sheet.column_count)
    if sheet.row_count < 1 or sheet.column_count < 1:
        raise Problem("A sheet needs at least one row and one column.")
    _check_size(workbook, sheet.row_count * sheet.column_count)
    _apply_grid_properties(sheet, {k: v for k, v in grid.items() if k.startswith("frozen")}, None, workbook)
    index = _int(props, "index", len(workbook.sheets))
    workbook.sheets.insert(max(0, min(index, len(workbook.sheets))), sheet)
    if all(s.hidden for s in workbook.sheets):
        raise Problem("You can't hide all the sheets in a document.")
    return {"addSheet": {"properties": sheet.properties_json(workbook.index_of(sheet))}}


def delete_sheet(workbook: Workbook, body: JsonDict, _requester: Requester) -> Reply:
    sheet = _sheet(workbook, _int(body, "sheetId"))
    if len(workbook.sheets) == 1:
        raise Problem("You can't remove all the sheets in a document.")
    workbook.delete_sheet(sheet)
    if all(s.hidden for s in workbook.sheets):
        raise Problem("You can't hide all the sheets in a document.")
    return {}


def update_sheet_properties(workbook: Workbook, body: JsonDict, _requester: Requester) -> Reply:
    props: JsonDict = body.get("properties") or {}
    mask = _mask(body, "SheetProperties")
    sheet = _sheet(workbook, _int(props, "sheetId", 0))
    if selects(mask, "title"):
        sheet.title = _unique_title(workbook, str(props.get("title", "")), ignore=sheet)
    if selects(mask, "hidden"):
        sheet.hidden = bool(props.get("hidden", False))
        if all(s.hidden for s in workbook.sheets):
            raise Problem("You can't hide all the sheets in a document.")
    if selects(mask, "gridProperties"):
        sub = None if "*" in mask else mask.get("gridProperties")
        _apply_grid_properties(sheet, props.get("gridProperties") or {}, sub, workbook)
    if selects(mask, "index") and "index" in props:
        workbook.sheets.remove(sheet)
        workbook.sheets.insert(max(0, min(_int(props, "index"), len(workbook.sheets))), sheet)
    # Other properties (tab colour, right-to-left...) are accepted and not kept.
    return {}


def update_spreadsheet_properties(workbook: Workbook, body: JsonDict, _requester: Requester) -> Reply:
    props: JsonDict = body.get("properties") or {}
    mask = _mask(body, "SpreadsheetProperties")
    if selects(mask, "title"):
        workbook.title = str(props.get("title", ""))
    if selects(mask, "locale") and "locale" in props:
        workbook.locale = str(props["locale"])
    if selects(mask, "timeZone") and "timeZone" in props:
        workbook.time_zone = str(props["timeZone"])
    return {}


# Cells ------------------------------------------------------------------------------------------------


def _entered_value(value: JsonDict) -> Cell:
    kinds = [k for k in ("stringValue", "numberValue", "boolValue", "formulaValue") if k in value]
    if "errorValue" in value:
        raise Problem("errorValue cannot be entered.")
    if len(kinds) > 1:
        raise Problem("Only one kind of value may be set in userEnteredValue.")
    if not kinds:
        return Cell()
    kind = kinds[0]
    raw = value[kind]
    if kind == "numberValue":
        if not isinstance(raw, int | float) or isinstance(raw, bool):
            raise Problem(f"Invalid numberValue: {raw!r}")
        return Cell("numberValue", float(raw))
    if kind == "boolValue":
        if not isinstance(raw, bool):
            raise Problem(f"Invalid boolValue: {raw!r}")
        return Cell("boolValue", raw)
    text = str(raw)
    if len(text) > MAX_CELL_CHARACTERS:
        raise Problem(CELL_TOO_LONG)
    if kind == "formulaValue" and not text.startswith("="):
        raise Problem(f"Invalid formulaValue: formulas must start with '=': {text!r}")
    if kind == "stringValue" and not text:
        return Cell()
    return Cell(kind, text)


def _number_format(data: JsonDict) -> NumberFormat | None:
    fmt = (data.get("userEnteredFormat") or {}).get("numberFormat")
    if not fmt:
        return None
    return NumberFormat(str(fmt.get("type", "NUMBER")), str(fmt.get("pattern", "")))


def _updated_cell(current: Cell, data: JsonDict, mask: Mask) -> Cell:
    kind, value, number_format, validation = current.kind, current.value, current.number_format, current.validation
    if selects(mask, "userEnteredValue"):
        new = _entered_value(data.get("userEnteredValue") or {})
        kind, value = new.kind, new.value
    if selects(mask, "userEnteredFormat", "numberFormat"):
        number_format = _number_format(data)
    if selects(mask, "dataValidation"):
        rule = data.get("dataValidation")
        validation = _validation_rule(rule) if rule else None
    return Cell(kind, value, number_format, validation)


def _rows(body: JsonDict) -> list[list[JsonDict]]:
    rows = body.get("rows") or []
    if not isinstance(rows, list):
        raise Problem("rows must be a list of RowData.")
    return [[cell or {} for cell in (row or {}).get("values") or []] for row in rows]


def _write_rows(workbook: Workbook, sheet: Sheet, row: int, col: int, rows: list[list[JsonDict]], mask: Mask) -> None:
    for r, line in enumerate(rows):
        for c, data in enumerate(line):
            if row + r >= sheet.row_count or col + c >= sheet.column_count:
                raise Problem(
                    f"Range ('{sheet.title}'!{format_span(Span(row + r, row + r + 1, col + c, col + c + 1))}) "
                    f"exceeds grid limits. Max rows: {sheet.row_count}, max columns: {sheet.column_count}"
                )
            sheet.put(row + r, col + c, _updated_cell(sheet.cell(row + r, col + c), data, mask))


def update_cells(workbook: Workbook, body: JsonDict, _requester: Requester) -> Reply:
    mask = _mask(body, "CellData")
    rows = _rows(body)
    if ("start" in body) == ("range" in body):
        raise Problem("Exactly one of start or range must be set.")
    if "start" in body:
        start: JsonDict = body["start"] or {}
        sheet = _sheet(workbook, _int(start, "sheetId", 0))
        _write_rows(workbook, sheet, _int(start, "rowIndex", 0), _int(start, "columnIndex", 0), rows, mask)
        return {}
    sheet, span = grid_range(workbook, body["range"])
    box = span.box(sheet.row_count, sheet.column_count)
    if len(rows) > box.bottom - box.top or any(len(line) > box.right - box.left for line in rows):
        raise Problem("The rows do not fit in the requested range.")
    # Cells of the range the rows do not cover get the masked fields cleared.
    for row in range(box.top, box.bottom):
        for col in range(box.left, box.right):
            r, c = row - box.top, col - box.left
            data = rows[r][c] if r < len(rows) and c < len(rows[r]) else {}
            sheet.put(row, col, _updated_cell(sheet.cell(row, col), data, mask))
    return {}


def write_grid_data(workbook: Workbook, sheet: Sheet, grid: JsonDict) -> None:
    """Initial GridData of spreadsheets.create: values, number formats and validation from rowData."""
    rows = [[cell or {} for cell in (row or {}).get("values") or []] for row in grid.get("rowData") or []]
    mask = parse_mask("userEnteredValue,userEnteredFormat,dataValidation")
    _write_rows(workbook, sheet, _int(grid, "startRow", 0), _int(grid, "startColumn", 0), rows, mask)


def append_cells(workbook: Workbook, body: JsonDict, _requester: Requester) -> Reply:
    mask = _mask(body, "CellData")
    sheet = _sheet(workbook, _int(body, "sheetId", 0))
    rows = _rows(body)
    start = max((r for (r, _), cell in sheet.cells.items() if not cell.is_empty), default=-1) + 1
    needed = start + len(rows) - sheet.row_count
    if needed > 0:
        _check_size(workbook, needed * sheet.column_count)
        sheet.row_count += needed
    width = max((len(line) for line in rows), default=0)
    if width > sheet.column_count:
        _check_size(workbook, (width - sheet.column_count) * sheet.row_count)
        sheet.column_count = width
    _write_rows(workbook, sheet, start, 0, rows, mask)
    return {}


# Dimensions -------------------------------------------------------------------------------------------


def insert_dimension(workbook: Workbook, body: JsonDict, _requester: Requester) -> Reply:
    sheet, dimension, start, end = _dimension_range(workbook, body.get("range"))
    count = sheet.row_count if dimension == "ROWS" else sheet.column_count
    if start > count:
        raise Problem(f"Cannot insert at index {start}: the sheet has only {count} {dimension.lower()}.")
    inherit = bool(body.get("inheritFromBefore"))
    if inherit and start == 0:
        raise Problem("Cannot inherit properties from before the first row or column.")
    if not inherit and start == count:
        # At the end of the grid there is nothing after to inherit from: Google wants inheritFromBefore.
        raise Problem(f"range.startIndex must be less than the grid size ({count}) if inheritFromBefore is false.")
    other = sheet.column_count if dimension == "ROWS" else sheet.row_count
    _check_size(workbook, (end - start) * other)
    workbook.insert_dimension(sheet, dimension, start, end - start)
    return {}


def append_dimension(workbook: Workbook, body: JsonDict, _requester: Requester) -> Reply:
    """Rows or columns added at the end of the grid, taking the last one's properties."""
    sheet = _sheet(workbook, _int(body, "sheetId", 0))
    dimension = body.get("dimension")
    if dimension not in {"ROWS", "COLUMNS"}:
        raise Problem("dimension must be ROWS or COLUMNS.")
    dim = cast("Dimension", dimension)
    length = _int(body, "length")
    if length < 1:
        raise Problem(f"length must be greater than 0; was {length}.")
    other = sheet.column_count if dim == "ROWS" else sheet.row_count
    _check_size(workbook, length * other)
    workbook.insert_dimension(sheet, dim, sheet.row_count if dim == "ROWS" else sheet.column_count, length)
    return {}


def delete_dimension(workbook: Workbook, body: JsonDict, _requester: Requester) -> Reply:
    sheet, dimension, start, end = _dimension_range(workbook, body.get("range"), need_end=False)
    count = sheet.row_count if dimension == "ROWS" else sheet.column_count
    if end > count:
        raise Problem(f"Cannot delete {dimension.lower()} {start}-{end}: the sheet has only {count}.")
    if start == 0 and end == count:
        noun = "rows" if dimension == "ROWS" else "columns"
        raise Problem(f"You can't delete all the {noun} on the sheet.")
    workbook.delete_dimension(sheet, dimension, start, end - start)
    return {}


def move_dimension(workbook: Workbook, body: JsonDict, _requester: Requester) -> Reply:
    sheet, dimension, start, end = _dimension_range(workbook, body.get("source"))
    count = sheet.row_count if dimension == "ROWS" else sheet.column_count
    destination = _int(body, "destinationIndex")
    if end > count or not 0 <= destination <= count:
        raise Problem("The source or destination is outside the grid.")
    if not start <= destination <= end:
        workbook.move_dimension(sheet, dimension, start, end, destination)
    return {}


def sort_range(workbook: Workbook, body: JsonDict, _requester: Requester) -> Reply:
    sheet, span = grid_range(workbook, body.get("range"))
    box = span.box(sheet.row_count, sheet.column_count)
    keys: list[tuple[int, bool]] = []
    for spec in body.get("sortSpecs") or []:
        column = _int(spec, "dimensionIndex", 0)
        if not box.left <= column < box.right:
            raise Problem(f"Sort column {column} is outside the range.")
        keys.append((column, spec.get("sortOrder", "ASCENDING") == "DESCENDING"))
    sheet.sort(box, keys or [(box.left, False)])
    return {}


# Validation and protection ---------------------------------------------------------------------------


def _validation_rule(rule: JsonDict) -> dict[str, JsonValue]:
    condition = rule.get("condition") or {}
    kind = condition.get("type")
    schemas = discovery_schemas("sheets", "v4")
    known = schemas["BooleanCondition"]["properties"]["type"]["enum"] if schemas else None
    if not kind or (known is not None and kind not in known) or kind == "CONDITION_TYPE_UNSPECIFIED":
        raise Problem(f"Invalid data validation condition type: {kind!r}")
    values = condition.get("values") or []
    if kind in {"ONE_OF_LIST", "ONE_OF_RANGE"} and not values:
        raise Problem(f"A {kind} condition needs at least one value.")
    stored: dict[str, JsonValue] = {"condition": {"type": kind, **({"values": values} if values else {})}}
    # Proto3 JSON leaves out false and empty fields.
    for key in ("inputMessage", "strict", "showCustomUi"):
        if rule.get(key):
            stored[key] = rule[key]
    return stored


def set_data_validation(workbook: Workbook, body: JsonDict, _requester: Requester) -> Reply:
    sheet, span = grid_range(workbook, body.get("range"))
    rule = _validation_rule(body["rule"]) if body.get("rule") else None
    box = span.box(sheet.row_count, sheet.column_count)
    for row in range(box.top, box.bottom):
        for col in range(box.left, box.right):
            current = sheet.cell(row, col)
            sheet.put(row, col, Cell(current.kind, current.value, current.number_format, rule))
    return {}


def add_protected_range(workbook: Workbook, body: JsonDict, requester: Requester) -> Reply:
    spec: JsonDict = body.get("protectedRange") or {}
    if "namedRangeId" in spec:
        raise Problem("Named ranges are not imitated by the provider sandbox; give a range.")
    sheet, span = grid_range(workbook, spec.get("range"))
    range_id = _int(spec, "protectedRangeId") if spec.get("protectedRangeId") is not None else new_int_id()
    if any(p.protected_range_id == range_id for s in workbook.sheets for p in s.protected):
        raise Problem(f"A protected range with ID {range_id} already exists.")
    warning_only = bool(spec.get("warningOnly", False))
    editors: list[str] = []
    if not warning_only:
        given = (spec.get("editors") or {}).get("users") or []
        editors = list(dict.fromkeys([requester.login, *map(str, given)]))
    protected = ProtectedRange(range_id, span, spec.get("description") or None, warning_only, editors)
    sheet.protected.append(protected)
    return {"addProtectedRange": {"protectedRange": protected.to_json(sheet.sheet_id)}}


def delete_protected_range(workbook: Workbook, body: JsonDict, _requester: Requester) -> Reply:
    range_id = _int(body, "protectedRangeId")
    for sheet in workbook.sheets:
        for protected in sheet.protected:
            if protected.protected_range_id == range_id:
                sheet.protected.remove(protected)
                return {}
    raise Problem(f"No protected range with id: {range_id}")


# Developer metadata -------------------------------------------------------------------------------------


def _location(workbook: Workbook, location: JsonDict) -> tuple[int | None, Dimension | None, int, int]:
    if location.get("spreadsheet"):
        return None, None, 0, 0
    if "dimensionRange" in location:
        sheet, dimension, start, end = _dimension_range(workbook, location["dimensionRange"])
        count = sheet.row_count if dimension == "ROWS" else sheet.column_count
        if end > count:
            raise Problem("The metadata location is outside the grid.")
        return sheet.sheet_id, dimension, start, end
    if "sheetId" in location:
        return _sheet(workbook, _int(location, "sheetId")).sheet_id, None, 0, 0
    raise Problem("A developer metadata location must be set.")


def create_developer_metadata(workbook: Workbook, body: JsonDict, requester: Requester) -> Reply:
    spec: JsonDict = body.get("developerMetadata") or {}
    key = spec.get("metadataKey")
    if not key:
        raise Problem("metadataKey is required.")
    visibility = spec.get("visibility")
    if visibility not in {"DOCUMENT", "PROJECT"}:
        raise Problem("visibility must be DOCUMENT or PROJECT.")
    metadata_id = _int(spec, "metadataId") if spec.get("metadataId") is not None else new_int_id()
    if any(m.metadata_id == metadata_id for m in workbook.metadata):
        raise Problem(f"Developer metadata with ID {metadata_id} already exists.")
    sheet_id, dimension, start, end = _location(workbook, spec.get("location") or {})
    value = spec.get("metadataValue")
    meta = DeveloperMetadata(
        metadata_id,
        str(key),
        None if value is None else str(value),
        str(visibility),
        requester.project,
        sheet_id,
        dimension,
        start,
        end,
    )
    workbook.metadata.append(meta)
    return {"createDeveloperMetadata": {"developerMetadata": meta.to_json()}}


def lookup_matches(meta: DeveloperMetadata, lookup: JsonDict) -> bool:
    """Whether metadata matches a DeveloperMetadataLookup (ids, key, value, visibility, location)."""
    if "metadataId" in lookup and _int(lookup, "metadataId") != meta.metadata_id:
        return False
    if "metadataKey" in lookup and lookup["metadataKey"] != meta.key:
        return False
    if "metadataValue" in lookup and lookup["metadataValue"] != meta.value:
        return False
    if "visibility" in lookup and lookup["visibility"] != meta.visibility:
        return False
    if "locationType" in lookup and lookup["locationType"] != meta.location_type:
        return False
    location = lookup.get("metadataLocation")
    if location:
        return _location_matches(meta, location, lookup.get("locationMatchingStrategy", "EXACT_LOCATION"))
    return True


def _location_matches(meta: DeveloperMetadata, location: JsonDict, strategy: str) -> bool:
    if location.get("spreadsheet"):
        return meta.sheet_id is None
    if "sheetId" in location:
        return meta.sheet_id == _int(location, "sheetId") and meta.dimension is None
    wanted = location.get("dimensionRange") or {}
    if meta.sheet_id != _int(wanted, "sheetId", 0) or meta.dimension != wanted.get("dimension"):
        return False
    start, end = _int(wanted, "startIndex", 0), _int(wanted, "endIndex", 0)
    if strategy == "INTERSECTING_LOCATION":
        return meta.start < end and start < meta.end
    return (meta.start, meta.end) == (start, end)


def delete_developer_metadata(workbook: Workbook, body: JsonDict, requester: Requester) -> Reply:
    lookup = (body.get("dataFilter") or {}).get("developerMetadataLookup")
    if not lookup:
        raise Problem("Only developerMetadataLookup data filters are imitated by the provider sandbox.")
    visible = set(map(id, workbook.visible_metadata(requester.project)))
    deleted = [m for m in workbook.metadata if id(m) in visible and lookup_matches(m, lookup)]
    workbook.metadata = [m for m in workbook.metadata if m not in deleted]
    reply: dict[str, JsonValue] = {}
    if deleted:
        reply["deletedDeveloperMetadata"] = [m.to_json() for m in deleted]
    return {"deleteDeveloperMetadata": reply}


_HANDLERS: dict[str, RequestHandler] = {
    "addSheet": add_sheet,
    "deleteSheet": delete_sheet,
    "updateSheetProperties": update_sheet_properties,
    "updateSpreadsheetProperties": update_spreadsheet_properties,
    "updateCells": update_cells,
    "appendCells": append_cells,
    "insertDimension": insert_dimension,
    "appendDimension": append_dimension,
    "deleteDimension": delete_dimension,
    "moveDimension": move_dimension,
    "sortRange": sort_range,
    "setDataValidation": set_data_validation,
    "addProtectedRange": add_protected_range,
    "deleteProtectedRange": delete_protected_range,
    "createDeveloperMetadata": create_developer_metadata,
    "deleteDeveloperMetadata": delete_developer_metadata,
}
