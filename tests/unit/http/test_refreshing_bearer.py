"""The one token-refresh rule: refresh once on a 401 and resend; a second 401 asks the user to reconnect."""

from __future__ import annotations

import httpx
import pytest

from tracker_integrations.errors import ReauthRequired
from tracker_integrations.http.client import ProviderApi, RefreshingBearer, send


class TokenCheckingProvider:
    """Accepts only `valid` as the bearer token; records the tokens it was shown."""

    def __init__(self, valid: str) -> None:
        self.valid = valid
        self.shown: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.shown.append(request.headers["Authorization"])
        if request.headers["Authorization"] != f"Bearer {self.valid}":
            return httpx.Response(401, json={"error": {"code": 401, "status": "UNAUTHENTICATED"}})
        return httpx.Response(200, json={"ok": True})


class CountingRefresh:
    def __init__(self, *tokens: str) -> None:
        self.tokens = list(tokens)
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        return self.tokens.pop(0)


def _get(provider: TokenCheckingProvider, auth: RefreshingBearer) -> httpx.Response:
    with httpx.Client(transport=httpx.MockTransport(provider)) as client:
        return send(
            httpx.Request("GET", "https://api.example/resource"), api=ProviderApi("example"), client=client, auth=auth
        )


def test_a_valid_token_is_sent_without_a_refresh() -> None:
    # GIVEN a token the provider accepts
    provider, refresh = TokenCheckingProvider("good"), CountingRefresh()
    # WHEN a request is sent THEN it succeeds with that token and nothing is refreshed
    assert _get(provider, RefreshingBearer("good", refresh)).status_code == 200
    assert provider.shown == ["Bearer good"]
    assert refresh.calls == 0


def test_a_401_refreshes_once_and_resends_with_the_new_token() -> None:
    # GIVEN a token the provider expired early, and a refresh that gets a new one
    provider, refresh = TokenCheckingProvider("fresh"), CountingRefresh("fresh")
    # WHEN a request is sent
    response = _get(provider, RefreshingBearer("stale", refresh))
    # THEN the request is resent once with the refreshed token, and succeeds
    assert response.status_code == 200
    assert provider.shown == ["Bearer stale", "Bearer fresh"]
    assert refresh.calls == 1


def test_a_401_after_the_refresh_asks_to_reconnect() -> None:
    # GIVEN access revoked at the provider: even a refreshed token is refused
    provider, refresh = TokenCheckingProvider("never"), CountingRefresh("fresh", "fresher")
    # WHEN a request is sent THEN the user must reconnect, after exactly one refresh
    with pytest.raises(ReauthRequired):
        _get(provider, RefreshingBearer("stale", refresh))
    assert refresh.calls == 1


def test_one_auth_refreshes_at_most_once_across_requests() -> None:
    # GIVEN one run's auth that already refreshed
    provider, refresh = TokenCheckingProvider("fresh"), CountingRefresh("fresh", "fresher")
    auth = RefreshingBearer("stale", refresh)
    _get(provider, auth)
    # WHEN the provider refuses the refreshed token later in the run
    provider.valid = "other"
    # THEN no second refresh is spent: the run asks to reconnect
    with pytest.raises(ReauthRequired):
        _get(provider, auth)
    assert refresh.calls == 1


def test_a_token_without_a_refresh_is_sent_as_is() -> None:
    # GIVEN a bare token (a one-off call with nothing to refresh)
    provider = TokenCheckingProvider("good")
    # WHEN the provider refuses it THEN the 401 is classified at once
    with pytest.raises(ReauthRequired):
        _get(provider, RefreshingBearer("bad"))
    assert provider.shown == ["Bearer bad"]
