"""Mailchimp's OAuth (no scopes, tokens that never expire, no refresh), metadata and ping.

Served: login.mailchimp.com/oauth2/authorize (consent), /oauth2/token, /oauth2/metadata, and
us19.api.mailchimp.com/3.0/ping. Mailchimp publishes no revocation endpoint, so none is served.
"""

import hmac
import secrets
import uuid
from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import JsonValue
from werkzeug.wrappers import Request, Response

from provider_sandbox.consent import AuthorizeProblem, Brand, ConsentFlow
from provider_sandbox.identity import display_name, stable_digits
from provider_sandbox.models import OAuthClientRegistration, Provider
from provider_sandbox.oauth import GrantErrorKind, IssuedTokens, TokenPolicy
from provider_sandbox.responses import (
    bearer_token,
    json_response,
    oauth_error,
    oauth_error_style,
    reason,
)
from provider_sandbox.routing import Router, SandboxContext
from provider_sandbox.token_endpoint import TokenEndpoint, client_credentials

PROVIDER: Provider = "mailchimp"
LOGIN_HOST = "login.mailchimp.com"
DATA_CENTER = "us19"
API_HOST = f"{DATA_CENTER}.api.mailchimp.com"

_TOKEN_POLICY = TokenPolicy(access_token=lambda: secrets.token_hex(16), access_lifetime=None)

ERROR_DOC = "https://mailchimp.com/developer/marketing/docs/errors/"
_PROBLEMS: dict[int, tuple[str, str]] = {
    400: ("Invalid Resource", "The resource submitted could not be validated."),
    401: ("API Key Invalid", "Your API key may be invalid, or you've attempted to access the wrong datacenter."),
    403: ("Forbidden", "You don't have permission to access this resource."),
    404: ("Resource Not Found", "The requested resource could not be found."),
    405: ("Method Not Allowed", "The requested method and resource are not compatible."),
    429: ("Too Many Requests", "You have exceeded the limit of 10 simultaneous connections."),
    500: ("Internal Server Error", "An unexpected internal error has occurred."),
    503: ("Service Unavailable", "This service is temporarily unavailable."),
}


def mailchimp_problem(status: int, detail: str | None = None, *, title: str | None = None) -> Response:
    """Mailchimp's RFC 7807 problem+json error."""
    default_title, default_detail = _PROBLEMS.get(status, (reason(status), reason(status)))
    body: dict[str, JsonValue] = {
        "type": ERROR_DOC,
        "title": title or default_title,
        "status": status,
        "detail": detail or default_detail,
        "instance": str(uuid.uuid4()),
    }
    return json_response(body, status, content_type="application/problem+json; charset=utf-8")


def mailchimp_problem_style(status: int, message: str | None) -> Response:
    return mailchimp_problem(status, message)


class MailchimpConsent(ConsentFlow):
    provider = PROVIDER
    brand = Brand("Mailchimp", "#007c89", allow_label="Allow", deny_label="Deny")
    host = LOGIN_HOST
    path = "/oauth2/authorize"

    def check_request(self, params: Mapping[str, str]) -> AuthorizeProblem | None:
        if params.get("response_type") != "code":
            return AuthorizeProblem("unsupported_response_type", "response_type must be 'code'")
        challenge, method = params.get("code_challenge"), params.get("code_challenge_method")
        if (challenge or method) and (not challenge or method != "S256"):
            return AuthorizeProblem("invalid_request", "PKCE needs code_challenge with code_challenge_method=S256")
        return None

    def requested_scopes(self, params: Mapping[str, str]) -> list[str]:
        return []  # Mailchimp has no scopes: a token can do everything the user can

    def approve(
        self, params: Mapping[str, str], client: OAuthClientRegistration, login: str, granted: list[str]
    ) -> list[tuple[str, str]]:
        self.ctx.store.record_consent(PROVIDER, client.client_id, login, granted)
        challenge = params.get("code_challenge")
        code = self.ctx.store.issue_code(
            provider=PROVIDER,
            client_id=client.client_id,
            redirect_uri=params["redirect_uri"],
            login=login,
            scopes=(),
            offline=False,
            code=secrets.token_hex(16),
            code_challenge=challenge,
            code_challenge_method="S256" if challenge else None,
        )
        return [("code", code.code), *self._state(params)]


_GRANT_ERRORS: dict[GrantErrorKind, tuple[str, str]] = {
    GrantErrorKind.CODE_UNKNOWN: ("invalid_grant", "Invalid authorization code"),
    GrantErrorKind.CODE_USED: ("invalid_grant", "Invalid authorization code"),
    GrantErrorKind.CODE_EXPIRED: ("invalid_grant", "Authorization code expired"),
    GrantErrorKind.CODE_CLIENT_MISMATCH: ("invalid_grant", "Invalid authorization code"),
    GrantErrorKind.REDIRECT_URI_MISMATCH: ("invalid_grant", "Invalid redirect_uri"),
    GrantErrorKind.VERIFIER_MISSING: ("invalid_request", "code_verifier is required"),
    GrantErrorKind.VERIFIER_UNEXPECTED: ("invalid_request", "code_verifier was not expected"),
    GrantErrorKind.VERIFIER_MISMATCH: ("invalid_grant", "Invalid code_verifier"),
}


class MailchimpOAuth(TokenEndpoint):
    provider = PROVIDER
    host = LOGIN_HOST
    path = "/oauth2/token"
    policy = _TOKEN_POLICY
    grant_errors = _GRANT_ERRORS
    missing: ClassVar[Mapping[str, str]] = {"code": "code is required"}
    rotate_refresh = None  # tokens never expire, so there is no refresh grant

    def __init__(self, ctx: SandboxContext) -> None:
        super().__init__(ctx)
        self.consent = MailchimpConsent(ctx)

    def install(self, router: Router) -> None:
        router.host_style(API_HOST, mailchimp_problem_style)
        self.consent.install(router)
        super().install(router)
        router.add(LOGIN_HOST, "/oauth2/metadata", ["GET"], self.metadata, oauth_error_style)
        router.add(API_HOST, "/3.0/ping", ["GET"], self.ping)

    def authenticate_client(self, request: Request) -> str | Response:
        client_id, secret, _ = client_credentials(request)
        client = self.ctx.store.client(PROVIDER, client_id)
        if client is None:
            return oauth_error("invalid_client", "Invalid client_id", 401)
        if client.client_secret is not None and not hmac.compare_digest(secret or "", client.client_secret):
            return oauth_error("invalid_client", "Invalid client_secret", 401)
        return client_id

    def token_body(self, issued: IssuedTokens) -> dict[str, JsonValue]:
        return {"access_token": issued.access.token, "expires_in": 0, "scope": None}

    def metadata(self, request: Request, _values: Mapping[str, Any]) -> Response:
        access = self.ctx.store.authenticate(PROVIDER, bearer_token(request, scheme="OAuth"))
        if access is None:
            # Mailchimp answers a bad token with 200 and an error body: callers must check the body.
            return json_response({"error": "invalid_token"})
        login = access.login
        user_id = int(stable_digits(login, "mailchimp-user", 9))
        return json_response(
            {
                "dc": DATA_CENTER,
                "role": "owner",
                "accountname": f"{display_name(login)} Music",
                "user_id": user_id,
                "login": {
                    "email": login,
                    "avatar": None,
                    "login_id": user_id,
                    "login_name": login.split("@", 1)[0],
                    "login_email": login,
                },
                "login_url": self.ctx.url(request, LOGIN_HOST),
                "api_endpoint": self.ctx.url(request, API_HOST),
            }
        )

    def ping(self, request: Request, _values: Mapping[str, Any]) -> Response:
        if self.ctx.store.authenticate(PROVIDER, bearer_token(request)) is None:
            return mailchimp_problem(401)
        return json_response({"health_status": "Everything's Chimpy!"})
