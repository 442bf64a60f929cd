"""The notification feed: told once per kind of failure, once when it is over, always for a pitch event."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.support.fakes import FakeIntegrations
from tracker_integrations.models.connection import LastError
from tracker_integrations.services.notifications import Draft, Notifier

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
FAILED = LastError(code="provider_unavailable", message="Google is down.", action="Nothing to do.", at=NOW)
REAUTH = LastError(code="needs_reauth", message="Access was revoked.", action="Reconnect.", at=NOW)


def _feed() -> tuple[Notifier, FakeIntegrations]:
    store = FakeIntegrations()
    return Notifier(store, now=lambda: NOW), store


def test_the_same_failure_twice_is_told_once() -> None:
    # GIVEN a notifier WHEN two runs fail the same way
    notifier, store = _feed()
    notifier.sync_finished("usr_1", "gmail", FAILED)
    notifier.sync_finished("usr_1", "gmail", FAILED)
    # THEN the user is told once
    assert [n.kind for _, n in store.notifications] == ["sync_failed"]


def test_a_new_kind_of_failure_and_the_recovery_are_each_told() -> None:
    # GIVEN a failing connection
    notifier, store = _feed()
    notifier.sync_finished("usr_1", "gmail", FAILED)
    # WHEN it then needs reconnecting, and later syncs again
    notifier.sync_finished("usr_1", "gmail", REAUTH)
    notifier.sync_finished("usr_1", "gmail", None)
    notifier.sync_finished("usr_1", "gmail", None)
    # THEN each change is told once, the recovery in the integration's name
    assert [n.kind for _, n in store.notifications] == ["sync_failed", "needs_reconnect", "recovered"]
    assert store.notifications[-1][1].message == "Gmail is syncing again."


def test_a_pitch_event_is_always_added_with_its_pitch() -> None:
    # GIVEN a reply on a pitch WHEN it is told twice THEN both are in the feed, naming the pitch
    notifier, store = _feed()
    draft = Draft("reply_received", "Ann replied.", "Open in Gmail.", campaign_id="cmp_1", pitch_id="pit_1")
    notifier.pitch_event("usr_1", "gmail", draft)
    notifier.pitch_event("usr_1", "gmail", draft)
    assert [(n.campaign_id, n.pitch_id) for _, n in store.notifications] == [("cmp_1", "pit_1")] * 2
