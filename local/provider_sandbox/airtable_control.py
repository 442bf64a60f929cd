"""Control routes under /_control/airtable/: personal access tokens, bases laid out for a login, the user's
edits in Airtable's UI, the rate limit. They call the same `AirtableWorkspace` methods tests use from Python
(`sandbox.airtable`).
"""

from collections.abc import Callable, Mapping
from typing import Any

from werkzeug.wrappers import Request, Response

from provider_sandbox.airtable_store import StoreError
from provider_sandbox.airtable_workspace import (
    AirtableWorkspace,
    CreateBaseBody,
    IssueTokenBody,
    RateLimit,
    UserEditsBody,
)
from provider_sandbox.responses import json_response
from provider_sandbox.routing import ControlError, Router, SandboxContext, parse_control_body

PREFIX = "/_control/airtable"


class AirtableControls:
    def __init__(self, ctx: SandboxContext) -> None:
        self.workspace = AirtableWorkspace.of(ctx)

    def install(self, router: Router) -> None:
        router.add_control(f"{PREFIX}/tokens", "POST", self.issue_token)
        router.add_control(f"{PREFIX}/bases", "POST", self.create_base)
        router.add_control(f"{PREFIX}/bases/<base_id>/tables/<table>/records", "GET", self.records)
        router.add_control(f"{PREFIX}/bases/<base_id>/tables/<table>/edits", "POST", self.edit)
        router.add_control(f"{PREFIX}/bases/<base_id>", "DELETE", self.delete_base)
        router.add_control(f"{PREFIX}/bases/<base_id>/tables/<table>", "DELETE", self.delete_table)
        router.add_control(f"{PREFIX}/bases/<base_id>/tables/<table>/fields/<field>", "DELETE", self.delete_field)
        router.add_control(f"{PREFIX}/rate-limit", "PUT", self.set_rate_limit)
        router.add_control(f"{PREFIX}/rate-limit", "DELETE", self.remove_rate_limit)

    def issue_token(self, request: Request, _values: Mapping[str, Any]) -> Response:
        body = parse_control_body(IssueTokenBody, request)
        return json_response({"token": self.workspace.issue_token(body.login)}, 201)

    def create_base(self, request: Request, _values: Mapping[str, Any]) -> Response:
        body = parse_control_body(CreateBaseBody, request)
        try:
            base = self.workspace.create_base(body.login, body.name, body.tables)
        except ValueError as exc:
            raise ControlError(400, str(exc)) from exc
        return json_response({"id": base.id, "name": base.name, "tables": [t.schema() for t in base.tables]}, 201)

    def records(self, _request: Request, values: Mapping[str, Any]) -> Response:
        try:
            return json_response({"records": self.workspace.records(values["base_id"], values["table"])})
        except KeyError as exc:
            raise ControlError(404, f"no base {values['base_id']} or table {values['table']}") from exc

    def edit(self, request: Request, values: Mapping[str, Any]) -> Response:
        body = parse_control_body(UserEditsBody, request)
        try:
            written = self.workspace.edit(body.login, values["base_id"], values["table"], body.records, body.delete)
        except KeyError as exc:
            raise ControlError(404, f"no base {values['base_id']} or table {values['table']}") from exc
        except StoreError as exc:
            raise ControlError(exc.status, exc.message, {"type": exc.error_type}) from exc
        return json_response({"records": list(written)})

    def delete_base(self, _request: Request, values: Mapping[str, Any]) -> Response:
        return self._deleted(lambda: self.workspace.delete_base(values["base_id"]), values)

    def delete_table(self, _request: Request, values: Mapping[str, Any]) -> Response:
        return self._deleted(lambda: self.workspace.delete_table(values["base_id"], values["table"]), values)

    def delete_field(self, _request: Request, values: Mapping[str, Any]) -> Response:
        return self._deleted(
            lambda: self.workspace.delete_field(values["base_id"], values["table"], values["field"]), values
        )

    @staticmethod
    def _deleted(delete: Callable[[], None], values: Mapping[str, Any]) -> Response:
        try:
            delete()
        except (KeyError, ValueError) as exc:
            raise ControlError(404, f"nothing to delete at {dict(values)}") from exc
        return json_response({"deleted": dict(values)})

    def set_rate_limit(self, request: Request, _values: Mapping[str, Any]) -> Response:
        limit = parse_control_body(RateLimit, request)
        self.workspace.rate_limit = limit
        return json_response(limit.model_dump(mode="json"))

    def remove_rate_limit(self, _request: Request, _values: Mapping[str, Any]) -> Response:
        self.workspace.rate_limit = None
        return json_response({"rate_limit": None})
