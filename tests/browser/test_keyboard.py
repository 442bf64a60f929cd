"""Connect and Configure with the keyboard alone: every step reachable with Tab, done with Enter or arrows."""

from playwright.sync_api import Page, expect

from local_stack.server import LOCAL_CLIENTS, RunningStack
from tests.browser.conftest import screenshot
from tests.browser.pages import card, press_tab_until_focused, sign_in


def test_connect_and_configure_sheets_with_the_keyboard_only(page: Page, stack: RunningStack, user_name: str) -> None:
    # GIVEN a pro user with a spreadsheet of their own picked for Tracker
    login = f"{user_name}@example.com"
    sandbox = stack.stack.sandbox
    spreadsheet_id = sandbox.sheets.create_user_spreadsheet(login, "Keyboard promo", rows=[["Email", "Status"]])
    sandbox.sheets.pick(login, spreadsheet_id, LOCAL_CLIENTS["google"][0])
    sign_in(page, user_name, plan="pro")
    # WHEN they Tab to the Sheets card's Connect and press Enter THEN the connect screen opens
    press_tab_until_focused(page, card(page, "Google Sheets").get_by_role("button", name="Connect"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Connect Google Sheets")).to_be_visible()
    # WHEN they Tab to "Connect with Google" and press Enter THEN the consent window opens
    press_tab_until_focused(page, page.get_by_role("button", name="Connect with Google"))
    with page.expect_popup() as opened:
        page.keyboard.press("Enter")
    consent = opened.value
    # (the provider's own page: Enter in its sign-in field submits with its first button, Continue)
    consent.get_by_label("Signed in as").fill(login)
    with consent.expect_event("close"):
        consent.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", name="Configure Google Sheets")).to_be_visible()
    # WHEN they choose the spreadsheet with the arrow keys, name the tab and confirm, all from the keyboard
    choose = page.get_by_label("Spreadsheet", exact=True)
    press_tab_until_focused(page, choose)
    page.keyboard.press("ArrowDown")
    expect(choose).to_have_value(spreadsheet_id)
    press_tab_until_focused(page, page.get_by_label("Sheet name", exact=True))
    page.keyboard.type("Sheet1")
    press_tab_until_focused(page, page.get_by_role("button", name="Use this spreadsheet"))
    page.keyboard.press("Enter")
    expect(page.get_by_label("Tracker field for column Email")).to_have_value("pitch.email")
    # WHEN they turn "Sheet edits → update Tracker" off with Space
    sheet_edits = page.get_by_label("Sheet edits → update Tracker")
    press_tab_until_focused(page, sheet_edits)
    page.keyboard.press("Space")
    expect(sheet_edits).not_to_be_checked()
    screenshot(page, "keyboard-configure")
    # AND Tab to Save & Start Sync and press Enter THEN the dashboard shows Sheets connected
    press_tab_until_focused(page, page.get_by_role("button", name="Save & Start Sync"))
    page.keyboard.press("Enter")
    expect(card(page, "Google Sheets")).to_contain_text("Connected")
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    # AND Configure, opened again from the keyboard, shows the option as they left it
    press_tab_until_focused(page, card(page, "Google Sheets").get_by_role("button", name="Configure"))
    page.keyboard.press("Enter")
    expect(page.get_by_label("Sheet edits → update Tracker")).not_to_be_checked()
