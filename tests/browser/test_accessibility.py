"""axe-core over every screen of the page: labels, names, roles, landmarks, contrast (WCAG 2 A and AA).

Keyboard use is proved by test_keyboard.py, which axe cannot check.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
from playwright.sync_api import Page, expect

from local_stack.server import RunningStack
from tests.browser.axe import axe_violations
from tests.browser.conftest import screenshot
from tests.browser.pages import card, sign_in
from tests.support.api import connect
from tests.support.api import sign_in as api_sign_in


def test_every_screen_is_axe_clean(page: Page, http: httpx.Client, stack: RunningStack, user_name: str) -> None:
    # GIVEN an agency user with Sheets connected to a Tracker spreadsheet, a campaign with a pitch, one sync run
    user = api_sign_in(http, plan="agency", name=user_name)
    assert connect(http, user, "google-sheets", login=f"{user_name}@example.com").connected
    assert http.post("/api/integrations/google-sheets/spreadsheets", headers=user.headers, json={}).status_code == 201
    campaign = http.post("/api/campaigns", headers=user.headers, json={"title": "Northern Lights"}).json()
    pitch = {"email": "annie@radio1.example", "contact_name": "Annie Mac", "status": "sent"}
    http.post(f"/api/campaigns/{campaign['campaign_id']}/pitches", headers=user.headers, json=pitch)
    http.post("/api/integrations/google-sheets/sync", headers=user.headers)
    stack.stack.run_queued_jobs()
    sign_in(page, user_name, plan="agency")
    screens: list[tuple[str, Callable[[], None]]] = [
        ("dashboard", lambda: expect(card(page, "Google Sheets")).to_contain_text("Connected")),
        ("connect", lambda: _open(page, "/app/integrations/gmail/connect", "Connect Gmail")),
        ("configure", lambda: _open(page, "/app/integrations/google-sheets/configure", "Configure Google Sheets")),
        ("campaigns", lambda: _open(page, "/app/campaigns", "Northern Lights")),
        ("activity", lambda: _open(page, "/app/activity", "Google Sheets: sync log")),
        ("disconnect-dialog", lambda: _confirm_disconnect(page)),
    ]
    # WHEN axe-core checks each screen THEN it finds nothing
    found: dict[str, list[str]] = {}
    for name, show in screens:
        show()
        screenshot(page, f"a11y-{name}")
        if violations := axe_violations(page):
            found[name] = violations
    assert found == {}


def _open(page: Page, path: str, heading: str) -> None:
    page.goto(path)
    expect(page.get_by_role("heading", name=heading)).to_be_visible()


def _confirm_disconnect(page: Page) -> None:
    _open(page, "/app", "Integrations")
    card(page, "Google Sheets").get_by_role("button", name="Disconnect").click()
    expect(page.get_by_role("dialog", name="Disconnect Google Sheets?")).to_be_visible()
