"""Plans from billing: a Plan Changed event pauses connections beyond the new plan and resumes them.

The events go straight into the billing function (as EventBridge would deliver them), built from the
events/ sample; the local token route emits the same event when a sign-in changes the plan.
"""

from __future__ import annotations

import importlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from local_stack.events import LambdaContextStub
from local_stack.server import RunningStack
from local_stack.template import REPO_ROOT
from tests.support.api import LocalUser, card, connect, sign_in
from tests.support.schedule import is_due
from tests.support.teams import new_team, sign_in_member
from tracker_integrations import wiring

SAMPLE = REPO_ROOT / "events" / "billing_events" / "plan_changed.json"


def _plan_changed(account_id: str, plan: str, at: datetime, *, team: bool = False) -> dict[str, Any]:
    event: dict[str, Any] = json.loads(SAMPLE.read_text())
    event["detail"] = {
        "account_id": account_id,
        "account_type": "team" if team else "user",
        "plan": plan,
        "effective_at": at.isoformat(),
    }
    return event


def _deliver(event: dict[str, Any]) -> dict[str, Any]:
    handler = importlib.import_module("functions.billing_events.app").lambda_handler
    result: dict[str, Any] = handler(event, LambdaContextStub(function_name="BillingEventsFunction"))
    return result


def _connected_three(http: httpx.Client) -> LocalUser:
    user = sign_in(http, plan="pro")
    for provider in ("google-sheets", "gmail", "google-drive"):  # in this order: Drive is the most recent
        assert connect(http, user, provider).connected
    return user


@pytest.fixture
def t0(stack: RunningStack) -> datetime:
    return datetime.now(UTC) + timedelta(minutes=1)


def test_a_downgrade_pauses_the_most_recently_connected_and_deletes_nothing(http: httpx.Client, t0: datetime) -> None:
    # GIVEN a pro user with three connections
    user = _connected_three(http)

    # WHEN billing says the account is now free
    outcome = _deliver(_plan_changed(user.name, "free", t0))

    # THEN the oldest connection stays, the two newer ones are paused (none deleted), each naming Pro
    assert outcome["applied"] is True
    assert sorted(outcome["paused"]) == ["gmail", "google-drive"]
    assert card(http, user, "google-sheets")["status"] == "connected"
    for provider in ("gmail", "google-drive"):
        paused = card(http, user, provider)
        assert (paused["status"], paused["paused_for_plan"]) == ("paused", "pro")
    # and the plan (so the monthly quota) is free
    assert http.get("/api/me", headers=user.headers).json()["plan"] == "free"


def test_a_paused_connection_cannot_be_resumed_by_hand_past_the_plan(http: httpx.Client, t0: datetime) -> None:
    user = _connected_three(http)
    _deliver(_plan_changed(user.name, "free", t0))
    version = http.get("/api/integrations/gmail", headers=user.headers).json()["version"]

    response = http.put(
        "/api/integrations/gmail/settings", headers=user.headers, json={"version": version, "paused": False}
    )

    assert response.status_code == 403
    assert "upgrade to Pro to resume it" in response.json()["error"]["message"]


def test_an_upgrade_resumes_them_at_the_new_cadence_at_once(http: httpx.Client, t0: datetime) -> None:
    # GIVEN a user downgraded to free, two connections paused
    user = _connected_three(http)
    _deliver(_plan_changed(user.name, "free", t0))

    # WHEN billing upgrades the account to agency
    outcome = _deliver(_plan_changed(user.name, "agency", t0 + timedelta(minutes=1)))

    # THEN both are connected again, every connection syncs in real time, and each is due now
    assert sorted(outcome["resumed"]) == ["gmail", "google-drive"]
    store = wiring.integrations_store()
    for provider in ("google-sheets", "gmail", "google-drive"):
        connection = store.get_connection(user.name, provider)
        assert connection is not None
        assert connection.status == "connected"
        assert connection.paused_for_plan is None
        assert connection.settings["sync_frequency"] == "real_time"
    # Gmail needs nothing chosen to sync (Sheets and Drive wait for a spreadsheet or folder): due at once
    assert is_due(user.name, "gmail", "real_time")


def test_a_duplicate_or_older_event_changes_nothing(http: httpx.Client, t0: datetime) -> None:
    # GIVEN a downgrade applied
    user = _connected_three(http)
    downgrade = _plan_changed(user.name, "free", t0)
    _deliver(downgrade)
    before = {c.provider: c for c in wiring.integrations_store().list_connections(user.name)}

    # WHEN the same event arrives again, and then an upgrade that took effect before it
    duplicate = _deliver(downgrade)
    older = _deliver(_plan_changed(user.name, "agency", t0 - timedelta(hours=1)))

    # THEN neither is applied and no connection changed
    assert (duplicate["applied"], older["applied"]) == (False, False)
    assert older["plan"] == "free"
    after = {c.provider: c for c in wiring.integrations_store().list_connections(user.name)}
    assert after == before


def test_real_time_stops_on_a_downgrade_from_agency(http: httpx.Client, t0: datetime) -> None:
    # GIVEN an agency team whose Sheets connection syncs in real time
    team = new_team()
    owner = sign_in_member(http, team, "owner", plan="agency")
    assert connect(http, owner, "google-sheets").connected
    account = f"team:{team}"
    connection = wiring.integrations_store().get_connection(account, "google-sheets")
    assert connection is not None
    assert connection.settings["sync_frequency"] == "real_time"

    # WHEN billing moves the team to pro
    _deliver(_plan_changed(team, "pro", t0, team=True))

    # THEN it syncs every 15 minutes, still connected
    after = wiring.integrations_store().get_connection(account, "google-sheets")
    assert after is not None
    assert (after.status, after.settings["sync_frequency"]) == ("connected", "every_15_minutes")


def test_the_local_token_route_emits_the_same_event_when_the_plan_changes(http: httpx.Client) -> None:
    # GIVEN a pro user with three connections
    user = _connected_three(http)

    # WHEN they sign in again on the free plan
    sign_in(http, plan="free", name=user.name)

    # THEN the change went through billing's path: two paused, and the audit log says so
    assert card(http, user, "gmail")["paused_for_plan"] == "pro"
    entries = wiring.activity_store().list_audit_entries(user.name)
    plan_changes = [entry for entry in entries if entry.action == "plan_changed"]
    assert plan_changes[-1].actor == "billing"
    assert plan_changes[-1].detail["to"] == "free"


def test_the_sample_event_as_sam_local_invoke_sends_it_is_applied_once(stack: RunningStack) -> None:
    # GIVEN events/billing_events/plan_changed.json (a team moving to pro)
    event = json.loads(SAMPLE.read_text())
    # WHEN it is delivered twice THEN the first applies it and the second changes nothing
    first, second = _deliver(event), _deliver(event)
    assert first["plan"] == "pro"
    assert second["applied"] is False
    assert wiring.integrations_store().get_account("team:agency-sample").plan == "pro"
