"""The page on a 375-pixel-wide phone screen: every screen fits the width, nothing scrolls sideways."""

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from local_stack.server import RunningStack
from tests.browser.conftest import TIMEOUT_MS, screenshot
from tests.browser.pages import allow_in_popup, card, sign_in

PHONE_WIDTH = 375


@pytest.fixture
def phone(browser: Browser, stack: RunningStack) -> Iterator[Page]:
    context = browser.new_context(
        base_url=stack.base_url, viewport={"width": PHONE_WIDTH, "height": 812}, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(TIMEOUT_MS)
    yield context.new_page()
    context.close()


def _fits(page: Page, screen: str) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_WIDTH, f"{screen} is {width} px wide on a {PHONE_WIDTH} px screen"
    screenshot(page, f"phone-{screen}")


def test_every_screen_fits_a_375_pixel_phone(phone: Page, user_name: str) -> None:
    # GIVEN an agency user on a phone
    sign_in(phone, user_name, plan="agency")
    _fits(phone, "dashboard")
    # WHEN they connect Sheets and configure it, then open campaigns and activity THEN each screen fits
    card(phone, "Google Sheets").get_by_role("button", name="Connect").click()
    _fits(phone, "connect")
    allow_in_popup(phone, f"{user_name}@example.com")
    expect(phone.get_by_role("heading", name="Configure Google Sheets")).to_be_visible()
    phone.get_by_label("Spreadsheet", exact=True).select_option(label="+ Create New")
    phone.get_by_label("New spreadsheet name").fill("Phone pitches")
    phone.get_by_role("button", name="Use this spreadsheet").click()
    expect(phone.get_by_role("status").filter(has_text="Created Phone pitches.")).to_be_visible()
    expect(phone.get_by_label("Tracker field for column Email")).to_be_visible()
    # AND each column's direction and value map are on the screen, not off to the side of a scrolled table
    for control in ("Direction for column Notes", "Value map for column Notes"):
        box = phone.get_by_label(control).bounding_box()
        assert box is not None
        assert box["x"] + box["width"] <= PHONE_WIDTH, f"{control} is off the screen"
    _fits(phone, "configure")
    phone.get_by_role("link", name="Campaigns").click()
    phone.get_by_label("Campaign title").fill("Phone promo")
    phone.get_by_role("button", name="Create campaign").click()
    expect(phone.get_by_role("heading", name="Phone promo")).to_be_visible()
    _fits(phone, "campaigns")
    phone.get_by_role("link", name="Activity").click()
    expect(phone.get_by_role("heading", name="Google Sheets: sync log")).to_be_visible()
    _fits(phone, "activity")
