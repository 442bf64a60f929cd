"""Verifying the JWT Pub/Sub puts on an authenticated push (Authorization: Bearer).

Reference: https://cloud.google.com/pubsub/docs/authenticate-push-subscriptions. The token is an
RS256 JWT signed by Google: signature against Google's published certificates (fetched from the
configured endpoint and cached for their max-age, refetched once for an unknown key id), expiry and
issued-at, the audience we configured, the issuer, and the push subscription's service account as
a verified `email`. Anything else is refused, without saying which check failed.
"""

from __future__ import annotations

import re
import threading
import time
from typing import Any

import httpx
from pydantic import ValidationError

from tracker_integrations.config import Settings
from tracker_integrations.errors import ProviderError
from tracker_integrations.http.client import RetryPolicy, send
from tracker_integrations.models.gmail import PushClaims

ISSUERS = frozenset({"https://accounts.google.com", "accounts.google.com"})
CERTS_PATH = "/oauth2/v1/certs"
_CLOCK_SKEW_SECONDS = 10
_DEFAULT_MAX_AGE = 3600.0
_POLICY = RetryPolicy(max_attempts=2, base_delay=0.1, max_delay=0.5, max_wait=1.0)
_MAX_AGE = re.compile(r"max-age=(\d+)")

_lock = threading.Lock()
_certs: dict[str, tuple[float, dict[str, str]]] = {}  # url -> (valid until, kid -> PEM certificate)


class InvalidPushToken(Exception):
    """The push did not prove it came from our Pub/Sub subscription. The message is for logs only."""


def _fetch_certs(url: str, client: httpx.Client | None) -> dict[str, str]:
    response = send(httpx.Request("GET", url), provider="google", policy=_POLICY, client=client)
    try:
        body = response.json()
    except ValueError as exc:
        raise InvalidPushToken("Google's certificates are not JSON") from exc
    if not isinstance(body, dict) or not all(isinstance(v, str) for v in body.values()):
        raise InvalidPushToken("Google's certificates are not a map of key id to certificate")
    match = _MAX_AGE.search(response.headers.get("Cache-Control", ""))
    max_age = float(match.group(1)) if match else _DEFAULT_MAX_AGE
    certs = {str(k): str(v) for k, v in body.items()}
    with _lock:
        _certs[url] = (time.monotonic() + max_age, certs)
    return certs


def _certs_for(url: str, kid: str, client: httpx.Client | None) -> dict[str, str]:
    with _lock:
        cached = _certs.get(url)
    if cached is not None and cached[0] > time.monotonic() and kid in cached[1]:
        return cached[1]
    # Expired, never fetched, or a key id we have not seen (Google rotates its keys): fetch again.
    return _fetch_certs(url, client)


class PushTokenVerifier:
    def __init__(self, settings: Settings, *, client: httpx.Client | None = None) -> None:
        self._certs_url = settings.endpoint_google_certs.rstrip("/") + CERTS_PATH
        self._audience = settings.gmail_push_audience or f"{settings.base(settings.api_base_url)}/api/webhooks/gmail"
        self._service_account = settings.gmail_push_service_account.strip().lower()
        self._client = client

    def verify(self, authorization: str | None) -> PushClaims:
        # google-auth only here: the webhook's cold start pays for it on the first push, not at import.
        from google.auth import exceptions as auth_exceptions
        from google.auth import jwt

        if not self._service_account:
            raise InvalidPushToken("no push service account is configured")
        scheme, _, token = (authorization or "").strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise InvalidPushToken("no bearer token")
        token = token.strip()
        try:
            header: dict[str, Any] = jwt.decode_header(token)  # type: ignore[no-untyped-call]
            if header.get("alg") != "RS256":
                raise InvalidPushToken("not an RS256 token")
            certs = _certs_for(self._certs_url, str(header.get("kid", "")), self._client)
            payload = jwt.decode(  # type: ignore[no-untyped-call]
                token, certs=certs, audience=self._audience, clock_skew_in_seconds=_CLOCK_SKEW_SECONDS
            )
            claims = PushClaims.model_validate(payload)
        except (ValueError, TypeError, ValidationError, auth_exceptions.GoogleAuthError, ProviderError) as exc:
            raise InvalidPushToken(f"token rejected: {type(exc).__name__}") from exc
        if claims.iss not in ISSUERS:
            raise InvalidPushToken("wrong issuer")
        if claims.email.strip().lower() != self._service_account or claims.email_verified is not True:
            raise InvalidPushToken("not our push service account")
        return claims
