"""Google's OAuth 2.0 web-server flow and OpenID Connect endpoints.

Served: accounts.google.com/o/oauth2/v2/auth (consent), oauth2.googleapis.com/token and /revoke,
openidconnect.googleapis.com/v1/userinfo, www.googleapis.com/oauth2/v3/certs (JWKS for id_tokens).
"""

import base64
import hashlib
import hmac
import re
from collections.abc import Mapping
from datetime import timedelta
from functools import cache
from typing import Any, ClassVar

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from pydantic import JsonValue
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Request, Response

from provider_sandbox.consent import AuthorizeProblem, Brand, ConsentFlow, ScopeLine
from provider_sandbox.identity import display_name, stable_digits
from provider_sandbox.models import OAuthClientRegistration, Provider
from provider_sandbox.oauth import AccessToken, GrantErrorKind, IssuedTokens, TokenPolicy, random_token
from provider_sandbox.responses import (
    bearer_token,
    json_response,
    oauth_error,
    oauth_error_style,
    reason,
)
from provider_sandbox.routing import Router, SandboxContext
from provider_sandbox.token_endpoint import TokenEndpoint, client_credentials

PROVIDER: Provider = "google"
ISSUER = "https://accounts.google.com"
ACCOUNTS_HOST = "accounts.google.com"
TOKEN_HOST = "oauth2.googleapis.com"
USERINFO_HOST = "openidconnect.googleapis.com"
WWW_HOST = "www.googleapis.com"

ACCESS_TOKEN_SECONDS = 3599
SCOPE_PREFIX = "https://www.googleapis.com/auth/"
EMAIL_SCOPE = SCOPE_PREFIX + "userinfo.email"
PROFILE_SCOPE = SCOPE_PREFIX + "userinfo.profile"
# Google answers with the long names even when the short ones were requested: clients comparing the
# granted `scope` with what they asked for must normalise the same way.
_SCOPE_ALIASES = {"email": EMAIL_SCOPE, "profile": PROFILE_SCOPE}
# Sign-in scopes cannot be unticked on Google's granular consent screen.
SIGN_IN_SCOPES = frozenset({"openid", EMAIL_SCOPE, PROFILE_SCOPE})
_SCOPE_LABELS = {
    "openid": "Associate you with your personal info on Google",
    EMAIL_SCOPE: "See your primary Google Account email address",
    PROFILE_SCOPE: "See your personal info, including any personal info you've made publicly available",
    SCOPE_PREFIX + "spreadsheets": "See, edit, create and delete all your Google Sheets spreadsheets",
    SCOPE_PREFIX + "spreadsheets.readonly": "See all your Google Sheets spreadsheets",
    SCOPE_PREFIX + "drive.file": "See, edit, create and delete only the Google Drive files you use with this app",
    SCOPE_PREFIX + "drive": "See, edit, create and delete all of your Google Drive files",
    SCOPE_PREFIX + "gmail.readonly": "View your email messages and settings",
    SCOPE_PREFIX + "gmail.metadata": "View your email message metadata such as labels and headers",
    SCOPE_PREFIX + "gmail.send": "Send email on your behalf",
}
_CHALLENGE = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")

_TOKEN_POLICY = TokenPolicy(
    access_token=lambda: "ya29." + random_token(48),
    access_lifetime=timedelta(seconds=ACCESS_TOKEN_SECONDS),
    refresh_token=lambda: "1//" + random_token(48),
    refresh_lifetime=None,
)


def normalise_scope(scope: str) -> str:
    return _SCOPE_ALIASES.get(scope, scope)


def google_subject(login: str) -> str:
    """Google `sub` values are 21-digit decimal strings."""
    return stable_digits(login, "google-sub", 21)


# Google API error envelope -------------------------------------------------------------------

_API_ERRORS: dict[int, tuple[str, str, str]] = {
    400: ("INVALID_ARGUMENT", "badRequest", "Request contains an invalid argument."),
    401: (
        "UNAUTHENTICATED",
        "authError",
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other "
        "valid authentication credential.",
    ),
    403: ("PERMISSION_DENIED", "forbidden", "The caller does not have permission"),
    404: ("NOT_FOUND", "notFound", "Requested entity was not found."),
    409: ("ALREADY_EXISTS", "conflict", "Requested entity already exists"),
    429: ("RESOURCE_EXHAUSTED", "rateLimitExceeded", "Quota exceeded for quota metric 'Requests'."),
    500: ("INTERNAL", "backendError", "Internal error encountered."),
    502: ("UNAVAILABLE", "backendError", "Bad Gateway"),
    503: ("UNAVAILABLE", "backendError", "The service is currently unavailable."),
    504: ("DEADLINE_EXCEEDED", "backendError", "The request timed out."),
}


# errors[].domain and message of the reasons Drive documents (handle-errors guide), for faults naming a reason.
REASON_WORDING: dict[str, tuple[str, str]] = {
    "rateLimitExceeded": ("usageLimits", "Rate Limit Exceeded"),
    "userRateLimitExceeded": ("usageLimits", "User Rate Limit Exceeded"),
    "dailyLimitExceeded": ("usageLimits", "Daily Limit Exceeded"),
    "sharingRateLimitExceeded": (
        "global",
        'Rate limit exceeded. User message: "Sorry, you have exceeded your sharing quota."',
    ),
    "quotaExceeded": ("usageLimits", "Quota Exceeded"),
    "appNotAuthorizedToFile": ("global", "The user has not granted the app write access to the file."),
    "insufficientFilePermissions": ("global", "The user does not have sufficient permissions for this file."),
    "domainPolicy": ("global", "The domain administrators have disabled Drive apps."),
    "storageQuotaExceeded": ("global", "The user's Drive storage quota has been exceeded."),
}


def google_api_error_body(
    status: int,
    message: str | None = None,
    *,
    reason_code: str | None = None,
    api_status: str | None = None,
    domain: str | None = None,
) -> dict[str, JsonValue]:
    """Google's JSON error envelope. `errors[0].reason` matters: googleapiclient retries 403s by it."""
    default_status, default_reason, default_message = _API_ERRORS.get(status, ("UNKNOWN", "unknown", reason(status)))
    wording_domain, wording = REASON_WORDING.get(reason_code or "", ("global", ""))
    text = message or wording or default_message
    return {
        "error": {
            "code": status,
            "message": text,
            "errors": [{"message": text, "domain": domain or wording_domain, "reason": reason_code or default_reason}],
            "status": api_status or default_status,
        }
    }


def google_api_error_style(status: int, message: str | None) -> Response:
    headers = {"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/"'} if status == 401 else None
    return json_response(google_api_error_body(status, message), status, headers=headers)


# id_token signing ------------------------------------------------------------------------------


@cache
def _signing_key() -> rsa.RSAPrivateKey:
    # One key per process: generating RSA keys is slow and tests build many sandboxes.
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _key_id() -> str:
    der = (
        _signing_key()
        .public_key()
        .public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return hashlib.sha1(der, usedforsecurity=False).hexdigest()


def jwks() -> dict[str, JsonValue]:
    jwk = dict(RSAAlgorithm.to_jwk(_signing_key().public_key(), as_dict=True))
    jwk.update({"kid": _key_id(), "use": "sig", "alg": "RS256"})
    return {"keys": [jwk]}


def _at_hash(access_token: str) -> str:
    # OpenID Connect Core §3.1.3.6: left half of SHA-256, base64url without padding.
    digest = hashlib.sha256(access_token.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest[:16]).rstrip(b"=").decode("ascii")


def id_token(access: AccessToken, nonce: str | None) -> str:
    issued = int(access.issued_at.timestamp())
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "azp": access.client_id,
        "aud": access.client_id,
        "sub": google_subject(access.login),
        "at_hash": _at_hash(access.token),
        "iat": issued,
        "exp": issued + ACCESS_TOKEN_SECONDS,
    }
    if EMAIL_SCOPE in access.scopes:
        claims.update(email=access.login, email_verified=True)
    if PROFILE_SCOPE in access.scopes:
        claims.update(name=display_name(access.login), given_name=display_name(access.login).split(" ")[0])
    if nonce:
        claims["nonce"] = nonce
    return jwt.encode(claims, _signing_key(), algorithm="RS256", headers={"kid": _key_id()})


# Consent -------------------------------------------------------------------------------------


class GoogleConsent(ConsentFlow):
    provider = PROVIDER
    brand = Brand("Google", "#1a73e8", allow_label="Continue", deny_label="Cancel")
    host = ACCOUNTS_HOST
    path = "/o/oauth2/v2/auth"

    def check_request(self, params: Mapping[str, str]) -> AuthorizeProblem | None:
        # Google shows every request error on its own page ("Access blocked"), never redirecting.
        response_type = params.get("response_type")
        scopes = params.get("scope", "").split()
        invalid = [s for s in scopes if s not in _SCOPE_ALIASES and s != "openid" and not s.startswith(SCOPE_PREFIX)]
        prompts = params.get("prompt", "").split()
        checks = [
            (not response_type, "invalid_request", "Required parameter is missing: response_type"),
            (response_type != "code", "unsupported_response_type", f"Invalid response_type: {response_type}"),
            (not scopes, "invalid_request", "Missing required parameter: scope"),
            (bool(invalid), "invalid_scope", f"Some requested scopes were invalid. {{invalid={invalid}}}"),
            (
                params.get("access_type", "online") not in {"online", "offline"},
                "invalid_request",
                f"Invalid access_type: {params.get('access_type')}",
            ),
            (
                not set(prompts) <= {"none", "consent", "select_account"} or ("none" in prompts and len(prompts) > 1),
                "invalid_request",
                f"Invalid prompt: {params.get('prompt')}",
            ),
            (
                params.get("include_granted_scopes", "false") not in {"true", "false"},
                "invalid_request",
                "Invalid include_granted_scopes",
            ),
        ]
        for failed, error, description in checks:
            if failed:
                return AuthorizeProblem(error, description)
        return self._check_pkce(params)

    @staticmethod
    def _check_pkce(params: Mapping[str, str]) -> AuthorizeProblem | None:
        challenge = params.get("code_challenge")
        method = params.get("code_challenge_method")
        if challenge is None:
            return AuthorizeProblem("invalid_request", "Missing code_challenge.") if method else None
        if (method or "plain") not in {"S256", "plain"}:
            return AuthorizeProblem("invalid_request", f"Invalid code_challenge_method: {method}")
        if not _CHALLENGE.fullmatch(challenge):
            return AuthorizeProblem("invalid_request", "Invalid code_challenge.")
        return None

    def requested_scopes(self, params: Mapping[str, str]) -> list[str]:
        return list(dict.fromkeys(normalise_scope(s) for s in params.get("scope", "").split()))

    def scope_lines(self, scopes: list[str]) -> list[ScopeLine]:
        return [
            ScopeLine(scope, _SCOPE_LABELS.get(scope, scope), optional=scope not in SIGN_IN_SCOPES) for scope in scopes
        ]

    def approve(
        self, params: Mapping[str, str], client: OAuthClientRegistration, login: str, granted: list[str]
    ) -> list[tuple[str, str]]:
        consent = self.ctx.store.record_consent(PROVIDER, client.client_id, login, granted)
        scopes = granted
        if params.get("include_granted_scopes") == "true":
            scopes = list(dict.fromkeys([*consent.previously_granted, *granted]))
        # A refresh token comes with offline access on the first consent only, unless prompt=consent.
        offline = params.get("access_type") == "offline" and (
            consent.first_consent or "consent" in params.get("prompt", "").split()
        )
        challenge = params.get("code_challenge")
        code = self.ctx.store.issue_code(
            provider=PROVIDER,
            client_id=client.client_id,
            redirect_uri=params["redirect_uri"],
            login=login,
            scopes=scopes,
            offline=offline,
            code="4/0" + random_token(40),
            code_challenge=challenge,
            code_challenge_method=(params.get("code_challenge_method") or "plain") if challenge else None,
            nonce=params.get("nonce"),
        )
        # RFC 9207: Google names itself in `iss` so clients can detect mix-up attacks.
        return [*self._state(params), ("code", code.code), ("scope", " ".join(scopes)), ("iss", ISSUER)]


# Token, revoke, userinfo -----------------------------------------------------------------------

_GRANT_ERRORS: dict[GrantErrorKind, tuple[str, str]] = {
    GrantErrorKind.CODE_UNKNOWN: ("invalid_grant", "Bad Request"),
    GrantErrorKind.CODE_USED: ("invalid_grant", "Bad Request"),
    GrantErrorKind.CODE_EXPIRED: ("invalid_grant", "Bad Request"),
    GrantErrorKind.CODE_CLIENT_MISMATCH: ("invalid_grant", "Bad Request"),
    GrantErrorKind.REDIRECT_URI_MISMATCH: ("redirect_uri_mismatch", "Bad Request"),
    GrantErrorKind.VERIFIER_MISSING: ("invalid_grant", "Missing code verifier."),
    GrantErrorKind.VERIFIER_UNEXPECTED: ("invalid_request", "code_verifier or verifier is not needed."),
    GrantErrorKind.VERIFIER_MISMATCH: ("invalid_grant", "Invalid code verifier."),
    GrantErrorKind.REFRESH_UNKNOWN: ("invalid_grant", "Token has been expired or revoked."),
    GrantErrorKind.REFRESH_CLIENT_MISMATCH: ("unauthorized_client", "Unauthorized"),
    GrantErrorKind.SCOPE_NOT_GRANTED: ("invalid_scope", "Bad Request"),
}


class GoogleOAuth(TokenEndpoint):
    provider = PROVIDER
    host = TOKEN_HOST
    path = "/token"
    policy = _TOKEN_POLICY
    grant_errors = _GRANT_ERRORS
    missing: ClassVar[Mapping[str, str]] = {
        "grant_type": "Missing required parameter: grant_type",
        "code": "Missing required parameter: code",
        "redirect_uri": "Missing parameter: redirect_uri",
        "refresh_token": "Missing required parameter: refresh_token",
    }
    unsupported_grant = "Invalid grant_type: {}"
    rotate_refresh = False  # Google keeps the refresh token; a refresh response carries none

    def __init__(self, ctx: SandboxContext) -> None:
        super().__init__(ctx)
        self.consent = GoogleConsent(ctx)

    def install(self, router: Router) -> None:
        router.host_style(TOKEN_HOST, oauth_error_style)
        router.host_style(USERINFO_HOST, google_api_error_style)
        router.host_style(WWW_HOST, google_api_error_style)
        self.consent.install(router)
        super().install(router)
        router.add(TOKEN_HOST, "/revoke", ["POST"], self.revoke)
        router.add(USERINFO_HOST, "/v1/userinfo", ["GET"], self.userinfo)
        router.add(WWW_HOST, "/oauth2/v3/certs", ["GET"], self.certs)

    def authenticate_client(self, request: Request) -> str | Response:
        # client_secret_basic is accepted as well as client_secret_post.
        client_id, secret, _ = client_credentials(request)
        if not client_id:
            return oauth_error("invalid_request", "Could not determine client ID from request.")
        client = self.ctx.store.client(PROVIDER, client_id)
        if client is None:
            return oauth_error("invalid_client", "The OAuth client was not found.", 401)
        if client.client_secret is not None and not secret:
            return oauth_error("invalid_request", "client_secret is missing.")
        if client.client_secret is not None and not hmac.compare_digest(secret or "", client.client_secret):
            return oauth_error("invalid_client", "Unauthorized", 401)
        return client_id

    def refresh_scopes(self, form: "MultiDict[str, str]") -> tuple[str, ...] | None:
        requested = form.get("scope")
        return tuple(normalise_scope(s) for s in requested.split()) if requested else None

    def token_body(self, issued: IssuedTokens) -> dict[str, JsonValue]:
        access = issued.access
        body: dict[str, JsonValue] = {
            "access_token": access.token,
            "expires_in": ACCESS_TOKEN_SECONDS,
            "token_type": "Bearer",
            "scope": " ".join(access.scopes),
        }
        if issued.refresh_token is not None:
            body["refresh_token"] = issued.refresh_token
        if "openid" in access.scopes:
            body["id_token"] = id_token(access, issued.grant.nonce)
        return body

    def revoke(self, request: Request, _values: Mapping[str, Any]) -> Response:
        token = request.form.get("token") or request.args.get("token")
        if not token:
            return oauth_error("invalid_request", "Missing required parameter: token")
        if not self.ctx.store.revoke_token(PROVIDER, token):
            return oauth_error("invalid_token", "Token expired or revoked")
        return json_response({})

    def userinfo(self, request: Request, _values: Mapping[str, Any]) -> Response:
        access = self.ctx.store.authenticate(PROVIDER, bearer_token(request))
        if access is None:
            return json_response(
                {"error": "invalid_request", "error_description": "Invalid Credentials"},
                401,
                headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", error="invalid_token"'},
            )
        if not SIGN_IN_SCOPES & set(access.scopes):
            return json_response(
                {"error": "insufficient_scope", "error_description": "Insufficient Permission"},
                403,
                headers={"WWW-Authenticate": 'Bearer realm="https://accounts.google.com/", error="insufficient_scope"'},
            )
        # Like Google: email needs the email scope, name the profile scope.
        info: dict[str, JsonValue] = {"sub": google_subject(access.login)}
        if EMAIL_SCOPE in access.scopes:
            info.update(email=access.login, email_verified=True)
        if PROFILE_SCOPE in access.scopes:
            name = display_name(access.login)
            info.update(name=name, given_name=name.split(" ")[0])
        return json_response(info)

    def certs(self, _request: Request, _values: Mapping[str, Any]) -> Response:
        return json_response(jwks(), headers={"Cache-Control": "public, max-age=3600"})
