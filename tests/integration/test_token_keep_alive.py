"""The daily keep-alive refreshes tokens of idle connections, and reports the ones that died."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import httpx

from local_stack.server import RunningStack
from provider_sandbox import ProviderSandbox
from tests.support.api import LocalUser, card, connect
from tracker_integrations import wiring
from tracker_integrations.models.common import utcnow


def _age(user: LocalUser, provider: str, days: int) -> None:
    """GIVEN-helper: the connection's token was last refreshed `days` ago (its access token long expired)."""
    store = wiring.integrations_store()
    connection = store.get_connection(user.name, provider)  # type: ignore[arg-type]
    assert connection is not None
    refreshed = utcnow() - timedelta(days=days)
    old = connection.model_copy(
        update={
            "updated_at": refreshed,
            "token_expires_at": refreshed + timedelta(hours=1),
            "version": connection.version + 1,
        }
    )
    store.save_connection(old, expected_version=connection.version)


def test_idle_connections_are_refreshed_and_fresh_ones_left_alone(
    http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack, sandbox: ProviderSandbox
) -> None:
    # GIVEN an Airtable connection idle for 3 days, a Google one used today, and a Mailchimp one (never expires)
    user = new_user("agency")
    for provider in ("airtable", "google-sheets", "mailchimp"):
        assert connect(http, user, provider, login=f"{user.name}@example.com").connected
    _age(user, "airtable", 3)
    google_before = wiring.integrations_store().get_connection(user.name, "google-sheets")
    assert google_before is not None
    # WHEN the daily schedule fires
    result = stack.stack.run_schedule("Daily")
    # THEN the idle Airtable token was refreshed (its rotated refresh token kept), nothing else of this user's
    # (other tests' users may be refreshed by the same run, so this user's connections are what is checked)
    assert result["refreshed"] >= 1
    google_after = wiring.integrations_store().get_connection(user.name, "google-sheets")
    assert google_after is not None
    assert google_after.token_expires_at == google_before.token_expires_at
    connection = wiring.integrations_store().get_connection(user.name, "airtable")
    assert connection is not None
    assert connection.token_expires_at is not None
    assert connection.token_expires_at > utcnow()
    assert utcnow() - connection.updated_at < timedelta(minutes=5)
    # AND it is no longer idle, so tomorrow's run would leave it alone
    stack.stack.run_schedule("Daily")
    again = wiring.integrations_store().get_connection(user.name, "airtable")
    assert again is not None
    assert again.token_expires_at == connection.token_expires_at


def test_an_idle_connection_whose_access_was_revoked_asks_to_reconnect(
    http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack, sandbox: ProviderSandbox
) -> None:
    user = new_user("pro")
    login = f"{user.name}@example.com"
    assert connect(http, user, "airtable", login=login).connected
    _age(user, "airtable", 2)
    sandbox.revoke_user_grants(provider="airtable", login=login)
    stack.stack.run_schedule("Daily")
    shown = card(http, user, "airtable")
    assert shown["status"] == "needs_reauth"
    assert "Reconnect Airtable" in shown["last_error"]["action"]
