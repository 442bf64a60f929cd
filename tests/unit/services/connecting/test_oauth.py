"""The OAuth connect flow and disconnect: a consent URL bound to one browser and one single-use state,
a callback that stores tokens only after every check, clear failures that leave nothing behind, and a
disconnect that revokes only a grant nothing else relies on."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from pydantic import SecretStr

from tests.support.accounts import FakeActivity
from tests.support.fakes import (
    FakeIntegrations,
    FakeMarkers,
    FakeQueue,
    RecordingHooks,
    TokenEndpoint,
    connection,
)
from tests.support.settings import unit_settings
from tracker_integrations.crypto.envelope import TokenCipher
from tracker_integrations.errors import NotFound, PlanLimitReached, ProviderNotConfigured
from tracker_integrations.models.account import Plan
from tracker_integrations.models.connection import ConnectionStatus, EncryptedBlob, ProviderKey, TokenSet
from tracker_integrations.providers.registry import DRIVE_FILE, get_spec
from tracker_integrations.services.connecting.credentials import context_for, seal, unseal, unseal_verifier
from tracker_integrations.services.connecting.lifecycle import ConnectionLifecycle
from tracker_integrations.services.connecting.oauth import CallbackParams, OAuthService, pkce_challenge

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
USER = "usr_1"
GOOGLE_SCOPES = " ".join(get_spec("google-sheets").oauth.scopes)
SETTINGS = unit_settings(
    google_client_id="gid",
    google_client_secret="gsecret",
    airtable_client_id="aid",
    airtable_client_secret="asecret",
    endpoint_google_accounts="https://accounts.google.test",
    endpoint_google_oauth2="https://oauth2.google.test",
    endpoint_google_openid="https://openid.google.test",
    app_base_url="https://app.example",
    api_base_url="https://api.example",
)


@dataclass
class World:
    cipher: TokenCipher
    endpoint: TokenEndpoint
    store: FakeIntegrations = field(default_factory=FakeIntegrations)
    activity: FakeActivity = field(default_factory=FakeActivity)
    queue: FakeQueue = field(default_factory=FakeQueue)
    markers: FakeMarkers = field(default_factory=FakeMarkers)
    hooks: RecordingHooks = field(default_factory=RecordingHooks)
    now: datetime = NOW

    def service(self) -> OAuthService:
        lifecycle = ConnectionLifecycle(lambda: self.queue, self.markers, lambda provider: self.hooks)
        return OAuthService(
            self.store, lambda: self.cipher, SETTINGS, lambda: lifecycle, self.activity, now=lambda: self.now
        )

    def started(self, provider: ProviderKey = "google-sheets") -> tuple[str, str]:
        """A connect started in a browser: (state, browser binding)."""
        start = self.service().start(USER, provider)
        return parse_qs(urlsplit(start.authorization_url).query)["state"][0], start.browser_binding

    def google_answers(self, *, scope: str = GOOGLE_SCOPES, sub: str = "google-sub-1") -> None:
        self.endpoint.answer(access_token="ya29.a", refresh_token="1//r", expires_in=3600, scope=scope)
        self.endpoint.answer(sub=sub, email="me@example.com")

    def callback(self, state: str | None, binding: str | None, **params: str) -> dict[str, str]:
        """Where the callback sends the browser, as (path, query)."""
        url = self.service().complete("google-sheets", CallbackParams(state=state, **params), binding)
        parts = urlsplit(url)
        return {"path": parts.path, **{k: v[0] for k, v in parse_qs(parts.query).items()}}


@pytest.fixture
def world(cipher: TokenCipher, token_endpoint: TokenEndpoint) -> World:
    return World(cipher, token_endpoint)


# -- start ----------------------------------------------------------------------------------------


def test_start_sends_the_browser_to_the_consent_page_with_a_stored_single_use_state(world: World) -> None:
    # GIVEN a user connecting Google Sheets
    # WHEN the connect starts
    start = world.service().start(USER, "google-sheets")
    # THEN the consent URL names our client, the exact callback, the scopes, PKCE S256 and offline access
    url = urlsplit(start.authorization_url)
    query = {k: v[0] for k, v in parse_qs(url.query).items()}
    assert f"{url.scheme}://{url.netloc}{url.path}" == "https://accounts.google.test/o/oauth2/v2/auth"
    assert query["client_id"] == "gid"
    assert query["redirect_uri"] == "https://api.example/api/integrations/google-sheets/callback"
    assert (query["response_type"], query["scope"]) == ("code", GOOGLE_SCOPES)
    assert (query["code_challenge_method"], query["access_type"], query["prompt"]) == ("S256", "offline", "consent")
    # AND the state stored for it is the user's, expires after the configured TTL, binds the browser by
    # hash only, and holds the sealed verifier whose challenge the URL carries
    state = world.store.oauth_states[query["state"]]
    assert (state.user_id, state.provider) == (USER, "google-sheets")
    assert state.expires_at == NOW + timedelta(seconds=SETTINGS.oauth_state_ttl_seconds)
    assert start.browser_binding not in state.model_dump_json()
    assert state.code_verifier is not None
    verifier = unseal_verifier(world.cipher, state.code_verifier, USER, state.flow_id, "google-sheets")
    assert pkce_challenge(verifier) == query["code_challenge"]


def test_a_browsers_well_formed_binding_is_kept_and_a_malformed_one_replaced(world: World) -> None:
    # GIVEN a browser that already holds a binding from a flow in another tab, and one sending junk
    kept = "b" * 43
    # WHEN connects start from each
    # THEN the first keeps its value (both tabs can finish) and the second gets a fresh one
    assert world.service().start(USER, "google-sheets", kept).browser_binding == kept
    fresh = world.service().start(USER, "google-sheets", "not-a-binding").browser_binding
    assert fresh != "not-a-binding"
    assert len(fresh) == 43


def test_a_provider_without_an_oauth_client_cannot_be_connected(world: World) -> None:
    # GIVEN a deployment with no Mailchimp client configured
    # WHEN a Mailchimp connect starts THEN it is refused saying so, and no state is stored
    with pytest.raises(ProviderNotConfigured, match="no mailchimp OAuth client"):
        world.service().start(USER, "mailchimp")
    assert world.store.oauth_states == {}


def test_a_free_plan_with_its_one_integration_used_cannot_start_another(world: World) -> None:
    # GIVEN a free user with Gmail connected
    world.store.connections[(USER, "gmail")] = connection("gmail")
    # WHEN they start connecting Sheets THEN they are told the limit and the plan that lifts it
    with pytest.raises(PlanLimitReached, match="Free plan includes 1 integration") as refused:
        world.service().start(USER, "google-sheets")
    assert refused.value.details["upgrade_to"] == Plan.PRO


# -- callback -------------------------------------------------------------------------------------


def test_a_completed_callback_stores_sealed_tokens_and_the_account(world: World) -> None:
    # GIVEN a connect started in this browser, and Google granting every scope asked for
    state, binding = world.started()
    world.google_answers()
    # WHEN the callback arrives in the same browser with a code
    sent_to = world.callback(state, binding, code="auth-code", iss="https://accounts.google.com")
    # THEN the code was exchanged with the exact redirect URI and the PKCE verifier
    exchange = world.endpoint.forms()[0]
    assert (exchange["grant_type"], exchange["code"]) == ("authorization_code", "auth-code")
    assert exchange["redirect_uri"] == "https://api.example/api/integrations/google-sheets/callback"
    assert len(exchange["code_verifier"]) == 86
    # AND the connection holds the account and sealed tokens, with the free plan's manual cadence
    saved = world.store.connections[(USER, "google-sheets")]
    assert (saved.status, saved.account_label, saved.external_account_id) == (
        ConnectionStatus.CONNECTED,
        "me@example.com",
        "google-sub-1",
    )
    assert unseal(world.cipher, saved).access_token.get_secret_value() == "ya29.a"
    assert saved.settings == {"sync_frequency": "manual"}
    assert [e.action for e in world.activity.entries] == ["connected"]
    # AND the browser goes to the configure page, and the state cannot be used again
    assert sent_to == {"path": "/integrations/google-sheets/configure", "status": "connected"}
    assert world.store.oauth_states == {}


def test_a_reconnect_keeps_the_connection_its_settings_and_history(world: World) -> None:
    # GIVEN a connection that needed reconnecting, with a chosen cadence and synced records
    before = connection(
        "google-sheets",
        status=ConnectionStatus.NEEDS_REAUTH,
        settings={"sync_frequency": "every_15_minutes"},
        records_synced=42,
        version=3,
    )
    world.store.connections[(USER, "google-sheets")] = before
    state, binding = world.started()
    world.google_answers()
    # WHEN the user reconnects
    world.callback(state, binding, code="auth-code")
    # THEN the same connection is connected again, one version on, with everything they set up
    saved = world.store.connections[(USER, "google-sheets")]
    assert (saved.connection_id, saved.status, saved.version) == (before.connection_id, ConnectionStatus.CONNECTED, 4)
    assert (saved.settings, saved.records_synced, saved.last_error) == (before.settings, 42, None)
    assert [e.action for e in world.activity.entries] == ["reconnected"]


def test_a_callback_in_another_browser_connects_nothing_and_burns_the_state(world: World) -> None:
    # GIVEN a connect started in one browser
    state, _ = world.started()
    # WHEN its callback arrives with another browser's binding
    sent_to = world.callback(state, "x" * 43, code="auth-code")
    # THEN nothing is exchanged or stored, the user is told why, the attempt is audited, and the state
    # is gone (the link cannot be replayed in the right browser)
    assert (sent_to["status"], sent_to["error"]) == ("error", "browser_mismatch")
    assert world.endpoint.requests == []
    assert world.store.connections == {}
    assert world.store.oauth_states == {}
    assert [(e.action, e.detail) for e in world.activity.entries] == [
        ("connect_failed", {"reason": "browser_mismatch"})
    ]


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"error": "access_denied"}, "access_denied"),
        ({"error": "made-up"}, "provider_error"),
        ({"code": "c", "iss": "https://evil.example"}, "issuer_mismatch"),
        ({}, "missing_code"),
    ],
)
def test_a_callback_that_brings_no_usable_code_connects_nothing(
    world: World, params: dict[str, str], reason: str
) -> None:
    # GIVEN a connect started in this browser
    state, binding = world.started()
    # WHEN the callback says the user refused, or comes from another issuer, or lacks the code
    sent_to = world.callback(state, binding, **params)
    # THEN the browser gets our message for it, and nothing was exchanged or stored
    assert (sent_to["status"], sent_to["error"]) == ("error", reason)
    assert sent_to["message"]
    assert world.endpoint.requests == []
    assert world.store.connections == {}


def test_a_callback_without_state_or_with_an_unknown_one_connects_nothing(world: World) -> None:
    # GIVEN no connect started
    # WHEN callbacks arrive without a state and with one that is not ours
    missing = world.callback(None, None, code="c")
    unknown = world.callback("forged", "b" * 43, code="c")
    # THEN each is refused by name and nothing is audited against any user
    assert (missing["error"], unknown["error"]) == ("missing_state", "invalid_state")
    assert world.activity.entries == []


def test_a_callback_after_the_state_expired_connects_nothing(world: World) -> None:
    # GIVEN a connect started, and the user back after the state's lifetime
    state, binding = world.started()
    world.now = NOW + timedelta(seconds=SETTINGS.oauth_state_ttl_seconds)
    # WHEN the callback arrives THEN it says the sign-in expired, in minutes
    sent_to = world.callback(state, binding, code="c")
    assert sent_to["error"] == "expired_state"
    assert "10 minutes" in sent_to["message"]


def test_a_callback_for_another_provider_connects_nothing(world: World) -> None:
    # GIVEN a Gmail connect, whose callback is delivered to the Sheets callback (a mix-up)
    state, binding = world.started("gmail")
    # WHEN it arrives THEN it is refused as started for another integration
    assert world.callback(state, binding, code="c")["error"] == "provider_mismatch"


def test_an_unticked_required_scope_gives_the_grant_back(world: World) -> None:
    # GIVEN Google granting sign-in but not the Drive file scope Sheets needs
    state, binding = world.started()
    world.endpoint.answer(access_token="ya29.a", refresh_token="1//r", expires_in=3600, scope="openid email")
    world.endpoint.answer()  # the revoke
    # WHEN the callback completes
    sent_to = world.callback(state, binding, code="c")
    # THEN the grant is revoked at Google, nothing is stored, and the user is told which box to tick
    assert str(world.endpoint.requests[1].url) == "https://oauth2.google.test/revoke"
    assert world.store.connections == {}
    assert sent_to["error"] == "scope_not_granted"
    assert get_spec("google-sheets").oauth.purpose_of(DRIVE_FILE) in sent_to["message"]


@pytest.mark.parametrize(
    ("status", "body", "reason"),
    [(400, {"error": "invalid_grant"}, "code_rejected"), (400, {"error": "invalid_client"}, "exchange_failed")],
)
def test_a_refused_code_exchange_connects_nothing(
    world: World, status: int, body: dict[str, object], reason: str
) -> None:
    # GIVEN Google refusing the code (used twice, or our client misconfigured)
    state, binding = world.started()
    world.endpoint.answer_json(body, status=status)
    # WHEN the callback completes THEN the user is told which, and nothing is stored
    assert world.callback(state, binding, code="c")["error"] == reason
    assert world.store.connections == {}


def test_a_connect_that_makes_the_integration_ready_queues_its_first_sync(world: World) -> None:
    # GIVEN Gmail, which works with no further setup
    state, binding = world.started("gmail")
    world.endpoint.answer(access_token="ya29.a", refresh_token="1//r", expires_in=3600)
    world.endpoint.answer(sub="google-sub-1", email="me@example.com")
    # WHEN its callback completes
    world.service().complete("gmail", CallbackParams(state=state, code="c"), binding)
    # THEN its first sync is queued at once
    assert [(job.provider, job.reason) for job, _ in world.queue.sent] == [("gmail", "connected")]


# -- disconnect -----------------------------------------------------------------------------------


def _connected_with_tokens(world: World, provider: ProviderKey, *, account: str = "google-sub-1") -> None:
    base = connection(provider, external_account_id=account)
    tokens = TokenSet(access_token=SecretStr("ya29.a"), refresh_token=SecretStr("1//r"), scopes=())
    blob = seal(world.cipher, tokens, context_for(base.user_id, base.connection_id, provider))
    world.store.connections[(base.user_id, provider)] = base.model_copy(update={"credentials": blob})


def test_disconnect_revokes_at_the_provider_and_deletes_the_credentials(world: World) -> None:
    # GIVEN a Sheets connection, the only one using its Google account
    _connected_with_tokens(world, "google-sheets")
    world.endpoint.answer()
    # WHEN it is disconnected
    result = world.service().disconnect(USER, "google-sheets")
    # THEN the refresh token is revoked at Google, the integration stopped its push, and the record is gone
    assert result.revoked_at_provider
    assert world.endpoint.forms() == [{"token": "1//r"}]
    assert world.hooks.disconnected == [(USER, "ya29.a")]
    assert world.store.connections == {}
    assert world.markers.forgotten == [(USER, "google-sheets")]
    assert [(e.action, e.detail) for e in world.activity.entries] == [("disconnected", {"revoked_at_provider": True})]


def test_disconnect_keeps_a_grant_another_connection_of_the_account_relies_on(world: World) -> None:
    # GIVEN Sheets and Gmail connected with the same Google account
    _connected_with_tokens(world, "google-sheets")
    _connected_with_tokens(world, "gmail")
    # WHEN Sheets is disconnected
    result = world.service().disconnect(USER, "google-sheets")
    # THEN Google is not asked to revoke (it would end Gmail's access too), and the user is told why
    assert not result.revoked_at_provider
    assert world.endpoint.requests == []
    assert "another Tracker connection uses the same account" in result.message
    assert set(world.store.connections) == {(USER, "gmail")}


def test_disconnect_deletes_credentials_it_cannot_decrypt(world: World) -> None:
    # GIVEN a connection whose stored credentials no longer open
    _connected_with_tokens(world, "google-sheets")
    broken = world.store.connections[(USER, "google-sheets")]
    assert broken.credentials is not None
    tampered = EncryptedBlob.model_validate({**broken.credentials.model_dump(), "ciphertext": "AAAA"})
    world.store.connections[(USER, "google-sheets")] = broken.model_copy(update={"credentials": tampered})
    # WHEN it is disconnected THEN it is deleted all the same, without a call to Google
    result = world.service().disconnect(USER, "google-sheets")
    assert (result.disconnected, result.revoked_at_provider) == (True, False)
    assert world.store.connections == {}
    assert world.endpoint.requests == []


def test_disconnecting_what_is_not_connected_is_not_found(world: World) -> None:
    with pytest.raises(NotFound, match="Google Sheets is not connected"):
        world.service().disconnect(USER, "google-sheets")
