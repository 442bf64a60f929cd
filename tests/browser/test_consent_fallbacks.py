"""Consent when the browser blocks the popup (a full-page redirect), and when the user refuses it."""

from playwright.sync_api import Page, expect

from tests.browser.conftest import screenshot
from tests.browser.pages import allow_in_popup, card, sign_in


def test_a_blocked_popup_falls_back_to_a_full_page_redirect(page: Page, user_name: str) -> None:
    # GIVEN a browser that blocks popups (window.open answers null, as a blocker makes it)
    page.add_init_script("window.open = () => null;")
    sign_in(page, user_name, plan="pro")
    card(page, "Google Sheets").get_by_role("button", name="Connect").click()
    # WHEN they press Connect with Google THEN the consent page opens in the same tab
    page.get_by_role("button", name="Connect with Google").click()
    page.get_by_label("Signed in as").fill(f"{user_name}@example.com")
    screenshot(page, "consent-full-page")
    # AND allowing brings them back to Configure, connected
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Configure Google Sheets")).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="Connected.")).to_be_visible()


def test_refusing_consent_says_so_and_connects_nothing(page: Page, user_name: str) -> None:
    # GIVEN a user on the connect screen
    sign_in(page, user_name, plan="pro")
    card(page, "Google Sheets").get_by_role("button", name="Connect").click()
    # WHEN they press Cancel on the consent page
    allow_in_popup(page, f"{user_name}@example.com", allow=False)
    # THEN the page says in words that nothing was connected, and the card is still not connected
    expect(page.get_by_role("alert")).to_contain_text("so nothing was connected")
    expect(card(page, "Google Sheets")).to_contain_text("Not connected")
    screenshot(page, "consent-refused")
