"""The API's OpenAPI 3.1 document, generated from the handlers themselves.

Routes come from template.yaml (what API Gateway serves). Each route's request models are read from
its handler function's code: the model it passes to `parse_body`, `query_model` or (for headers)
`parse_model`. Its answers come from the `json_response` / `Response` calls in that code, the body's
model from the return type of the service method it answers with. The few routes whose handler
hands a raw body or a dict literal on are described in `_OVERRIDES`, next to the reason.

Written to openapi.json by `make openapi` (`python -m local_stack.openapi`); a test keeps the checked
in file equal to what this generates, and the local stack serves it at /openapi.json. Nothing here is
imported by a Lambda handler, so cold starts pay nothing for it.
"""

from __future__ import annotations

import ast
import importlib
import inspect
import json
import sys
import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from types import ModuleType
from typing import Any, get_type_hints

from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from local_stack.template import REPO_ROOT, Route, routes
from tracker_integrations import wiring
from tracker_integrations.models.connection import IntegrationCard
from tracker_integrations.models.gmail import PubSubPush
from tracker_integrations.models.settings import SettingsUpdate
from tracker_integrations.models.sheets_requests import SheetsSettingsUpdate
from tracker_integrations.providers.registry import PROVIDERS
from tracker_integrations.validation import PATH_SEGMENT_SCHEMA

OPENAPI_PATH = REPO_ROOT / "openapi.json"
_REF = "#/components/schemas/{model}"
_ERROR = {"$ref": "#/components/schemas/Error"}
_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string", "description": "stable machine code, e.g. invalid_request"},
                "message": {"type": "string", "description": "what happened and what to do, in words"},
                "details": {"type": "object", "description": "e.g. errors: [{field, message}], retry_after"},
            },
        }
    },
}
# API Gateway's JWT authorizer answers before any handler, with its own body.
_GATEWAY_401 = {
    "description": "missing, expired or forged bearer token (API Gateway's JWT authorizer)",
    "content": {"application/json": {"schema": {"type": "object", "properties": {"message": {"type": "string"}}}}},
}
_ERRORS = {
    "400": "a field is missing or invalid; `details.errors` names each",
    "404": "no such record for this user (another user's data is a 404 too)",
    "429": "too many requests; `Retry-After` says when to try again",
    "default": "any other error, with its code and what to do",
}


@dataclass(frozen=True)
class _Override:
    """What a handler's code does not say by itself."""

    body: dict[str, Any] | None = None
    body_models: tuple[type[BaseModel], ...] = ()
    responses: dict[int, dict[str, Any]] = field(default_factory=dict)  # models in them become references
    security: str | None = None


_OVERRIDES = {
    # Settings go to the provider's own model (Google Sheets has more); the service picks it.
    ("PUT", "/api/integrations/{provider}/settings"): _Override(body_models=(SettingsUpdate, SheetsSettingsUpdate)),
    ("GET", "/api/integrations"): _Override(
        responses={
            200: {
                "type": "object",
                "required": ["integrations"],
                "properties": {"integrations": {"type": "array", "items": IntegrationCard}},
            }
        },
    ),
    ("POST", "/api/integrations/{provider}/connect"): _Override(
        responses={
            200: {
                "type": "object",
                "required": ["authorization_url"],
                "properties": {"authorization_url": {"type": "string", "format": "uri"}},
            }
        }
    ),
    # The Pub/Sub push body is parsed by the receiver after Google's signed token is checked.
    ("POST", "/api/webhooks/gmail"): _Override(body_models=(PubSubPush,), security="googlePushJwt"),
}


@dataclass
class _Calls:
    """What one handler function's code parses and answers."""

    body: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    headers: type[BaseModel] | None = None
    answers: dict[int, type[BaseModel] | None] = field(default_factory=dict)


def _function(module: ModuleType, route: Route) -> Any:
    app = module.app
    for candidate in app._static_routes + app._dynamic_routes:
        if candidate.method == route.method and candidate.openapi_path == route.path:
            return candidate.func
    raise LookupError(f"{route.method} {route.path} is in template.yaml but not in {module.__name__}")


@cache
def _wiring_names() -> dict[str, Any]:
    """What wiring's factories return: it imports those types only for the type checker (cold starts)."""
    names: dict[str, Any] = {}
    for node in ast.walk(ast.parse(inspect.getsource(wiring))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tracker_integrations."):
            module = importlib.import_module(node.module)
            names.update({alias.name: getattr(module, alias.name) for alias in node.names})
    return names


def _service_result(expr: ast.expr, assigned: dict[str, ast.expr]) -> type[BaseModel] | None:
    """The model a `wiring.<factory>().<method>(...)` call returns, following local names."""
    if isinstance(expr, ast.Name) and expr.id in assigned:
        return _service_result(assigned[expr.id], assigned)
    if not (isinstance(expr, ast.Call) and isinstance(expr.func, ast.Attribute)):
        return None
    factory = expr.func.value
    if not (
        isinstance(factory, ast.Call)
        and isinstance(factory.func, ast.Attribute)
        and isinstance(factory.func.value, ast.Name)
        and factory.func.value.id == "wiring"
    ):
        return None
    service = _wiring_names()[inspect.get_annotations(getattr(wiring, factory.func.attr))["return"]]
    result = _type_hints(getattr(service, expr.func.attr)).get("return")
    return result if isinstance(result, type) and issubclass(result, BaseModel) else None


def _type_hints(function: Any) -> dict[str, Any]:
    """A service method's annotations, with the names its module imports only for the type checker: a service
    keeps the models only some of its methods answer with out of its import (the cold starts of the others)."""
    return get_type_hints(function, localns=_type_checking_names(sys.modules[function.__module__]))


@cache
def _type_checking_names(module: ModuleType) -> dict[str, Any]:
    names: dict[str, Any] = {}
    for node in ast.parse(inspect.getsource(module)).body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING":
            exec(compile(ast.Module(body=node.body, type_ignores=[]), module.__name__, "exec"), names)  # noqa: S102 - the module's own imports
    return names


def _read_handler(module: ModuleType, function: Any) -> _Calls:
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    assigned = {
        node.targets[0].id: node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
    }
    calls = _Calls()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        name, args = node.func.id, node.args
        if name in {"parse_body", "query_model"} and isinstance(args[1], ast.Name):
            setattr(calls, "body" if name == "parse_body" else "query", getattr(module, args[1].id))
        elif name == "parse_model" and isinstance(args[0], ast.Name) and "headers" in ast.unparse(args[1]):
            calls.headers = getattr(module, args[0].id)
        elif name == "json_response" and isinstance(args[0], ast.Constant):
            calls.answers[int(str(args[0].value))] = _service_result(args[1], assigned)
        elif name == "Response":
            status = next(k.value for k in node.keywords if k.arg == "status_code")
            if isinstance(status, ast.Constant):
                calls.answers[int(str(status.value))] = None
    return calls


def _summary(function: Any) -> str:
    doc = inspect.getdoc(function)
    return doc.splitlines()[0] if doc else function.__name__.replace("_", " ").capitalize()


class _Schemas:
    """The models the document names, as component references (pydantic settles clashing names)."""

    def __init__(self, refs: Mapping[tuple[Any, JsonSchemaMode], Any] | None = None) -> None:
        self.wanted: dict[tuple[type[BaseModel], JsonSchemaMode], None] = {}
        self.extra: dict[str, Any] = {}
        self._refs = refs or {}

    def ref(self, model: type[BaseModel], mode: JsonSchemaMode) -> dict[str, Any]:
        self.wanted[(model, mode)] = None
        return dict(self._refs.get((model, mode), {}))

    def resolve(self, value: Any) -> Any:
        """An override's schema with each model in it replaced by its reference."""
        if isinstance(value, type) and issubclass(value, BaseModel):
            return self.ref(value, "serialization")
        if isinstance(value, dict):
            return {k: self.resolve(v) for k, v in value.items()}
        return value

    def parameters(self, model: type[BaseModel], where: str) -> list[dict[str, Any]]:
        schema = model.model_json_schema(ref_template=_REF, mode="validation")
        self.extra.update(schema.pop("$defs", {}))
        required = set(schema.get("required", []))
        return [
            {"name": name, "in": where, "required": name in required, "schema": prop}
            for name, prop in schema.get("properties", {}).items()
        ]


def _path_parameter(name: str) -> dict[str, Any]:
    # The limits every route checks (validation.check_path_parameters); providers are the registry's keys.
    schema = {"type": "string", "enum": sorted(PROVIDERS)} if name == "provider" else PATH_SEGMENT_SCHEMA
    return {"name": name, "in": "path", "required": True, "schema": schema}


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"content": {"application/json": {"schema": schema}}}


def _responses(route: Route, calls: _Calls, override: _Override, schemas: _Schemas) -> dict[str, Any]:
    responses: dict[str, Any] = {}
    for status, model in sorted(calls.answers.items()):
        if status in override.responses:
            responses[str(status)] = {"description": "OK", **_json(schemas.resolve(override.responses[status]))}
        elif model is not None:
            responses[str(status)] = {"description": "OK", **_json(schemas.ref(model, "serialization"))}
        elif status == 302:
            location = {"Location": {"schema": {"type": "string"}}}
            responses["302"] = {"description": "the browser goes back to the app", "headers": location}
        elif status == 204:
            responses["204"] = {"description": "done; no body"}
        else:
            raise LookupError(f"{route.method} {route.path}: say in _OVERRIDES what its {status} answer holds")
    for error_status, words in _ERRORS.items():
        responses[error_status] = {"description": words, **_json(_ERROR)}
    if route.authorized:
        responses["401"] = _GATEWAY_401
    return responses


def _operation(route: Route, schemas: _Schemas) -> dict[str, Any]:
    module = importlib.import_module(route.module)
    function = _function(module, route)
    calls = _read_handler(module, function)
    override = _OVERRIDES.get((route.method, route.path), _Override())
    parameters = [_path_parameter(part[1:-1]) for part in route.path.split("/") if part.startswith("{")]
    if calls.query:
        parameters += schemas.parameters(calls.query, "query")
    if calls.headers:
        parameters += schemas.parameters(calls.headers, "header")
    operation: dict[str, Any] = {
        "operationId": function.__name__,
        "summary": _summary(function),
        "tags": [route.function.removesuffix("Function")],
    }
    if parameters:
        operation["parameters"] = parameters
    bodies = [schemas.ref(m, "validation") for m in ((calls.body,) if calls.body else override.body_models)]
    if bodies:
        operation["requestBody"] = {"required": True, **_json(bodies[0] if len(bodies) == 1 else {"anyOf": bodies})}
    operation["responses"] = _responses(route, calls, override, schemas)
    if route.authorized:
        operation["security"] = [{"bearerAuth": []}]
    else:
        operation["security"] = [{override.security: []}] if override.security else []
    return operation


def _paths(schemas: _Schemas) -> dict[str, dict[str, Any]]:
    paths: dict[str, dict[str, Any]] = {}
    for route in sorted(routes(), key=lambda r: (r.path, r.method)):
        paths.setdefault(route.path, {})[route.method.lower()] = _operation(route, schemas)
    return paths


@cache
def document() -> dict[str, Any]:
    # Once to learn which models are named, once more with their references settled.
    first = _Schemas()
    _paths(first)
    refs, definitions = models_json_schema(list(first.wanted), ref_template=_REF)
    schemas = _Schemas(refs)
    paths = _paths(schemas)
    components = {**schemas.extra, **definitions.get("$defs", {}), "Error": _ERROR_SCHEMA}
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Tracker Integrations API",
            "version": "1",
            "description": "Generated from the handlers by local_stack.openapi; do not edit by hand (make openapi).",
        },
        "paths": paths,
        "components": {
            "schemas": dict(sorted(components.items())),
            "securitySchemes": {
                "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "googlePushJwt": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": "the OIDC token Pub/Sub signs for the push subscription",
                },
            },
        },
    }


def rendered() -> str:
    return json.dumps(document(), indent=2, sort_keys=False) + "\n"


def main() -> None:
    OPENAPI_PATH.write_text(rendered())
    sys.stdout.write(f"wrote {OPENAPI_PATH.relative_to(REPO_ROOT)}: {len(document()['paths'])} paths\n")


if __name__ == "__main__":
    main()
