"""A deployment without a provider's OAuth client says so on the card and on connect."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from tests.support.api import LocalUser, card
from tracker_integrations import wiring
from tracker_integrations.config import get_settings


@pytest.fixture
def without_mailchimp(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("MAILCHIMP_CLIENT_ID", "")
    wiring.reset()
    yield
    monkeypatch.undo()
    wiring.reset()
    get_settings()


def test_connecting_an_unconfigured_provider_is_a_clear_503(
    http: httpx.Client, user: LocalUser, without_mailchimp: None
) -> None:
    # GIVEN no Mailchimp client in this deployment
    # THEN its card says it is not configured
    assert card(http, user, "mailchimp")["configured"] is False
    assert card(http, user, "google-sheets")["configured"] is True
    # AND connect explains instead of sending the user to a broken consent page
    response = http.post("/api/integrations/mailchimp/connect", headers=user.headers)
    assert response.status_code == 503
    error = response.json()["error"]
    assert error["code"] == "provider_not_configured"
    assert "cannot be connected yet" in error["message"]
