"""Fresh access tokens: refreshed near expiry and persisted before use, one refresh per connection at a
time, and a refused refresh turned into "reconnect" with the settings kept."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from pydantic import SecretStr

from tests.support.accounts import FakeActivity
from tests.support.fakes import FakeIntegrations, FakeLeases, TokenEndpoint, connection
from tests.support.settings import unit_settings
from tracker_integrations.crypto.envelope import TokenCipher
from tracker_integrations.errors import NotFound, ReauthRequired, TransientProviderError
from tracker_integrations.models.connection import Connection, ConnectionStatus, ProviderKey, TokenSet
from tracker_integrations.services.connecting.credentials import context_for, seal, unseal
from tracker_integrations.services.connecting.tokens import REFRESH_MARGIN, Clock, TokenService

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
STORED_REFRESH = "1//refresh"
SETTINGS = unit_settings(google_client_id="gid", google_client_secret="gsecret", airtable_client_id="aid")


class SteppingClock:
    """Time that moves only when the service sleeps; what happens while it sleeps is up to the test."""

    def __init__(self) -> None:
        self.now = NOW
        self.slept = 0.0

    def sleep(self, seconds: float) -> None:
        self.slept += seconds
        self.now += timedelta(seconds=seconds)

    def clock(self) -> Clock:
        return Clock(now=lambda: self.now, sleep=self.sleep)


@dataclass
class World:
    """The token service's collaborators, each a fake the test sets up and reads back."""

    cipher: TokenCipher
    endpoint: TokenEndpoint
    store: FakeIntegrations = field(default_factory=FakeIntegrations)
    activity: FakeActivity = field(default_factory=FakeActivity)
    leases: FakeLeases = field(default_factory=FakeLeases)
    clock: SteppingClock = field(default_factory=SteppingClock)

    def service(self) -> TokenService:
        return TokenService(
            self.store, lambda: self.cipher, SETTINGS, self.leases, lambda: self.activity, clock=self.clock.clock()
        )

    def stored(
        self,
        provider: ProviderKey = "google-sheets",
        *,
        expires_in: timedelta | None = timedelta(hours=1),
        refresh_token: str | None = STORED_REFRESH,
        status: ConnectionStatus = ConnectionStatus.CONNECTED,
        version: int = 1,
    ) -> Connection:
        """A connection in the store holding sealed tokens that expire `expires_in` from NOW."""
        tokens = TokenSet(
            access_token=SecretStr("access-old"),
            refresh_token=SecretStr(refresh_token) if refresh_token else None,
            expires_at=NOW + expires_in if expires_in is not None else None,
            scopes=("scope.a",),
        )
        base = connection(provider, status=status, version=version, settings={"frequency": "hourly"})
        context = context_for(base.user_id, base.connection_id, provider)
        sealed = base.model_copy(update={"credentials": seal(self.cipher, tokens, context)})
        self.store.connections[(sealed.user_id, provider)] = sealed
        return sealed

    def saved(self, provider: ProviderKey = "google-sheets") -> Connection:
        return self.store.connections[("usr_1", provider)]


@pytest.fixture
def world(cipher: TokenCipher, token_endpoint: TokenEndpoint) -> World:
    return World(cipher, token_endpoint)


def test_tokens_fresh_for_longer_than_the_margin_are_used_without_asking_the_provider(world: World) -> None:
    # GIVEN tokens that expire a minute after the refresh margin
    stored = world.stored(expires_in=REFRESH_MARGIN + timedelta(minutes=1))
    # WHEN the current tokens are asked for
    tokens = world.service().current_tokens(stored)
    # THEN the stored access token comes back and the token endpoint is not called
    assert tokens.access_token.get_secret_value() == "access-old"
    assert world.endpoint.requests == []


def test_tokens_inside_the_margin_are_refreshed_and_persisted_before_they_are_handed_out(world: World) -> None:
    # GIVEN tokens expiring within the refresh margin, and a provider answering the refresh
    stored = world.stored(expires_in=REFRESH_MARGIN - timedelta(seconds=1))
    world.endpoint.answer(access_token="access-new", expires_in=3600)
    # WHEN the current tokens are asked for
    tokens = world.service().current_tokens(stored)
    # THEN the new token is handed out, and the stored connection holds it sealed, one version on, with
    # the refresh token Google did not repeat kept
    assert tokens.access_token.get_secret_value() == "access-new"
    assert world.endpoint.forms()[0]["refresh_token"] == "1//refresh"
    saved = world.saved()
    assert saved.version == stored.version + 1
    assert saved.token_expires_at == NOW + timedelta(seconds=3600)
    reopened = unseal(world.cipher, saved)
    assert reopened.access_token.get_secret_value() == "access-new"
    assert reopened.refresh_token is not None
    assert reopened.refresh_token.get_secret_value() == "1//refresh"
    # AND the refresh lease is given back
    assert world.leases.held == set()


def test_a_forced_refresh_asks_the_provider_even_for_fresh_tokens(world: World) -> None:
    # GIVEN fresh tokens the provider has nevertheless refused (a 401 on a call)
    stored = world.stored(expires_in=timedelta(hours=1))
    world.endpoint.answer(access_token="access-after-401", expires_in=3600)
    # WHEN a refresh is forced
    tokens = world.service().current_tokens(stored, force_refresh=True)
    # THEN the provider was asked and its new token is used
    assert tokens.access_token.get_secret_value() == "access-after-401"
    assert len(world.endpoint.requests) == 1


def test_invalid_grant_marks_the_connection_for_reconnection_and_keeps_its_settings(world: World) -> None:
    # GIVEN an expired token whose refresh token the provider no longer accepts
    stored = world.stored(expires_in=timedelta(0))
    world.endpoint.answer(400, error="invalid_grant")
    # WHEN the current tokens are asked for
    with pytest.raises(ReauthRequired):
        world.service().current_tokens(stored)
    # THEN the connection says how to reconnect, keeps its settings, and the audit log says why
    saved = world.saved()
    assert saved.status == ConnectionStatus.NEEDS_REAUTH
    assert saved.last_error is not None
    assert saved.last_error.code == "needs_reauth"
    assert "Reconnect" in saved.last_error.action
    assert saved.settings == stored.settings
    assert [(e.action, e.detail) for e in world.activity.entries] == [
        ("token_refresh_failed", {"reason": "invalid_grant"})
    ]
    assert world.leases.held == set()


def test_a_connection_marked_for_reconnection_is_not_refreshed(world: World) -> None:
    # GIVEN a connection already waiting for the user to reconnect
    stored = world.stored(expires_in=timedelta(0), status=ConnectionStatus.NEEDS_REAUTH)
    # WHEN its tokens are asked for THEN it is refused without a call to the provider
    with pytest.raises(ReauthRequired):
        world.service().current_tokens(stored)
    assert world.endpoint.requests == []


def test_tokens_that_never_expire_are_used_as_they_are(world: World) -> None:
    # GIVEN Mailchimp's tokens: no expiry and no refresh token
    stored = world.stored("mailchimp", expires_in=None, refresh_token=None)
    # WHEN a refresh is forced (the provider refused a call)
    tokens = world.service().current_tokens(stored, force_refresh=True)
    # THEN there is nothing to refresh with: the same token comes back and nothing is written
    assert tokens.access_token.get_secret_value() == "access-old"
    assert world.endpoint.requests == []
    assert world.saved("mailchimp").version == stored.version


def test_an_expiring_token_without_refresh_token_asks_for_reconnection(world: World) -> None:
    # GIVEN an expired token the provider gave no refresh token for
    stored = world.stored(expires_in=timedelta(0), refresh_token=None)
    # WHEN its tokens are asked for
    with pytest.raises(ReauthRequired):
        world.service().current_tokens(stored)
    # THEN the connection waits for the user, with the reason in the audit log
    assert world.saved().status == ConnectionStatus.NEEDS_REAUTH
    assert world.activity.entries[0].detail == {"reason": "the provider gave no refresh token"}


def test_a_refresh_another_worker_finished_first_is_used_instead_of_a_second_refresh(world: World) -> None:
    # GIVEN a run that read expiring tokens, and another worker that refreshed them since
    read_by_run = world.stored(expires_in=timedelta(0))
    world.stored(expires_in=timedelta(hours=1), version=read_by_run.version + 1)
    # WHEN the run asks for current tokens
    tokens = world.service().current_tokens(read_by_run)
    # THEN it takes the stored ones (a rotated refresh token used twice would end the connection)
    assert tokens.expires_at == NOW + timedelta(hours=1)
    assert world.endpoint.requests == []


def test_a_refresh_held_by_another_worker_is_waited_for_and_its_result_used(world: World) -> None:
    # GIVEN expiring tokens whose refresh lease another worker holds, and which it has refreshed
    read_by_run = world.stored(expires_in=timedelta(0))
    world.leases.held.add("refresh#google-sheets")
    world.stored(expires_in=timedelta(hours=2), version=read_by_run.version + 1)
    # WHEN the run asks for current tokens
    tokens = world.service().current_tokens(read_by_run)
    # THEN it waited one step, took the other worker's tokens, and did not call the provider
    assert tokens.expires_at == NOW + timedelta(hours=2)
    assert world.clock.slept > 0
    assert world.endpoint.requests == []


def test_a_refresh_that_another_worker_never_finishes_is_retried_later(world: World) -> None:
    # GIVEN expiring tokens whose refresh lease another worker holds and never settles
    stored = world.stored(expires_in=timedelta(0))
    world.leases.held.add("refresh#google-sheets")
    # WHEN the run asks for current tokens
    # THEN it gives up after the lease's length with an error the queue retries
    with pytest.raises(TransientProviderError):
        world.service().current_tokens(stored)
    assert world.clock.slept == pytest.approx(30.0, abs=0.5)
    assert world.endpoint.requests == []


def test_a_connection_removed_during_another_workers_refresh_is_reported_gone(world: World) -> None:
    # GIVEN expiring tokens whose refresh lease another worker holds, and the connection deleted meanwhile
    stored = world.stored(expires_in=timedelta(0))
    world.leases.held.add("refresh#google-sheets")
    del world.store.connections[(stored.user_id, "google-sheets")]
    # WHEN the run asks for current tokens THEN it is told the connection is gone
    with pytest.raises(NotFound):
        world.service().current_tokens(stored)


def test_the_runs_bearer_auth_refreshes_from_what_is_stored_now(world: World) -> None:
    # GIVEN a run's bearer auth built from fresh tokens, and a provider API that refuses the first
    # token it is shown (revoked early) and accepts the next
    stored = world.stored(expires_in=timedelta(hours=1))
    auth = world.service().auth(stored)
    world.endpoint.answer(access_token="access-after-401", expires_in=3600)
    shown: list[str] = []

    def provider_api(request: httpx.Request) -> httpx.Response:
        shown.append(request.headers["Authorization"])
        return httpx.Response(401 if len(shown) == 1 else 200)

    # WHEN one API call is made with it
    with httpx.Client(transport=httpx.MockTransport(provider_api)) as api:
        status = api.get("https://sheets.test/v4/spreadsheets/s", auth=auth).status_code
    # THEN the call is resent once with a token from a forced refresh, persisted on the stored connection
    assert status == 200
    assert shown == ["Bearer access-old", "Bearer access-after-401"]
    assert world.saved().version == stored.version + 1
