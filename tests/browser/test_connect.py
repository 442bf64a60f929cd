"""Connecting Google Sheets from the dashboard: the connect screen, consent in a popup, back on Configure."""

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from tests.browser.pages import allow_in_popup, card, sign_in


def _me_missing(url: str) -> bool:
    return url.endswith("/api/me")


def test_connect_sheets_in_a_popup_lands_on_configure(page: Page, user_name: str) -> None:
    # GIVEN an agency user with nothing connected; WHEN they connect Sheets; THEN Configure, with no page error
    errors: list[str] = []
    # /api/me may answer 404 (an API without it): the page then goes by the sign-in, so that one is no error.
    page.on(
        "console",
        lambda m: errors.append(m.text) if m.type == "error" and not _me_missing(m.location.get("url", "")) else None,
    )
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("response", lambda r: errors.append(r.url) if r.status >= 400 and not _me_missing(r.url) else None)
    sign_in(page, user_name, plan="agency")
    expect(card(page, "Google Sheets")).to_contain_text("Not connected")
    screenshot(page, "dashboard")
    card(page, "Google Sheets").get_by_role("button", name="Connect").click()
    allow_in_popup(page, f"{user_name}@example.com")
    expect(page.get_by_role("heading", name="Configure Google Sheets")).to_be_visible()
    screenshot(page, "configure-sheets")
    assert errors == []


@pytest.mark.parametrize(
    ("name", "button", "allow_label"),
    [
        ("Gmail", "Connect with Google", "Continue"),
        ("Airtable", "Connect with Airtable", "Grant access"),
        ("Mailchimp", "Connect with Mailchimp", "Allow"),
        ("Google Drive", "Connect with Google", "Continue"),
    ],
)
def test_every_integration_connects_through_its_consent_page(
    page: Page, user_name: str, name: str, button: str, allow_label: str
) -> None:
    # GIVEN an agency user; WHEN they connect the integration on its provider's consent page
    sign_in(page, user_name, plan="agency")
    card(page, name).get_by_role("button", name="Connect").click()
    expect(page.get_by_role("heading", name=f"Connect {name}")).to_be_visible()
    allow_in_popup(page, f"{user_name}@example.com", button=button, allow_label=allow_label)
    # THEN they are on its Configure screen, and its card says connected
    expect(page.get_by_role("heading", name=f"Configure {name}")).to_be_visible()
    screenshot(page, f"configure-{name.lower().replace(' ', '-')}")
    page.get_by_role("link", name="Integrations").click()
    expect(card(page, name).locator("[data-state]")).to_have_text("Connected")
