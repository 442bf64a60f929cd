"""The token service the sync work will call: refresh before expiry, rotation kept, invalid_grant handled."""

from __future__ import annotations

from datetime import timedelta

import httpx
import pytest

from provider_sandbox import ProviderSandbox
from tests.support.api import LocalUser, card, connect, put_settings
from tracker_integrations import wiring
from tracker_integrations.errors import ReauthRequired
from tracker_integrations.models.common import utcnow
from tracker_integrations.models.connection import Connection, ConnectionStatus
from tracker_integrations.services.connecting.credentials import unseal


def _connection(user: LocalUser, provider: str) -> Connection:
    found = wiring.integrations_store().get_connection(user.name, provider)  # type: ignore[arg-type]
    assert found is not None
    return found


def test_a_fresh_token_is_returned_without_calling_the_provider(
    http: httpx.Client, user: LocalUser, sandbox: ProviderSandbox
) -> None:
    assert connect(http, user, "google-sheets").connected
    calls = sandbox.count(host="oauth2.googleapis.com", path="/token")
    tokens = wiring.token_service().current_tokens(_connection(user, "google-sheets"))
    assert tokens.access_token.get_secret_value().startswith("ya29.")
    assert sandbox.count(host="oauth2.googleapis.com", path="/token") == calls


def test_an_expiring_google_token_is_refreshed_and_the_refresh_token_kept(
    http: httpx.Client, user: LocalUser, sandbox: ProviderSandbox
) -> None:
    # GIVEN a Google connection whose access token expires in 2 minutes
    assert connect(http, user, "google-sheets").connected
    connection = _connection(user, "google-sheets")
    old = unseal(wiring.token_cipher(), connection)
    service = wiring.token_service()
    # WHEN tokens are requested with the clock 58 minutes on
    service._now = lambda: utcnow() + timedelta(minutes=58)  # time is the one thing we fake
    fresh = service.current_tokens(connection)
    # THEN a new access token came from Google and Google's (unrotated) refresh token is kept
    assert fresh.access_token.get_secret_value() != old.access_token.get_secret_value()
    assert fresh.refresh_token == old.refresh_token
    stored = unseal(wiring.token_cipher(), _connection(user, "google-sheets"))
    assert stored.access_token == fresh.access_token
    assert _connection(user, "google-sheets").version == connection.version + 1


def test_airtable_rotated_refresh_token_is_persisted_before_use(
    http: httpx.Client, user: LocalUser, sandbox: ProviderSandbox
) -> None:
    # GIVEN an Airtable connection
    assert connect(http, user, "airtable").connected
    service = wiring.token_service()
    # WHEN it is refreshed twice in a row (each refresh rotates the refresh token)
    first = service.current_tokens(_connection(user, "airtable"), force_refresh=True)
    second = service.current_tokens(_connection(user, "airtable"), force_refresh=True)
    # THEN each refresh used the latest stored refresh token (a stale one would get invalid_grant)
    assert first.refresh_token != second.refresh_token
    assert unseal(wiring.token_cipher(), _connection(user, "airtable")).refresh_token == second.refresh_token
    assert _connection(user, "airtable").status == ConnectionStatus.CONNECTED


def test_revoked_access_marks_needs_reauth_keeps_settings_and_says_how_to_reconnect(
    http: httpx.Client, new_user: type[LocalUser], sandbox: ProviderSandbox
) -> None:
    # GIVEN a pro user's Gmail connection with settings, then the user removes the app at Google
    user = new_user("pro")  # type: ignore[call-arg]
    assert connect(http, user, "gmail", login="revoked@example.com").connected
    assert put_settings(http, user, "gmail", {"sync_frequency": "every_15_minutes"}).status_code == 200
    sandbox.revoke_user_grants(provider="google", login="revoked@example.com")
    # WHEN the sync work asks for fresh tokens
    with pytest.raises(ReauthRequired):
        wiring.token_service().current_tokens(_connection(user, "gmail"), force_refresh=True)
    # THEN the card says needs_reauth, what happened and what to do, and the settings are kept
    shown = card(http, user, "gmail")
    assert shown["status"] == "needs_reauth"
    assert "Reconnect Gmail" in shown["last_error"]["action"]
    assert _connection(user, "gmail").settings == {"sync_frequency": "every_15_minutes"}
    # AND no further token calls are made while it needs reauth
    calls = sandbox.count(host="oauth2.googleapis.com", path="/token")
    with pytest.raises(ReauthRequired):
        wiring.token_service().current_tokens(_connection(user, "gmail"), force_refresh=True)
    assert sandbox.count(host="oauth2.googleapis.com", path="/token") == calls
    # AND reconnecting brings it back with the settings intact
    assert connect(http, user, "gmail", login="revoked@example.com").connected
    assert card(http, user, "gmail")["status"] == "connected"
    assert _connection(user, "gmail").settings == {"sync_frequency": "every_15_minutes"}


def test_mailchimp_tokens_never_need_a_refresh(http: httpx.Client, user: LocalUser, sandbox: ProviderSandbox) -> None:
    assert connect(http, user, "mailchimp").connected
    calls = sandbox.count(host="login.mailchimp.com", path="/oauth2/token")
    tokens = wiring.token_service().current_tokens(_connection(user, "mailchimp"), force_refresh=True)
    assert tokens.expires_at is None
    assert sandbox.count(host="login.mailchimp.com", path="/oauth2/token") == calls
