"""The published OpenAPI document: every template route, generated from the handlers, served locally."""

from __future__ import annotations

import json

import httpx

from local_stack.openapi import OPENAPI_PATH, document, rendered
from local_stack.template import routes

_METHODS = {"get", "put", "post", "delete", "patch"}


def _operations() -> dict[tuple[str, str], dict[str, object]]:
    return {
        (method.upper(), path): operation
        for path, item in document()["paths"].items()
        for method, operation in item.items()
        if method in _METHODS
    }


def test_the_document_lists_exactly_the_routes_of_template_yaml() -> None:
    assert set(_operations()) == {(r.method, r.path) for r in routes()}


def test_the_checked_in_document_is_what_the_handlers_generate() -> None:
    # Regenerate with `make openapi` after changing a route, a handler or a model.
    assert OPENAPI_PATH.read_text() == rendered()


def test_each_operation_says_who_may_call_it_and_how_it_fails() -> None:
    authorized = {(r.method, r.path): r.authorized for r in routes()}
    for key, operation in _operations().items():
        security = operation["security"]
        assert (security == [{"bearerAuth": []}]) == authorized[key], key
        responses = operation["responses"]
        assert isinstance(responses, dict)
        for status in ("400", "404", "429", "default"):
            schema = responses[status]["content"]["application/json"]["schema"]
            assert schema == {"$ref": "#/components/schemas/Error"}, (key, status)
        assert any(status.startswith(("2", "3")) for status in responses), key
    error = document()["components"]["schemas"]["Error"]
    assert error["properties"]["error"]["required"] == ["code", "message"]


def test_bodies_and_queries_come_from_the_models_the_handlers_parse_with() -> None:
    operations = _operations()
    create = operations[("POST", "/api/campaigns")]
    assert create["requestBody"] == {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CampaignCreate"}}},
    }
    listing = operations[("GET", "/api/integrations/google-sheets/spreadsheets")]
    parameters = listing["parameters"]
    assert isinstance(parameters, list)
    assert [p["name"] for p in parameters] == ["page_token"]
    campaign = document()["components"]["schemas"]["CampaignCreate"]
    assert campaign["required"] == ["title"]
    assert campaign["additionalProperties"] is False


def test_the_local_stack_serves_the_document(http: httpx.Client) -> None:
    response = http.get("/openapi.json")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json() == json.loads(OPENAPI_PATH.read_text())
