"""Configure for Google Sheets: the mapping from Tracker's field list, a column the sync found offered for mapping,
directions only where the field allows them, and the sync options, all kept by Save & Start Sync."""

from __future__ import annotations

import httpx
from playwright.sync_api import Page, expect

from local_stack.server import RunningStack
from tests.browser.conftest import screenshot
from tests.browser.pages import card, sign_in
from tests.support.api import sign_in as api_sign_in
from tests.support.sheets import make_sheets_user


def test_the_mapping_and_the_sync_options_are_chosen_and_kept(
    page: Page, http: httpx.Client, stack: RunningStack, user_name: str
) -> None:
    # GIVEN Sheets syncing a Tracker spreadsheet, to which the user added a column of their own ("Territory")
    synced = make_sheets_user(http, lambda plan: api_sign_in(http, plan=plan, name=user_name), stack)
    synced.pitch()
    synced.sync()
    width = len(synced.grid()[0])
    synced.sandbox.sheets.set_cells(synced.spreadsheet_id, f"'{synced.tab}'!{chr(ord('A') + width)}1", [["Territory"]])
    synced.sync()  # the sync notices the new column and offers it for mapping
    # WHEN they open Configure
    sign_in(page, user_name, plan="pro")
    card(page, "Google Sheets").get_by_role("button", name="Configure").click()
    # THEN every column shows its Tracker field from the API's list, with its type, and the new one is not mapped
    status = page.get_by_label("Tracker field for column Status")
    expect(status).to_have_value("pitch.status")
    expect(status.locator("option:checked")).to_have_text("Status (choice)")
    territory = page.get_by_label("Tracker field for column Territory")
    expect(territory).to_have_value("")
    # AND a campaign field may flow only from Tracker to the sheet
    campaign_way = page.get_by_label("Direction for column Campaign")
    expect(campaign_way).to_have_value("to_provider")
    expect(campaign_way.locator("option[value=both]")).to_be_disabled()
    # WHEN they map Territory to the campaign's release (every pitch field has its column already)
    territory.select_option("campaign.release")
    # THEN its direction follows the field: from Tracker only
    expect(page.get_by_label("Direction for column Territory")).to_have_value("to_provider")
    expect(page.get_by_label("Direction for column Territory").locator("option[value=from_provider]")).to_be_disabled()
    # WHEN they say their team's "R" means replied, turn off "New campaigns → new rows" and "Sheet edits → update
    # Tracker", and save
    page.get_by_label("Value map for column Status").fill("R = replied, Yes! = interested")
    page.get_by_label("New campaigns → new rows").uncheck()
    page.get_by_label("Sheet edits → update Tracker").uncheck()
    expect(page.get_by_label("Status updates → update rows")).to_be_checked()
    screenshot(page, "configure-sheets-mapping-and-options")
    page.get_by_role("button", name="Save & Start Sync").click()
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    # THEN the API keeps them as chosen
    sheet = http.get("/api/integrations/google-sheets", headers=synced.user.headers).json()["settings"]["sheet"]
    assert {"header": "Territory", "field": "campaign.release", "direction": "to_provider", "value_map": {}} in sheet[
        "mapping"
    ]["columns"]
    status_column = next(c for c in sheet["mapping"]["columns"] if c["header"] == "Status")
    assert status_column["value_map"] == {"R": "replied", "Yes!": "interested"}
    assert sheet["options"] == {
        "new_records_to_rows": False,
        "tracker_updates_to_rows": True,
        "row_edits_to_tracker": False,
    }
    # AND Configure shows them again as saved
    card(page, "Google Sheets").get_by_role("button", name="Configure").click()
    expect(page.get_by_label("Tracker field for column Territory")).to_have_value("campaign.release")
    expect(page.get_by_label("New campaigns → new rows")).not_to_be_checked()
    expect(page.get_by_label("Sheet edits → update Tracker")).not_to_be_checked()
    expect(page.get_by_label("Value map for column Status")).to_have_value("R = replied, Yes! = interested")
    # AND a value map the API cannot read is refused in words, and nothing is saved
    page.get_by_label("Value map for column Status").fill("R = maybe")
    page.get_by_role("button", name="Save & Start Sync").click()
    expect(page.get_by_role("alert")).to_contain_text("value map for 'Status'")
    kept = http.get("/api/integrations/google-sheets", headers=synced.user.headers).json()["settings"]["sheet"]
    assert next(c for c in kept["mapping"]["columns"] if c["header"] == "Status")["value_map"] == {
        "R": "replied",
        "Yes!": "interested",
    }
