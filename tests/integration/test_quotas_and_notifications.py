"""Plan quotas on synced records, and the notification feed a user reads."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from local_stack.server import RunningStack
from provider_sandbox import Fault, ProviderSandbox
from tests.support.api import LocalUser, card, connect
from tracker_integrations import wiring
from tracker_integrations.models.common import utcnow
from tracker_integrations.services.quotas import month_of


def _sheets_user(http: httpx.Client, new_user: Callable[[str], LocalUser], plan: str) -> tuple[LocalUser, str]:
    user = new_user(plan)
    assert connect(http, user, "google-sheets", login=f"{user.name}@example.com").connected
    assert http.post("/api/integrations/google-sheets/spreadsheets", headers=user.headers, json={}).status_code == 201
    campaign = http.post("/api/campaigns", headers=user.headers, json={"title": "Push"}).json()
    return user, str(campaign["campaign_id"])


def _sync(http: httpx.Client, stack: RunningStack, user: LocalUser) -> httpx.Response:
    response = http.post("/api/integrations/google-sheets/sync", headers=user.headers)
    stack.stack.run_queued_jobs()
    return response


def _feed(http: httpx.Client, user: LocalUser) -> list[str]:
    notes = http.get("/api/notifications", headers=user.headers).json()["notifications"]
    return [n["kind"] for n in notes]


def test_records_are_counted_per_month_and_the_free_plan_pauses_at_100(
    http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack
) -> None:
    # GIVEN a free user who has already synced 98 records this month, and 3 new pitches
    user, campaign_id = _sheets_user(http, new_user, "free")
    wiring.quotas().count(user.name, utcnow(), 98)
    for n in range(3):
        http.post(f"/api/campaigns/{campaign_id}/pitches", headers=user.headers, json={"email": f"q{n}@x.example"})
    # WHEN a sync writes them THEN the month's count includes them
    assert _sync(http, stack, user).status_code == 202
    usage = wiring.quotas()._usage.records(user.name, month_of(utcnow()))
    assert usage == 101
    # AND from now on sync is paused with a status that says so and when it resumes
    response = http.post("/api/integrations/google-sheets/sync", headers=user.headers)
    assert response.status_code == 403
    assert "100 synced records for this month are used" in response.json()["error"]["message"]
    wiring.sheets_sync().run(user.name)  # a scheduled run obeys the same limit
    shown = card(http, user, "google-sheets")
    assert shown["status"] == "paused"
    assert shown["last_error"]["code"] == "quota_reached"
    assert "resumes by itself on 01" in shown["last_error"]["action"]
    assert "Upgrade to Pro for 1,000 records a month" in shown["last_error"]["action"]
    assert _feed(http, user) == ["quota_reached"]


def test_agency_has_no_record_quota(
    http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack
) -> None:
    user, _ = _sheets_user(http, new_user, "agency")
    wiring.quotas().count(user.name, utcnow(), 1_000_000)
    assert _sync(http, stack, user).status_code == 202
    assert card(http, user, "google-sheets")["status"] == "connected"


def test_one_alert_per_failure_class_then_one_when_it_recovers(
    http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack
) -> None:
    # GIVEN a synced spreadsheet whose Status column the user renamed
    user, campaign_id = _sheets_user(http, new_user, "pro")
    http.post(f"/api/campaigns/{campaign_id}/pitches", headers=user.headers, json={"email": "a@x.example"})
    _sync(http, stack, user)
    target = wiring.integrations_store().get_connection(user.name, "google-sheets")
    assert target is not None
    sheet = target.settings["sheet"]
    assert isinstance(sheet, dict)
    spreadsheet_id, tab = sheet["target"]["spreadsheet_id"], sheet["target"]["tab_title"]
    stack.stack.sandbox.sheets.set_cells(spreadsheet_id, f"'{tab}'!H1", [["State"]])
    # WHEN it fails three runs in a row
    for _ in range(3):
        _sync(http, stack, user)
    # THEN there is one alert, not three
    assert _feed(http, user) == ["sync_failed"]
    # WHEN the header is fixed THEN one "recovered" follows
    stack.stack.sandbox.sheets.set_cells(spreadsheet_id, f"'{tab}'!H1", [["Status"]])
    _sync(http, stack, user)
    _sync(http, stack, user)
    assert _feed(http, user) == ["recovered", "sync_failed"]


def test_a_revoked_connection_alerts_once_as_needs_reconnect(
    http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack, sandbox: ProviderSandbox
) -> None:
    user, _ = _sheets_user(http, new_user, "pro")
    # Google refuses the token (a 401), and the one refresh that follows is refused too (revoked).
    sandbox.inject_fault(Fault(host="sheets.googleapis.com", status=401, times=1))
    sandbox.revoke_user_grants(provider="google", login=f"{user.name}@example.com")
    _sync(http, stack, user)
    assert _feed(http, user) == ["needs_reconnect"]
    notes = http.get("/api/notifications", headers=user.headers).json()["notifications"]
    assert "Reconnect Google Sheets" in notes[0]["action"]
