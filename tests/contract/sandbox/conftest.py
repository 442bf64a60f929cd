"""Fixtures for the provider sandbox contract tests: a sandbox served over real HTTP at /sandbox.

Each test module overrides `sandbox` to register the OAuth clients it needs.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httplib2
import httpx
import jsonschema  # type: ignore[import-untyped]  # no stubs; pyproject is not ours to extend
import pytest
from googleapiclient.discovery import build
from googleapiclient.discovery_cache import get_static_doc
from googleapiclient.errors import HttpError

from provider_sandbox import OAuthClientRegistration, ProviderSandbox, RunningSandbox, serve
from provider_sandbox.testing import approve


@pytest.fixture
def sandbox() -> ProviderSandbox:
    return ProviderSandbox()


@pytest.fixture
def running(sandbox: ProviderSandbox) -> Iterator[RunningSandbox]:
    with serve(sandbox, host="127.0.0.1", port=0, mount="/sandbox") as server:
        yield server


@pytest.fixture
def base(running: RunningSandbox) -> str:
    """The sandbox's public base URL: `{base}/{real host}{real path}` stands in for the real endpoint."""
    return running.public_base_url


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10.0) as client:
        yield client


# Google Sheets and Drive through google-api-python-client --------------------------------------------
#
# The Sheets and Drive contract tests build the real client against the sandbox and check every response
# body against the discovery document's schema, converted to JSON Schema with additionalProperties: false.

GOOGLE_CLIENT_ID = "tracker-sheets.apps.googleusercontent.com"
GOOGLE_CLIENT_SECRET = "GOCSPX-sheets-secret"
OTHER_CLIENT_ID = "another-app.apps.googleusercontent.com"
GOOGLE_CALLBACK = "http://127.0.0.1:3000/api/integrations/google-sheets/callback"
SCOPE_PREFIX = "https://www.googleapis.com/auth/"
LOGIN = "dan@example.com"

# Google's JSON error envelope, strictly.
GOOGLE_ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "additionalProperties": False,
            "required": ["code", "message", "status", "errors"],
            "properties": {
                "code": {"type": "integer"},
                "message": {"type": "string", "minLength": 1},
                "status": {"type": "string", "pattern": "^[A-Z_]+$"},
                "errors": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["message", "domain", "reason"],
                        "properties": {
                            "message": {"type": "string"},
                            "domain": {"type": "string"},
                            "reason": {"type": "string"},
                            "location": {"type": "string"},
                            "locationType": {"type": "string"},
                        },
                    },
                },
                "details": {"type": "array", "items": {"type": "object", "required": ["@type"]}},
            },
        }
    },
}

_DROPPED_KEYS = {"description", "format", "enumDescriptions", "enumDeprecated", "readOnly", "annotations", "id"}
_DROPPED_KEYS |= {"deprecated", "location", "default"}


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


def _json_schema(node: dict[str, Any]) -> dict[str, Any]:
    """One discovery schema node as JSON Schema (Draft 7)."""
    if "$ref" in node:
        return {"$ref": f"#/definitions/{node['$ref']}"}
    converted = {key: value for key, value in node.items() if key not in _DROPPED_KEYS}
    if node.get("type") == "any":
        del converted["type"]
    if node.get("format") in {"int64", "uint64"}:
        # Google sends 64-bit integers as JSON strings.
        converted["type"] = "string"
        converted["pattern"] = "^-?[0-9]+$"
    if "items" in node:
        converted["items"] = _json_schema(node["items"])
    if isinstance(node.get("additionalProperties"), dict):
        converted["additionalProperties"] = _json_schema(node["additionalProperties"])
    if "properties" in node:
        converted["properties"] = {name: _json_schema(prop) for name, prop in node["properties"].items()}
        converted.setdefault("additionalProperties", False)
    return converted


@cache
def discovery(api: str, version: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(get_static_doc(api, version))
    return document


@cache
def _validator(api: str, version: str, schema: str) -> jsonschema.Draft7Validator:
    definitions = {name: _json_schema(node) for name, node in discovery(api, version)["schemas"].items()}
    return jsonschema.Draft7Validator({"$ref": f"#/definitions/{schema}", "definitions": definitions})


@cache
def response_schemas(api: str, version: str) -> dict[str, str]:
    """methodId -> the name of its response schema."""
    found: dict[str, str] = {}

    def walk(resource: dict[str, Any]) -> None:
        for method in resource.get("methods", {}).values():
            if "response" in method:
                found[method["id"]] = method["response"]["$ref"]
        for child in resource.get("resources", {}).values():
            walk(child)

    walk(discovery(api, version))
    return found


def validate_discovery(body: Any, api: str, version: str, schema: str) -> None:
    """Assert `body` is a valid `schema` of the API, with no properties the schema lacks."""
    errors = sorted(_validator(api, version, schema).iter_errors(body), key=str)
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5])


class BearerHttp:
    """httplib2.Http with an Authorization header, the way google-auth-httplib2 would add it."""

    def __init__(self, token: str | None) -> None:
        self.token = token
        self.http = httplib2.Http(timeout=10)

    def request(self, uri: str, method: str = "GET", body: Any = None, headers: Any = None, **kwargs: Any) -> Any:
        sent = dict(headers or {})
        if self.token is not None:
            sent["authorization"] = f"Bearer {self.token}"
        return self.http.request(uri, method, body=body, headers=sent, **kwargs)


_API_VERSIONS = {"sheets": "v4", "drive": "v3", "gmail": "v1"}


def run_checked(request: Any, num_retries: int = 0) -> dict[str, Any]:
    """Execute a googleapiclient request; its body must match the method's response schema exactly."""
    body: dict[str, Any] = request.execute(num_retries=num_retries)
    api = str(request.methodId).split(".", 1)[0]
    version = _API_VERSIONS[api]
    schema = response_schemas(api, version).get(request.methodId)
    if schema is None:  # a method with no response schema (users.stop) answers with nothing
        assert not body, f"{request.methodId} has no response schema but answered {body!r}"
    else:
        validate_discovery(body, api, version, schema)
    return body


def google_failure(request: Any) -> tuple[int, dict[str, Any], dict[str, str]]:
    """Execute a request that must fail: its status, Google's (schema-checked) error body, its headers."""
    with pytest.raises(HttpError) as raised:
        request.execute()
    body: dict[str, Any] = json.loads(raised.value.content)
    errors = sorted(jsonschema.Draft7Validator(GOOGLE_ERROR_SCHEMA).iter_errors(body), key=str)
    assert not errors, [e.message for e in errors]
    status = int(raised.value.resp.status)
    assert body["error"]["code"] == status
    return status, body, {k.lower(): v for k, v in raised.value.resp.items()}


@dataclass
class GoogleApis:
    """Tokens from the sandbox's OAuth flow, and Sheets/Drive clients whose answers are schema-checked."""

    base: str
    http: httpx.Client

    def token(self, *scopes: str, login: str = LOGIN, client_id: str = GOOGLE_CLIENT_ID) -> str:
        """An access token after the user consents to `scopes` (short names: "drive.file")."""
        query = urlencode(
            {
                "client_id": client_id,
                "redirect_uri": GOOGLE_CALLBACK,
                "response_type": "code",
                "scope": " ".join(["openid", "email", *(SCOPE_PREFIX + s for s in scopes or ("drive.file",))]),
                "state": "s",
            }
        )
        location = approve(f"{self.base}/accounts.google.com/o/oauth2/v2/auth?{query}", login=login, client=self.http)
        form = {
            "grant_type": "authorization_code",
            "code": dict(parse_qsl(urlsplit(location).query))["code"],
            "client_id": client_id,
            "client_secret": GOOGLE_CLIENT_SECRET,
            "redirect_uri": GOOGLE_CALLBACK,
        }
        response = self.http.post(f"{self.base}/oauth2.googleapis.com/token", data=form)
        assert response.status_code == 200, response.text
        token: str = response.json()["access_token"]
        return token

    def sheets(self, token: str | None) -> Any:
        options = {"api_endpoint": f"{self.base}/sheets.googleapis.com/"}
        return build("sheets", "v4", http=BearerHttp(token), client_options=options, static_discovery=True)

    def drive(self, token: str | None, host: str = "www.googleapis.com") -> Any:
        options = {"api_endpoint": f"{self.base}/{host}/drive/v3/"}
        return build("drive", "v3", http=BearerHttp(token), client_options=options, static_discovery=True)

    def run(self, request: Any, num_retries: int = 0) -> dict[str, Any]:
        return run_checked(request, num_retries)

    def fail(self, request: Any) -> tuple[int, dict[str, Any]]:
        status, body, _headers = google_failure(request)
        return status, body


@pytest.fixture
def fake_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def google_sandbox(fake_clock: FakeClock) -> ProviderSandbox:
    """A sandbox on a fake clock with two Google OAuth clients: Tracker and another app."""
    sandbox = ProviderSandbox(clock=fake_clock)
    for client_id in (GOOGLE_CLIENT_ID, OTHER_CLIENT_ID):
        sandbox.register_client(
            OAuthClientRegistration(
                provider="google",
                client_id=client_id,
                client_secret=GOOGLE_CLIENT_SECRET,
                redirect_uris=[GOOGLE_CALLBACK],
            )
        )
    return sandbox


@pytest.fixture
def google(base: str, http: httpx.Client) -> GoogleApis:
    return GoogleApis(base, http)
