"""Every state an integration card can be in, as the dashboard shows it, with the action that fixes it.

Each state is reached the way it happens: through the API (as Tracker's UI calls it), the sandbox's controls
(Google refusing a token, a header renamed in the sheet, Google answering slowly) and the local stack's queue.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import httpx
import pytest
from playwright.sync_api import Page, expect

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
# Long enough for the page's two-second refresh to see the run under way; short enough for a quick test.
SLOW_GOOGLE_SECONDS = 3.0


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


def test_a_card_shows_syncing_while_its_run_goes_on_then_what_the_run_did(
    page: Page, http: httpx.Client, stack: RunningStack, user_name: str
) -> None:
    # GIVEN a connected Sheets card with a pitch, and Google answering slowly (each of the run's calls waits)
    user = api_sign_in(http, plan="pro", name=user_name)
    _sheets_with_a_pitch(http, user)
    sign_in(page, user_name, plan="pro")
    sheets = card(page, "Google Sheets")
    expect(sheets).to_contain_text("Last sync: never")
    slow = Fault(host="sheets.googleapis.com", status=None, delay_seconds=SLOW_GOOGLE_SECONDS, times=None)
    stack.stack.sandbox.inject_fault(slow)
    # WHEN a sync runs, as the worker runs it. The local stack serves one invocation at a time, so a run taken
    # from its queue would hold the page's requests until it ended; in AWS the worker and the API are separate
    # functions, which a thread of its own stands for here.
    run = threading.Thread(target=wiring.sheets_sync().run, args=(user.name,), name="slow-sheets-run")
    run.start()
    try:
        # THEN the card says it is syncing while the run goes on, Sync now still there to queue another
        expect(sheets).to_contain_text("Syncing…")
        expect(sheets.get_by_role("button", name="Sync now")).to_be_visible()
        screenshot(page, "card-syncing")
    finally:
        stack.stack.sandbox.clear_faults()
        run.join()
    # AND once the run ends, the card says what it did
    expect(sheets).to_contain_text("Connected")
    expect(sheets).to_contain_text("Records synced: 1")


def test_a_connection_paused_by_a_downgrade_says_which_plan_brings_it_back(
    page: Page, http: httpx.Client, user_name: str
) -> None:
    # GIVEN a pro user with Sheets and then Gmail connected (two of pro's three integrations)
    user = api_sign_in(http, plan="pro", name=user_name)
    _sheets_with_a_pitch(http, user)
    assert connect(http, user, "gmail", login=f"{user_name}@example.com").connected
    # WHEN billing moves them to free (signing in on the free plan sends the same Plan Changed event)
    sign_in(page, user_name, plan="free")
    # THEN the most recently connected one is paused, says which plan brings it back, and offers no resume
    gmail = card(page, "Gmail")
    expect(gmail).to_contain_text("Plan limit reached")
    expect(gmail).to_contain_text("nothing was deleted")
    expect(gmail).to_contain_text("Upgrade to pro to resume it")
    for action in ("Resume sync", "Sync now"):
        expect(gmail.get_by_role("button", name=action, exact=True)).to_have_count(0)
    # AND the one within the free plan's limit keeps working
    expect(card(page, "Google Sheets").locator("[data-state]")).to_have_text("Connected")
    screenshot(page, "card-paused-by-downgrade")
    assert axe_violations(page) == []
