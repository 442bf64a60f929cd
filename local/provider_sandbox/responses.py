"""Response helpers and error styles shared by the provider modules.

An *error style* renders an error the way one provider endpoint does (a JSON envelope, an OAuth error,
an HTML page). Routes carry one, so injected faults and unknown paths answer in the provider's own shape.
"""

import json
from collections.abc import Callable, Mapping, Sequence
from http import HTTPStatus
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from pydantic import JsonValue
from werkzeug.wrappers import Request, Response

JSON = "application/json; charset=utf-8"

# (status, message or None for the provider's usual wording) -> response
ErrorStyle = Callable[[int, str | None], Response]


def json_response(
    body: JsonValue, status: int = 200, *, headers: Mapping[str, str] | None = None, content_type: str = JSON
) -> Response:
    return Response(json.dumps(body), status=status, headers=dict(headers or {}), content_type=content_type)


def token_response(body: JsonValue, status: int = 200) -> Response:
    # RFC 6749 §5.1: token responses must not be cached.
    return json_response(body, status, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


def oauth_error(error: str, description: str, status: int = 400) -> Response:
    """An RFC 6749 section 5.2 error from a token endpoint."""
    return token_response({"error": error, "error_description": description}, status)


def with_query(uri: str, params: Sequence[tuple[str, str]]) -> str:
    """Append params to a URI, keeping the query it already has (RFC 6749 §3.1.2)."""
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True) + list(params)
    return urlunsplit(parts._replace(query=urlencode(query)))


def redirect_to(uri: str, params: Sequence[tuple[str, str]]) -> Response:
    return Response(status=302, headers={"Location": with_query(uri, params)})


def reason(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def bearer_token(request: Request, scheme: str = "Bearer") -> str | None:
    """The credential after `scheme` in the Authorization header (case-insensitive scheme)."""
    header = request.headers.get("Authorization", "")
    given, _, credential = header.strip().partition(" ")
    if given.lower() != scheme.lower() or not credential.strip():
        return None
    return credential.strip()


# Error styles -----------------------------------------------------------------------------------

_OAUTH_ERRORS: dict[int, str] = {
    400: "invalid_request",
    401: "invalid_client",
    403: "access_denied",
    500: "server_error",
}


def oauth_error_style(status: int, message: str | None) -> Response:
    """RFC 6749 §5.2 errors, as token endpoints answer; 429/5xx read as temporarily_unavailable.

    google-auth treats internal_failure, server_error and temporarily_unavailable as retryable.
    """
    fallback = "temporarily_unavailable" if status == 429 or status >= 500 else "invalid_request"
    error = _OAUTH_ERRORS.get(status, fallback)
    return token_response({"error": error, "error_description": message or reason(status)}, status)


def generic_error_style(status: int, message: str | None) -> Response:
    """For hosts no provider module claims."""
    return json_response({"error": {"status": status, "message": message or reason(status)}}, status)
