"""Airtable's Web API for bases and records, on api.airtable.com/v0.

Served: GET /v0/meta/whoami, GET /v0/meta/bases, GET /v0/meta/bases/{baseId}/tables, and on
/v0/{baseId}/{tableIdOrName}: GET (list), POST /listRecords (the same list, parameters in the body),
GET /{recordId}, POST (create), PATCH (update, or upsert with performUpsert), PATCH and PUT
/{recordId}, DELETE (records[]) and DELETE /{recordId}. A PUT of many records (destructive update) is not
imitated: neither Tracker nor a contract test sends one. Every call checks the token, its scope and the
per-base rate limit first.
"""

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial
from typing import Any

from pydantic import JsonValue
from werkzeug.wrappers import Request, Response

from provider_sandbox.airtable import API_HOST, airtable_api_error, airtable_user_id
from provider_sandbox.airtable_cells import Field
from provider_sandbox.airtable_store import MAX_RECORDS_PER_REQUEST, Base, Record, StoreError, Table, WriteItem, new_id
from provider_sandbox.airtable_workspace import AirtableWorkspace, Caller
from provider_sandbox.responses import json_response
from provider_sandbox.routing import Router, SandboxContext

READ = "data.records:read"
WRITE = "data.records:write"
SCHEMA = "schema.bases:read"
MAX_PAGE_SIZE = 100

Handler = Callable[[Request, Mapping[str, Any]], Response]


class ApiError(Exception):
    """Answered as Airtable's error envelope."""

    def __init__(self, status: int, error_type: str | None = None, message: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.error_type = error_type
        self.message = message

    def response(self) -> Response:
        return airtable_api_error(self.status, self.message, error_type=self.error_type)


@dataclass(frozen=True)
class Call:
    """An authenticated, admitted call on one base."""

    caller: Caller
    base: Base
    request: Request


class AirtableGate:
    """The checks every Web API call passes: token (401), rate limit (429), scope and base access (403)."""

    def __init__(self, workspace: AirtableWorkspace) -> None:
        self.workspace = workspace

    def caller(self, request: Request, scope: str) -> Caller:
        caller = self.workspace.caller(request)
        if caller is None:
            raise ApiError(401)
        if scope not in caller.scopes:
            raise ApiError(403)
        return caller

    def call(self, request: Request, base_id: str, scope: str) -> Call:
        if not self.workspace.admit(base_id):
            raise ApiError(429)
        caller = self.caller(request, scope)
        base = self.workspace.store.bases.get(base_id)
        # Airtable does not say whether a base exists to a caller who may not open it.
        if base is None or caller.login not in base.collaborators:
            raise ApiError(403)
        return Call(caller, base, request)

    def serve(self, body: Callable[[], Response]) -> Response:
        try:
            with self.workspace.lock:
                return body()
        except ApiError as error:
            return error.response()
        except StoreError as error:
            return airtable_api_error(error.status, error.message, error_type=error.error_type)


def table_of(base: Base, key: str) -> Table:
    table = base.table(key)
    if table is None:
        raise ApiError(404, "NOT_FOUND", f"Could not find table {key} in application {base.id}")
    return table


def json_body(request: Request) -> dict[str, Any]:
    try:
        body = json.loads(request.get_data() or b"{}")
    except ValueError:
        raise ApiError(400, "INVALID_REQUEST_BODY", "Could not parse request body") from None
    if not isinstance(body, dict):
        raise ApiError(422, "INVALID_REQUEST_UNKNOWN")
    return body


def _flag(value: Any) -> bool:
    return value in {True, "1", "true", "True"}


@dataclass(frozen=True)
class ListParams:
    page_size: int
    max_records: int | None
    offset: str | None
    view: str | None
    formula: str | None
    fields: list[str] | None
    by_id: bool
    sort: list[tuple[str, bool]]

    @classmethod
    def from_query(cls, request: Request) -> "ListParams":
        args = request.args
        sort: list[tuple[str, bool]] = []
        index = 0
        while f"sort[{index}][field]" in args:
            sort.append((args[f"sort[{index}][field]"], args.get(f"sort[{index}][direction]") == "desc"))
            index += 1
        fields = args.getlist("fields[]") or args.getlist("fields")
        return cls._checked(
            args.get("pageSize"),
            args.get("maxRecords"),
            args.get("offset"),
            args.get("view"),
            args.get("filterByFormula"),
            fields or None,
            _flag(args.get("returnFieldsByFieldId")),
            sort,
            args.get("cellFormat"),
        )

    @classmethod
    def from_body(cls, body: Mapping[str, Any]) -> "ListParams":
        sort = [
            (s.get("field", ""), s.get("direction") == "desc") for s in body.get("sort") or [] if isinstance(s, dict)
        ]
        return cls._checked(
            body.get("pageSize"),
            body.get("maxRecords"),
            body.get("offset"),
            body.get("view"),
            body.get("filterByFormula"),
            body.get("fields"),
            _flag(body.get("returnFieldsByFieldId")),
            sort,
            body.get("cellFormat"),
        )

    @classmethod
    def _checked(
        cls,
        page_size: Any,
        max_records: Any,
        offset: Any,
        view: Any,
        formula: Any,
        fields: Any,
        by_id: bool,
        sort: list[tuple[str, bool]],
        cell_format: Any,
    ) -> "ListParams":
        if cell_format not in {None, "json"}:
            # cellFormat=string (with timeZone and userLocale) is not imitated.
            raise ApiError(422, "INVALID_REQUEST_UNKNOWN", "cellFormat=string is not served by the sandbox")
        try:
            size = MAX_PAGE_SIZE if page_size is None else int(page_size)
            most = None if max_records is None else int(max_records)
        except ValueError:
            raise ApiError(422, "INVALID_REQUEST_UNKNOWN") from None
        if size < 1 or (most is not None and most < 1):
            raise ApiError(422, "INVALID_REQUEST_UNKNOWN")
        if fields is not None and not (isinstance(fields, list) and all(isinstance(f, str) for f in fields)):
            raise ApiError(422, "INVALID_REQUEST_UNKNOWN")
        return cls(min(size, MAX_PAGE_SIZE), most, offset, view, formula, fields, by_id, sort)


class AirtableRecordsApi:
    """Meta and records routes; the iterators behind `offset` live as long as the sandbox."""

    def __init__(self, ctx: SandboxContext) -> None:
        self.workspace = AirtableWorkspace.of(ctx)
        self.gate = AirtableGate(self.workspace)
        # offset -> the record ids the listing had left to return when it was made.
        self._iterators: dict[str, list[str]] = {}

    def install(self, router: Router) -> None:
        routes: list[tuple[str, list[str], Handler]] = [
            ("/v0/meta/whoami", ["GET"], self.whoami),
            ("/v0/meta/bases", ["GET"], self.list_bases),
            ("/v0/meta/bases/<base_id>/tables", ["GET"], self.base_schema),
            ("/v0/<base_id>/<table>", ["GET"], self.list_records),
            ("/v0/<base_id>/<table>/listRecords", ["POST"], self.list_records_post),
            ("/v0/<base_id>/<table>", ["POST"], self.create_records),
            ("/v0/<base_id>/<table>", ["PATCH"], self.update_records),
            ("/v0/<base_id>/<table>", ["DELETE"], self.delete_records),
            ("/v0/<base_id>/<table>/<record_id>", ["GET"], self.get_record),
            ("/v0/<base_id>/<table>/<record_id>", ["PATCH", "PUT"], self.update_record),
            ("/v0/<base_id>/<table>/<record_id>", ["DELETE"], self.delete_record),
        ]
        for path, methods, handler in routes:
            router.add(API_HOST, path, methods, handler)

    # Meta -----------------------------------------------------------------------------------------

    def whoami(self, request: Request, _values: Mapping[str, Any]) -> Response:
        """The token's user (OAuth or personal access token): id, scopes, and email with user.email:read."""

        def body() -> Response:
            caller = self.workspace.caller(request)
            if caller is None:
                raise ApiError(401)
            scopes: list[JsonValue] = [*sorted(caller.scopes)]
            answer: dict[str, JsonValue] = {"id": airtable_user_id(caller.login), "scopes": scopes}
            if "user.email:read" in caller.scopes:
                answer["email"] = caller.login
            return json_response(answer)

        return self.gate.serve(body)

    def list_bases(self, request: Request, _values: Mapping[str, Any]) -> Response:
        def body() -> Response:
            caller = self.gate.caller(request, SCHEMA)
            bases: list[JsonValue] = [
                {"id": b.id, "name": b.name, "permissionLevel": "create"}
                for b in self.workspace.store.bases_of(caller.login)
            ]
            return json_response({"bases": bases})

        return self.gate.serve(body)

    def base_schema(self, request: Request, values: Mapping[str, Any]) -> Response:
        def body() -> Response:
            call = self.gate.call(request, values["base_id"], SCHEMA)
            return json_response({"tables": [t.schema() for t in call.base.tables]})

        return self.gate.serve(body)

    # Reads ----------------------------------------------------------------------------------------

    def list_records(self, request: Request, values: Mapping[str, Any]) -> Response:
        return self.gate.serve(lambda: self._list(request, values, lambda: ListParams.from_query(request)))

    def list_records_post(self, request: Request, values: Mapping[str, Any]) -> Response:
        return self.gate.serve(lambda: self._list(request, values, lambda: ListParams.from_body(json_body(request))))

    def _list(self, request: Request, values: Mapping[str, Any], parse: Callable[[], ListParams]) -> Response:
        call = self.gate.call(request, values["base_id"], READ)
        table = table_of(call.base, values["table"])
        params = parse()
        only = self._fields(table, params.fields)
        if params.offset is not None:
            remaining = self._iterators.get(params.offset)
            if remaining is None:
                raise ApiError(422, "LIST_RECORDS_ITERATOR_NOT_AVAILABLE", "The list records iterator is not available")
            ids = [r for r in remaining if r in table.records]
        else:
            records = self.workspace.store.select(table, view=params.view, formula=params.formula)
            for key, descending in reversed(params.sort):
                fld = table.field(key)
                if fld is None:
                    raise ApiError(422, "UNKNOWN_FIELD_NAME", f'Unknown field name: "{key}"')
                records.sort(key=partial(_cell_sort_key, table, fld), reverse=descending)
            ids = [r.id for r in records][: params.max_records]
        page, rest = ids[: params.page_size], ids[params.page_size :]
        body: dict[str, JsonValue] = {
            "records": [table.record_json(table.records[r], by_id=params.by_id, only=only) for r in page]
        }
        if rest:
            offset = f"itr{new_id('')}/{rest[0]}"
            self._iterators[offset] = rest
            body["offset"] = offset
        return json_response(body)

    @staticmethod
    def _fields(table: Table, keys: list[str] | None) -> list[Field] | None:
        if keys is None:
            return None
        chosen: list[Field] = []
        for key in keys:
            fld = table.field(key)
            if fld is None:
                raise ApiError(422, "UNKNOWN_FIELD_NAME", f'Unknown field name: "{key}"')
            chosen.append(fld)
        return chosen

    def get_record(self, request: Request, values: Mapping[str, Any]) -> Response:
        def body() -> Response:
            call = self.gate.call(request, values["base_id"], READ)
            table = table_of(call.base, values["table"])
            record = table.records.get(values["record_id"])
            if record is None:
                raise ApiError(404, "MODEL_ID_NOT_FOUND", "Record not found")
            return json_response(table.record_json(record, by_id=_flag(request.args.get("returnFieldsByFieldId"))))

        return self.gate.serve(body)

    # Writes ---------------------------------------------------------------------------------------

    def create_records(self, request: Request, values: Mapping[str, Any]) -> Response:
        def body() -> Response:
            call, table, payload = self._write_call(request, values)
            single = "records" not in payload
            items = [WriteItem(None, fields) for fields in self._new_fields(payload, single)]
            records, _, _ = self.workspace.store.write(
                call.base, table, items, typecast=_flag(payload.get("typecast")), login=call.caller.login
            )
            return self._records_response(table, records, payload, single)

        return self.gate.serve(body)

    def update_records(self, request: Request, values: Mapping[str, Any]) -> Response:
        def body() -> Response:
            call, table, payload = self._write_call(request, values)
            upsert = payload.get("performUpsert")
            merge_on: list[str] | None = None
            if upsert is not None:
                merge_on = upsert.get("fieldsToMergeOn") if isinstance(upsert, dict) else None
                if not (isinstance(merge_on, list) and merge_on and all(isinstance(k, str) for k in merge_on)):
                    raise ApiError(
                        422, "INVALID_REQUEST_UNKNOWN", "performUpsert.fieldsToMergeOn must list field names"
                    )
            raw = payload.get("records")
            if not isinstance(raw, list):
                raise ApiError(422, "INVALID_REQUEST_UNKNOWN", "records must be an array")
            items = [self._update_item(entry, needs_id=merge_on is None) for entry in raw]
            self._check_count(items, "updated")
            records, created, updated = self.workspace.store.write(
                call.base,
                table,
                items,
                typecast=_flag(payload.get("typecast")),
                merge_on=merge_on,
                login=call.caller.login,
            )
            response = self._records_body(table, records, payload)
            if merge_on is not None:
                response["createdRecords"] = list(created)
                response["updatedRecords"] = list(updated)
            return json_response(response)

        return self.gate.serve(body)

    def update_record(self, request: Request, values: Mapping[str, Any]) -> Response:
        def body() -> Response:
            call, table, payload = self._write_call(request, values)
            fields = payload.get("fields")
            if not isinstance(fields, dict):
                raise ApiError(422, "INVALID_REQUEST_UNKNOWN", "fields must be an object")
            if values["record_id"] not in table.records:
                raise ApiError(404, "MODEL_ID_NOT_FOUND", "Record not found")
            records, _, _ = self.workspace.store.write(
                call.base,
                table,
                [WriteItem(values["record_id"], fields)],
                typecast=_flag(payload.get("typecast")),
                replace=request.method == "PUT",
                login=call.caller.login,
            )
            return self._records_response(table, records, payload, single=True)

        return self.gate.serve(body)

    def delete_records(self, request: Request, values: Mapping[str, Any]) -> Response:
        def body() -> Response:
            call = self.gate.call(request, values["base_id"], WRITE)
            table = table_of(call.base, values["table"])
            ids = request.args.getlist("records[]") or request.args.getlist("records")
            self._check_count(ids, "deleted")
            self.workspace.store.delete(call.base, table, ids, login=call.caller.login)
            return json_response({"records": [{"id": r, "deleted": True} for r in ids]})

        return self.gate.serve(body)

    def delete_record(self, request: Request, values: Mapping[str, Any]) -> Response:
        def body() -> Response:
            call = self.gate.call(request, values["base_id"], WRITE)
            table = table_of(call.base, values["table"])
            self.workspace.store.delete(call.base, table, [values["record_id"]], login=call.caller.login)
            return json_response({"id": values["record_id"], "deleted": True})

        return self.gate.serve(body)

    # Helpers --------------------------------------------------------------------------------------

    def _write_call(self, request: Request, values: Mapping[str, Any]) -> tuple[Call, Table, dict[str, Any]]:
        call = self.gate.call(request, values["base_id"], WRITE)
        table = table_of(call.base, values["table"])
        return call, table, json_body(request)

    def _new_fields(self, payload: Mapping[str, Any], single: bool) -> list[Mapping[str, Any]]:
        entries = [payload] if single else payload.get("records")
        if not isinstance(entries, list):
            raise ApiError(422, "INVALID_REQUEST_UNKNOWN", "records must be an array")
        fields_list: list[Mapping[str, Any]] = []
        for entry in entries:
            fields = entry.get("fields") if isinstance(entry, dict) else None
            if not isinstance(fields, dict):
                raise ApiError(422, "INVALID_REQUEST_UNKNOWN", "Each record needs a fields object")
            fields_list.append(fields)
        self._check_count(fields_list, "created")
        return fields_list

    @staticmethod
    def _check_count(items: list[Any], verb: str) -> None:
        if not items:
            raise ApiError(422, "INVALID_REQUEST_MISSING_FIELDS", 'Could not find field "records" in the request body')
        if len(items) > MAX_RECORDS_PER_REQUEST:
            raise ApiError(
                422,
                "INVALID_RECORDS",
                f"A maximum of {MAX_RECORDS_PER_REQUEST} records can be {verb} per request"
                f" but you have provided {len(items)}.",
            )

    @staticmethod
    def _update_item(entry: Any, *, needs_id: bool) -> WriteItem:
        if not isinstance(entry, dict) or not isinstance(entry.get("fields"), dict):
            raise ApiError(422, "INVALID_REQUEST_UNKNOWN", "Each record needs a fields object")
        record_id = entry.get("id")
        if record_id is None and needs_id:
            raise ApiError(422, "INVALID_REQUEST_UNKNOWN", "Each record needs an id unless performUpsert is set")
        return WriteItem(record_id if isinstance(record_id, str) else None, entry["fields"])

    @staticmethod
    def _records_body(table: Table, records: list[Record], payload: Mapping[str, Any]) -> dict[str, JsonValue]:
        by_id = _flag(payload.get("returnFieldsByFieldId"))
        return {"records": [table.record_json(r, by_id=by_id) for r in records]}

    def _records_response(
        self, table: Table, records: list[Record], payload: Mapping[str, Any], single: bool
    ) -> Response:
        """A single-record write answers the record itself; a batch answers {"records": [...]}."""
        if single:
            return json_response(table.record_json(records[0], by_id=_flag(payload.get("returnFieldsByFieldId"))))
        return json_response(self._records_body(table, records, payload))


def _cell_sort_key(table: Table, fld: Field, record: Record) -> tuple[int, Any]:
    # Empty cells sort first, as in Airtable's ascending sort; numbers before text.
    value = table.cell(record, fld)
    if value is None:
        return (0, "")
    if isinstance(value, bool | int | float):
        return (1, float(value))
    return (2, str(value).lower())
