"""Disconnect revokes at the provider where it can, deletes the credentials and records an audit entry."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from provider_sandbox import Fault, ProviderSandbox
from tests.support.api import LocalUser, card, connect
from tracker_integrations import wiring


def test_disconnecting_google_revokes_the_grant_and_deletes_credentials(
    http: httpx.Client, user: LocalUser, sandbox: ProviderSandbox
) -> None:
    # GIVEN a connected Google Sheets integration
    assert connect(http, user, "google-sheets", login="revoke-me@example.com").connected
    live_before = sandbox.live_refresh_tokens("google")
    # WHEN the user disconnects
    response = http.delete("/api/integrations/google-sheets/disconnect", headers=user.headers)
    # THEN Google was asked to revoke, and its refresh token is dead
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["revoked_at_provider"] is True
    assert "Access revoked at Google" in body["message"]
    assert sandbox.live_refresh_tokens("google") == live_before - 1
    # AND nothing of the connection is left; the card is back to Connect
    assert wiring.integrations_store().get_connection(user.name, "google-sheets") is None
    assert card(http, user, "google-sheets")["status"] == "not_connected"
    # AND the audit log says who disconnected what, and whether the provider revoked
    entry = wiring.activity_store().list_audit_entries(user.name)[-1]
    assert entry.action == "disconnected"
    assert entry.provider == "google-sheets"
    assert entry.detail == {"revoked_at_provider": True}


def test_disconnect_still_deletes_credentials_when_google_is_down(
    http: httpx.Client, user: LocalUser, sandbox: ProviderSandbox
) -> None:
    # GIVEN Google's revocation endpoint failing
    assert connect(http, user, "gmail").connected
    sandbox.inject_fault(Fault(host="oauth2.googleapis.com", path="/revoke", status=503, times=5))
    # WHEN the user disconnects
    response = http.delete("/api/integrations/gmail/disconnect", headers=user.headers)
    # THEN our side is cleaned up and the user is told how to finish at Google
    body = response.json()
    assert response.status_code == 200
    assert body["revoked_at_provider"] is False
    assert "myaccount.google.com/connections" in body["message"]
    assert wiring.integrations_store().get_connection(user.name, "gmail") is None


def test_disconnecting_a_provider_without_a_revocation_api_says_where_to_remove_access(
    http: httpx.Client, user: LocalUser
) -> None:
    assert connect(http, user, "airtable").connected
    body = http.delete("/api/integrations/airtable/disconnect", headers=user.headers).json()
    assert body["disconnected"] is True
    assert body["revoked_at_provider"] is False
    assert "Third-party integrations" in body["message"]
    assert card(http, user, "airtable")["status"] == "not_connected"


def test_disconnecting_what_is_not_connected_is_404(http: httpx.Client, user: LocalUser) -> None:
    response = http.delete("/api/integrations/mailchimp/disconnect", headers=user.headers)
    assert response.status_code == 404
    assert response.json()["error"] == {"code": "not_found", "message": "Mailchimp is not connected"}


def test_disconnecting_one_google_product_keeps_the_grant_another_one_uses(
    http: httpx.Client, new_user: Callable[..., LocalUser], sandbox: ProviderSandbox
) -> None:
    user = new_user("pro")
    # GIVEN Sheets and Gmail connected with the same Google account
    assert connect(http, user, "google-sheets", login="both@example.com").connected
    assert connect(http, user, "gmail", login="both@example.com").connected
    live_before = sandbox.live_refresh_tokens("google")
    # WHEN the user disconnects Sheets
    response = http.delete("/api/integrations/google-sheets/disconnect", headers=user.headers)
    # THEN Sheets is gone, but Google is not asked to revoke: revoking may end the account's whole
    # consent for Tracker and with it Gmail's access
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["revoked_at_provider"] is False
    assert "another Tracker connection uses the same account" in body["message"]
    assert sandbox.live_refresh_tokens("google") == live_before
    assert card(http, user, "google-sheets")["status"] == "not_connected"
    assert card(http, user, "gmail")["status"] == "connected"
    # AND disconnecting the last one revokes
    last = http.delete("/api/integrations/gmail/disconnect", headers=user.headers).json()
    assert last["revoked_at_provider"] is True
