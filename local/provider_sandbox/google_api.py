"""What every imitated Google API (Sheets, Drive) shares: bearer auth, scope checks, errors, quotas.

Errors use Google's JSON envelope, `{"error": {code, message, errors: [{message, domain, reason}], status}}`,
plus `details` where Google sends them (ErrorInfo on 403 scope and 429 quota errors).
"""

import json
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import wraps
from typing import Any

from pydantic import JsonValue
from werkzeug.wrappers import Request, Response

from provider_sandbox.fieldmask import FieldMaskError, Mask, check_mask, parse_mask
from provider_sandbox.google import SCOPE_PREFIX, google_api_error_body
from provider_sandbox.identity import stable_digits
from provider_sandbox.oauth import AccessToken, Clock
from provider_sandbox.responses import bearer_token, json_response
from provider_sandbox.routing import Handler, SandboxContext

DRIVE = SCOPE_PREFIX + "drive"
DRIVE_FILE = SCOPE_PREFIX + "drive.file"
DRIVE_READONLY = SCOPE_PREFIX + "drive.readonly"
DRIVE_METADATA = SCOPE_PREFIX + "drive.metadata"
DRIVE_METADATA_READONLY = SCOPE_PREFIX + "drive.metadata.readonly"
SPREADSHEETS = SCOPE_PREFIX + "spreadsheets"
SPREADSHEETS_READONLY = SCOPE_PREFIX + "spreadsheets.readonly"

UNAUTHENTICATED_MESSAGE = (
    "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid "
    "authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."
)
SCOPE_MESSAGE = "Request had insufficient authentication scopes."
NOT_FOUND_MESSAGE = "Requested entity was not found."
_REALM = 'Bearer realm="https://accounts.google.com/"'

# Query parameters every Google API accepts (discovery "parameters"); they never make a request invalid.
STANDARD_PARAMS = frozenset(
    {
        "$.xgafv",
        "access_token",
        "alt",
        "callback",
        "fields",
        "key",
        "oauth_token",
        "prettyPrint",
        "quotaUser",
        "upload_protocol",
        "uploadType",
    }
)


class GoogleApiError(Exception):
    """An error answered in Google's envelope."""

    def __init__(
        self,
        status: int,
        message: str | None = None,
        *,
        reason: str | None = None,
        api_status: str | None = None,
        details: list[JsonValue] | None = None,
        location: tuple[str, str] | None = None,
        headers: Mapping[str, str] | None = None,
        item_message: str | None = None,
    ) -> None:
        super().__init__(message or str(status))
        self.status = status
        self.message = message
        self.reason = reason
        self.api_status = api_status
        self.details = details
        self.location = location
        self.headers = dict(headers or {})
        # errors[0].message when it differs from the top-level message ("Invalid Credentials").
        self.item_message = item_message

    def body(self) -> dict[str, JsonValue]:
        body = google_api_error_body(self.status, self.message, reason_code=self.reason, api_status=self.api_status)
        error = body["error"]
        assert isinstance(error, dict)
        errors = error["errors"]
        assert isinstance(errors, list)
        assert isinstance(errors[0], dict)
        if self.item_message is not None:
            errors[0]["message"] = self.item_message
        if self.location is not None:
            errors[0]["location"], errors[0]["locationType"] = self.location
        if self.details is not None:
            error["details"] = self.details
        return body

    def response(self) -> Response:
        return json_response(self.body(), self.status, headers=self.headers)


def bad_request(message: str, *, reason: str = "badRequest", location: tuple[str, str] | None = None) -> GoogleApiError:
    return GoogleApiError(400, message, reason=reason, location=location)


def fields_mask(
    request: Request, api: str, version: str, schema: str, *, invalid: Callable[[str], GoogleApiError]
) -> Mask | None:
    """The request's `fields` partial-response mask, checked against the API's discovery schema (None: no mask).
    `invalid` builds the API's own 400 for a bad mask (Sheets and Drive word it differently)."""
    fields = request.args.get("fields")
    if fields is None or not fields.strip():
        return None
    try:
        mask = parse_mask(fields)
        check_mask(mask, api, version, schema)
    except FieldMaskError as exc:
        raise invalid(str(exc)) from exc
    return mask


def invalid_fields_parameter(message: str) -> GoogleApiError:
    """Drive's and Gmail's 400 for a bad `fields` mask."""
    return GoogleApiError(400, message, reason="invalidParameter", location=("fields", "parameter"))


def not_found(message: str = NOT_FOUND_MESSAGE, *, location: tuple[str, str] | None = None) -> GoogleApiError:
    return GoogleApiError(404, message, reason="notFound", location=location)


def api_handler(func: Callable[[Request, Mapping[str, Any]], Response]) -> Handler:
    """Turn a GoogleApiError raised by a route handler into its response."""

    @wraps(func)
    def handle(request: Request, values: Mapping[str, Any]) -> Response:
        try:
            return func(request, values)
        except GoogleApiError as exc:
            return exc.response()

    return handle


def json_body(request: Request) -> dict[str, Any]:
    """The request's JSON object; 400 like Google for anything else."""
    raw = request.get_data()
    if not raw.strip():
        return {}
    try:
        body = json.loads(raw)
    except ValueError as exc:
        raise bad_request(f"Invalid JSON payload received. {exc}.") from exc
    if not isinstance(body, dict):
        raise bad_request("Invalid JSON payload received. Expected an object.")
    return body


def check_params(request: Request, allowed: Iterable[str]) -> None:
    """Google rejects query parameters the method does not have."""
    known = STANDARD_PARAMS | set(allowed)
    for name in request.args:
        if name not in known:
            raise bad_request(
                f'Invalid JSON payload received. Unknown name "{name}": Cannot bind query parameter. '
                f"Field '{name}' could not be found in request message."
            )


def bool_param(request: Request, name: str) -> bool:
    value = request.args.get(name, "false")
    if value not in {"true", "false", "1", "0"}:
        raise bad_request(f"Invalid value at '{name}' (TYPE_BOOL), \"{value}\"")
    return value in {"true", "1"}


def enum_param[T: str](request: Request, name: str, choices: tuple[T, ...], default: T, type_name: str) -> T:
    value = request.args.get(name)
    if value is None:
        return default
    for choice in choices:
        if value == choice:
            return choice
    raise bad_request(f"Invalid value at '{_snake(name)}' (type.googleapis.com/{type_name}), \"{value}\"")


def _snake(name: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in name)


# Authentication and scopes ---------------------------------------------------------------------------


def authenticate(ctx: SandboxContext, request: Request, accepted: frozenset[str], method: str) -> AccessToken:
    """The caller's access token, or 401 (missing/invalid/expired) or 403 (no accepted scope)."""
    access = ctx.store.authenticate("google", bearer_token(request))
    if access is None:
        raise GoogleApiError(
            401,
            UNAUTHENTICATED_MESSAGE,
            reason="authError",
            location=("Authorization", "header"),
            headers={"WWW-Authenticate": f'{_REALM}, error="invalid_token"'},
            item_message="Invalid Credentials",
        )
    if not accepted & set(access.scopes):
        service = method.split("/", maxsplit=1)[0]
        raise GoogleApiError(
            403,
            SCOPE_MESSAGE,
            reason="insufficientPermissions",
            item_message="Insufficient Permission",
            details=[
                {
                    "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                    "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
                    "domain": "googleapis.com",
                    "metadata": {"service": service, "method": method.split("/")[1]},
                }
            ],
            headers={"WWW-Authenticate": f'{_REALM}, error="insufficient_scope", scope="{" ".join(sorted(accepted))}"'},
        )
    return access


def project_number(client_id: str) -> str:
    """Each OAuth client stands for one Cloud project; its number is derived from the client id."""
    return stable_digits(client_id, "google-project", 12)


# Quotas ------------------------------------------------------------------------------------------------

QUOTA_WINDOW = timedelta(minutes=1)


@dataclass(frozen=True)
class QuotaMetric:
    service: str
    # "Read requests" / "Write requests", as Google names the metric.
    name: str
    # "read_requests"
    metric_id: str
    # "ReadRequests"
    limit_id: str


@dataclass
class RateWindow:
    """Requests counted per key over a rolling one-minute window of the sandbox clock."""

    clock: Clock
    _log: dict[tuple[str, ...], deque[datetime]] = field(default_factory=dict)

    def allows(self, key: tuple[str, ...], limit: int | None) -> bool:
        """Whether one more request fits: fewer than `limit` fell in the last minute."""
        log = self._log.setdefault(key, deque())
        now = self.clock()
        while log and now - log[0] >= QUOTA_WINDOW:
            log.popleft()
        return limit is None or len(log) < limit

    def record(self, key: tuple[str, ...]) -> None:
        self._log.setdefault(key, deque()).append(self.clock())

    def clear(self) -> None:
        self._log.clear()


def quota_exceeded(metric: QuotaMetric, client_id: str, limit: int, *, per_user: bool) -> GoogleApiError:
    """Google's 429 for a per-minute quota. Sheets sends no Retry-After header, so neither does this."""
    project = project_number(client_id)
    limit_name = f"{metric.name} per minute" + (" per user" if per_user else "")
    message = (
        f"Quota exceeded for quota metric '{metric.name}' and limit '{limit_name}' of service "
        f"'{metric.service}' for consumer 'project_number:{project}'."
    )
    return GoogleApiError(
        429,
        message,
        reason="rateLimitExceeded",
        details=[
            {
                "@type": "type.googleapis.com/google.rpc.ErrorInfo",
                "reason": "RATE_LIMIT_EXCEEDED",
                "domain": "googleapis.com",
                "metadata": {
                    "service": metric.service,
                    "consumer": f"projects/{project}",
                    "quota_metric": f"{metric.service}/{metric.metric_id}",
                    "quota_limit": f"{metric.limit_id}PerMinutePerProject" + ("PerUser" if per_user else ""),
                    "quota_limit_value": str(limit),
                    "quota_location": "global",
                    "quota_unit": "1/min/{project}" + ("/{user}" if per_user else ""),
                },
            },
            {
                "@type": "type.googleapis.com/google.rpc.Help",
                "links": [
                    {
                        "description": "Request a higher quota limit.",
                        "url": "https://cloud.google.com/docs/quotas/help/request_increase",
                    }
                ],
            },
        ],
    )
