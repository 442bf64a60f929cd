"""Cards and shared settings: one card per provider in the registry, plan checks, and versioned changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.fakes import FakeIntegrations, connection
from tests.support.settings import unit_settings
from tracker_integrations.errors import NotFound, PlanLimitReached, ValidationFailed, VersionConflict
from tracker_integrations.models.account import Plan
from tracker_integrations.models.connection import PROVIDER_KEYS, Connection, ConnectionStatus
from tracker_integrations.models.settings import SettingsUpdate
from tracker_integrations.services.integrations import IntegrationsService

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class Screen:
    def __init__(self, *connections: Connection, plan: Plan = Plan.PRO) -> None:
        self.store = FakeIntegrations()
        self.store.plans["usr_1"] = plan
        for c in connections:
            self.store.connections[(c.user_id, c.provider)] = c
        self.service = IntegrationsService(self.store, unit_settings(), now=lambda: NOW)

    def stored(self) -> Connection:
        stored = self.store.get_connection("usr_1", "gmail")
        assert stored is not None
        return stored


def test_every_registered_integration_has_a_card_in_registry_order() -> None:
    # GIVEN a user with Gmail connected
    screen = Screen(connection("gmail", account_label="ann@example.com"))
    # WHEN the cards are listed
    cards = screen.service.cards("usr_1")
    # THEN every provider has one, the connected one with its account and the others not connected
    assert [c.provider for c in cards] == list(PROVIDER_KEYS)
    by_key = {c.provider: c for c in cards}
    assert by_key["gmail"].connected_account == "ann@example.com"
    assert by_key["airtable"].status == ConnectionStatus.NOT_CONNECTED


def test_a_frequency_above_the_plan_is_refused_and_nothing_changes() -> None:
    # GIVEN a pro user's Gmail connection
    screen = Screen(connection("gmail"))
    # WHEN real time (an agency feature) is asked THEN it is refused with the plan to upgrade to
    with pytest.raises(PlanLimitReached, match="Agency"):
        screen.service.update_settings("usr_1", "gmail", SettingsUpdate(version=1, sync_frequency="real_time"))
    assert screen.stored().settings == {}


def test_pausing_changes_the_status_and_moves_both_versions() -> None:
    # GIVEN a connected Gmail at settings version 1
    screen = Screen(connection("gmail"))
    # WHEN it is paused
    detail = screen.service.update_settings("usr_1", "gmail", SettingsUpdate(version=1, paused=True))
    # THEN the card says paused and the client gets the new settings version
    assert detail.integration.status == ConnectionStatus.PAUSED
    assert detail.version == 2
    assert screen.stored().settings == {"paused": True}
    assert screen.stored().version == 2


def test_a_change_to_settings_read_before_another_change_is_refused_with_the_current_ones() -> None:
    # GIVEN settings already at version 2
    screen = Screen(connection("gmail", settings_version=2, settings={"sync_frequency": "manual"}))
    # WHEN a client that read version 1 sends a change THEN it gets 409 with what is current, and nothing is saved
    with pytest.raises(VersionConflict) as refused:
        screen.service.update_settings("usr_1", "gmail", SettingsUpdate(version=1, paused=True))
    assert refused.value.details["current_version"] == 2
    assert screen.stored().settings == {"sync_frequency": "manual"}


def test_a_connection_waiting_for_reconnect_cannot_be_paused() -> None:
    # GIVEN Gmail needing a reconnect WHEN it is paused THEN the answer says to reconnect first
    screen = Screen(connection("gmail", status=ConnectionStatus.NEEDS_REAUTH))
    with pytest.raises(ValidationFailed, match="reconnected"):
        screen.service.update_settings("usr_1", "gmail", SettingsUpdate(version=1, paused=True))


@pytest.mark.parametrize(
    ("started_seconds_ago", "shown"),
    [(5, ConnectionStatus.SYNCING), (179, ConnectionStatus.SYNCING), (180, ConnectionStatus.CONNECTED)],
)
def test_a_card_says_syncing_while_a_run_is_under_way_and_not_after_a_dead_worker_s_limit(
    started_seconds_ago: int, shown: ConnectionStatus
) -> None:
    # GIVEN a Gmail connection whose run started a while ago and never finished (its worker may have died)
    started = NOW - timedelta(seconds=started_seconds_ago)
    screen = Screen(connection("gmail", sync_started_at=started))
    # WHEN the cards are listed
    (card,) = [c for c in screen.service.cards("usr_1") if c.provider == "gmail"]
    # THEN it says syncing for as long as a run may take, then what it was before
    assert card.status == shown


def test_a_paused_card_stays_paused_even_while_a_run_finishes() -> None:
    # GIVEN a paused connection with a run under way
    paused = connection("gmail", status=ConnectionStatus.PAUSED, sync_started_at=NOW)
    screen = Screen(paused)
    # WHEN the cards are listed THEN the user's pause is what the card says
    (card,) = [c for c in screen.service.cards("usr_1") if c.provider == "gmail"]
    assert card.status == ConnectionStatus.PAUSED


def test_the_fields_a_sheet_may_map_come_with_their_types_and_the_ways_they_may_flow() -> None:
    # GIVEN the integrations screen
    screen = Screen()
    # WHEN the mapping asks which Tracker fields a Google Sheets column can be mapped to
    listed = screen.service.tracker_fields("google-sheets")
    by_key = {f.key: f for f in listed.fields}
    # THEN a pitch's status is an enum that may flow both ways, and a campaign's title only from Tracker
    assert by_key["pitch.status"].kind == "enum"
    assert "replied" in by_key["pitch.status"].choices
    assert by_key["pitch.status"].directions == ["both", "to_provider", "from_provider"]
    assert by_key["campaign.title"].directions == ["to_provider"]
    assert by_key["pitch.sent_at"].kind == "datetime"
    assert listed.id_header == "Tracker ID"


def test_an_integration_that_maps_no_fields_says_so() -> None:
    # GIVEN Gmail, which only reads replies WHEN its fields are asked THEN the answer is that it has no mapping
    with pytest.raises(NotFound, match="no field mapping"):
        Screen().service.tracker_fields("gmail")
