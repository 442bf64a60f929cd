"""Airtable's OAuth (PKCE and state mandatory, rotating refresh tokens) and the whoami endpoint.

Served: airtable.com/oauth2/v1/authorize (consent), airtable.com/oauth2/v1/token,
api.airtable.com/v0/meta/whoami. Airtable publishes no revocation endpoint, so none is served.
"""

import hmac
from collections.abc import Mapping
from datetime import timedelta
from typing import Any, ClassVar

from pydantic import JsonValue
from werkzeug.wrappers import Request, Response

from provider_sandbox.consent import AuthorizeProblem, Brand, ConsentFlow
from provider_sandbox.identity import stable_alphanumeric
from provider_sandbox.models import OAuthClientRegistration, Provider
from provider_sandbox.oauth import GrantErrorKind, IssuedTokens, TokenPolicy, random_token
from provider_sandbox.responses import (
    bearer_token,
    json_response,
    oauth_error,
    reason,
)
from provider_sandbox.routing import Router, SandboxContext
from provider_sandbox.token_endpoint import TokenEndpoint, client_credentials

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


class AirtableOAuth(TokenEndpoint):
    provider = PROVIDER
    host = WEB_HOST
    path = "/oauth2/v1/token"
    policy = _TOKEN_POLICY
    grant_errors = _GRANT_ERRORS
    missing: ClassVar[Mapping[str, str]] = {"code": "code is required", "refresh_token": "refresh_token is required"}
    rotate_refresh = True  # the response carries a new refresh token and the one just used dies

    def __init__(self, ctx: SandboxContext) -> None:
        super().__init__(ctx)
        self.consent = AirtableConsent(ctx)

    def install(self, router: Router) -> None:
        router.host_style(API_HOST, airtable_api_error_style)
        self.consent.install(router)
        super().install(router)
        router.add(API_HOST, "/v0/meta/whoami", ["GET"], self.whoami)

    def authenticate_client(self, request: Request) -> str | Response:
        """Confidential clients use HTTP Basic; public clients send client_id in the body."""
        client_id, secret, basic = client_credentials(request)
        if not client_id:
            return oauth_error("invalid_client", "client_id is required", 401)
        client = self.ctx.store.client(PROVIDER, client_id)
        if client is None:
            return oauth_error("invalid_client", "Unknown client_id", 401)
        if client.client_secret is None:
            if basic and secret:
                return oauth_error("invalid_client", "This client has no secret", 401)
        elif not basic or not hmac.compare_digest(secret or "", client.client_secret):
            return oauth_error("invalid_client", "Invalid client credentials", 401)
        return client_id

    def token_body(self, issued: IssuedTokens) -> dict[str, JsonValue]:
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
