"""Verifying the JWT Pub/Sub puts on an authenticated push (Authorization: Bearer).

Reference: https://cloud.google.com/pubsub/docs/authenticate-push-subscriptions. The token is an
RS256 JWT signed by Google: signature against Google's published certificates (fetched from the
configured endpoint and cached for their max-age), expiry and issued-at, the audience we configured,
the issuer, and the push subscription's service account as a verified `email`. Anything else is
refused, without saying which check failed.

Anyone can post to the webhook, so a forged token must cost no call to Google. The cheap checks come
first: the token's shape, `alg` and `kid`, and its unverified claims (a token that claims the wrong
audience, issuer, account or a past expiry fails whatever its signature; the claims are trusted only
after the signature checks out). Then the certificates: fetched at most once per 5 minutes per
container, failures included; a key id still unknown after a recent fetch is refused without
fetching, and a stale cache keeps serving the keys it has until the next fetch is allowed. Google
publishes a new key well before signing with it, so a genuine push waits at most those 5 minutes.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from tracker_integrations.config import Settings
from tracker_integrations.errors import ProviderError
from tracker_integrations.models.gmail import PushClaims

if TYPE_CHECKING:
    import httpx

ISSUERS = frozenset({"https://accounts.google.com", "accounts.google.com"})
CERTS_PATH = "/oauth2/v1/certs"
_CLOCK_SKEW_SECONDS = 10
_DEFAULT_MAX_AGE = 3600.0
_MAX_AGE = re.compile(r"max-age=(\d+)")

_MIN_REFETCH_SECONDS = 300.0  # at most one certificate fetch per 5 minutes per container
_MAX_TOKEN_CHARS = 4096  # Google's push tokens are about 1 KB
_MAX_KID_CHARS = 128


class InvalidPushToken(Exception):
    """The push did not prove it came from our Pub/Sub subscription. The message is for logs only."""


class GoogleCertificates:
    """Google's signing certificates (key id -> PEM) from one URL, cached, with refetches rate-limited."""

    def __init__(
        self,
        url: str,
        *,
        client: httpx.Client | None = None,
        clock: Callable[[], float] = time.monotonic,
        min_refetch_seconds: float = _MIN_REFETCH_SECONDS,
    ) -> None:
        self.url = url
        self._client = client
        self._clock = clock
        self._min_refetch = min_refetch_seconds
        self._lock = threading.Lock()
        self._certs: dict[str, str] = {}
        self._valid_until = float("-inf")
        self._last_attempt: float | None = None

    def for_key(self, kid: str) -> dict[str, str]:
        """The certificates to check a token signed with `kid`; refused without a call when a fetch
        would not be allowed yet and the key is unknown."""
        with self._lock:
            now = self._clock()
            known = kid in self._certs
            if known and self._valid_until > now:
                return self._certs
            may_fetch = self._last_attempt is None or now - self._last_attempt >= self._min_refetch
            if not may_fetch:
                if known:
                    return self._certs  # stale, but the next fetch is not due yet
                raise InvalidPushToken("unknown key id (certificates fetched recently)")
            # Claimed under the lock: concurrent requests never fetch twice, a failed fetch counts too.
            self._last_attempt = now
            stale = self._certs
        try:
            certs, max_age = self._fetch()
        except (InvalidPushToken, ProviderError):
            if known:
                return stale  # Google unreachable: the key we had still checks the signature
            raise
        with self._lock:
            self._certs = certs
            self._valid_until = self._clock() + max_age
        if kid not in certs:
            raise InvalidPushToken("unknown key id")
        return certs

    def _fetch(self) -> tuple[dict[str, str], float]:
        # The HTTP client only here, as google-auth only in `verify`: a push refused before it needs Google's
        # certificates (most forged or malformed ones, and every one while the cache is fresh) loads neither.
        import httpx

        from tracker_integrations.http.client import ProviderApi, RetryPolicy, send

        policy = RetryPolicy(max_attempts=2, base_delay=0.1, max_delay=0.5, max_wait=1.0)
        response = send(httpx.Request("GET", self.url), api=ProviderApi("google", policy=policy), client=self._client)
        try:
            body = response.json()
        except ValueError as exc:
            raise InvalidPushToken("Google's certificates are not JSON") from exc
        if not isinstance(body, dict) or not all(isinstance(v, str) for v in body.values()):
            raise InvalidPushToken("Google's certificates are not a map of key id to certificate")
        match = _MAX_AGE.search(response.headers.get("Cache-Control", ""))
        max_age = float(match.group(1)) if match else _DEFAULT_MAX_AGE
        return {str(k): str(v) for k, v in body.items()}, max_age


_shared_lock = threading.Lock()
_shared: dict[str, GoogleCertificates] = {}  # url -> its cache, shared by every verifier of the container


def shared_certificates(url: str) -> GoogleCertificates:
    with _shared_lock:
        return _shared.setdefault(url, GoogleCertificates(url))


def forget_certificates() -> None:
    """Drop every cached certificate and fetch time (a fresh container; tests)."""
    with _shared_lock:
        _shared.clear()


class PushTokenVerifier:
    def __init__(
        self,
        settings: Settings,
        *,
        certificates: GoogleCertificates | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        certs_url = settings.endpoint_google_certs.rstrip("/") + CERTS_PATH
        self._certificates = certificates or shared_certificates(certs_url)
        self._audience = settings.gmail_push_audience or f"{settings.base(settings.api_base_url)}/api/webhooks/gmail"
        self._service_account = settings.gmail_push_service_account.strip().lower()
        self._clock = clock

    def verify(self, authorization: str | None) -> PushClaims:
        if not self._service_account:
            raise InvalidPushToken("no push service account is configured")
        scheme, _, token = (authorization or "").strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise InvalidPushToken("no bearer token")
        token = token.strip()
        if len(token) > _MAX_TOKEN_CHARS or token.count(".") != 2:
            raise InvalidPushToken("not a JWT")
        # google-auth (and the X.509 code under it) only for a token shaped like a JWT: the webhook's
        # cold start pays for it on the first real push, and forged requests never load it.
        from google.auth import exceptions as auth_exceptions
        from google.auth import jwt

        try:
            header: dict[str, Any] = jwt.decode_header(token)  # type: ignore[no-untyped-call]
            if header.get("alg") != "RS256":
                raise InvalidPushToken("not an RS256 token")
            kid = header.get("kid")
            if not isinstance(kid, str) or not 0 < len(kid) <= _MAX_KID_CHARS:
                raise InvalidPushToken("no key id")
            # Untrusted until the signature checks out, but a token claiming the wrong things fails anyway:
            # refusing it here keeps forged traffic away from Google's certificate endpoint.
            self._check(PushClaims.model_validate(jwt.decode(token, verify=False)))  # type: ignore[no-untyped-call]
            certs = self._certificates.for_key(kid)
            payload = jwt.decode(  # type: ignore[no-untyped-call]
                token, certs=certs, audience=self._audience, clock_skew_in_seconds=_CLOCK_SKEW_SECONDS
            )
            claims = PushClaims.model_validate(payload)
        except (ValueError, TypeError, ValidationError, auth_exceptions.GoogleAuthError, ProviderError) as exc:
            raise InvalidPushToken(f"token rejected: {type(exc).__name__}") from exc
        self._check(claims)
        return claims

    def _check(self, claims: PushClaims) -> None:
        if claims.iss not in ISSUERS:
            raise InvalidPushToken("wrong issuer")
        if claims.aud != self._audience:
            raise InvalidPushToken("wrong audience")
        if claims.email.strip().lower() != self._service_account or claims.email_verified is not True:
            raise InvalidPushToken("not our push service account")
        if claims.exp < self._clock() - _CLOCK_SKEW_SECONDS:
            raise InvalidPushToken("expired")
