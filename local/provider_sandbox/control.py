"""The control API under /_control: the Python test controls, over HTTP, for the local stack and demos.

Bodies are validated with the public pydantic models; bad input gets 400 with the validation errors.
Control requests are neither recorded nor subject to faults.
"""

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, cast

from pydantic import BaseModel, JsonValue, ValidationError
from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from provider_sandbox.gmail_control import GmailControl
from provider_sandbox.models import PROVIDERS, Fault, OAuthClientRegistration, Provider, RevokeUserGrantsBody
from provider_sandbox.push import PushFault, PushSender
from provider_sandbox.responses import json_response
from provider_sandbox.sheets_control import SheetsControl

if TYPE_CHECKING:
    from provider_sandbox.app import ProviderSandbox

ControlHandler = Callable[[Request, Mapping[str, Any]], Response]


class ControlError(Exception):
    def __init__(self, status: int, message: str, details: JsonValue = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details


def _parse[M: BaseModel](model: type[M], request: Request) -> M:
    try:
        return model.model_validate_json(request.get_data() or b"{}")
    except ValidationError as exc:
        details: JsonValue = [
            {"loc": ".".join(str(part) for part in error["loc"]), "msg": error["msg"]} for error in exc.errors()
        ]
        raise ControlError(400, f"invalid {model.__name__} body", details) from exc


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
    def __init__(self, sandbox: "ProviderSandbox") -> None:
        self.sandbox = sandbox
        self._handlers: dict[str, ControlHandler] = {
            "index": self.index,
            "list_requests": self.list_requests,
            "clear_requests": self.clear_requests,
            "list_faults": self.list_faults,
            "add_fault": self.add_fault,
            "clear_faults": self.clear_faults,
            "list_clients": self.list_clients,
            "add_client": self.add_client,
            "revoke_user_grants": self.revoke_user_grants,
            "expire_access_tokens": self.expire_access_tokens,
            "tokens": self.tokens,
        }
        self._map = Map(
            [
                Rule("/_control/", methods=["GET"], endpoint="index"),
                Rule("/_control/requests", methods=["GET"], endpoint="list_requests"),
                Rule("/_control/requests", methods=["DELETE"], endpoint="clear_requests"),
                Rule("/_control/faults", methods=["GET"], endpoint="list_faults"),
                Rule("/_control/faults", methods=["POST"], endpoint="add_fault"),
                Rule("/_control/faults", methods=["DELETE"], endpoint="clear_faults"),
                Rule("/_control/clients", methods=["GET"], endpoint="list_clients"),
                Rule("/_control/clients", methods=["POST"], endpoint="add_client"),
                Rule("/_control/<provider>/revoke-user-grants", methods=["POST"], endpoint="revoke_user_grants"),
                Rule("/_control/<provider>/expire-access-tokens", methods=["POST"], endpoint="expire_access_tokens"),
                Rule("/_control/<provider>/tokens", methods=["GET"], endpoint="tokens"),
            ],
            strict_slashes=False,
        )
        # Google spreadsheets as the user sees them, and Sheets quotas (/_control/google/...).
        SheetsControl(self, sandbox.sheets).install()
        # Gmail mailboxes, Pub/Sub topics and pushes, the Gmail quota (/_control/gmail/...).
        GmailControl(self, sandbox.gmail).install()
        # Push delivery (Drive channels and Pub/Sub): late, repeated or lost pushes (/_control/push...).
        self.add_route("/_control/push", "GET", self.push_state)
        self.add_route("/_control/push/faults", "POST", self.add_push_fault)
        self.add_route("/_control/push/faults", "DELETE", self.clear_push_faults)

    def add_route(self, path: str, method: str, handler: ControlHandler) -> None:
        """Serve `method path` (werkzeug rule syntax) with `handler`."""
        endpoint = f"{method} {path}"
        self._handlers[endpoint] = handler
        self._map.add(Rule(path, methods=[method], endpoint=endpoint))

    def parse[M: BaseModel](self, model: type[M], request: Request) -> M:
        """The request's JSON body as `model`; ControlError 400 with the validation errors otherwise."""
        return _parse(model, request)

    def dispatch(self, request: Request) -> Response:
        try:
            endpoint, values = self._map.bind("sandbox").match(request.path, request.method)
            return self._handlers[str(endpoint)](request, values)
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
        rules = sorted(f"{method} {rule.rule}" for rule in self._map.iter_rules() for method in rule.methods or ())
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
        fault = _parse(Fault, request)
        self.sandbox.inject_fault(fault)
        return json_response(fault.model_dump(mode="json"), 201)

    def clear_faults(self, _request: Request, _values: Mapping[str, Any]) -> Response:
        return json_response({"cleared": self.sandbox.clear_faults()})

    def list_clients(self, _request: Request, _values: Mapping[str, Any]) -> Response:
        return json_response([_client_view(c) for c in self.sandbox.clients])

    def add_client(self, request: Request, _values: Mapping[str, Any]) -> Response:
        client = _parse(OAuthClientRegistration, request)
        self.sandbox.register_client(client)
        return json_response(_client_view(client), 201)

    def revoke_user_grants(self, request: Request, values: Mapping[str, Any]) -> Response:
        provider = _provider(values)
        body = _parse(RevokeUserGrantsBody, request)
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

    def push_state(self, _request: Request, _values: Mapping[str, Any]) -> Response:
        faults, counts = PushSender.of(self.sandbox.context).state()
        return json_response(
            {"faults": [f.model_dump(mode="json") for f in faults], "counts": counts.model_dump(mode="json")}
        )

    def add_push_fault(self, request: Request, _values: Mapping[str, Any]) -> Response:
        fault = _parse(PushFault, request)
        PushSender.of(self.sandbox.context).add_fault(fault)
        return json_response(fault.model_dump(mode="json"), 201)

    def clear_push_faults(self, _request: Request, _values: Mapping[str, Any]) -> Response:
        return json_response({"cleared": PushSender.of(self.sandbox.context).clear_faults()})
