"""What every HTTP handler shares: the caller's identity, body parsing, per-user rate limits, the one error map.

Identity comes only from the `sub` claim the API Gateway JWT authorizer verified; nothing in the
path, query or body can name another user.
"""

from __future__ import annotations

import json
import weakref
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response, content_types
from pydantic import BaseModel

from tracker_integrations import wiring
from tracker_integrations.errors import TrackerError, Unauthenticated, ValidationFailed
from tracker_integrations.observability import logger
from tracker_integrations.validation import parse_model

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler.middlewares import NextMiddleware

_UNEXPECTED = (
    "Something went wrong on our side and nothing was changed. Try again; if it keeps happening, contact support."
)


def current_user(app: APIGatewayHttpResolver) -> str:
    claims: dict[str, Any] = (
        app.current_event.raw_event.get("requestContext", {}).get("authorizer", {}).get("jwt", {}).get("claims", {})
    )
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise Unauthenticated("sign in again: the request carried no valid identity")
    return sub


def json_object(app: APIGatewayHttpResolver) -> dict[str, Any]:
    """The request body as a JSON object (an empty body is {})."""
    raw = app.current_event.decoded_body or ""
    try:
        data = json.loads(raw) if raw.strip() else {}
    except json.JSONDecodeError as exc:
        raise ValidationFailed(f"request body is not valid JSON (line {exc.lineno}, column {exc.colno})") from exc
    if not isinstance(data, dict):
        raise ValidationFailed("request body must be a JSON object")
    return data


def parse_body[ModelT: BaseModel](app: APIGatewayHttpResolver, model: type[ModelT]) -> ModelT:
    return parse_model(model, json_object(app))


def query_model[ModelT: BaseModel](app: APIGatewayHttpResolver, model: type[ModelT]) -> ModelT:
    return parse_model(model, app.current_event.query_string_parameters or {})


def json_response(status: int, payload: BaseModel | dict[str, Any]) -> Response[str]:
    body = payload.model_dump_json() if isinstance(payload, BaseModel) else json.dumps(payload, default=str)
    # no-store: answers are per user and may name accounts; no browser or proxy may keep them.
    return Response(
        status_code=status,
        content_type=content_types.APPLICATION_JSON,
        body=body,
        headers={"Cache-Control": "no-store"},
    )


def error_response(exc: Exception) -> Response[str]:
    """The single mapping from errors to HTTP responses: `{"error": {"code", "message", ...}}`."""
    if isinstance(exc, TrackerError):
        error: dict[str, Any] = {"code": exc.code, "message": exc.message}
        if exc.details:
            error["details"] = exc.details
        headers: dict[str, str] = {}
        retry_after = exc.details.get("retry_after")
        if isinstance(retry_after, int | float):
            headers["Retry-After"] = str(int(retry_after))
        response = json_response(exc.http_status, {"error": error})
        response.headers.update(headers)
        return response
    logger.exception("unhandled error")
    return json_response(500, {"error": {"code": "internal_error", "message": _UNEXPECTED}})


def install_error_handlers(app: APIGatewayHttpResolver) -> None:
    @app.exception_handler(Exception)  # type: ignore[untyped-decorator]  # Powertools' decorator is untyped
    def _handle(exc: Exception) -> Response[str]:
        return error_response(exc)

    @app.not_found
    def _not_found(exc: Exception) -> Response[str]:
        return json_response(404, {"error": {"code": "not_found", "message": "no such route"}})


def install_rate_limits(app: APIGatewayHttpResolver) -> None:
    """Count every signed-in user's request against their per-user limit before its route runs (429 past it).

    Requests without a verified `sub` (OAuth callbacks, webhooks) pass: only the stage throttle covers
    them, and a route that needs a user refuses them itself.
    """

    def limit(app: APIGatewayHttpResolver, next_middleware: NextMiddleware) -> Response[str]:
        from tracker_integrations.services.rate_limits import request_class

        try:
            user = current_user(app)
        except Unauthenticated:
            return next_middleware(app)
        event = app.current_event
        route_key = str(event.raw_event.get("routeKey") or f"{event.http_method} {event.path}")
        wiring.rate_limits().admit(user, request_class(route_key))
        return next_middleware(app)

    app.use(middlewares=[limit])
    _RATE_LIMITED.add(app)


# The resolvers with the limiter installed (a check that every user-facing function has it).
_RATE_LIMITED: weakref.WeakSet[APIGatewayHttpResolver] = weakref.WeakSet()


def rate_limited(app: APIGatewayHttpResolver) -> bool:
    return app in _RATE_LIMITED
