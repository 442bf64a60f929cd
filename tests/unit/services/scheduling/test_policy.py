"""When the schedules sync a connection: read from the provider's spec, never from its name."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.fakes import connection
from tracker_integrations.models.connection import ConnectionStatus, ProviderKey
from tracker_integrations.providers.registry import get_spec
from tracker_integrations.services.scheduling.policy import next_due, schedule_entry, schedule_of
from tracker_integrations.store.integrations import DUE_NOW

SYNCED_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SHEET = {
    "target": {"spreadsheet_id": "sheet_0123456789", "sheet_id": 0, "tab_title": "Pitches"},
    "mapping": {"columns": [{"header": "Contact", "field": "pitch.contact_name"}]},
}


@pytest.mark.parametrize("frequency", ["every_15_minutes", "real_time"])
def test_an_automatic_frequency_is_the_cadence(frequency: str) -> None:
    # GIVEN a connected Gmail syncing on its own WHEN its cadence is asked THEN it is that frequency
    assert schedule_of(connection("gmail", settings={"sync_frequency": frequency})) == frequency


@pytest.mark.parametrize(
    ("settings", "status"),
    [
        ({"sync_frequency": "manual"}, ConnectionStatus.CONNECTED),
        ({}, ConnectionStatus.CONNECTED),
        ({"sync_frequency": "every_15_minutes"}, ConnectionStatus.PAUSED),
        ({"sync_frequency": "every_15_minutes"}, ConnectionStatus.NEEDS_REAUTH),
    ],
)
def test_manual_paused_and_reauth_connections_are_not_scheduled(
    settings: dict[str, object], status: ConnectionStatus
) -> None:
    # GIVEN a connection the schedules must leave alone WHEN its cadence is asked THEN there is none
    assert schedule_of(connection("gmail", status=status, settings=settings)) is None


def test_a_sheet_connection_is_scheduled_only_once_a_spreadsheet_is_chosen() -> None:
    # GIVEN Sheets connected on a schedule, first with nothing chosen, then with a spreadsheet
    bare = connection("google-sheets", settings={"sync_frequency": "every_15_minutes"})
    chosen = connection("google-sheets", settings={"sync_frequency": "every_15_minutes", "sheet": SHEET})
    # WHEN their cadences are asked THEN only the configured one is scheduled
    assert schedule_of(bare) is None
    assert schedule_of(chosen) == "every_15_minutes"


@pytest.mark.parametrize("provider", ["google-sheets", "gmail"])
def test_a_push_watched_connection_is_next_due_after_its_reconciliation_time(provider: ProviderKey) -> None:
    # GIVEN a push-watched integration synced at 9:00
    wait = get_spec(provider).sync.reconcile_every
    assert wait is not None
    # WHEN its next due time is asked THEN it is the spec's reconciliation time later
    due = next_due(connection(provider, last_sync_at=SYNCED_AT))
    assert datetime.fromisoformat(due) == SYNCED_AT + wait


def test_a_connection_never_synced_or_without_push_is_due_at_the_next_tick() -> None:
    # GIVEN a push-watched connection never synced, and one whose provider pushes nothing
    # WHEN their next due times are asked THEN both are due now
    assert next_due(connection("gmail")) == DUE_NOW
    assert next_due(connection("mailchimp", last_sync_at=SYNCED_AT)) == DUE_NOW


def test_the_schedule_entry_carries_the_cadence_and_due_time() -> None:
    # GIVEN a scheduled Gmail connection synced at 9:00
    gmail = connection("gmail", settings={"sync_frequency": "real_time"}, last_sync_at=SYNCED_AT)
    # WHEN its schedule entry is built THEN it says the cadence and two hours on
    entry = schedule_entry(gmail)
    assert entry is not None
    assert entry.cadence == "real_time"
    assert datetime.fromisoformat(entry.due) == SYNCED_AT + timedelta(hours=2)
    assert schedule_entry(connection("gmail")) is None
