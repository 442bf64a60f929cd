"""What every HTTP handler shares: identity and role, body parsing, per-user rate limits, the one error map.

Identity comes only from the claims the API Gateway JWT authorizer verified (`sub`, and for a team
member `team_id` and `team_role`); nothing in the path, query or body can name another user or team.
"""

import json
import weakref
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from tracker_integrations import wiring
from tracker_integrations.access import AUDITED_ROUTES, refusal, required_role
from tracker_integrations.errors import RoleRequired, TrackerError, Unauthenticated, ValidationFailed
from tracker_integrations.models.team import OPERATOR_CLAIM, ROLE_CLAIM, TEAM_CLAIM, Identity, Role
from tracker_integrations.observability import logger
from tracker_integrations.resolver import APIGatewayHttpResolver, Response, content_types
from tracker_integrations.validation import check_path_parameters, parse_json, parse_model

if TYPE_CHECKING:
    from aws_lambda_powertools.event_handler.middlewares import NextMiddleware

_UNEXPECTED = (
    "Something went wrong on our side and nothing was changed. Try again; if it keeps happening, contact support."
)


def current_identity(app: APIGatewayHttpResolver) -> Identity:
    """The verified caller, from the JWT's claims alone (no table read: teams add no call per request)."""
    claims: dict[str, Any] = (
        app.current_event.raw_event.get("requestContext", {}).get("authorizer", {}).get("jwt", {}).get("claims", {})
    )
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub:
        raise Unauthenticated("sign in again: the request carried no valid identity")
    team = claims.get(TEAM_CLAIM) or None
    role = claims.get(ROLE_CLAIM)
    try:
        return Identity(
            user_id=sub,
            team_id=team,
            # A team token without a role grants the least; a user on their own owns their account.
            role=Role(role) if role else (Role.MEMBER if team else Role.OWNER),
            # API Gateway hands claims on as strings: `true` arrives as "true".
            operator=str(claims.get(OPERATOR_CLAIM, "")).lower() in {"true", "1"},
        )
    except ValueError as exc:
        raise Unauthenticated("sign in again: the token's team or role is not one this API knows") from exc


def current_user(app: APIGatewayHttpResolver) -> str:
    """The account whose resources the request reads and changes: the team's when the token names one,
    else the user's own."""
    return current_identity(app).account_id


def json_object(app: APIGatewayHttpResolver) -> dict[str, Any]:
    """The request body as a JSON object (an empty body is {})."""
    raw = app.current_event.decoded_body or ""
    data = parse_json(raw) if raw.strip() else {}
    if not isinstance(data, dict):
        raise ValidationFailed(
            "body: must be a JSON object", details={"errors": [{"field": "body", "message": "must be a JSON object"}]}
        )
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


def _checked_path_parameters(app: APIGatewayHttpResolver, next_middleware: "NextMiddleware") -> Response[str]:
    check_path_parameters(app.current_event.path_parameters or {})
    return next_middleware(app)


def install_error_handlers(app: APIGatewayHttpResolver) -> None:
    """The one error map, and the path-parameter check every route gets before it runs."""
    app.use(middlewares=[_checked_path_parameters])

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

    def limit(app: APIGatewayHttpResolver, next_middleware: "NextMiddleware") -> Response[str]:
        from tracker_integrations.services.rate_limits import request_class

        try:
            member = current_identity(app).user_id  # per person, whichever account they act in
        except Unauthenticated:
            return next_middleware(app)
        wiring.rate_limits().admit(member, request_class(_route_key(app)))
        return next_middleware(app)

    app.use(middlewares=[limit])
    _RATE_LIMITED.add(app)


def install_roles(app: APIGatewayHttpResolver) -> None:
    """Refuse, before its route runs, a request whose role may not use the route (access.ROUTE_ROLES).

    Requests without a verified `sub` pass: the routes that need one refuse them themselves."""

    def check(app: APIGatewayHttpResolver, next_middleware: "NextMiddleware") -> Response[str]:
        try:
            identity = current_identity(app)
        except Unauthenticated:
            return next_middleware(app)
        route_key = _route_key(app)
        if not identity.role.allows(required_role(route_key)):
            raise RoleRequired(
                refusal(route_key, identity.role),
                details={"role": identity.role.value, "required_role": required_role(route_key).value},
            )
        return next_middleware(app)

    app.use(middlewares=[check])
    _ROLE_CHECKED.add(app)


def install_audit(app: APIGatewayHttpResolver) -> None:
    """Record each audited route (access.AUDITED_ROUTES) once it has succeeded:
    one write, only on those routes."""

    def record(app: APIGatewayHttpResolver, next_middleware: "NextMiddleware") -> Response[str]:
        response = next_middleware(app)
        if response.status_code < 400:
            route_key = _route_key(app)
            if route_key in AUDITED_ROUTES:
                try:
                    body = json_object(app)
                except ValidationFailed:
                    body = {}
                path_parameters = app.current_event.path_parameters or {}
                wiring.audit_log().record_request(current_identity(app), route_key, path_parameters, body)
        return response

    app.use(middlewares=[record])


def _route_key(app: APIGatewayHttpResolver) -> str:
    event = app.current_event
    return str(event.raw_event.get("routeKey") or f"{event.http_method} {event.path}")


def role_checked(app: APIGatewayHttpResolver) -> bool:
    return app in _ROLE_CHECKED


_ROLE_CHECKED: weakref.WeakSet[APIGatewayHttpResolver] = weakref.WeakSet()

# The resolvers with the limiter installed (a check that every user-facing function has it).
_RATE_LIMITED: weakref.WeakSet[APIGatewayHttpResolver] = weakref.WeakSet()


def rate_limited(app: APIGatewayHttpResolver) -> bool:
    return app in _RATE_LIMITED
