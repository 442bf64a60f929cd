"""Plan changes on an account's connections (in-memory stores), and which plan brings a paused one back."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.support.accounts import FakeActivity
from tests.support.fakes import CONNECTED_AT, FakeIntegrations, FakeMarkers, connection
from tracker_integrations.models.account import Account, Plan
from tracker_integrations.models.billing import PlanChange
from tracker_integrations.models.connection import ConnectionStatus, ProviderKey
from tracker_integrations.services.accounts.audit import AuditLog
from tracker_integrations.services.accounts.billing import PlanChanges, plan_for

AT = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)


class BillingIntegrations(FakeIntegrations):
    """The in-memory store, with the plan's conditional write billing uses."""

    def __init__(self) -> None:
        super().__init__()
        self.effective: dict[str, datetime] = {}

    def apply_plan(self, account: Account) -> bool:
        assert account.plan_effective_at is not None
        stored = self.effective.get(account.user_id)
        if stored is not None and stored >= account.plan_effective_at:
            return False
        self.effective[account.user_id] = account.plan_effective_at
        self.plans[account.user_id] = account.plan
        return True


def _service() -> tuple[PlanChanges, BillingIntegrations, FakeMarkers]:
    store = BillingIntegrations()
    markers = FakeMarkers()
    return PlanChanges(store, markers, AuditLog(FakeActivity()), now=lambda: AT), store, markers


def _change(plan: Plan, minutes: int = 0) -> PlanChange:
    return PlanChange(account_id="acc", plan=plan, effective_at=AT + timedelta(minutes=minutes))


def test_a_connection_paused_by_hand_stays_paused_when_an_upgrade_lifts_the_plan_pause() -> None:
    # GIVEN a free account's two connections: Gmail (newer) paused by the user, then by a downgrade too
    service, store, _ = _service()
    store.plans["acc"] = Plan.PRO
    connected: tuple[tuple[ProviderKey, int], ...] = (("google-sheets", 0), ("gmail", 5))
    for provider, minutes in connected:
        paused = {"paused": True} if provider == "gmail" else {}
        store.connections[("acc", provider)] = connection(
            provider,
            user_id="acc",
            connected_at=CONNECTED_AT + timedelta(minutes=minutes),
            settings={"sync_frequency": "every_15_minutes", **paused},
        )
    service.apply(_change(Plan.FREE))

    # WHEN the account goes back to pro
    outcome = service.apply(_change(Plan.PRO, minutes=1))

    # THEN Gmail is no longer held by the plan but stays as the user left it: paused
    gmail = store.connections[("acc", "gmail")]
    assert outcome.resumed == ["gmail"]
    assert (gmail.status, gmail.paused_for_plan) == (ConnectionStatus.PAUSED, None)


def test_a_connection_waiting_for_reconnect_still_counts_against_the_limit() -> None:
    service, store, markers = _service()
    store.plans["acc"] = Plan.PRO
    store.connections[("acc", "google-sheets")] = connection(
        "google-sheets", user_id="acc", status=ConnectionStatus.NEEDS_REAUTH
    )
    store.connections[("acc", "gmail")] = connection(
        "gmail", user_id="acc", connected_at=CONNECTED_AT + timedelta(days=1)
    )

    outcome = service.apply(_change(Plan.FREE))

    assert outcome.paused == ["gmail"]
    assert store.connections[("acc", "gmail")].paused_for_plan == "pro"
    assert markers.marked == {}  # nothing paused is made due


@pytest.mark.parametrize(("count", "plan"), [(1, Plan.FREE), (2, Plan.PRO), (3, Plan.PRO), (4, Plan.AGENCY)])
def test_the_cheapest_plan_with_room_for_that_many_integrations(count: int, plan: Plan) -> None:
    assert plan_for(count) is plan
