"""Airtable's OAuth (PKCE and state mandatory, rotating refresh tokens) and the whoami endpoint.

Served: airtable.com/oauth2/v1/authorize (consent), airtable.com/oauth2/v1/token,
api.airtable.com/v0/meta/whoami. Airtable publishes no revocation endpoint, so none is served.
"""

import hmac
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from pydantic import JsonValue
from werkzeug.wrappers import Request, Response

from provider_sandbox.consent import AuthorizeProblem, Brand, ConsentFlow
from provider_sandbox.identity import stable_alphanumeric
from provider_sandbox.models import OAuthClientRegistration, Provider
from provider_sandbox.oauth import GrantError, GrantErrorKind, IssuedTokens, TokenPolicy, random_token
from provider_sandbox.responses import (
    bearer_token,
    json_response,
    oauth_error,
    oauth_error_style,
    reason,
    token_response,
)
from provider_sandbox.routing import Router, SandboxContext

PROVIDER: Provider = "airtable"
WEB_HOST = "airtable.com"
API_HOST = "api.airtable.com"

ACCESS_TOKEN_SECONDS = 3600
REFRESH_TOKEN_SECONDS = 60 * 24 * 3600
SCOPES = frozenset(
    {
        "data.records:read",
        "data.records:write",
        "data.recordComments:read",
        "data.recordComments:write",
        "schema.bases:read",
        "schema.bases:write",
        "webhook:manage",
        "block:manage",
        "user.email:read",
    }
)


def _airtable_token(kind: str) -> str:
    # Shaped like Airtable's: an id, a version, then the secret.
    return f"oaa{random_token(10)}.v1.{kind}.{random_token(32)}"


_TOKEN_POLICY = TokenPolicy(
    access_token=lambda: _airtable_token("access"),
    access_lifetime=timedelta(seconds=ACCESS_TOKEN_SECONDS),
    refresh_token=lambda: _airtable_token("refresh"),
    refresh_lifetime=timedelta(seconds=REFRESH_TOKEN_SECONDS),
)


def airtable_user_id(login: str) -> str:
    return "usr" + stable_alphanumeric(login, "airtable-user", 14)


# Airtable's API error envelope: {"error": {"type", "message"}}; unknown routes get {"error": "NOT_FOUND"}.
_API_ERRORS: dict[int, tuple[str, str]] = {
    400: ("INVALID_REQUEST_UNKNOWN", "Invalid request: parameter validation failed."),
    401: ("AUTHENTICATION_REQUIRED", "Authentication required"),
    403: ("INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND", "Invalid permissions, or the requested model was not found."),
    413: ("REQUEST_TOO_LARGE", "Request body is too large"),
    422: ("INVALID_REQUEST_UNKNOWN", "Invalid request: parameter validation failed."),
    429: ("RATE_LIMIT_REACHED", "Rate limit exceeded. Please try again later"),
    500: ("SERVER_ERROR", "Try again. If the problem persists, contact support."),
    502: ("SERVICE_UNAVAILABLE", "Try again. If the problem persists, contact support."),
    503: ("SERVICE_UNAVAILABLE", "Try again. If the problem persists, contact support."),
}


def airtable_api_error(status: int, message: str | None = None, *, error_type: str | None = None) -> Response:
    if status == 404 and error_type is None:
        return json_response({"error": "NOT_FOUND"}, 404)
    default_type, default_message = _API_ERRORS.get(status, ("UNKNOWN_ERROR", reason(status)))
    return json_response({"error": {"type": error_type or default_type, "message": message or default_message}}, status)


def airtable_api_error_style(status: int, message: str | None) -> Response:
    return airtable_api_error(status, message)


class AirtableConsent(ConsentFlow):
    provider = PROVIDER
    brand = Brand("Airtable", "#2d7ff9", allow_label="Grant access", deny_label="Cancel")
    host = WEB_HOST
    path = "/oauth2/v1/authorize"

    def check_request(self, params: Mapping[str, str]) -> AuthorizeProblem | None:
        # Once the client and redirect_uri check out, Airtable reports errors to the redirect_uri.
        scopes = params.get("scope", "").split()
        unknown = sorted(set(scopes) - SCOPES)
        checks = [
            (params.get("response_type") != "code", "unsupported_response_type", "response_type must be 'code'"),
            (not params.get("state"), "invalid_request", "state is required"),
            (not params.get("code_challenge"), "invalid_request", "code_challenge is required"),
            (params.get("code_challenge_method") != "S256", "invalid_request", "code_challenge_method must be S256"),
            (not scopes, "invalid_request", "scope is required"),
            (bool(unknown), "invalid_scope", f"Invalid scopes: {', '.join(unknown)}"),
        ]
        for failed, error, description in checks:
            if failed:
                return AuthorizeProblem(error, description, redirect=True)
        return None

    def deny_params(self, params: Mapping[str, str]) -> list[tuple[str, str]]:
        return [
            ("error", "access_denied"),
            ("error_description", "The user denied the authorization request"),
            *self._state(params),
        ]

    def approve(
        self, params: Mapping[str, str], client: OAuthClientRegistration, login: str, granted: list[str]
    ) -> list[tuple[str, str]]:
        self.ctx.store.record_consent(PROVIDER, client.client_id, login, granted)
        code = self.ctx.store.issue_code(
            provider=PROVIDER,
            client_id=client.client_id,
            redirect_uri=params["redirect_uri"],
            login=login,
            scopes=granted,
            offline=True,  # Airtable always issues a refresh token
            code=random_token(32),
            code_challenge=params["code_challenge"],
            code_challenge_method="S256",
        )
        return [("code", code.code), *self._state(params)]


_GRANT_ERRORS: dict[GrantErrorKind, tuple[str, str]] = {
    GrantErrorKind.CODE_UNKNOWN: ("invalid_grant", "Invalid authorization code"),
    GrantErrorKind.CODE_USED: ("invalid_grant", "Authorization code has already been used"),
    GrantErrorKind.CODE_EXPIRED: ("invalid_grant", "Authorization code has expired"),
    GrantErrorKind.CODE_CLIENT_MISMATCH: ("invalid_grant", "Authorization code was issued to another client"),
    GrantErrorKind.REDIRECT_URI_MISMATCH: ("invalid_grant", "redirect_uri does not match the authorization request"),
    GrantErrorKind.VERIFIER_MISSING: ("invalid_request", "code_verifier is required"),
    GrantErrorKind.VERIFIER_UNEXPECTED: ("invalid_request", "code_verifier was not expected"),
    GrantErrorKind.VERIFIER_MISMATCH: ("invalid_grant", "code_verifier does not match code_challenge"),
    GrantErrorKind.REFRESH_UNKNOWN: ("invalid_grant", "Invalid refresh token"),
    GrantErrorKind.REFRESH_CLIENT_MISMATCH: ("invalid_grant", "Refresh token was issued to another client"),
    GrantErrorKind.SCOPE_NOT_GRANTED: ("invalid_scope", "Requested scope exceeds the granted scope"),
}


class AirtableOAuth:
    def __init__(self, ctx: SandboxContext) -> None:
        self.ctx = ctx
        self.consent = AirtableConsent(ctx)

    def install(self, router: Router) -> None:
        router.host_style(API_HOST, airtable_api_error_style)
        self.consent.install(router)
        router.add(WEB_HOST, "/oauth2/v1/token", ["POST"], self.token, oauth_error_style)
        router.add(API_HOST, "/v0/meta/whoami", ["GET"], self.whoami)

    def _authenticate_client(self, request: Request) -> tuple[str | None, Response | None]:
        """Confidential clients use HTTP Basic; public clients send client_id in the body."""
        basic = request.authorization if request.authorization and request.authorization.type == "basic" else None
        client_id = basic.username if basic else request.form.get("client_id")
        if not client_id:
            return None, oauth_error("invalid_client", "client_id is required", 401)
        client = self.ctx.store.client(PROVIDER, client_id)
        if client is None:
            return None, oauth_error("invalid_client", "Unknown client_id", 401)
        if client.client_secret is None:
            if basic is not None and basic.password:
                return None, oauth_error("invalid_client", "This client has no secret", 401)
        elif basic is None or not hmac.compare_digest(basic.password or "", client.client_secret):
            return None, oauth_error("invalid_client", "Invalid client credentials", 401)
        return client_id, None

    def token(self, request: Request, _values: Mapping[str, Any]) -> Response:
        client_id, failure = self._authenticate_client(request)
        if failure is not None or client_id is None:
            return failure or oauth_error("invalid_client", "client_id is required", 401)
        grant_type = request.form.get("grant_type")
        try:
            if grant_type == "authorization_code":
                return self._exchange_code(request, client_id)
            if grant_type == "refresh_token":
                return self._refresh(request, client_id)
        except GrantError as error:
            return oauth_error(*_GRANT_ERRORS[error.kind])
        return oauth_error("unsupported_grant_type", f"Unsupported grant_type: {grant_type}")

    def _exchange_code(self, request: Request, client_id: str) -> Response:
        code = request.form.get("code")
        if not code:
            return oauth_error("invalid_request", "code is required")
        issued = self.ctx.store.redeem_code(
            provider=PROVIDER,
            code=code,
            client_id=client_id,
            redirect_uri=request.form.get("redirect_uri"),
            code_verifier=request.form.get("code_verifier"),
            policy=_TOKEN_POLICY,
        )
        return token_response(self._token_body(issued))

    def _refresh(self, request: Request, client_id: str) -> Response:
        refresh_token = request.form.get("refresh_token")
        if not refresh_token:
            return oauth_error("invalid_request", "refresh_token is required")
        # Rotation: the response carries a new refresh token and the one just used dies.
        issued = self.ctx.store.refresh(
            provider=PROVIDER, refresh_token=refresh_token, client_id=client_id, policy=_TOKEN_POLICY, rotate=True
        )
        return token_response(self._token_body(issued))

    @staticmethod
    def _token_body(issued: IssuedTokens) -> dict[str, JsonValue]:
        return {
            "access_token": issued.access.token,
            "refresh_token": issued.refresh_token,
            "token_type": "Bearer",
            "scope": " ".join(issued.access.scopes),
            "expires_in": ACCESS_TOKEN_SECONDS,
            "refresh_expires_in": REFRESH_TOKEN_SECONDS,
        }

    def whoami(self, request: Request, _values: Mapping[str, Any]) -> Response:
        access = self.ctx.store.authenticate(PROVIDER, bearer_token(request))
        if access is None:
            return airtable_api_error(401)
        body: dict[str, JsonValue] = {"id": airtable_user_id(access.login), "scopes": list(access.scopes)}
        if "user.email:read" in access.scopes:
            body["email"] = access.login
        return json_response(body)
