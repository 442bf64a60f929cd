"""Control routes under /_control/google/: the user's spreadsheet actions and readers, and Sheets quotas.

They call the same `GoogleWorkspace` methods tests use from Python (`sandbox.sheets`). Like the rest of
the control API they are not recorded, faults do not touch them and they use no app quota.
"""

from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, JsonValue
from werkzeug.wrappers import Request, Response

from provider_sandbox.cells import ValueRender
from provider_sandbox.responses import json_response
from provider_sandbox.routing import ControlError, Router, parse_control_body
from provider_sandbox.workspace import GoogleWorkspace, SpreadsheetInfo

CellInput = str | int | float | bool | None
Rows = list[list[CellInput]]
SheetRef = str | int
PREFIX = "/_control/google"


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CreateSpreadsheetBody(_Body):
    login: str = Field(min_length=1)
    title: str = Field(min_length=1)
    rows: Rows = Field(default_factory=list)
    tab: str = Field(default="Sheet1", min_length=1)


class PickBody(_Body):
    login: str = Field(min_length=1)
    client_id: str = Field(min_length=1)


class UnshareBody(_Body):
    client_id: str = Field(min_length=1)


class SetCellsBody(_Body):
    range: str = Field(min_length=1)
    rows: Rows
    as_user_entered: bool = True


class AppendRowsBody(_Body):
    sheet: SheetRef
    rows: Rows


class DimensionBody(_Body):
    sheet: SheetRef
    at_index: int = Field(ge=0)
    count: int = Field(default=1, ge=1)


class MoveBody(_Body):
    sheet: SheetRef
    from_index: int = Field(ge=0)
    count: int = Field(default=1, ge=1)
    to_index: int = Field(ge=0)


class SortBody(_Body):
    sheet: SheetRef
    column_index: int = Field(ge=0)
    descending: bool = False
    header_rows: int = Field(default=1, ge=0)


class AddTabBody(_Body):
    title: str = Field(min_length=1)
    rows: Rows = Field(default_factory=list)


class RenameTabBody(_Body):
    sheet: SheetRef
    new_title: str = Field(min_length=1)


class SheetBody(_Body):
    sheet: SheetRef


class FrozenRowsBody(_Body):
    sheet: SheetRef
    count: int = Field(ge=0)


class QuotaBody(_Body):
    read_requests_per_minute: int | None = Field(default=None, ge=1)
    write_requests_per_minute: int | None = Field(default=None, ge=1)
    project_read_requests_per_minute: int | None = Field(default=None, ge=1)
    project_write_requests_per_minute: int | None = Field(default=None, ge=1)


def info_json(info: SpreadsheetInfo) -> dict[str, JsonValue]:
    return {
        "spreadsheet_id": info.spreadsheet_id,
        "title": info.title,
        "owner": info.owner,
        "trashed": info.trashed,
        "tabs": list[JsonValue](info.tabs),
        "app_access": list[JsonValue](info.app_access),
        "modified_time": info.modified_time.isoformat(),
    }


class SheetsControl:
    """Adds the /_control/google/spreadsheets... routes; its provider module installs it."""

    def __init__(self, workspace: GoogleWorkspace) -> None:
        self.workspace = workspace

    def install(self, router: Router) -> None:
        sid = f"{PREFIX}/spreadsheets/<sid>"
        posts: dict[str, Callable[[Request, str], JsonValue]] = {
            "pick": self.pick,
            "unshare": self.unshare,
            "trash": self.trash,
            "restore": self.restore,
            "cells": self.set_cells,
            "append-rows": self.append_rows,
            "insert-rows": self._dimension("insert_rows"),
            "delete-rows": self._dimension("delete_rows"),
            "insert-columns": self._dimension("insert_columns"),
            "delete-columns": self._dimension("delete_columns"),
            "move-rows": self._move("move_rows"),
            "move-columns": self._move("move_columns"),
            "sort-rows": self.sort_rows,
            "tabs": self.add_tab,
            "rename-tab": self.rename_tab,
            "delete-tab": self.delete_tab,
            "frozen-rows": self.set_frozen_rows,
        }
        for name, action in posts.items():
            router.add_control(f"{sid}/{name}", "POST", self._action(action))
        gets: dict[str, Callable[[Request, str], JsonValue]] = {
            "grid": self.read_grid,
            "formulas": self._reader("formula_cells"),
            "data-validation": self._reader("data_validation"),
            "protected-ranges": self._reader("protected_ranges"),
            "frozen-rows": self._reader("frozen_rows"),
        }
        for name, reader in gets.items():
            router.add_control(f"{sid}/{name}", "GET", self._action(reader))
        router.add_control(sid, "GET", self._action(lambda _r, s: info_json(self.workspace.info(s))))
        router.add_control(
            f"{sid}/developer-metadata",
            "GET",
            self._action(lambda _r, s: list[JsonValue](self.workspace.developer_metadata(s))),
        )
        router.add_control(f"{PREFIX}/spreadsheets", "GET", self.list_spreadsheets)
        router.add_control(f"{PREFIX}/spreadsheets", "POST", self.create)
        router.add_control(f"{PREFIX}/sheets-quota", "GET", self.quota)
        router.add_control(f"{PREFIX}/sheets-quota", "PUT", self.set_quota)
        router.add_control(f"{PREFIX}/sheets-quota", "DELETE", self.reset_quota)

    def _action(self, action: Callable[[Request, str], JsonValue]) -> Callable[[Request, Mapping[str, Any]], Response]:
        # A ControlError raised here is answered by the control API as {"error", "details"}.
        def handle(request: Request, values: Mapping[str, Any]) -> Response:
            return json_response(action(request, str(values["sid"])))

        return handle

    @staticmethod
    def _sheet_arg(request: Request) -> SheetRef:
        sheet = request.args.get("sheet")
        if sheet is None:
            raise ControlError(400, "the sheet query parameter (title or sheetId) is required")
        return sheet

    # Collection -----------------------------------------------------------------------------------------

    def list_spreadsheets(self, request: Request, _values: Mapping[str, Any]) -> Response:
        infos = self.workspace.spreadsheets(request.args.get("login"))
        return json_response([info_json(i) for i in infos])

    def create(self, request: Request, _values: Mapping[str, Any]) -> Response:
        body = parse_control_body(CreateSpreadsheetBody, request)
        spreadsheet_id = self.workspace.create_user_spreadsheet(body.login, body.title, body.rows, tab=body.tab)
        return json_response(info_json(self.workspace.info(spreadsheet_id)), 201)

    # Actions --------------------------------------------------------------------------------------------

    def pick(self, request: Request, sid: str) -> JsonValue:
        body = parse_control_body(PickBody, request)
        self.workspace.pick(body.login, sid, body.client_id)
        return info_json(self.workspace.info(sid))

    def unshare(self, request: Request, sid: str) -> JsonValue:
        body = parse_control_body(UnshareBody, request)
        self.workspace.unshare(sid, body.client_id)
        return info_json(self.workspace.info(sid))

    def trash(self, _request: Request, sid: str) -> JsonValue:
        self.workspace.trash_spreadsheet(sid)
        return info_json(self.workspace.info(sid))

    def restore(self, _request: Request, sid: str) -> JsonValue:
        self.workspace.restore_spreadsheet(sid)
        return info_json(self.workspace.info(sid))

    def set_cells(self, request: Request, sid: str) -> JsonValue:
        body = parse_control_body(SetCellsBody, request)
        self.workspace.set_cells(sid, body.range, body.rows, as_user_entered=body.as_user_entered)
        return {"updated": True}

    def append_rows(self, request: Request, sid: str) -> JsonValue:
        body = parse_control_body(AppendRowsBody, request)
        self.workspace.append_rows(sid, body.sheet, body.rows)
        return {"appended": len(body.rows)}

    def _dimension(self, method: str) -> Callable[[Request, str], JsonValue]:
        def act(request: Request, sid: str) -> JsonValue:
            body = parse_control_body(DimensionBody, request)
            getattr(self.workspace, method)(sid, body.sheet, body.at_index, body.count)
            return {"done": method}

        return act

    def _move(self, method: str) -> Callable[[Request, str], JsonValue]:
        def act(request: Request, sid: str) -> JsonValue:
            body = parse_control_body(MoveBody, request)
            getattr(self.workspace, method)(sid, body.sheet, body.from_index, body.count, body.to_index)
            return {"done": method}

        return act

    def sort_rows(self, request: Request, sid: str) -> JsonValue:
        body = parse_control_body(SortBody, request)
        self.workspace.sort_rows(
            sid, body.sheet, body.column_index, descending=body.descending, header_rows=body.header_rows
        )
        return {"done": "sort_rows"}

    def add_tab(self, request: Request, sid: str) -> JsonValue:
        body = parse_control_body(AddTabBody, request)
        return {"sheet_id": self.workspace.add_tab(sid, body.title, body.rows)}

    def rename_tab(self, request: Request, sid: str) -> JsonValue:
        body = parse_control_body(RenameTabBody, request)
        self.workspace.rename_tab(sid, body.sheet, body.new_title)
        return info_json(self.workspace.info(sid))

    def delete_tab(self, request: Request, sid: str) -> JsonValue:
        body = parse_control_body(SheetBody, request)
        self.workspace.delete_tab(sid, body.sheet)
        return info_json(self.workspace.info(sid))

    def set_frozen_rows(self, request: Request, sid: str) -> JsonValue:
        body = parse_control_body(FrozenRowsBody, request)
        self.workspace.set_frozen_rows(sid, body.sheet, body.count)
        return {"frozen_rows": body.count}

    # Readers --------------------------------------------------------------------------------------------

    def read_grid(self, request: Request, sid: str) -> JsonValue:
        render: ValueRender = "UNFORMATTED_VALUE"
        wanted = request.args.get("render", render)
        for option in ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA"):
            if wanted == option:
                render = option
                break
        else:
            raise ControlError(400, f"render must be FORMATTED_VALUE, UNFORMATTED_VALUE or FORMULA, not {wanted}")
        grid = self.workspace.read_grid(sid, self._sheet_arg(request), render)
        return {"values": [list[JsonValue](row) for row in grid]}

    def _reader(self, method: str) -> Callable[[Request, str], JsonValue]:
        def read(request: Request, sid: str) -> JsonValue:
            result: JsonValue = getattr(self.workspace, method)(sid, self._sheet_arg(request))
            return {method: result}

        return read

    # Quotas ---------------------------------------------------------------------------------------------

    def _quota_json(self) -> dict[str, JsonValue]:
        w = self.workspace
        return {
            "read_requests_per_minute": w.read_requests_per_minute,
            "write_requests_per_minute": w.write_requests_per_minute,
            "project_read_requests_per_minute": w.project_read_requests_per_minute,
            "project_write_requests_per_minute": w.project_write_requests_per_minute,
        }

    def quota(self, _request: Request, _values: Mapping[str, Any]) -> Response:
        return json_response(self._quota_json())

    def set_quota(self, request: Request, _values: Mapping[str, Any]) -> Response:
        """Set limits: each field given (null = unlimited) replaces the current one."""
        body = parse_control_body(QuotaBody, request)
        for name in body.model_fields_set:
            setattr(self.workspace, name, getattr(body, name))
        return json_response(self._quota_json())

    def reset_quota(self, _request: Request, _values: Mapping[str, Any]) -> Response:
        """Forget the requests counted so far (every bucket starts empty)."""
        self.workspace.reset_quotas()
        return json_response(self._quota_json())
