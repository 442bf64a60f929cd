"""The Sheets sync against Google's behaviours the sandbox now imitates: locale-read dates, Drive's 403 rate
limits, the 50,000-character cell limit, and growing a full-width tab with appendDimension."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from local_stack.server import RunningStack
from provider_sandbox import Fault
from tests.support.api import LocalUser, card, put_settings
from tests.support.sheets import SHEETS_HOST, SheetsUser, make_sheets_user, user_with_own_spreadsheet

DRIVE_HOST = "www.googleapis.com"


@pytest.fixture
def sheets_user(http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack) -> SheetsUser:
    return make_sheets_user(http, new_user, stack)


def _type_sent(sheets_user: SheetsUser, pitch_id: str, typed: str) -> None:
    row = sheets_user.row_number(pitch_id)
    sheets_user.sandbox.sheets.set_cells(sheets_user.spreadsheet_id, f"'{sheets_user.tab}'!I{row}", [[typed]])


@pytest.mark.parametrize(
    ("locale", "time_zone", "typed", "stored"),
    [
        # 5 March, 14:30 in New York (UTC-5)
        ("en_US", "America/New_York", "3/5/2024 14:30", "2024-03-05T19:30:00Z"),
        # 3 May, 14:30 in London (BST, UTC+1)
        ("en_GB", "Europe/London", "3/5/2024 14:30", "2024-05-03T13:30:00Z"),
        # 3 May, midnight in Berlin (CEST, UTC+2)
        ("de_DE", "Europe/Berlin", "3.5.2024", "2024-05-02T22:00:00Z"),
    ],
)
def test_a_date_typed_in_the_sheet_is_read_in_the_sheets_locale_and_time_zone(
    sheets_user: SheetsUser, locale: str, time_zone: str, typed: str, stored: str
) -> None:
    # GIVEN a synced pitch in a spreadsheet set to `locale` and `time_zone`
    pitch = sheets_user.pitch(status="sent")
    sheets_user.sync()
    sheets_user.sandbox.sheets.set_locale(sheets_user.spreadsheet_id, locale, time_zone)
    # WHEN the user types when it was sent, the way their locale writes it
    _type_sent(sheets_user, pitch["pitch_id"], typed)
    log = sheets_user.sync()
    # THEN Tracker stores the moment they meant
    assert log["outcome"] == "success", log["errors"]
    assert sheets_user.get_pitch(pitch["pitch_id"])["sent_at"].replace("+00:00", "Z") == stored
    # AND the next sync finds nothing to change
    assert sheets_user.sync()["records_updated"] == 0


def test_the_mappings_date_order_overrides_the_sheets_locale(sheets_user: SheetsUser) -> None:
    # GIVEN an en_US spreadsheet whose mapping says dates are day first, and a date typed as text
    pitch = sheets_user.pitch(status="sent")
    sheets_user.sync()
    mapping = sheets_user.http.get("/api/integrations/google-sheets", headers=sheets_user.user.headers).json()[
        "settings"
    ]["sheet"]["mapping"]
    changed = put_settings(
        sheets_user.http,
        sheets_user.user,
        "google-sheets",
        {"mapping": {**mapping, "date_order": "DMY"}},
    )
    assert changed.status_code == 200, changed.text
    row = sheets_user.row_number(pitch["pitch_id"])
    sheets_user.sandbox.sheets.set_cells(
        sheets_user.spreadsheet_id, f"'{sheets_user.tab}'!I{row}", [["'3/5/2024"]], as_user_entered=True
    )
    # WHEN it syncs THEN the mapping's day-first order wins: 3 May
    sheets_user.sync()
    assert sheets_user.get_pitch(pitch["pitch_id"])["sent_at"].startswith("2024-05-03")


def test_drive_403_rate_limit_on_the_spreadsheet_list_is_retried(sheets_user: SheetsUser) -> None:
    # GIVEN Drive answering the next files.list with 403 rateLimitExceeded, asking for a one-second wait
    sheets_user.sandbox.inject_fault(
        Fault(host=DRIVE_HOST, path="/drive/v3/files", status=403, reason="rateLimitExceeded", retry_after=1)
    )
    # WHEN the user lists their spreadsheets THEN the call is retried and the list comes back
    listed = sheets_user.http.get("/api/integrations/google-sheets/spreadsheets", headers=sheets_user.user.headers)
    assert listed.status_code == 200, listed.text
    assert sheets_user.spreadsheet_id in [s["spreadsheet_id"] for s in listed.json()["spreadsheets"]]


def test_a_403_rate_limit_on_the_read_is_a_wait_not_an_unavailable_spreadsheet(sheets_user: SheetsUser) -> None:
    # GIVEN Google answering the sync's read with 403 rateLimitExceeded and no Retry-After
    sheets_user.pitch()
    sheets_user.sandbox.inject_fault(sheets_user.sheet_fault(method="GET", status=403, reason="rateLimitExceeded"))
    # WHEN the user syncs
    queued = sheets_user.http.post("/api/integrations/google-sheets/sync", headers=sheets_user.user.headers)
    assert queued.status_code == 202
    sheets_user.stack.stack.run_queued_jobs()
    # THEN the run waits for another try: the card says Tracker retries, not that the spreadsheet is gone
    shown = card(sheets_user.http, sheets_user.user, "google-sheets")
    assert shown["last_error"]["code"] == "rate_limited"
    assert "tries again automatically" in shown["last_error"]["action"]
    assert shown["status"] == "connected"
    sheets_user.stack.stack.purge_queues()


def test_a_value_over_googles_cell_limit_is_a_per_field_error_and_the_rest_syncs(sheets_user: SheetsUser) -> None:
    # GIVEN a mapping that writes "replied" as a 50,001-character text, and two pitches, one of them replied
    huge = "R" * 50_001
    mapping = sheets_user.http.get("/api/integrations/google-sheets", headers=sheets_user.user.headers).json()[
        "settings"
    ]["sheet"]["mapping"]
    columns = [{**c, "value_map": {huge: "replied"}} if c["field"] == "pitch.status" else c for c in mapping["columns"]]
    changed = put_settings(
        sheets_user.http,
        sheets_user.user,
        "google-sheets",
        {"mapping": {**mapping, "columns": columns}},
    )
    assert changed.status_code == 200, changed.text
    replied = sheets_user.pitch(status="replied")
    sent = sheets_user.pitch(status="sent", email="bob@blog.example")
    # WHEN the user syncs
    log = sheets_user.sync()
    # THEN the run is partial, not failed: the other pitch is in the sheet, the long one is named in the log
    assert log["outcome"] == "partial", log["errors"]
    assert sent["pitch_id"] in sheets_user.rows_by_id()
    assert replied["pitch_id"] not in sheets_user.rows_by_id()
    assert [e["code"] for e in log["errors"]] == ["value_too_long"]
    assert "Status" in log["errors"][0]["message"]
    assert replied["pitch_id"] in log["errors"][0]["where"]
    # AND the next run reports it again instead of forgetting it
    assert [e["code"] for e in sheets_user.sync()["errors"]] == ["value_too_long"]


def test_choosing_a_full_width_tab_grows_it_with_append_dimension(
    http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack
) -> None:
    # GIVEN the user's own sheet whose 26 columns all have headers, picked for Tracker
    headers = ["Name", "E-mail", "Station", "Status", *(f"Extra {n}" for n in range(22))]
    user, login, spreadsheet_id = user_with_own_spreadsheet(http, new_user, stack, "Full promo sheet", headers)
    workspace = stack.stack.sandbox.sheets
    workspace.pick(login, spreadsheet_id, "local-google-client")
    # WHEN they choose it (the id column has no room left)
    chosen = put_settings(http, user, "google-sheets", {"spreadsheet_id": spreadsheet_id})
    # THEN Tracker appends a column and puts its id header there
    assert chosen.status_code == 200, chosen.text
    assert [str(h) for h in workspace.read_grid(spreadsheet_id, 0)[0]] == [*headers, "Tracker ID"]
    batch = [r for r in stack.stack.sandbox.find_requests(host=SHEETS_HOST, method="POST") if spreadsheet_id in r.path]
    assert batch, "the id column is added with one spreadsheets.batchUpdate"


def test_a_refusal_the_user_can_act_on_says_what_to_do(sheets_user: SheetsUser) -> None:
    # GIVEN the user's Google Workspace policy blocking Tracker from Drive files (403 domainPolicy)
    sheets_user.pitch()
    sheets_user.sandbox.inject_fault(sheets_user.sheet_fault(method="GET", status=403, reason="domainPolicy"))
    # WHEN the user syncs
    log = sheets_user.sync()
    # THEN the run failed and the card names the policy and who can lift it, not a deleted spreadsheet
    assert log["outcome"] == "failed"
    shown = card(sheets_user.http, sheets_user.user, "google-sheets")
    assert shown["last_error"]["code"] == "google_refused"
    assert "Workspace policy" in shown["last_error"]["message"]
    assert "administrator" in shown["last_error"]["action"]
