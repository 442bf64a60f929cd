"""The Activity screen: the sync log with errors at their cells, and a deleted row waiting for a decision."""

from __future__ import annotations

import httpx
from playwright.sync_api import Page, expect

from local_stack.server import RunningStack
from tests.browser.conftest import screenshot
from tests.browser.pages import sign_in
from tests.support.api import sign_in as api_sign_in
from tests.support.sheets import make_sheets_user


def test_activity_shows_the_log_and_asks_before_deleting(
    page: Page, http: httpx.Client, stack: RunningStack, user_name: str
) -> None:
    # GIVEN three synced pitches; then in the sheet, one row deleted and a status nobody knows typed in another
    synced = make_sheets_user(http, lambda plan: api_sign_in(http, plan=plan, name=user_name), stack)
    annie, tom, gone = (synced.pitch(email=f"{n}@radio.example", contact_name=n) for n in ("Annie", "Tom", "Gone"))
    synced.sync()
    status_column = chr(ord("A") + [str(h) for h in synced.grid()[0]].index("Status"))
    row = synced.row_number(tom["pitch_id"])
    synced.sandbox.sheets.set_cells(synced.spreadsheet_id, f"'{synced.tab}'!{status_column}{row}", [["Maybe later"]])
    synced.sandbox.sheets.delete_rows(
        synced.spreadsheet_id, synced.tab, at_index=synced.row_number(gone["pitch_id"]) - 1
    )
    log = synced.sync()
    assert log["errors"], log  # the unknown status is reported, not guessed
    # WHEN they open Activity
    sign_in(page, user_name, plan="pro")
    page.get_by_role("link", name="Activity").click()
    # THEN the sync log lists the runs, the error names its cell, and the deleted row waits for a decision
    sync_log = page.get_by_role("region", name="Google Sheets: sync log")
    expect(sync_log.get_by_role("row")).not_to_have_count(1)
    expect(sync_log).to_contain_text(f"{status_column}{row}")
    expect(sync_log.get_by_role("heading", name="Pending deletions")).to_be_visible()
    expect(sync_log.get_by_role("listitem").filter(has_text="Gone")).to_be_visible()
    screenshot(page, "activity")
    # WHEN they keep the row THEN nothing waits any more, and the pitch is still in Tracker
    sync_log.get_by_role("button", name="Keep the row").click()
    expect(sync_log.get_by_role("heading", name="Pending deletions")).to_have_count(0)
    assert synced.get_pitch(gone["pitch_id"])["pitch_id"] == gone["pitch_id"]
    assert synced.get_pitch(annie["pitch_id"])["status"] == annie["status"]
