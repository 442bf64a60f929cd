"""Google Sheets API v4 at sheets.googleapis.com: spreadsheets, values and batchUpdate.

Every call needs a bearer token from the sandbox's Google OAuth with a scope the method accepts, and is
counted against the user's Sheets read or write quota (see workspace.py). Ranges arrive percent-encoded
and decoded by the server; `:append` and `:clear` are told apart by the POST method. Responses honour
`fields` masks and use Google's error envelope. See local/README.md for what is not imitated.
"""

from collections.abc import Mapping
from typing import Any, Literal

from pydantic import JsonValue
from werkzeug.wrappers import Request, Response

from provider_sandbox.a1 import A1Error, Span
from provider_sandbox.cells import DATE_TIME_RENDERS, INPUT_OPTIONS, VALUE_RENDERS, InputOption
from provider_sandbox.fieldmask import FieldMaskError, Mask, apply_mask, selects
from provider_sandbox.google import google_api_error_style
from provider_sandbox.google_api import (
    DRIVE,
    DRIVE_FILE,
    DRIVE_READONLY,
    SPREADSHEETS,
    SPREADSHEETS_READONLY,
    GoogleApiError,
    api_handler,
    authenticate,
    bad_request,
    bool_param,
    check_params,
    enum_param,
    fields_mask,
    json_body,
    not_found,
)
from provider_sandbox.oauth import AccessToken
from provider_sandbox.responses import json_response
from provider_sandbox.routing import Router, SandboxContext
from provider_sandbox.sheet_values import (
    INSERT_DATA_OPTIONS,
    MAJOR_DIMENSIONS,
    InsertDataOption,
    InvalidRequest,
    MajorDimension,
    Write,
    apply_append,
    clear,
    plan_append,
    plan_write,
    resolve,
    value_range,
)
from provider_sandbox.sheets_control import SheetsControl
from provider_sandbox.sheets_requests import (
    Problem,
    Requester,
    add_sheet,
    apply_requests,
    lookup_matches,
    write_grid_data,
)
from provider_sandbox.spreadsheet import (
    DeveloperMetadata,
    Sheet,
    Workbook,
    grid_data_json,
)
from provider_sandbox.workspace import SHEETS_SERVICE, GoogleWorkspace, SpreadsheetFile

HOST = SHEETS_SERVICE
READ_SCOPES = frozenset({DRIVE, DRIVE_FILE, DRIVE_READONLY, SPREADSHEETS, SPREADSHEETS_READONLY})
WRITE_SCOPES = frozenset({DRIVE, DRIVE_FILE, SPREADSHEETS})
_RPC = f"{HOST}/google.apps.sheets.v4.SpreadsheetsService."

_RENDER_PARAMS = ("valueRenderOption", "dateTimeRenderOption", "majorDimension")
_WRITE_PARAMS = (
    "valueInputOption",
    "includeValuesInResponse",
    "responseValueRenderOption",
    "responseDateTimeRenderOption",
)


def _mask(request: Request, schema: str) -> Mask | None:
    return fields_mask(request, "sheets", "v4", schema, invalid=bad_request)


def _invalid(exc: InvalidRequest) -> GoogleApiError:
    return bad_request(str(exc))


class SheetsApi:
    def __init__(self, ctx: SandboxContext) -> None:
        self.ctx = ctx
        self.workspace = GoogleWorkspace.of(ctx)

    def install(self, router: Router) -> None:
        router.host_style(HOST, google_api_error_style)
        SheetsControl(self.workspace).install(router)
        base = "/v4/spreadsheets"
        sid = "<sid>"
        routes: list[tuple[str, list[str], Any]] = [
            (base, ["POST"], self.create),
            (f"{base}/{sid}", ["GET"], self.get),
            (f"{base}/{sid}:batchUpdate", ["POST"], self.batch_update),
            (f"{base}/{sid}/values:batchGet", ["GET"], self.values_batch_get),
            (f"{base}/{sid}/values:batchUpdate", ["POST"], self.values_batch_update),
            (f"{base}/{sid}/values/<path:range>", ["GET"], self.values_get),
            (f"{base}/{sid}/values/<path:range>", ["PUT"], self.values_update),
            (f"{base}/{sid}/values/<path:range>", ["POST"], self.values_post),
            (f"{base}/{sid}/developerMetadata/<mid>", ["GET"], self.metadata_get),
            (f"{base}/{sid}/developerMetadata:search", ["POST"], self.metadata_search),
        ]
        for path, methods, handler in routes:
            router.add(HOST, path, methods, api_handler(handler), google_api_error_style)

    # Shared steps --------------------------------------------------------------------------------------

    def _access(
        self, request: Request, kind: Literal["read", "write"], rpc: str, scopes: frozenset[str]
    ) -> AccessToken:
        access = authenticate(self.ctx, request, scopes, _RPC + rpc)
        self.workspace.charge(access, kind)
        return access

    def _respond(self, request: Request, body: dict[str, JsonValue], schema: str) -> Response:
        return json_response(apply_mask(body, _mask(request, schema)))

    @staticmethod
    def _render_options(request: Request, prefix: str = "") -> tuple[Any, Any]:
        value_name = f"{prefix}valueRenderOption" if not prefix else f"{prefix}ValueRenderOption"
        date_name = f"{prefix}dateTimeRenderOption" if not prefix else f"{prefix}DateTimeRenderOption"
        option = enum_param(
            request, value_name, VALUE_RENDERS, "FORMATTED_VALUE", "google.apps.sheets.v4.ValueRenderOption"
        )
        date_time = enum_param(
            request, date_name, DATE_TIME_RENDERS, "SERIAL_NUMBER", "google.apps.sheets.v4.DateTimeRenderOption"
        )
        return option, date_time

    @staticmethod
    def _input_option(value: object) -> InputOption:
        for option in INPUT_OPTIONS:
            if value == option:
                return option
        if value in {None, "", "INPUT_VALUE_OPTION_UNSPECIFIED"}:
            raise bad_request("Invalid valueInputOption: INPUT_VALUE_OPTION_UNSPECIFIED")
        raise bad_request(
            "Invalid value at 'value_input_option' "
            f'(type.googleapis.com/google.apps.sheets.v4.ValueInputOption), "{value}"'
        )

    @staticmethod
    def _major(value: object, where: str = "major_dimension") -> MajorDimension:
        if value in {None, "", "DIMENSION_UNSPECIFIED"}:
            return "ROWS"
        for major in MAJOR_DIMENSIONS:
            if value == major:
                return major
        raise bad_request(
            f"Invalid value at '{where}' (type.googleapis.com/google.apps.sheets.v4.Dimension), \"{value}\""
        )

    # spreadsheets.create / get / batchUpdate ------------------------------------------------------------

    def create(self, request: Request, _values: Mapping[str, Any]) -> Response:
        access = self._access(request, "write", "CreateSpreadsheet", WRITE_SCOPES)
        check_params(request, ())
        body = json_body(request)
        props: dict[str, Any] = body.get("properties") or {}
        workbook = Workbook(str(props.get("title") or "Untitled spreadsheet"), [])
        if props.get("locale"):
            workbook.locale = str(props["locale"])
        if props.get("timeZone"):
            workbook.time_zone = str(props["timeZone"])
        requester = Requester(access.login, access.client_id)
        sheets: list[dict[str, Any]] = body.get("sheets") or [{}]
        for position, spec in enumerate(sheets):
            sheet_props = dict(spec.get("properties") or {})
            if position == 0 and sheet_props.get("sheetId") is None:
                sheet_props["sheetId"] = 0
            before = {s.sheet_id for s in workbook.sheets}
            try:
                add_sheet(workbook, {"properties": sheet_props}, requester)
                added = next(s for s in workbook.sheets if s.sheet_id not in before)
                for grid in spec.get("data") or []:
                    write_grid_data(workbook, added, grid)
            except (Problem, InvalidRequest, FieldMaskError) as exc:
                raise bad_request(f"Invalid sheets[{position}]: {exc}") from exc
        with self.ctx.lock:
            file = self.workspace.create(access.login, workbook, created_by=access.client_id)
            return self._respond(request, self._spreadsheet_json(file, access, None, with_data=False), "Spreadsheet")

    def get(self, request: Request, values: Mapping[str, Any]) -> Response:
        access = self._access(request, "read", "GetSpreadsheet", READ_SCOPES)
        check_params(request, ("ranges", "includeGridData", "excludeTablesInBandedRanges", "commentsViewMode"))
        mask = _mask(request, "Spreadsheet")
        include = bool_param(request, "includeGridData")
        # A field mask wins over includeGridData.
        with_data = selects(mask, "sheets", "data") if mask is not None else include
        with self.ctx.lock:
            file = self.workspace.open(access, values["sid"])
            ranges = request.args.getlist("ranges")
            body = self._spreadsheet_json(file, access, ranges or None, with_data=with_data)
            return json_response(apply_mask(body, mask))

    def _spreadsheet_json(
        self, file: SpreadsheetFile, access: AccessToken, ranges: list[str] | None, *, with_data: bool
    ) -> dict[str, JsonValue]:
        workbook = file.workbook
        # With ranges, only the sheets they name come back, each with the data of its ranges.
        selected: dict[int, list[Span | None]] = {}
        if ranges is None:
            selected = {s.sheet_id: [None] for s in workbook.sheets}
        else:
            for text in ranges:
                try:
                    sheet, span = resolve(workbook, text)
                except InvalidRequest as exc:
                    raise _invalid(exc) from exc
                selected.setdefault(sheet.sheet_id, []).append(span)
        metadata = list(workbook.visible_metadata(access.client_id))
        sheets: list[JsonValue] = []
        for index, sheet in enumerate(workbook.sheets):
            if sheet.sheet_id not in selected:
                continue
            sheets.append(self._sheet_json(sheet, index, selected[sheet.sheet_id], metadata, with_data=with_data))
        body: dict[str, JsonValue] = {
            "spreadsheetId": file.file_id,
            "properties": workbook.properties_json(),
            "sheets": sheets,
            "spreadsheetUrl": file.url,
        }
        top_metadata: list[JsonValue] = [m.to_json() for m in metadata if m.sheet_id is None]
        if top_metadata:
            body["developerMetadata"] = top_metadata
        return body

    @staticmethod
    def _sheet_json(
        sheet: Sheet, index: int, spans: list[Span | None], metadata: list[DeveloperMetadata], *, with_data: bool
    ) -> dict[str, JsonValue]:
        body: dict[str, JsonValue] = {"properties": sheet.properties_json(index)}
        if with_data:
            body["data"] = [
                _with_dimension_metadata(grid_data_json(sheet, span), sheet, span, metadata) for span in spans
            ]
        if sheet.protected:
            body["protectedRanges"] = [p.to_json(sheet.sheet_id) for p in sheet.protected]
        own: list[JsonValue] = [m.to_json() for m in metadata if m.sheet_id == sheet.sheet_id and m.dimension is None]
        if own:
            body["developerMetadata"] = own
        return body

    def batch_update(self, request: Request, values: Mapping[str, Any]) -> Response:
        access = self._access(request, "write", "BatchUpdateSpreadsheet", WRITE_SCOPES)
        check_params(request, ())
        body = json_body(request)
        requests = body.get("requests")
        if not requests:
            raise bad_request("Must specify at least one request.")
        with self.ctx.lock:
            file = self.workspace.open(access, values["sid"])
            # Atomic: the batch runs on a copy that replaces the workbook only if every request succeeded.
            draft = file.workbook.clone()
            try:
                replies = apply_requests(draft, requests, Requester(access.login, access.client_id))
            except InvalidRequest as exc:
                raise _invalid(exc) from exc
            file.workbook = draft
            self.workspace.touch(file)
            reply: dict[str, JsonValue] = {"spreadsheetId": file.file_id, "replies": list[JsonValue](replies)}
            if body.get("includeSpreadsheetInResponse"):
                ranges = body.get("responseRanges") or None
                with_data = bool(body.get("responseIncludeGridData"))
                reply["updatedSpreadsheet"] = self._spreadsheet_json(file, access, ranges, with_data=with_data)
            return self._respond(request, reply, "BatchUpdateSpreadsheetResponse")

    # values.get / batchGet ------------------------------------------------------------------------------

    def values_get(self, request: Request, values: Mapping[str, Any]) -> Response:
        access = self._access(request, "read", "GetValues", READ_SCOPES)
        check_params(request, _RENDER_PARAMS)
        option, date_time = self._render_options(request)
        major = self._major(request.args.get("majorDimension"))
        with self.ctx.lock:
            file = self.workspace.open(access, values["sid"])
            try:
                sheet, span = resolve(file.workbook, values["range"])
                body = value_range(file.workbook, sheet, span, option, date_time, major)
            except InvalidRequest as exc:
                raise _invalid(exc) from exc
            return self._respond(request, body, "ValueRange")

    def values_batch_get(self, request: Request, values: Mapping[str, Any]) -> Response:
        access = self._access(request, "read", "BatchGetValues", READ_SCOPES)
        check_params(request, ("ranges", *_RENDER_PARAMS))
        option, date_time = self._render_options(request)
        major = self._major(request.args.get("majorDimension"))
        with self.ctx.lock:
            file = self.workspace.open(access, values["sid"])
            ranges: list[JsonValue] = []
            try:
                for text in request.args.getlist("ranges"):
                    sheet, span = resolve(file.workbook, text)
                    ranges.append(value_range(file.workbook, sheet, span, option, date_time, major))
            except InvalidRequest as exc:
                raise _invalid(exc) from exc
            body: dict[str, JsonValue] = {"spreadsheetId": file.file_id}
            if ranges:
                body["valueRanges"] = ranges
            return self._respond(request, body, "BatchGetValuesResponse")

    # values.update / batchUpdate / append ---------------------------------------------------------------

    def _updated(
        self,
        file: SpreadsheetFile,
        write: Write,
        include: bool,
        response_render: tuple[Any, Any],
    ) -> dict[str, JsonValue]:
        body: dict[str, JsonValue] = {"spreadsheetId": file.file_id, **write.stats(file.workbook)}
        if include:
            option, date_time = response_render
            body["updatedData"] = value_range(file.workbook, write.sheet, write.span, option, date_time, "ROWS")
        return body

    def _check_body_range(self, workbook: Workbook, body: dict[str, Any], url_range: str) -> None:
        given = body.get("range")
        if not given:
            return
        try:
            (body_sheet, body_span), (url_sheet, url_span) = workbook.resolve(given), workbook.resolve(url_range)
            same = body_sheet is url_sheet and body_span == url_span
        except A1Error:
            same = False
        if not same:
            raise bad_request(f"Requested range [{given}] does not match the range in the URL [{url_range}].")

    def values_update(self, request: Request, values: Mapping[str, Any]) -> Response:
        access = self._access(request, "write", "UpdateValues", WRITE_SCOPES)
        check_params(request, _WRITE_PARAMS)
        option = self._input_option(request.args.get("valueInputOption"))
        include = bool_param(request, "includeValuesInResponse")
        response_render = self._render_options(request, "response")
        body = json_body(request)
        major = self._major(body.get("majorDimension"))
        with self.ctx.lock:
            file = self.workspace.open(access, values["sid"])
            try:
                self._check_body_range(file.workbook, body, values["range"])
                write = plan_write(file.workbook, values["range"], body.get("values"), major, option)
            except InvalidRequest as exc:
                raise _invalid(exc) from exc
            write.apply()
            self.workspace.touch(file)
            return self._respond(request, self._updated(file, write, include, response_render), "UpdateValuesResponse")

    def values_batch_update(self, request: Request, values: Mapping[str, Any]) -> Response:
        access = self._access(request, "write", "BatchUpdateValues", WRITE_SCOPES)
        check_params(request, ())
        body = json_body(request)
        option = self._input_option(body.get("valueInputOption"))
        include = bool(body.get("includeValuesInResponse"))
        response_render = (
            body.get("responseValueRenderOption") or "FORMATTED_VALUE",
            body.get("responseDateTimeRenderOption") or "SERIAL_NUMBER",
        )
        if response_render[0] not in VALUE_RENDERS or response_render[1] not in DATE_TIME_RENDERS:
            raise bad_request(f"Invalid response render options: {response_render}")
        data = body.get("data") or []
        if not isinstance(data, list):
            raise bad_request("Invalid value at 'data' (type.googleapis.com/google.apps.sheets.v4.ValueRange)")
        with self.ctx.lock:
            file = self.workspace.open(access, values["sid"])
            # Every range is checked before any is written: one bad range and nothing changes.
            writes: list[Write] = []
            for index, item in enumerate(data):
                if not isinstance(item, dict) or not item.get("range"):
                    raise bad_request(f"Invalid data[{index}]: a range is required.")
                major = self._major(item.get("majorDimension"), f"data[{index}].major_dimension")
                try:
                    writes.append(plan_write(file.workbook, item["range"], item.get("values"), major, option))
                except InvalidRequest as exc:
                    raise bad_request(f"Invalid data[{index}]: {exc}") from exc
            for write in writes:
                write.apply()
            if writes:
                self.workspace.touch(file)
            responses = [self._updated(file, write, include, response_render) for write in writes]
            reply: dict[str, JsonValue] = {"spreadsheetId": file.file_id}
            totals = {
                "totalUpdatedRows": sum(int(str(r.get("updatedRows", 0))) for r in responses),
                "totalUpdatedColumns": sum(int(str(r.get("updatedColumns", 0))) for r in responses),
                "totalUpdatedCells": sum(int(str(r.get("updatedCells", 0))) for r in responses),
                "totalUpdatedSheets": len({w.sheet.sheet_id for w in writes if w.cells}),
            }
            reply.update({k: v for k, v in totals.items() if v})
            if responses:
                reply["responses"] = list[JsonValue](responses)
            return self._respond(request, reply, "BatchUpdateValuesResponse")

    def values_post(self, request: Request, values: Mapping[str, Any]) -> Response:
        text: str = values["range"]
        if text.endswith(":append"):
            return self._append(request, values["sid"], text.removesuffix(":append"))
        if text.endswith(":clear"):
            return self._clear(request, values["sid"], text.removesuffix(":clear"))
        raise not_found("Method not found.")

    def _append(self, request: Request, sid: str, range_text: str) -> Response:
        access = self._access(request, "write", "AppendValues", WRITE_SCOPES)
        check_params(request, (*_WRITE_PARAMS, "insertDataOption"))
        option = self._input_option(request.args.get("valueInputOption"))
        insert: InsertDataOption = enum_param(
            request, "insertDataOption", INSERT_DATA_OPTIONS, "OVERWRITE", "google.apps.sheets.v4.InsertDataOption"
        )
        include = bool_param(request, "includeValuesInResponse")
        response_render = self._render_options(request, "response")
        body = json_body(request)
        major = self._major(body.get("majorDimension"))
        with self.ctx.lock:
            file = self.workspace.open(access, sid)
            try:
                self._check_body_range(file.workbook, body, range_text)
                append = plan_append(file.workbook, range_text, body.get("values"), major, option, insert)
            except InvalidRequest as exc:
                raise _invalid(exc) from exc
            reply: dict[str, JsonValue] = {"spreadsheetId": file.file_id}
            if append.table is not None:
                reply["tableRange"] = file.workbook.a1(append.write.sheet, append.table.span)
            apply_append(file.workbook, append)
            self.workspace.touch(file)
            reply["updates"] = self._updated(file, append.write, include, response_render)
            return self._respond(request, reply, "AppendValuesResponse")

    # values.clear --------------------------------------------------------------------------------------

    def _clear(self, request: Request, sid: str, range_text: str) -> Response:
        access = self._access(request, "write", "ClearValues", WRITE_SCOPES)
        check_params(request, ())
        with self.ctx.lock:
            file = self.workspace.open(access, sid)
            try:
                sheet, span = clear(file.workbook, range_text)
            except InvalidRequest as exc:
                raise _invalid(exc) from exc
            self.workspace.touch(file)
            body: dict[str, JsonValue] = {"spreadsheetId": file.file_id, "clearedRange": file.workbook.a1(sheet, span)}
            return self._respond(request, body, "ClearValuesResponse")

    # developerMetadata.get / search ---------------------------------------------------------------------

    def metadata_get(self, request: Request, values: Mapping[str, Any]) -> Response:
        access = self._access(request, "read", "GetDeveloperMetadata", WRITE_SCOPES)
        check_params(request, ())
        with self.ctx.lock:
            file = self.workspace.open(access, values["sid"])
            wanted = str(values["mid"])
            for meta in file.workbook.visible_metadata(access.client_id):
                if str(meta.metadata_id) == wanted:
                    return self._respond(request, meta.to_json(), "DeveloperMetadata")
            raise not_found()

    def metadata_search(self, request: Request, values: Mapping[str, Any]) -> Response:
        access = self._access(request, "read", "SearchDeveloperMetadata", WRITE_SCOPES)
        check_params(request, ())
        filters = json_body(request).get("dataFilters") or []
        with self.ctx.lock:
            file = self.workspace.open(access, values["sid"])
            matched: dict[int, tuple[DeveloperMetadata, list[JsonValue]]] = {}
            visible = list(file.workbook.visible_metadata(access.client_id))
            for data_filter in filters:
                lookup = (data_filter or {}).get("developerMetadataLookup")
                if not lookup:
                    raise bad_request("The provider sandbox imitates developerMetadataLookup data filters only.")
                try:
                    hits = [m for m in visible if lookup_matches(m, lookup)]
                except ValueError as exc:
                    raise bad_request(f"Invalid dataFilters: {exc}") from exc
                for meta in hits:
                    matched.setdefault(meta.metadata_id, (meta, []))[1].append(data_filter)
            body: dict[str, JsonValue] = {}
            if matched:
                body["matchedDeveloperMetadata"] = [
                    {"developerMetadata": meta.to_json(), "dataFilters": used} for meta, used in matched.values()
                ]
            return self._respond(request, body, "SearchDeveloperMetadataResponse")


def _with_dimension_metadata(
    grid: dict[str, JsonValue], sheet: Sheet, span: Span | None, metadata: list[DeveloperMetadata]
) -> dict[str, JsonValue]:
    """Row and column developer metadata show in the grid's DimensionProperties."""
    box = (span or Span()).box(sheet.row_count, sheet.column_count)
    for key, dimension, first in (("rowMetadata", "ROWS", box.top), ("columnMetadata", "COLUMNS", box.left)):
        entries = grid[key]
        assert isinstance(entries, list)
        for meta in metadata:
            if meta.sheet_id != sheet.sheet_id or meta.dimension != dimension:
                continue
            for index in range(meta.start, meta.end):
                if 0 <= index - first < len(entries):
                    entry = entries[index - first]
                    assert isinstance(entry, dict)
                    listed = entry.setdefault("developerMetadata", [])
                    assert isinstance(listed, list)
                    listed.append(meta.to_json())
    return grid
