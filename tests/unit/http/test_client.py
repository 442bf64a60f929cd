"""The retry loop: classification as data, Retry-After as a floor, no retries for what cannot succeed."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from tracker_integrations.errors import (
    PermanentProviderError,
    RateLimited,
    ReauthRequired,
    TransientProviderError,
)
from tracker_integrations.http.client import (
    Pacing,
    ProviderApi,
    RetryPolicy,
    classify_api_response,
    classify_token_response,
    parse_retry_after,
    send,
)


class ScriptedProvider:
    """A fake provider answering a fixed sequence of responses, recording each request."""

    def __init__(self, *responses: httpx.Response | Exception) -> None:
        self.responses = list(responses)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.responses.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer


def _send(provider: ScriptedProvider, policy: RetryPolicy, sleeps: list[float]) -> httpx.Response:
    client = httpx.Client(transport=httpx.MockTransport(provider))
    return send(
        httpx.Request("GET", "https://provider.test/x"),
        api=ProviderApi("google", policy=policy),
        client=client,
        pacing=Pacing(sleep=sleeps.append, jitter=lambda: 1.0),
    )


def test_retry_after_seconds_and_http_date_are_both_understood() -> None:
    now = datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC)
    assert parse_retry_after("7") == 7.0
    assert parse_retry_after("Fri, 27 Nov 2026 12:00:30 GMT", now=now) == 30.0
    assert parse_retry_after("not a date") is None
    assert parse_retry_after(None) is None


def test_a_429_then_a_500_then_success_is_retried_to_success_waiting_at_least_retry_after() -> None:
    # GIVEN a provider that rate limits (Retry-After: 2), then fails, then answers
    provider = ScriptedProvider(
        httpx.Response(429, headers={"Retry-After": "2"}),
        httpx.Response(500),
        httpx.Response(200, json={"ok": True}),
    )
    sleeps: list[float] = []
    # WHEN the call is sent with room for three attempts
    response = _send(provider, RetryPolicy(max_attempts=3, base_delay=0.5, max_delay=8, max_wait=5), sleeps)
    # THEN it succeeds on the third, having waited the provider's 2 s first
    assert response.status_code == 200
    assert len(provider.requests) == 3
    assert sleeps[0] >= 2.0
    assert len(sleeps) == 2


def test_a_rate_limit_longer_than_the_budget_is_raised_not_slept() -> None:
    # GIVEN a provider asking to wait 60 s
    provider = ScriptedProvider(httpx.Response(429, headers={"Retry-After": "60"}))
    sleeps: list[float] = []
    # WHEN sent with a 5 s wait budget THEN the caller gets RateLimited with the wait, and nothing slept
    with pytest.raises(RateLimited) as caught:
        _send(provider, RetryPolicy(max_attempts=3, max_wait=5), sleeps)
    assert caught.value.retry_after == 60.0
    assert sleeps == []


def test_transient_failures_give_up_after_the_attempt_budget() -> None:
    provider = ScriptedProvider(httpx.Response(503), httpx.ConnectError("reset"), httpx.Response(502))
    with pytest.raises(TransientProviderError):
        _send(provider, RetryPolicy(max_attempts=3), [])
    assert len(provider.requests) == 3


def test_permanent_and_auth_failures_are_not_retried() -> None:
    provider = ScriptedProvider(httpx.Response(404))
    with pytest.raises(PermanentProviderError):
        _send(provider, RetryPolicy(max_attempts=3), [])
    assert len(provider.requests) == 1
    provider = ScriptedProvider(httpx.Response(401))
    with pytest.raises(ReauthRequired):
        _send(provider, RetryPolicy(max_attempts=3), [])
    assert len(provider.requests) == 1


def test_google_403_rate_limit_reason_is_a_rate_limit() -> None:
    # GIVEN Google's retryable 403 shape (reason in error.errors[0])
    body = {"error": {"code": 403, "message": "Rate", "errors": [{"reason": "userRateLimitExceeded"}]}}
    error = classify_api_response("google", httpx.Response(403, json=body))
    assert isinstance(error, RateLimited)
    assert isinstance(
        classify_api_response("google", httpx.Response(403, json={"error": {"code": 403}})), PermanentProviderError
    )


def test_token_endpoint_errors_are_classified_by_rfc_6749_code() -> None:
    assert isinstance(
        classify_token_response("google", httpx.Response(400, json={"error": "invalid_grant"})), ReauthRequired
    )
    assert isinstance(
        classify_token_response("google", httpx.Response(401, json={"error": "invalid_client"})), PermanentProviderError
    )
    assert isinstance(classify_token_response("airtable", httpx.Response(503, text="down")), TransientProviderError)
    assert classify_token_response("google", httpx.Response(200, json={})) is None
