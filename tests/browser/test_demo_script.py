"""The product plan's demo script, clicked through in the browser: Sheets, a campaign, the sheet, Gmail."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from local_stack.demo import ANNIE, LAUREN, PITCH_SUBJECT, pitch_email, reply_email
from local_stack.server import LOCAL_CLIENTS, RunningStack
from tests.browser.conftest import TIMEOUT_MS, screenshot
from tests.browser.pages import allow_in_popup, card, sign_in
from tests.support.waiting import wait_until

SHEET_TITLE = "Radio promo"
SHEET_TAB = "Pitches"


def test_demo_script_from_connecting_sheets_to_a_reply_on_the_pitch(
    page: Page, pollers: RunningStack, user_name: str
) -> None:
    sandbox = pollers.stack.sandbox
    login = f"{user_name}@example.com"
    # GIVEN Dan's own sheet (picked for Tracker in Google's picker) and the pitches he e-mailed from Gmail
    spreadsheet_id = sandbox.sheets.create_user_spreadsheet(
        login, SHEET_TITLE, rows=[["Contact", "Station", "Email", "Status"]], tab=SHEET_TAB
    )
    sandbox.sheets.pick(login, spreadsheet_id, LOCAL_CLIENTS["google"][0])
    pitches = {contact: pitch_email(login, contact) for contact in (ANNIE, LAUREN)}
    for sent in pitches.values():
        sandbox.gmail.send_as_user(login, sent.as_bytes())
    sign_in(page, user_name, plan="agency")

    # WHEN he connects Google Sheets through the consent page THEN Configure opens
    card(page, "Google Sheets").get_by_role("button", name="Connect").click()
    expect(page.get_by_role("heading", name="What Tracker will access")).to_be_visible()
    screenshot(page, "demo-01-connect-sheets")
    allow_in_popup(page, login)
    expect(page.get_by_role("heading", name="Configure Google Sheets")).to_be_visible()

    # WHEN he chooses his spreadsheet THEN its columns are matched to Tracker's fields by name
    page.get_by_label("Spreadsheet", exact=True).select_option(label=SHEET_TITLE)
    page.get_by_label("Sheet name", exact=True).fill(SHEET_TAB)
    page.get_by_role("button", name="Use this spreadsheet").click()
    expect(page.get_by_label("Tracker field for column Email")).to_have_value("pitch.email")
    expect(page.get_by_label("Tracker field for column Status")).to_have_value("pitch.status")
    screenshot(page, "demo-02-configure-sheets-mapped")
    # WHEN he saves THEN the dashboard shows Sheets connected
    page.get_by_role("button", name="Save & Start Sync").click()
    expect(card(page, "Google Sheets")).to_contain_text("Connected")

    # WHEN he creates a campaign and adds his two pitches
    page.get_by_role("link", name="Campaigns").click()
    page.get_by_label("Campaign title").fill("Northern Lights")
    page.get_by_label("Artist").fill("The Lanterns")
    page.get_by_role("button", name="Create campaign").click()
    campaign = page.get_by_role("region", name="Northern Lights")
    for contact in (ANNIE, LAUREN):
        campaign.get_by_label("Contact").fill(contact.name)
        campaign.get_by_label("E-mail", exact=True).fill(contact.email)
        campaign.get_by_label("Outlet").fill(contact.outlet)
        campaign.get_by_label("E-mail subject").fill(PITCH_SUBJECT)
        campaign.get_by_role("button", name="Add pitch").click()
        expect(page.get_by_label(f"Status of {contact.name}")).to_have_value("sent")
    screenshot(page, "demo-03-campaign")

    # THEN a row per pitch appears in the sandbox's sheet
    def rows() -> dict[str, int] | None:
        grid = [[str(cell) for cell in row] for row in sandbox.sheets.read_grid(spreadsheet_id, SHEET_TAB)]
        emails = grid[0].index("Email")
        found = {row[emails]: number for number, row in enumerate(grid[1:], start=2) if len(row) > emails}
        return found if {ANNIE.email, LAUREN.email} <= found.keys() else None

    wait_until(lambda: rows() is not None, "a row per pitch in the sheet", within=TIMEOUT_MS / 1000)
    row_of = rows() or {}

    # WHEN the VA types "Replied" in Lauren's row THEN Tracker shows her pitch replied
    sandbox.sheets.set_cells(spreadsheet_id, f"'{SHEET_TAB}'!D{row_of[LAUREN.email]}", [["Replied"]])
    expect(page.get_by_label(f"Status of {LAUREN.name}")).to_have_value("replied")
    screenshot(page, "demo-04-sheet-edit-in-tracker")

    # WHEN he connects Gmail and checks the mailbox once
    page.get_by_role("link", name="Integrations").click()
    card(page, "Gmail").get_by_role("button", name="Connect").click()
    allow_in_popup(page, login)
    expect(page.get_by_role("heading", name="Configure Gmail")).to_be_visible()
    screenshot(page, "demo-05-configure-gmail")
    page.get_by_role("button", name="Save & Start Sync").click()
    expect(card(page, "Gmail")).to_contain_text("Connected")
    expect(card(page, "Gmail")).not_to_contain_text("Last sync: never")

    # AND Annie replies by e-mail THEN her pitch shows the reply, its preview and Open in Gmail
    reply = reply_email(login, ANNIE, str(pitches[ANNIE]["Message-ID"]), "Love this one! Adding it next week.")
    sandbox.gmail.deliver(login, reply.as_bytes())
    page.get_by_role("link", name="Campaigns").click()
    expect(page.get_by_label(f"Reply category of {ANNIE.name}")).to_be_visible()
    annie = page.get_by_role("row").filter(has_text=ANNIE.name)
    expect(annie).to_contain_text("Love this one!")
    expect(annie.get_by_role("link", name="Open in Gmail")).to_have_attribute(
        "href", re.compile(r"^https://mail\.google\.com/")
    )
    screenshot(page, "demo-06-reply-on-pitch")

    # WHEN he corrects the reply's category THEN the pitch keeps his choice, marked as corrected
    page.get_by_label(f"Reply category of {ANNIE.name}").select_option("not_interested")
    expect(annie).to_contain_text("corrected")
    expect(page.get_by_label(f"Reply category of {ANNIE.name}")).to_have_value("not_interested")

    # AND Gmail's activity lists the replies it detected
    page.get_by_role("link", name="Activity").click()
    gmail = page.get_by_role("region", name="Gmail: sync log")
    expect(gmail.get_by_role("heading", name="Replies detected")).to_be_visible()
    detected = gmail.get_by_role("row").filter(has_text=ANNIE.name)
    expect(detected).to_contain_text("Love this one!")
    expect(detected).to_contain_text("corrected by you")
    expect(detected).to_contain_text("%")  # the classifier's confidence
    expect(detected.get_by_role("link", name="Open in Gmail")).to_have_attribute(
        "href", re.compile(r"^https://mail\.google\.com/")
    )
    screenshot(page, "demo-07-gmail-activity")
    # AND a category corrected there is what the pitch says from then on
    gmail.get_by_label(f"Reply category of {ANNIE.name}").select_option("interested")
    expect(gmail.get_by_label(f"Reply category of {ANNIE.name}")).to_have_value("interested")
    page.get_by_role("link", name="Campaigns").click()
    expect(page.get_by_label(f"Reply category of {ANNIE.name}")).to_have_value("interested")
