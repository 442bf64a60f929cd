"""Every state an integration card can be in, as the dashboard shows it, with the action that fixes it.

Each state is reached the way it happens: through the API (as Tracker's UI calls it), the sandbox's controls
(Google refusing a token, a header renamed in the sheet) and the local stack's queue. The one exception is
`syncing`: no sync run stores that status yet, so the page is shown the API's answer with it (see below).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest
from playwright.sync_api import Page, Route, expect

from local_stack.server import RunningStack
from provider_sandbox import Fault
from tests.browser.axe import axe_violations
from tests.browser.conftest import screenshot
from tests.browser.pages import card, sign_in
from tests.support.api import LocalUser, connect
from tests.support.api import sign_in as api_sign_in
from tracker_integrations import wiring
from tracker_integrations.models.common import utcnow


@dataclass(frozen=True)
class Arranged:
    """What the card must say and which actions it must offer (and not offer)."""

    provider_name: str
    says: tuple[str, ...]
    offers: tuple[str, ...]
    withholds: tuple[str, ...] = ()


Arrange = Callable[[httpx.Client, RunningStack, LocalUser], Arranged]


def _sheets_with_a_pitch(http: httpx.Client, user: LocalUser) -> tuple[str, str]:
    """Sheets connected to a new Tracker spreadsheet, one campaign with one pitch; (spreadsheet id, tab)."""
    assert connect(http, user, "google-sheets", login=f"{user.name}@example.com").connected
    made = http.post("/api/integrations/google-sheets/spreadsheets", headers=user.headers, json={})
    assert made.status_code == 201, made.text
    target = made.json()["settings"]["sheet"]["target"]
    campaign = http.post("/api/campaigns", headers=user.headers, json={"title": "States"}).json()
    pitch = {"email": "annie@radio1.example", "contact_name": "Annie Mac"}
    http.post(f"/api/campaigns/{campaign['campaign_id']}/pitches", headers=user.headers, json=pitch)
    return str(target["spreadsheet_id"]), str(target["tab_title"])


def _sync(http: httpx.Client, stack: RunningStack, user: LocalUser) -> None:
    http.post("/api/integrations/google-sheets/sync", headers=user.headers)
    stack.stack.run_queued_jobs()


def not_connected(http: httpx.Client, stack: RunningStack, user: LocalUser) -> Arranged:
    return Arranged("Google Sheets", ("Not connected",), ("Connect",), ("Disconnect", "Sync now"))


def connected(http: httpx.Client, stack: RunningStack, user: LocalUser) -> Arranged:
    _sheets_with_a_pitch(http, user)
    _sync(http, stack, user)
    return Arranged(
        "Google Sheets",
        ("Connected", f"Connected by {user.name}@example.com", "Last sync: just now", "Records synced: 1"),
        ("Configure", "Sync now", "View in Sheets", "Pause sync", "Disconnect"),
        ("Connect",),
    )


def needs_reconnect(http: httpx.Client, stack: RunningStack, user: LocalUser) -> Arranged:
    _sheets_with_a_pitch(http, user)
    # The user removed Tracker in their Google account: the token and the refresh that follows are refused.
    stack.stack.sandbox.inject_fault(Fault(host="sheets.googleapis.com", status=401, times=1))
    stack.stack.sandbox.revoke_user_grants(provider="google", login=f"{user.name}@example.com")
    _sync(http, stack, user)
    return Arranged("Google Sheets", ("Needs reconnect",), ("Reconnect", "Disconnect"), ("Sync now",))


def error(http: httpx.Client, stack: RunningStack, user: LocalUser) -> Arranged:
    spreadsheet_id, tab = _sheets_with_a_pitch(http, user)
    _sync(http, stack, user)
    # Someone renamed the Status column in the sheet: the next run cannot find it.
    stack.stack.sandbox.sheets.set_cells(spreadsheet_id, f"'{tab}'!H1", [["State"]])
    _sync(http, stack, user)
    return Arranged("Google Sheets", ("Error", "Status"), ("Fix header", "Sync now", "Configure"))


def paused(http: httpx.Client, stack: RunningStack, user: LocalUser) -> Arranged:
    _sheets_with_a_pitch(http, user)
    detail = http.get("/api/integrations/google-sheets", headers=user.headers).json()
    body = {"version": detail["version"], "paused": True}
    assert http.put("/api/integrations/google-sheets/settings", headers=user.headers, json=body).status_code == 200
    return Arranged("Google Sheets", ("Paused",), ("Resume sync", "Configure"), ("Pause sync", "Sync now"))


def quota_reached(http: httpx.Client, stack: RunningStack, user: LocalUser) -> Arranged:
    _sheets_with_a_pitch(http, user)
    wiring.quotas().count(user.name, utcnow(), 100)  # the free plan's 100 records this month, used
    wiring.sheets_sync().run(user.name)  # the next scheduled run stops at the quota
    return Arranged(
        "Google Sheets",
        ("Quota reached", "100 synced records for this month are used", "Upgrade to Pro"),
        ("Configure", "Disconnect"),
        ("Sync now",),
    )


def plan_limit(http: httpx.Client, stack: RunningStack, user: LocalUser) -> Arranged:
    _sheets_with_a_pitch(http, user)  # the free plan's one integration
    return Arranged(
        "Gmail", ("Plan limit reached", "Your free plan includes 1 integration", "Upgrade to pro"), (), ("Connect",)
    )


STATES: dict[str, tuple[str, Arrange]] = {
    "not-connected": ("free", not_connected),
    "connected": ("pro", connected),
    "needs-reconnect": ("pro", needs_reconnect),
    "error": ("pro", error),
    "paused": ("pro", paused),
    "quota-reached": ("free", quota_reached),
    "plan-limit": ("free", plan_limit),
}


@pytest.mark.parametrize("state", STATES)
def test_each_card_state_is_shown_with_its_actions(
    page: Page, http: httpx.Client, stack: RunningStack, user_name: str, state: str
) -> None:
    # GIVEN a user whose integration reached the state through the API, the sandbox and the queue
    plan, arrange = STATES[state]
    user = api_sign_in(http, plan=plan, name=user_name)
    try:
        arranged = arrange(http, stack, user)
    finally:
        stack.stack.sandbox.clear_faults()
    # WHEN they open the dashboard
    sign_in(page, user_name, plan=plan)
    shown = card(page, arranged.provider_name)
    # THEN the card says so in words, and offers what fixes it
    for words in arranged.says:
        expect(shown).to_contain_text(words)
    for action in arranged.offers:
        expect(
            shown.get_by_role("button", name=action, exact=True).or_(shown.get_by_role("link", name=action))
        ).to_be_visible()
    for action in arranged.withholds:
        expect(shown.get_by_role("button", name=action, exact=True)).to_have_count(0)
    screenshot(page, f"card-{state}")
    # AND the card in this state is as accessible as the rest (its error and limit boxes meet contrast AA)
    assert axe_violations(page) == []


def test_a_card_shows_syncing_while_the_api_says_so(page: Page, http: httpx.Client, user_name: str) -> None:
    # GIVEN a connected Sheets card, and the API answering that a run is under way. No sync run stores
    # `syncing` yet (the status exists in the API's model only), so the API's answer is given to the page here.
    user = api_sign_in(http, plan="pro", name=user_name)
    _sheets_with_a_pitch(http, user)

    def syncing(route: Route) -> None:
        answer = route.fetch()
        cards = answer.json()
        for shown in cards["integrations"]:
            if shown["provider"] == "google-sheets":
                shown["status"] = "syncing"
        route.fulfill(response=answer, body=json.dumps(cards))

    page.route("**/api/integrations", syncing)
    # WHEN they open the dashboard THEN the card says it is syncing, and Sync now is still there to queue another
    sign_in(page, user_name, plan="pro")
    expect(card(page, "Google Sheets")).to_contain_text("Syncing…")
    expect(card(page, "Google Sheets").get_by_role("button", name="Sync now")).to_be_visible()
    screenshot(page, "card-syncing")
