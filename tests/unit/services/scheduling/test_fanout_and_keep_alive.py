"""The schedules' two daily and per-tick jobs: the fan-out of due connections, and the keep-alive."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.support.fakes import FakeIntegrations, FakeQueue, RecordingHooks, connection
from tracker_integrations.errors import ReauthRequired
from tracker_integrations.models.connection import PROVIDER_KEYS, Connection, ProviderKey, TokenSet
from tracker_integrations.services.connecting.tokens import TokenService
from tracker_integrations.services.scheduling.fanout import Fanout, ScheduleTick
from tracker_integrations.services.scheduling.keep_alive import KeepAlive

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TICK = ScheduleTick(cadence="every_15_minutes", interval_seconds=900)


def test_the_fanout_queues_each_due_connection_once_spread_over_the_interval() -> None:
    # GIVEN two pages of due entries: one connection twice (its marker and its reconciliation), one unknown key
    integrations = FakeIntegrations()
    integrations.due_pages = [[("usr_1", "gmail"), ("usr_2", "google-sheets")], [("usr_1", "gmail"), ("usr_3", "x")]]
    queue = FakeQueue()
    fanout = Fanout(integrations, queue, now=lambda: NOW, jitter=lambda: 0.5)
    # WHEN the tick runs
    result = fanout.run(TICK)
    # THEN each known connection gets one scheduled job, delayed half way into the interval
    assert [(job.user_id, job.provider, delay) for job, delay in queue.sent] == [
        ("usr_1", "gmail", 450),
        ("usr_2", "google-sheets", 450),
    ]
    assert all(job.reason == "schedule" for job, _ in queue.sent)
    assert result.connections == 2


class ScriptedTokens(TokenService):
    """Refreshes succeed except for the users listed as revoked."""

    def __init__(self, revoked: set[str]) -> None:
        self.revoked = revoked
        self.refreshed: list[str] = []

    def current_tokens(self, connection: Connection, *, force_refresh: bool = False) -> TokenSet:
        if connection.user_id in self.revoked:
            raise ReauthRequired("revoked", provider=connection.provider)
        self.refreshed.append(connection.user_id)
        return TokenSet.model_validate({"access_token": "fresh"})


def _keep_alive(
    idle: list[tuple[str, str]], revoked: set[str], hooks: RecordingHooks
) -> tuple[KeepAlive, ScriptedTokens]:
    integrations = FakeIntegrations()
    for user_id, provider in idle:
        if provider in PROVIDER_KEYS:
            c = connection(provider, user_id=user_id)
            integrations.connections[(user_id, c.provider)] = c
    integrations.idle = idle
    tokens = ScriptedTokens(revoked)

    def hooks_of(provider: ProviderKey) -> RecordingHooks:
        return hooks

    return KeepAlive(integrations, lambda: tokens, hooks=hooks_of, now=lambda: NOW), tokens


def test_keep_alive_refreshes_idle_tokens_and_counts_the_refused_ones() -> None:
    # GIVEN three idle connections, one of them revoked at the provider, and an unknown key
    hooks = RecordingHooks(renewed=2)
    keep_alive, tokens = _keep_alive(
        [("usr_1", "gmail"), ("usr_2", "google-sheets"), ("usr_3", "gmail"), ("usr_4", "x")], {"usr_3"}, hooks
    )
    # WHEN the daily keep-alive runs
    result = keep_alive.run()
    # THEN the two live ones are refreshed, the revoked one fails, and push renewals are counted
    assert tokens.refreshed == ["usr_1", "usr_2"]
    assert (result.idle, result.refreshed, result.failed) == (3, 2, 1)
    # Only the integrations whose push lapses without renewal (Gmail's watches, Airtable's webhooks) are asked:
    # 2 each.
    assert result.renewed == 2 * 2
