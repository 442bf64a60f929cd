"""Contract tests: the user's side of spreadsheets (`sandbox.sheets` and /_control/google/...)."""

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from provider_sandbox import ProviderSandbox
from provider_sandbox.routing import ControlError

if TYPE_CHECKING:
    from tests.contract.sandbox.conftest import FakeClock, GoogleApis

LOGIN = "dan@example.com"
TRACKER = "tracker-sheets.apps.googleusercontent.com"
ROWS: list[list[str | int | float | bool | None]] = [
    ["Name", "Plays", "Signed"],
    ["Cat", 30, False],
    ["Ann", 10, True],
    ["Bob", 20, None],
]


@pytest.fixture
def sandbox(google_sandbox: ProviderSandbox) -> ProviderSandbox:
    return google_sandbox


@pytest.fixture
def sid(sandbox: ProviderSandbox) -> str:
    return sandbox.sheets.create_user_spreadsheet(LOGIN, "Promo", ROWS, tab="Leads")


def test_create_user_spreadsheet_and_read_grid(sandbox: ProviderSandbox, sid: str) -> None:
    # GIVEN a spreadsheet the user made
    # WHEN its grid and info are read
    grid = sandbox.sheets.read_grid(sid, "Leads")
    info = sandbox.sheets.info(sid)

    # THEN the values keep their types, empty cells are None, and no app has access yet
    assert grid == [["Name", "Plays", "Signed"], ["Cat", 30, False], ["Ann", 10, True], ["Bob", 20]]
    assert (info.title, info.owner, info.tabs, info.app_access, info.trashed) == ("Promo", LOGIN, ["Leads"], [], False)
    assert sandbox.sheets.read_grid(sid, 0) == grid
    assert sandbox.sheets.spreadsheets(LOGIN)[0].spreadsheet_id == sid


def test_set_cells_types_like_the_user_or_stores_raw(sandbox: ProviderSandbox, sid: str) -> None:
    # GIVEN a spreadsheet
    # WHEN the user types a date, a formula and an apostrophe-text, skips a cell and clears one, and then
    # raw text is stored
    sandbox.sheets.set_cells(sid, "Leads!D1:H1", [["2024-03-05", "=1+1", "'=x", None, ""]])
    sandbox.sheets.set_cells(sid, "Leads!A2", [["Cat"], ["=2+2"]], as_user_entered=False)

    # THEN the grid shows dates as typed, formula results, text, and the formula list has the one formula
    assert sandbox.sheets.read_grid(sid, "Leads")[0] == ["Name", "Plays", "Signed", "2024-03-05", 2, "=x"]
    assert sandbox.sheets.read_grid(sid, "Leads", "FORMULA")[2][0] == "=2+2"
    assert sandbox.sheets.formula_cells(sid, "Leads") == {"E1": "=1+1"}
    assert sandbox.sheets.read_range(sid, "Leads!D1:E1") == [["2024-03-05", "2"]]


def test_rows_and_columns_insert_and_delete(sandbox: ProviderSandbox, sid: str) -> None:
    # GIVEN the four-row sheet
    # WHEN a row is inserted above Ann, Cat's row deleted, a column inserted at B and column C deleted
    sandbox.sheets.insert_rows(sid, "Leads", at_index=2)
    sandbox.sheets.delete_rows(sid, "Leads", at_index=1)
    sandbox.sheets.insert_columns(sid, "Leads", at_index=1, count=2)
    sandbox.sheets.delete_columns(sid, "Leads", at_index=2)

    # THEN the cells moved with them
    assert sandbox.sheets.read_grid(sid, "Leads") == [
        ["Name", None, "Plays", "Signed"],
        [],
        ["Ann", None, 10, True],
        ["Bob", None, 20],
    ]


def test_rows_and_columns_move(sandbox: ProviderSandbox, sid: str) -> None:
    # GIVEN the four-row sheet
    # WHEN Cat's row is dragged below Bob's and the Signed column to the front
    sandbox.sheets.move_rows(sid, "Leads", from_index=1, count=1, to_index=4)
    sandbox.sheets.move_columns(sid, "Leads", from_index=2, count=1, to_index=0)

    # THEN
    assert sandbox.sheets.read_grid(sid, "Leads") == [
        ["Signed", "Name", "Plays"],
        [True, "Ann", 10],
        [None, "Bob", 20],
        [False, "Cat", 30],
    ]


def test_sort_rows_keeps_the_header_and_puts_empty_cells_last(sandbox: ProviderSandbox, sid: str) -> None:
    # GIVEN the four-row sheet
    # WHEN sorted by plays descending, then by the Signed column
    sandbox.sheets.sort_rows(sid, "Leads", column_index=1, descending=True)
    by_plays = [row[0] for row in sandbox.sheets.read_grid(sid, "Leads")]
    sandbox.sheets.sort_rows(sid, "Leads", column_index=2)
    by_signed = [row[0] for row in sandbox.sheets.read_grid(sid, "Leads")]

    # THEN the header stays, and Bob's empty Signed cell sorts last
    assert by_plays == ["Name", "Cat", "Bob", "Ann"]
    assert by_signed == ["Name", "Cat", "Ann", "Bob"]


def test_append_rows_goes_under_the_table(sandbox: ProviderSandbox, sid: str) -> None:
    # GIVEN the four-row sheet
    # WHEN the user types a row under it
    sandbox.sheets.append_rows(sid, "Leads", [["Dee", "5"]])

    # THEN it is row 5, typed
    assert sandbox.sheets.read_grid(sid, "Leads")[4] == ["Dee", 5]


def test_tabs_add_rename_delete_and_frozen_rows(sandbox: ProviderSandbox, sid: str) -> None:
    # GIVEN the spreadsheet with one tab
    # WHEN a tab is added, the first renamed, its header frozen, and the new tab deleted
    new_id = sandbox.sheets.add_tab(sid, "Other", [["x"]])
    sandbox.sheets.rename_tab(sid, "Leads", "Radio")
    sandbox.sheets.set_frozen_rows(sid, 0, 1)
    tabs_before_delete = sandbox.sheets.info(sid).tabs
    sandbox.sheets.delete_tab(sid, new_id)

    # THEN
    assert tabs_before_delete == ["Radio", "Other"]
    assert sandbox.sheets.info(sid).tabs == ["Radio"]
    assert sandbox.sheets.frozen_rows(sid, "Radio") == 1
    with pytest.raises(ControlError):
        sandbox.sheets.read_grid(sid, "Leads")
    with pytest.raises(ControlError):
        sandbox.sheets.delete_tab(sid, "Radio")


def test_trash_and_restore_toggle_the_drive_flag(sandbox: ProviderSandbox, sid: str) -> None:
    # GIVEN a spreadsheet
    # WHEN the user bins it, then restores it
    sandbox.sheets.trash_spreadsheet(sid)
    binned = sandbox.sheets.info(sid).trashed
    sandbox.sheets.restore_spreadsheet(sid)

    # THEN it was trashed and is back
    assert binned is True
    assert sandbox.sheets.info(sid).trashed is False


def test_user_edits_move_drive_modified_time(sandbox: ProviderSandbox, sid: str, fake_clock: "FakeClock") -> None:
    # GIVEN a spreadsheet
    before = sandbox.sheets.info(sid).modified_time

    # WHEN the user edits it a minute later
    fake_clock.advance(timedelta(minutes=1))
    sandbox.sheets.set_cells(sid, "Leads!A1", [["Who"]])

    # THEN Drive's modifiedTime moved
    assert sandbox.sheets.info(sid).modified_time - before == timedelta(minutes=1)


def test_layout_readers_follow_structural_edits(google: "GoogleApis", sandbox: ProviderSandbox, sid: str) -> None:
    # GIVEN Tracker laid out the picked sheet: a status list on B2:B4 and a protected header
    sandbox.sheets.pick(LOGIN, sid, TRACKER)
    sheets = google.sheets(google.token("drive.file"))
    rule = {"condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": "Sent"}]}}
    grid = {"sheetId": 0, "startRowIndex": 1, "endRowIndex": 4, "startColumnIndex": 1, "endColumnIndex": 2}
    requests = [
        {"setDataValidation": {"range": grid, "rule": rule}},
        {"addProtectedRange": {"protectedRange": {"range": {"sheetId": 0, "endRowIndex": 1}, "warningOnly": True}}},
    ]
    google.run(sheets.spreadsheets().batchUpdate(spreadsheetId=sid, body={"requests": requests}))

    # WHEN the user inserts a row at the top
    sandbox.sheets.insert_rows(sid, "Leads", at_index=0)

    # THEN the validation and the protected range moved down with their cells
    assert sorted(sandbox.sheets.data_validation(sid, "Leads")) == ["B3", "B4", "B5"]
    assert sandbox.sheets.data_validation(sid, "Leads")["B3"] == rule
    assert [p["a1"] for p in sandbox.sheets.protected_ranges(sid, "Leads")] == ["Leads!2:2"]


def test_control_errors_name_the_problem(sandbox: ProviderSandbox, sid: str) -> None:
    # GIVEN a spreadsheet
    # WHEN control calls name unknown things or bad ranges
    # THEN they raise ControlError with a status
    with pytest.raises(ControlError) as unknown:
        sandbox.sheets.read_grid("nope", "Leads")
    with pytest.raises(ControlError) as bad_range:
        sandbox.sheets.set_cells(sid, "Nope!A1", [["x"]])
    with pytest.raises(ControlError) as not_owner:
        sandbox.sheets.pick("ann@example.com", sid, TRACKER)
    assert (unknown.value.status, bad_range.value.status, not_owner.value.status) == (404, 400, 404)
    assert bad_range.value.message == "Unable to parse range: Nope!A1"


# Over HTTP -------------------------------------------------------------------------------------------


def control(http: httpx.Client, method: str, url: str, **kwargs: Any) -> Any:
    response = http.request(method, url, **kwargs)
    assert response.status_code in {200, 201}, response.text
    return response.json()


def test_control_http_api_covers_the_users_actions(http: httpx.Client, base: str, sandbox: ProviderSandbox) -> None:
    # GIVEN the control API
    root = f"{base}/_control/google/spreadsheets"

    # WHEN a user spreadsheet is created, picked, edited and restructured over HTTP
    created = control(http, "POST", root, json={"login": LOGIN, "title": "Promo", "rows": ROWS, "tab": "Leads"})
    sid = created["spreadsheet_id"]
    steps: list[tuple[str, dict[str, Any]]] = [
        ("pick", {"login": LOGIN, "client_id": TRACKER}),
        ("cells", {"range": "Leads!D1", "rows": [["=1+1"]]}),
        ("append-rows", {"sheet": "Leads", "rows": [["Dee", 1]]}),
        ("insert-rows", {"sheet": "Leads", "at_index": 1}),
        ("delete-rows", {"sheet": "Leads", "at_index": 1}),
        ("insert-columns", {"sheet": 0, "at_index": 5, "count": 2}),
        ("delete-columns", {"sheet": 0, "at_index": 5, "count": 2}),
        ("move-rows", {"sheet": "Leads", "from_index": 1, "to_index": 3}),
        ("move-columns", {"sheet": "Leads", "from_index": 0, "to_index": 0}),
        ("sort-rows", {"sheet": "Leads", "column_index": 0}),
        ("tabs", {"title": "Other"}),
        ("rename-tab", {"sheet": "Other", "new_title": "Spare"}),
        ("delete-tab", {"sheet": "Spare"}),
        ("frozen-rows", {"sheet": "Leads", "count": 1}),
    ]
    for step, body in steps:
        control(http, "POST", f"{root}/{sid}/{step}", json=body)
    grid = control(http, "GET", f"{root}/{sid}/grid", params={"sheet": "Leads"})
    formulas = control(http, "GET", f"{root}/{sid}/formulas", params={"sheet": "Leads"})
    frozen = control(http, "GET", f"{root}/{sid}/frozen-rows", params={"sheet": "0"})
    validation = control(http, "GET", f"{root}/{sid}/data-validation", params={"sheet": "Leads"})
    protected = control(http, "GET", f"{root}/{sid}/protected-ranges", params={"sheet": "Leads"})
    metadata = control(http, "GET", f"{root}/{sid}/developer-metadata")
    info = control(http, "GET", f"{root}/{sid}")
    control(http, "POST", f"{root}/{sid}/unshare", json={"client_id": TRACKER})
    trashed = control(http, "POST", f"{root}/{sid}/trash")
    listed = control(http, "GET", root, params={"login": LOGIN})

    # THEN every step applied, as the Python API reports too
    assert grid["values"] == [
        ["Name", "Plays", "Signed", 2],
        ["Ann", 10, True],
        ["Bob", 20],
        ["Cat", 30, False],
        ["Dee", 1],
    ]
    assert formulas == {"formula_cells": {"D1": "=1+1"}}
    assert frozen == {"frozen_rows": 1}
    assert validation == {"data_validation": {}}
    assert protected == {"protected_ranges": []}
    assert metadata == []
    assert (info["tabs"], info["app_access"]) == (["Leads"], [TRACKER])
    assert (trashed["trashed"], trashed["app_access"]) == (True, [])
    assert [s["spreadsheet_id"] for s in listed] == [sid]
    assert sandbox.sheets.read_grid(sid, "Leads") == grid["values"]


def test_control_http_sets_and_resets_sheets_quotas(http: httpx.Client, base: str, sandbox: ProviderSandbox) -> None:
    # GIVEN the default quotas
    url = f"{base}/_control/google/sheets-quota"
    defaults = control(http, "GET", url)

    # WHEN the per-user read limit is lifted and the counters reset
    changed = control(http, "PUT", url, json={"read_requests_per_minute": None, "write_requests_per_minute": 100})
    control(http, "DELETE", url)

    # THEN
    assert defaults == {
        "read_requests_per_minute": 60,
        "write_requests_per_minute": 60,
        "project_read_requests_per_minute": 300,
        "project_write_requests_per_minute": 300,
    }
    assert (changed["read_requests_per_minute"], changed["write_requests_per_minute"]) == (None, 100)
    assert sandbox.sheets.read_requests_per_minute is None


def test_control_http_reports_errors(http: httpx.Client, base: str, sid: str) -> None:
    # GIVEN the control API
    root = f"{base}/_control/google/spreadsheets"

    # WHEN it gets an unknown spreadsheet, a bad body, a bad range and a missing sheet parameter
    unknown = http.post(f"{root}/nope/trash")
    bad_body = http.post(f"{root}/{sid}/insert-rows", json={"sheet": "Leads", "at_index": -1})
    bad_range = http.post(f"{root}/{sid}/cells", json={"range": "Nope!A1", "rows": [["x"]]})
    no_sheet = http.get(f"{root}/{sid}/grid")

    # THEN each answers with its status and a message
    assert (unknown.status_code, bad_body.status_code, bad_range.status_code, no_sheet.status_code) == (
        404,
        400,
        400,
        400,
    )
    assert bad_body.json()["details"][0]["loc"] == "at_index"
    assert bad_range.json() == {"error": "Unable to parse range: Nope!A1"}
    index = http.get(f"{base}/_control/").json()["endpoints"]
    assert "POST /_control/google/spreadsheets/<sid>/pick" in index
