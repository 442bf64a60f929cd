"""The control API under /_control: the Python test controls, over HTTP, for the local stack and demos.

The sandbox-wide controls (requests, faults, clients, tokens) are here; each provider module adds its own
on the router when it installs. Bodies are validated with the public pydantic models; bad input gets 400
with the validation errors. Control requests are neither recorded nor subject to faults.
"""

from collections.abc import Mapping
from typing import Any, Protocol, cast

from pydantic import JsonValue
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.wrappers import Request, Response

from provider_sandbox.models import (
    PROVIDERS,
    Fault,
    OAuthClientRegistration,
    Provider,
    RecordedRequest,
    RevokeUserGrantsBody,
)
from provider_sandbox.responses import json_response
from provider_sandbox.routing import ControlError, Router, parse_control_body


class Sandbox(Protocol):
    """What the sandbox-wide controls act on (the ProviderSandbox), named here so control need not import app."""

    @property
    def faults(self) -> list[Fault]: ...
    @property
    def clients(self) -> list[OAuthClientRegistration]: ...
    def find_requests(
        self, *, host: str | None = None, path: str | None = None, method: str | None = None
    ) -> list[RecordedRequest]: ...
    def reset_requests(self) -> int: ...
    def inject_fault(self, fault: Fault) -> None: ...
    def clear_faults(self) -> int: ...
    def register_client(self, registration: OAuthClientRegistration) -> None: ...
    def revoke_user_grants(self, *, provider: Provider, login: str) -> int: ...
    def expire_access_tokens(self, *, provider: Provider) -> int: ...
    def live_refresh_tokens(self, provider: Provider) -> int: ...
    def live_access_tokens(self, provider: Provider) -> int: ...


def _provider(values: Mapping[str, Any]) -> Provider:
    provider = values["provider"]
    if provider not in PROVIDERS:
        raise ControlError(404, f"unknown provider {provider!r}; expected one of {', '.join(PROVIDERS)}")
    return cast("Provider", provider)


def _client_view(client: OAuthClientRegistration) -> JsonValue:
    # Secrets are write-only here: the listing says whether one is set, never what it is.
    view: dict[str, JsonValue] = client.model_dump(mode="json", exclude={"client_secret"})
    view["confidential"] = client.client_secret is not None
    return view


class ControlApi:
    def __init__(self, sandbox: Sandbox, router: Router) -> None:
        self.sandbox = sandbox
        self.router = router
        for path, method, handler in [
            ("/_control/", "GET", self.index),
            ("/_control/requests", "GET", self.list_requests),
            ("/_control/requests", "DELETE", self.clear_requests),
            ("/_control/faults", "GET", self.list_faults),
            ("/_control/faults", "POST", self.add_fault),
            ("/_control/faults", "DELETE", self.clear_faults),
            ("/_control/clients", "GET", self.list_clients),
            ("/_control/clients", "POST", self.add_client),
            ("/_control/<provider>/revoke-user-grants", "POST", self.revoke_user_grants),
            ("/_control/<provider>/expire-access-tokens", "POST", self.expire_access_tokens),
            ("/_control/<provider>/tokens", "GET", self.tokens),
        ]:
            router.add_control(path, method, handler)

    def dispatch(self, request: Request) -> Response:
        try:
            handler, values = self.router.match_control(request.path, request.method)
            return handler(request, values)
        except ControlError as exc:
            body: dict[str, JsonValue] = {"error": exc.message}
            if exc.details is not None:
                body["details"] = exc.details
            return json_response(body, exc.status)
        except MethodNotAllowed as exc:
            return json_response(
                {"error": f"{request.method} not allowed on {request.path}"},
                405,
                headers={"Allow": ", ".join(exc.valid_methods or [])},
            )
        except HTTPException as exc:
            return json_response({"error": f"no control endpoint {request.path}"}, exc.code or 404)

    def index(self, request: Request, _values: Mapping[str, Any]) -> Response:
        rules = self.router.control_endpoints()
        return json_response({"endpoints": [r for r in rules if not r.startswith(("HEAD", "OPTIONS"))]})

    def list_requests(self, request: Request, _values: Mapping[str, Any]) -> Response:
        found = self.sandbox.find_requests(
            host=request.args.get("host"), path=request.args.get("path"), method=request.args.get("method")
        )
        return json_response([r.model_dump(mode="json") for r in found])

    def clear_requests(self, _request: Request, _values: Mapping[str, Any]) -> Response:
        return json_response({"cleared": self.sandbox.reset_requests()})

    def list_faults(self, _request: Request, _values: Mapping[str, Any]) -> Response:
        return json_response([f.model_dump(mode="json") for f in self.sandbox.faults])

    def add_fault(self, request: Request, _values: Mapping[str, Any]) -> Response:
        fault = parse_control_body(Fault, request)
        self.sandbox.inject_fault(fault)
        return json_response(fault.model_dump(mode="json"), 201)

    def clear_faults(self, _request: Request, _values: Mapping[str, Any]) -> Response:
        return json_response({"cleared": self.sandbox.clear_faults()})

    def list_clients(self, _request: Request, _values: Mapping[str, Any]) -> Response:
        return json_response([_client_view(c) for c in self.sandbox.clients])

    def add_client(self, request: Request, _values: Mapping[str, Any]) -> Response:
        client = parse_control_body(OAuthClientRegistration, request)
        self.sandbox.register_client(client)
        return json_response(_client_view(client), 201)

    def revoke_user_grants(self, request: Request, values: Mapping[str, Any]) -> Response:
        provider = _provider(values)
        body = parse_control_body(RevokeUserGrantsBody, request)
        revoked = self.sandbox.revoke_user_grants(provider=provider, login=body.login)
        return json_response({"provider": provider, "login": body.login, "revoked_grants": revoked})

    def expire_access_tokens(self, _request: Request, values: Mapping[str, Any]) -> Response:
        provider = _provider(values)
        return json_response({"provider": provider, "expired": self.sandbox.expire_access_tokens(provider=provider)})

    def tokens(self, _request: Request, values: Mapping[str, Any]) -> Response:
        provider = _provider(values)
        return json_response(
            {
                "provider": provider,
                "live_refresh_tokens": self.sandbox.live_refresh_tokens(provider),
                "live_access_tokens": self.sandbox.live_access_tokens(provider),
            }
        )
