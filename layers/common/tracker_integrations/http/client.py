"""The shared HTTP client and the retry loop every provider call goes through.

Timeouts stay well below Lambda's so a slow provider fails a call, not the function. Failures are
classified once into the typed errors of `tracker_integrations.errors`; the loop retries only what
is worth retrying (transient errors, and rate limits whose wait fits the call's budget) with full
jitter, taking the provider's Retry-After as the floor.
"""

from __future__ import annotations

import random
import ssl
import threading
import time
from collections.abc import Callable, Generator
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache

import httpx
from pydantic import BaseModel, ConfigDict

from tracker_integrations.config import get_settings
from tracker_integrations.errors import (
    PermanentProviderError,
    ProviderError,
    RateLimited,
    ReauthRequired,
    TransientProviderError,
)

Classifier = Callable[[str, httpx.Response], ProviderError | None]


class RetryPolicy(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    max_attempts: int = 3
    base_delay: float = 0.5
    max_delay: float = 8.0
    # A Retry-After longer than this is not slept through inside the call: the caller gets
    # RateLimited and decides (a sync worker re-queues with a delay; the callback tells the user).
    max_wait: float = 10.0


INTERACTIVE = RetryPolicy(max_attempts=3, base_delay=0.25, max_delay=2.0, max_wait=3.0)


class PerSchemeTransport(httpx.BaseTransport):
    """httpx's own transport, one per URL scheme, each built on its scheme's first request.

    httpx.Client() builds its SSLContext when it is constructed, loading certifi's CA bundle (~20 ms
    of a cold start), before anything has asked for HTTPS; botocore loads its bundle on its first
    HTTPS connection. Here the https transport is httpx's default (verification on, certifi's bundle
    or SSL_CERT_FILE/SSL_CERT_DIR), built the first time an https URL is sent. Plain http (the local
    stack) never negotiates TLS, so its transport gets a context that trusts no certificate at all:
    were TLS ever attempted through it, the handshake would fail rather than go unverified.
    """

    def __init__(self) -> None:
        self._transports: dict[str, httpx.HTTPTransport] = {}
        self._lock = threading.Lock()

    def _transport(self, scheme: str) -> httpx.HTTPTransport:
        transport = self._transports.get(scheme)
        if transport is None:
            with self._lock:
                transport = self._transports.get(scheme)
                if transport is None:
                    # PROTOCOL_TLS_CLIENT verifies certificates and host names by default; no CA is loaded.
                    verify: ssl.SSLContext | bool = (
                        True if scheme == "https" else ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                    )
                    transport = self._transports[scheme] = httpx.HTTPTransport(verify=verify)
        return transport

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        return self._transport(request.url.scheme).handle_request(request)

    def close(self) -> None:
        with self._lock:
            transports, self._transports = list(self._transports.values()), {}
        for transport in transports:
            transport.close()


@lru_cache(maxsize=1)
def shared_client() -> httpx.Client:
    settings = get_settings()
    timeout = httpx.Timeout(
        connect=settings.http_connect_timeout,
        read=settings.http_read_timeout,
        write=settings.http_read_timeout,
        pool=2.0,
    )
    return httpx.Client(
        timeout=timeout,
        follow_redirects=False,
        headers={"User-Agent": "tracker-integrations/0.1"},
        transport=PerSchemeTransport(),
    )


def parse_retry_after(header: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header: delta-seconds or an HTTP-date (RFC 9110 10.2.3)."""
    if not header:
        return None
    header = header.strip()
    if header.isdigit():
        return float(header)
    try:
        when = parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _json_or_empty(response: httpx.Response) -> dict[str, object]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def google_error_reason(body: dict[str, object]) -> str:
    error = body.get("error")
    if isinstance(error, dict):
        errors = error.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            return str(errors[0].get("reason", ""))
        return str(error.get("status", ""))
    return ""


def classify_api_response(provider: str, response: httpx.Response) -> ProviderError | None:
    """Default classification of a provider API response (not an OAuth token endpoint)."""
    status = response.status_code
    if status < 400:
        return None
    retry_after = parse_retry_after(response.headers.get("Retry-After"))
    # Any "...rateLimitExceeded" reason, whatever its case (Google clients classify with their own table:
    # tracker_integrations.providers.google.errors).
    rate_reason = google_error_reason(_json_or_empty(response)).casefold().endswith("ratelimitexceeded")
    if status == 429 or (status == 403 and rate_reason):
        return RateLimited(
            f"{provider} is rate limiting requests", provider=provider, status=status, retry_after=retry_after or 30.0
        )
    if status == 401:
        return ReauthRequired(
            f"{provider} no longer accepts this connection's access", provider=provider, status=status
        )
    if status >= 500 or status == 408:
        return TransientProviderError(f"{provider} is temporarily unavailable", provider=provider, status=status)
    return PermanentProviderError(f"{provider} rejected the request (HTTP {status})", provider=provider, status=status)


def classify_token_response(provider: str, response: httpx.Response) -> ProviderError | None:
    """Classification of an OAuth token endpoint response (RFC 6749 section 5.2 error codes)."""
    status = response.status_code
    if status < 400:
        return None
    error = str(_json_or_empty(response).get("error", ""))
    if error == "invalid_grant":
        return ReauthRequired(
            f"{provider} says the authorisation is expired or revoked", provider=provider, status=status
        )
    if status == 429 or error == "slow_down":
        retry_after = parse_retry_after(response.headers.get("Retry-After")) or 30.0
        return RateLimited(
            f"{provider} is rate limiting sign-ins", provider=provider, status=status, retry_after=retry_after
        )
    if status >= 500 or error == "temporarily_unavailable":
        return TransientProviderError(f"{provider}'s sign-in service is unavailable", provider=provider, status=status)
    return PermanentProviderError(
        f"{provider} refused the request ({error or f'HTTP {status}'})", provider=provider, status=status
    )


class RefreshingBearer(httpx.Auth):
    """Bearer auth with the one token-refresh rule: on a 401, refresh once and resend the request.

    A 401 after that refresh (or a refresh the provider refuses) reaches the classifier as
    ReauthRequired: the user must reconnect. One object serves one run, so a run refreshes at most once.
    """

    def __init__(self, access_token: str, refresh: Callable[[], str] | None = None) -> None:
        self._token = access_token
        self._refresh = refresh

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response]:
        request.headers["Authorization"] = f"Bearer {self._token}"
        response = yield request
        if response.status_code != 401 or self._refresh is None:
            return
        refresh, self._refresh = self._refresh, None
        self._token = refresh()
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request


@dataclass(frozen=True, slots=True)
class ProviderApi:
    """How to talk to one provider API: its name (in errors), how its answers are classified, how it is retried."""

    provider: str
    classify: Classifier = classify_api_response
    policy: RetryPolicy = INTERACTIVE


@dataclass(frozen=True, slots=True)
class Pacing:
    """How the retry loop waits: real sleeps and jitter, or a test's."""

    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = random.random


REAL_PACING = Pacing()


def send(
    request: httpx.Request,
    *,
    api: ProviderApi,
    client: httpx.Client | None = None,
    auth: httpx.Auth | None = None,
    pacing: Pacing = REAL_PACING,
) -> httpx.Response:
    """Send with retries; return a successful response or raise a classified ProviderError."""
    http = client or shared_client()
    provider, classify, policy = api.provider, api.classify, api.policy
    attempt = 0
    while True:
        attempt += 1
        error: ProviderError | None
        try:
            response = http.send(request) if auth is None else http.send(request, auth=auth)
            error = classify(provider, response)
        except httpx.TimeoutException:
            error = TransientProviderError(f"{provider} did not answer in time", provider=provider)
        except httpx.TransportError:
            error = TransientProviderError(f"could not reach {provider}", provider=provider)
        if error is None:
            return response
        if attempt >= policy.max_attempts or not isinstance(error, TransientProviderError | RateLimited):
            raise error
        backoff = pacing.jitter() * min(policy.max_delay, policy.base_delay * 2 ** (attempt - 1))
        if isinstance(error, RateLimited):
            if error.retry_after > policy.max_wait:
                raise error
            backoff = max(backoff, error.retry_after)
        pacing.sleep(backoff)


def get_json(url: str, *, provider: str, token: str, scheme: str = "Bearer") -> dict[str, object]:
    """GET a provider resource with an access token; a non-object body is the provider's fault."""
    request = httpx.Request("GET", url, headers={"Authorization": f"{scheme} {token}"})
    response = send(request, api=ProviderApi(provider))
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise PermanentProviderError(f"{provider} answered with something other than a JSON object", provider=provider)
    return body
