"""What connect and disconnect set in motion, through the spec's capabilities and the integration's hooks."""

from __future__ import annotations

from pydantic import SecretStr

from tests.support.fakes import FakeMarkers, FakeQueue, RecordingHooks, connection
from tracker_integrations.models.connection import ProviderKey, TokenSet
from tracker_integrations.services.connecting.lifecycle import ConnectionLifecycle


class Lifecycle:
    def __init__(self) -> None:
        self.queue = FakeQueue()
        self.markers = FakeMarkers()
        self.hooks = RecordingHooks()
        self.asked: list[ProviderKey] = []

        def hooks_of(provider: ProviderKey) -> RecordingHooks:
            self.asked.append(provider)
            return self.hooks

        self.lifecycle = ConnectionLifecycle(lambda: self.queue, self.markers, hooks_of)


def test_an_integration_ready_on_connect_gets_its_first_sync_queued() -> None:
    # GIVEN Gmail (nothing to choose after consent)
    given = Lifecycle()
    # WHEN it is connected THEN its first sync is queued at once
    given.lifecycle.connected(connection("gmail"))
    [(job, delay)] = given.queue.sent
    assert (job.provider, job.reason, delay) == ("gmail", "connected", 0)


def test_an_integration_with_something_to_choose_waits_for_its_settings() -> None:
    # GIVEN Google Sheets (a spreadsheet must be chosen first)
    given = Lifecycle()
    # WHEN it is connected THEN nothing is queued
    given.lifecycle.connected(connection("google-sheets"))
    assert given.queue.sent == []


def test_disconnecting_hands_the_token_to_the_integration_and_forgets_the_marker() -> None:
    # GIVEN a connection with its tokens
    given = Lifecycle()
    tokens = TokenSet(access_token=SecretStr("access-1"))
    # WHEN it is disconnected
    given.lifecycle.disconnecting(connection("gmail"), tokens)
    # THEN its integration stops what it runs with that token, and the change marker goes
    assert given.hooks.disconnected == [("usr_1", "access-1")]
    assert given.markers.forgotten == [("usr_1", "gmail")]


def test_disconnecting_without_tokens_still_cleans_up_locally() -> None:
    # GIVEN a connection whose tokens could not be read
    given = Lifecycle()
    # WHEN it is disconnected THEN the integration is told there is no token, and local state still goes
    given.lifecycle.disconnecting(connection("google-sheets"), None)
    assert given.hooks.disconnected == [("usr_1", None)]
    assert given.markers.forgotten == [("usr_1", "google-sheets")]


def test_whether_an_account_is_shared_is_the_integrations_answer() -> None:
    # GIVEN an integration that knows another user shares the provider account
    given = Lifecycle()
    given.hooks.shared = True
    # WHEN the platform asks THEN it gets that answer, from that provider's hooks
    assert given.lifecycle.account_shared(connection("gmail"))
    assert given.asked == ["gmail"]
