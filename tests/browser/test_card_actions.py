"""What a user does from the dashboard and Configure besides connecting: import, pause, reconnect, disconnect."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page, expect

from local_stack.server import LOCAL_CLIENTS, RunningStack
from provider_sandbox import Fault
from tests.browser.conftest import screenshot
from tests.browser.pages import allow_in_popup, card, sign_in
from tests.support.api import LocalUser, connect
from tests.support.api import sign_in as api_sign_in


def _connected_sheets(http: httpx.Client, user_name: str, plan: str = "pro") -> LocalUser:
    user = api_sign_in(http, plan=plan, name=user_name)
    assert connect(http, user, "google-sheets", login=f"{user_name}@example.com").connected
    assert http.post("/api/integrations/google-sheets/spreadsheets", headers=user.headers, json={}).status_code == 201
    return user


def test_the_import_is_previewed_before_anything_is_written(page: Page, stack: RunningStack, user_name: str) -> None:
    # GIVEN a user's own sheet of two pitches (and a blank row), picked for Tracker, and Sheets connected
    login = f"{user_name}@example.com"
    rows = [
        ["Contact", "Email", "Status"],
        ["Annie Mac", "annie@radio1.example", "sent"],
        [],
        ["Tom Reid", "tom@x.example", "Sent"],
    ]
    spreadsheet_id = stack.stack.sandbox.sheets.create_user_spreadsheet(login, "Old promo", rows=rows, tab="Pitches")
    stack.stack.sandbox.sheets.pick(login, spreadsheet_id, LOCAL_CLIENTS["google"][0])
    sign_in(page, user_name, plan="pro")
    card(page, "Google Sheets").get_by_role("button", name="Connect").click()
    allow_in_popup(page, login)
    page.get_by_label("Spreadsheet", exact=True).select_option(label="Old promo")
    page.get_by_label("Sheet name", exact=True).fill("Pitches")
    page.get_by_role("button", name="Use this spreadsheet").click()
    expect(page.get_by_label("Tracker field for column Email")).to_have_value("pitch.email")
    # WHEN they preview the import into a new campaign
    page.get_by_role("button", name="Preview import").click()
    # THEN they see what it would do, row by row, and Tracker has no campaign yet
    expect(page.get_by_text("2 to create, 0 to update, 1 to skip")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Annie Mac")).to_contain_text("created")
    screenshot(page, "configure-import-preview")
    page.get_by_role("link", name="Campaigns").click()
    expect(page.get_by_role("heading", name="Campaigns")).to_be_visible()
    expect(page.get_by_label("Status of Annie Mac")).to_have_count(0)
    # WHEN they import THEN the pitches are in Tracker, in a campaign named after the sheet
    page.go_back()
    page.get_by_role("button", name="Preview import").click()
    page.get_by_role("button", name="Import these rows").click()
    expect(page.get_by_role("status").filter(has_text="Imported: 2 created")).to_be_visible()
    page.get_by_role("link", name="Campaigns").click()
    expect(page.get_by_label("Status of Tom Reid")).to_have_value("sent")


def test_disconnect_asks_first_and_cancel_keeps_the_connection(page: Page, http: httpx.Client, user_name: str) -> None:
    # GIVEN Sheets connected
    _connected_sheets(http, user_name)
    sign_in(page, user_name, plan="pro")
    sheets = card(page, "Google Sheets")
    # WHEN they press Disconnect and then Cancel THEN nothing changes
    sheets.get_by_role("button", name="Disconnect").click()
    dialog = page.get_by_role("dialog", name="Disconnect Google Sheets?")
    screenshot(page, "disconnect-confirm")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_have_count(0)
    expect(sheets).to_contain_text("Connected")
    # WHEN they confirm THEN the card is not connected any more
    sheets.get_by_role("button", name="Disconnect").click()
    dialog.get_by_role("button", name="Yes, disconnect").click()
    expect(sheets).to_contain_text("Not connected")
    expect(sheets.get_by_role("button", name="Connect")).to_be_visible()


def test_pause_and_resume_from_the_card(page: Page, http: httpx.Client, user_name: str) -> None:
    # GIVEN Sheets connected
    _connected_sheets(http, user_name)
    sign_in(page, user_name, plan="pro")
    sheets = card(page, "Google Sheets")
    # WHEN they pause THEN the card says paused and offers Resume; WHEN they resume THEN it is connected again
    sheets.get_by_role("button", name="Pause sync").click()
    expect(sheets.locator("[data-state]")).to_have_text("Paused")
    sheets.get_by_role("button", name="Resume sync").click()
    expect(sheets.locator("[data-state]")).to_have_text("Connected")
    expect(sheets.get_by_role("button", name="Sync now")).to_be_visible()


def test_reconnect_brings_a_refused_connection_back(
    page: Page, http: httpx.Client, stack: RunningStack, user_name: str
) -> None:
    # GIVEN Sheets needing a reconnect: the user removed Tracker in their Google account
    user = _connected_sheets(http, user_name)
    stack.stack.sandbox.inject_fault(Fault(host="sheets.googleapis.com", status=401, times=1))
    stack.stack.sandbox.revoke_user_grants(provider="google", login=f"{user_name}@example.com")
    http.post("/api/integrations/google-sheets/sync", headers=user.headers)
    stack.stack.run_queued_jobs()
    stack.stack.sandbox.clear_faults()
    sign_in(page, user_name, plan="pro")
    sheets = card(page, "Google Sheets")
    expect(sheets).to_contain_text("Needs reconnect")
    # WHEN they press Reconnect and allow again THEN they are back on Configure and the card is connected
    with page.expect_popup() as opened:
        sheets.get_by_role("button", name="Reconnect").click()
    consent = opened.value
    consent.get_by_label("Signed in as").fill(f"{user_name}@example.com")
    consent.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Configure Google Sheets")).to_be_visible()
    page.get_by_role("link", name="Integrations").click()
    expect(card(page, "Google Sheets").locator("[data-state]")).to_have_text("Connected")


@pytest.mark.parametrize(
    ("role", "offered", "withheld"),
    [
        ("member", ["Sync now"], ["Configure", "Disconnect", "Pause sync"]),
        ("admin", ["Sync now", "Configure", "Disconnect"], []),
    ],
)
def test_a_team_member_is_offered_only_what_their_role_allows(
    page: Page, http: httpx.Client, user_name: str, role: str, offered: list[str], withheld: list[str]
) -> None:
    # GIVEN Sheets connected by the owner of a team account, and another member of that team signed in
    team = f"team-{user_name}"
    owner = api_sign_in(http, plan="agency", name=f"{user_name}-owner", team=team, role="owner")
    assert connect(http, owner, "google-sheets", login=f"{user_name}@example.com").connected
    sign_in(page, user_name, plan="agency", role=role, team=team)
    sheets = card(page, "Google Sheets")
    expect(sheets).to_contain_text("Connected")
    # THEN the card offers only what the role may do, and a member is offered no Connect anywhere
    for action in offered:
        expect(sheets.get_by_role("button", name=action)).to_be_visible()
    for action in withheld:
        expect(sheets.get_by_role("button", name=action, exact=True)).to_have_count(0)
    if role == "member":
        expect(page.get_by_role("button", name="Connect", exact=True)).to_have_count(0)


def test_last_sync_reads_in_relative_time(page: Page, user_name: str) -> None:
    # GIVEN the page's own formatter (the module the page loaded)
    sign_in(page, user_name)
    said = page.evaluate(
        """async () => {
          const {ago} = await import("/app/static/app.js");
          const now = Date.parse("2026-05-01T12:00:00Z");
          return [null, "2026-05-01T11:59:30Z", "2026-05-01T11:58:00Z", "2026-05-01T11:00:00Z", "2026-04-29T12:00:00Z"]
            .map((at) => ago(at, now));
        }"""
    )
    # THEN it says what a person would
    assert said == ["never", "just now", "2 minutes ago", "1 hour ago", "2 days ago"]
