"""The shared HTTP client and the retry loop every provider call goes through.

Timeouts stay well below Lambda's so a slow provider fails a call, not the function. Failures are
classified once into the typed errors of `tracker_integrations.errors`; the loop retries only what
is worth retrying (transient errors, and rate limits whose wait fits the call's budget) with full
jitter, taking the provider's Retry-After as the floor.
"""

import random
import threading
import time
from collections.abc import Callable, Generator
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import Final

import httpx
import urllib3

from tracker_integrations.config import get_settings
from tracker_integrations.errors import (
    PermanentProviderError,
    ProviderError,
    RateLimited,
    ReauthRequired,
    TransientProviderError,
)
from tracker_integrations.records import FrozenRecord

Classifier = Callable[[str, httpx.Response], ProviderError | None]


class RetryPolicy(FrozenRecord):
    """How a call retries. A plain record: policies are written in code, never read from outside."""

    __slots__ = ("base_delay", "max_attempts", "max_delay", "max_wait")

    def __init__(
        self, max_attempts: int = 3, base_delay: float = 0.5, max_delay: float = 8.0, max_wait: float = 10.0
    ) -> None:
        self.max_attempts: Final = max_attempts
        self.base_delay: Final = base_delay
        self.max_delay: Final = max_delay
        # A Retry-After longer than this is not slept through inside the call: the caller gets
        # RateLimited and decides (a sync worker re-queues with a delay; the callback tells the user).
        self.max_wait: Final = max_wait


INTERACTIVE = RetryPolicy(max_attempts=3, base_delay=0.25, max_delay=2.0, max_wait=3.0)


class Urllib3Transport(httpx.BaseTransport):
    """httpx's requests sent through urllib3, which botocore has already loaded in every function.

    httpx's own transport (httpcore, h11 and anyio's detection) cost ~15 ms of a cold start to import,
    and httpx.Client() builds its SSLContext, loading certifi's CA bundle (~20 ms), before any request
    has asked for HTTPS. Here each scheme's connection pool is built on its first request; https's with
    the context httpx itself would use (`httpx.create_ssl_context()`: verification on, certifi's bundle
    or SSL_CERT_FILE/SSL_CERT_DIR), so the bundle is loaded on the first HTTPS request, as botocore does.
    Plain http (the local stack) never negotiates TLS.

    Timeouts are the request's: connect, and read for each wait on the answer; urllib3 sends the
    request under the connect timeout. Nothing is retried or redirected here (the retry loop and
    the client decide), the body is read whole and handed back still encoded (httpx decodes it), and
    urllib3's failures become httpx's, so callers see what httpx's own transport raised.
    """

    def __init__(self) -> None:
        self._pools: dict[str, urllib3.PoolManager] = {}
        self._lock = threading.Lock()

    def _pool_manager(self, scheme: str) -> urllib3.PoolManager:
        pools = self._pools.get(scheme)
        if pools is None:
            with self._lock:
                pools = self._pools.get(scheme)
                if pools is None:
                    if scheme == "https":
                        pools = urllib3.PoolManager(num_pools=10, maxsize=10, ssl_context=httpx.create_ssl_context())
                    else:
                        pools = urllib3.PoolManager(num_pools=10, maxsize=10)
                    self._pools[scheme] = pools
        return pools

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        timeouts = request.extensions.get("timeout", {})
        headers = urllib3.HTTPHeaderDict()
        for name, value in request.headers.multi_items():
            headers.add(name, value)
        pool = self._pool_manager(url.scheme).connection_from_host(url.host, url.port, scheme=url.scheme)
        try:
            answer = pool.urlopen(
                request.method,
                url.raw_path.decode("ascii"),
                body=request.read() or None,
                headers=headers,
                retries=False,
                redirect=False,
                assert_same_host=False,
                timeout=urllib3.Timeout(connect=timeouts.get("connect"), read=timeouts.get("read")),
                preload_content=False,
                decode_content=False,
            )
            try:
                content = answer.read(decode_content=False)
            finally:
                answer.release_conn()
        except urllib3.exceptions.HTTPError as exc:
            raise _httpx_error(exc, request) from exc
        return httpx.Response(
            answer.status,
            headers=list(answer.headers.items()),
            content=content,
            request=request,
            extensions={"http_version": b"HTTP/1.1", "reason_phrase": (answer.reason or "").encode("ascii", "replace")},
        )

    def close(self) -> None:
        with self._lock:
            pools, self._pools = list(self._pools.values()), {}
        for manager in pools:
            manager.clear()


def _httpx_error(exc: urllib3.exceptions.HTTPError, request: httpx.Request) -> httpx.TransportError:
    """The httpx error its own transport raises for what urllib3 met (the retry loop reads these)."""
    errors = urllib3.exceptions
    kind: type[httpx.TransportError]
    if isinstance(exc, errors.NewConnectionError | errors.SSLError):  # NewConnectionError is a ConnectTimeoutError
        kind = httpx.ConnectError
    elif isinstance(exc, errors.ConnectTimeoutError):
        kind = httpx.ConnectTimeout
    elif isinstance(exc, errors.ReadTimeoutError):
        kind = httpx.ReadTimeout
    elif isinstance(exc, errors.TimeoutError):
        kind = httpx.TimeoutException
    elif isinstance(exc, errors.ProtocolError):
        kind = httpx.RemoteProtocolError
    else:
        kind = httpx.TransportError
    return kind(str(exc), request=request)


# Who we are to providers (Google asks API callers to name themselves). A client adds its default headers
# only to requests it builds; `send` adds this one to the requests built by provider clients.
USER_AGENT = "tracker-integrations/0.1"


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
        headers={"User-Agent": USER_AGENT},
        transport=Urllib3Transport(),
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


class ProviderApi(FrozenRecord):
    """How to talk to one provider API: its name (in errors), how its answers are classified, how it is retried."""

    __slots__ = ("classify", "policy", "provider")

    def __init__(
        self, provider: str, classify: Classifier = classify_api_response, policy: RetryPolicy = INTERACTIVE
    ) -> None:
        self.provider: Final = provider
        self.classify: Final = classify
        self.policy: Final = policy


class Pacing(FrozenRecord):
    """How the retry loop waits: real sleeps and jitter, or a test's."""

    __slots__ = ("jitter", "sleep")

    def __init__(
        self, sleep: Callable[[float], None] = time.sleep, jitter: Callable[[], float] = random.random
    ) -> None:
        self.sleep: Final = sleep
        self.jitter: Final = jitter


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
    request.headers.setdefault("User-Agent", USER_AGENT)
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
