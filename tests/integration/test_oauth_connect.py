"""One-click connect for every provider, through the sandbox's consent page, end to end over HTTP."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from local_stack.server import RunningStack
from provider_sandbox import ProviderSandbox
from tests.support.api import LocalUser, card, connect, put_settings, start_connect
from tracker_integrations import wiring
from tracker_integrations.crypto.envelope import DecryptionFailed
from tracker_integrations.models.connection import EncryptedBlob
from tracker_integrations.services.connecting.credentials import unseal_verifier
from tracker_integrations.services.connecting.oauth import pkce_challenge

ALL_PROVIDERS = ["google-sheets", "gmail", "google-drive", "airtable", "mailchimp"]


@pytest.mark.parametrize("provider", ALL_PROVIDERS)
def test_connect_lands_on_the_configure_screen_and_the_card_shows_connected(
    http: httpx.Client, new_user: type[LocalUser], provider: str
) -> None:
    # GIVEN an agency user with nothing connected
    user = new_user("agency")  # type: ignore[call-arg]
    assert card(http, user, provider)["status"] == "not_connected"
    # WHEN they click Connect, then Allow on the provider's consent page
    outcome = connect(http, user, provider, login="promo@example.com")
    # THEN the browser lands on the app's configure screen for that provider
    assert outcome.connected
    assert urlsplit(outcome.location).path == f"/app/integrations/{provider}/configure"
    # AND the card shows the connection and the account it is connected as
    shown = card(http, user, provider)
    assert shown["status"] == "connected"
    assert shown["connected_account"] == "promo@example.com"
    assert shown["connected_at"] is not None


def test_authorization_url_carries_state_pkce_exact_redirect_and_narrow_scopes(
    http: httpx.Client, user: LocalUser, stack: RunningStack
) -> None:
    # WHEN a user starts connecting Gmail
    url = start_connect(http, user, "gmail")
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    # THEN the URL asks Google for offline access with PKCE S256 and a long random state
    assert query["response_type"] == "code"
    assert query["code_challenge_method"] == "S256"
    assert len(query["state"]) >= 43  # 256 bits, base64url
    assert query["access_type"] == "offline"
    assert query["redirect_uri"] == f"{stack.base_url}/api/integrations/gmail/callback"
    # AND only the scopes reply tracking needs
    assert set(query["scope"].split()) == {"openid", "email", "https://www.googleapis.com/auth/gmail.readonly"}


def test_each_connect_gets_a_fresh_state_and_verifier(http: httpx.Client, user: LocalUser) -> None:
    first = parse_qs(urlsplit(start_connect(http, user, "airtable")).query)
    second = parse_qs(urlsplit(start_connect(http, user, "airtable")).query)
    assert first["state"] != second["state"]
    assert first["code_challenge"] != second["code_challenge"]


def test_airtable_connect_uses_pkce_which_the_provider_verifies(
    http: httpx.Client, user: LocalUser, sandbox: ProviderSandbox
) -> None:
    # GIVEN a completed Airtable connect (the sandbox, like Airtable, refuses a code without the right verifier)
    assert connect(http, user, "airtable").connected
    # THEN the consent page was opened with an S256 challenge
    authorize = [
        r for r in sandbox.find_requests(host="airtable.com", path="/oauth2/v1/authorize") if r.method == "GET"
    ]
    assert authorize[-1].query["code_challenge_method"] == ["S256"]
    assert len(authorize[-1].query["code_challenge"][0]) == 43
    assert pkce_challenge("x") != authorize[-1].query["code_challenge"][0]


def test_mailchimp_connect_stores_the_data_centre_from_metadata(http: httpx.Client, user: LocalUser) -> None:
    # WHEN Mailchimp is connected
    assert connect(http, user, "mailchimp").connected
    # THEN the connection knows which data centre serves the account
    connection = wiring.integrations_store().get_connection(user.name, "mailchimp")
    assert connection is not None
    assert connection.provider_metadata["dc"] == "us19"
    assert connection.provider_metadata["api_endpoint"].endswith("us19.api.mailchimp.com")
    assert connection.token_expires_at is None  # Mailchimp tokens do not expire


def test_reconnect_keeps_settings_and_replaces_tokens(http: httpx.Client, new_user: type[LocalUser]) -> None:
    # GIVEN a pro user whose Sheets connection has settings
    user = new_user("pro")  # type: ignore[call-arg]
    assert connect(http, user, "google-sheets").connected
    response = put_settings(http, user, "google-sheets", {"sync_frequency": "every_15_minutes"})
    assert response.status_code == 200, response.text
    before = wiring.integrations_store().get_connection(user.name, "google-sheets")
    assert before is not None
    # WHEN they connect again
    assert connect(http, user, "google-sheets").connected
    # THEN the settings and connection id survive, with new credentials
    after = wiring.integrations_store().get_connection(user.name, "google-sheets")
    assert after is not None
    assert after.settings == {"sync_frequency": "every_15_minutes"}
    assert after.connection_id == before.connection_id
    assert after.credentials != before.credentials
    actions = [e.action for e in wiring.activity_store().list_audit_entries(user.name)]
    assert actions.count("connected") == 1
    assert actions.count("reconnected") == 1


@pytest.mark.parametrize("provider", ["airtable", "gmail"])
def test_the_pkce_verifier_is_stored_sealed_and_opens_only_for_its_own_flow(
    http: httpx.Client, user: LocalUser, provider: str
) -> None:
    # WHEN a user starts a PKCE connect
    url = start_connect(http, user, provider)
    query = parse_qs(urlsplit(url).query)
    state = wiring.integrations_store().consume_oauth_state(query["state"][0])
    assert state is not None
    # THEN the stored verifier is a KMS envelope, not text
    assert isinstance(state.code_verifier, EncryptedBlob)
    # AND it opens under its own flow to the verifier whose S256 challenge went to the provider
    cipher = wiring.token_cipher()
    verifier = unseal_verifier(cipher, state.code_verifier, state.user_id, state.flow_id, state.provider)
    assert pkce_challenge(verifier) == query["code_challenge"][0]
    # AND moved to another flow (or user) it does not open
    cipher.forget_keys()
    with pytest.raises(DecryptionFailed):
        unseal_verifier(cipher, state.code_verifier, state.user_id, "flow_someone_else", state.provider)
    with pytest.raises(DecryptionFailed):
        unseal_verifier(cipher, state.code_verifier, "another-user", state.flow_id, state.provider)
