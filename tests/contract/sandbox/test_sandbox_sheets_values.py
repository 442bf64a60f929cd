"""Contract tests: spreadsheets.values.* in the sandbox behave like Sheets API v4.

Driven with google-api-python-client over real HTTP; every success body is checked against the discovery
schema (no unknown properties) and every error against Google's envelope.
"""

from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx
import pytest

from provider_sandbox import ProviderSandbox

if TYPE_CHECKING:
    from tests.contract.sandbox.conftest import GoogleApis


@pytest.fixture
def sandbox(google_sandbox: ProviderSandbox) -> ProviderSandbox:
    return google_sandbox


@pytest.fixture
def token(google: "GoogleApis") -> str:
    return google.token("drive.file")


@pytest.fixture
def sheets(google: "GoogleApis", token: str) -> Any:
    return google.sheets(token)


@pytest.fixture
def sid(google: "GoogleApis", sheets: Any) -> str:
    """A spreadsheet Tracker created, with one tab 'Leads'."""
    body = {"properties": {"title": "Radio promo"}, "sheets": [{"properties": {"title": "Leads"}}]}
    spreadsheet_id: str = google.run(sheets.spreadsheets().create(body=body))["spreadsheetId"]
    return spreadsheet_id


def update(google: "GoogleApis", sheets: Any, sid: str, rng: str, values: list[list[Any]], **kw: Any) -> dict[str, Any]:
    option = kw.pop("valueInputOption", "USER_ENTERED")
    request = (
        sheets.spreadsheets()
        .values()
        .update(spreadsheetId=sid, range=rng, valueInputOption=option, body={"values": values}, **kw)
    )
    return google.run(request)


def get(google: "GoogleApis", sheets: Any, sid: str, rng: str, **kw: Any) -> dict[str, Any]:
    return google.run(sheets.spreadsheets().values().get(spreadsheetId=sid, range=rng, **kw))


def test_values_update_then_get_round_trips_typed_input(google: "GoogleApis", sheets: Any, sid: str) -> None:
    # GIVEN a row typed as a user would: text, a number with separators, a date, a percentage, a boolean
    written = update(google, sheets, sid, "Leads!A1", [["Annie", "1,234", "2024-03-05", "50%", "TRUE"]])

    # WHEN it is read back with each render option
    formatted = get(google, sheets, sid, "Leads!A1:E1")
    unformatted = get(google, sheets, sid, "Leads!A1:E1", valueRenderOption="UNFORMATTED_VALUE")
    as_text = get(
        google,
        sheets,
        sid,
        "Leads!A1:E1",
        valueRenderOption="UNFORMATTED_VALUE",
        dateTimeRenderOption="FORMATTED_STRING",
    )

    # THEN the update reports what it wrote, the cells show as typed, and the values keep their types
    assert written["updatedRange"] == "Leads!A1:E1"
    assert (written["updatedRows"], written["updatedColumns"], written["updatedCells"]) == (1, 5, 5)
    assert formatted == {
        "range": "Leads!A1:E1",
        "majorDimension": "ROWS",
        "values": [["Annie", "1,234", "2024-03-05", "50%", "TRUE"]],
    }
    assert unformatted["values"] == [["Annie", 1234, 45356, 0.5, True]]
    assert as_text["values"] == [["Annie", 1234, "2024-03-05", 0.5, True]]


def test_raw_keeps_formula_text_while_user_entered_makes_a_formula(
    google: "GoogleApis", sheets: Any, sid: str, sandbox: ProviderSandbox
) -> None:
    # GIVEN "=SUM(A1)" written RAW to A1, USER_ENTERED to B1, and "'=x" USER_ENTERED to C1
    update(google, sheets, sid, "Leads!A1", [["=SUM(A1)"]], valueInputOption="RAW")
    update(google, sheets, sid, "Leads!B1", [["=SUM(A1)", "'=x"]])

    # WHEN the cells are read as formulas and as the grid's user-entered values
    formulas = get(google, sheets, sid, "Leads!A1:C1", valueRenderOption="FORMULA")
    grid = google.run(
        sheets.spreadsheets().get(
            spreadsheetId=sid, ranges=["Leads!A1:C1"], fields="sheets.data.rowData.values.userEnteredValue"
        )
    )

    # THEN only B1 is a formula; A1 stays the text "=SUM(A1)" and C1 the text "=x" (the apostrophe is gone)
    assert formulas["values"] == [["=SUM(A1)", "=SUM(A1)", "=x"]]
    entered = [cell["userEnteredValue"] for cell in grid["sheets"][0]["data"][0]["rowData"][0]["values"]]
    assert entered == [{"stringValue": "=SUM(A1)"}, {"formulaValue": "=SUM(A1)"}, {"stringValue": "=x"}]
    assert sandbox.sheets.formula_cells(sid, "Leads") == {"B1": "=SUM(A1)"}


def test_null_skips_a_cell_and_an_empty_string_clears_it(google: "GoogleApis", sheets: Any, sid: str) -> None:
    # GIVEN a full row
    update(google, sheets, sid, "Leads!A1", [["a", "b", "c"]])

    # WHEN it is overwritten with null in the middle and "" at the end
    written = update(google, sheets, sid, "Leads!A1", [["A", None, ""]])

    # THEN the null kept "b", the empty string cleared "c" (and trailing empties are trimmed on read)
    assert get(google, sheets, sid, "Leads!A1:C1")["values"] == [["A", "b"]]
    assert written["updatedCells"] == 2


def test_reads_trim_trailing_empties_and_omit_values_for_an_empty_range(
    google: "GoogleApis", sheets: Any, sid: str
) -> None:
    # GIVEN values with a gap row and a gap column inside a larger range
    update(google, sheets, sid, "Leads!B2", [["x", None, "y"], [], ["z"]])

    # WHEN the surrounding range and an empty range are read
    around = get(google, sheets, sid, "Leads!A1:F10")
    empty = get(google, sheets, sid, "Leads!H1:J5")

    # THEN leading blanks are "", inner empty rows are [], trailing ones are dropped; the empty range has no
    # values key but echoes its range
    assert around["values"] == [[], ["", "x", "", "y"], [], ["", "z"]]
    assert empty == {"range": "Leads!H1:J5", "majorDimension": "ROWS"}


def test_whole_sheet_column_and_row_ranges_echo_grid_bounds(google: "GoogleApis", sheets: Any, sid: str) -> None:
    # GIVEN one value
    update(google, sheets, sid, "Leads!A1", [["only"]])

    # WHEN the sheet is read by title, by column, by rows, from a row down, and with no sheet at all
    echoed = [get(google, sheets, sid, rng)["range"] for rng in ("Leads", "Leads!A:A", "Leads!1:2", "Leads!A5:B", "B2")]

    # THEN each echo is the range bounded by the 1000 x 26 grid; no sheet means the first sheet
    assert echoed == ["Leads!A1:Z1000", "Leads!A1:A1000", "Leads!A1:Z2", "Leads!A5:B1000", "Leads!B2"]


def test_columns_major_dimension_transposes_writes_and_reads(google: "GoogleApis", sheets: Any, sid: str) -> None:
    # GIVEN [[1, 2], [3, 4]] written to A1:B2 column-major
    request = (
        sheets.spreadsheets()
        .values()
        .update(
            spreadsheetId=sid,
            range="Leads!A1:B2",
            valueInputOption="RAW",
            body={"majorDimension": "COLUMNS", "values": [[1, 2], [3, 4]]},
        )
    )
    google.run(request)

    # WHEN read row-major and column-major
    rows = get(google, sheets, sid, "Leads!A1:B2", valueRenderOption="UNFORMATTED_VALUE")
    columns = get(google, sheets, sid, "Leads!A1:B2", valueRenderOption="UNFORMATTED_VALUE", majorDimension="COLUMNS")

    # THEN A1=1, A2=2, B1=3, B2=4
    assert rows["values"] == [[1, 3], [2, 4]]
    assert columns == {"range": "Leads!A1:B2", "majorDimension": "COLUMNS", "values": [[1, 2], [3, 4]]}


def test_append_writes_after_the_table_and_reports_its_range(google: "GoogleApis", sheets: Any, sid: str) -> None:
    # GIVEN a header and two rows
    update(google, sheets, sid, "Leads!A1", [["Name", "Email", "Status"], ["Ann", "a@x.io", "Sent"], ["Bob", "b@x.io"]])

    # WHEN a row is appended to the header range
    request = (
        sheets.spreadsheets()
        .values()
        .append(
            spreadsheetId=sid,
            range="Leads!A1:C1",
            valueInputOption="USER_ENTERED",
            includeValuesInResponse=True,
            body={"values": [["Cat", "c@x.io", "Sent"]]},
        )
    )
    appended = google.run(request)

    # THEN the table found was A1:C3, the row landed in row 4, and the response echoes it
    assert appended["tableRange"] == "Leads!A1:C3"
    assert appended["updates"]["updatedRange"] == "Leads!A4:C4"
    assert appended["updates"]["updatedData"]["values"] == [["Cat", "c@x.io", "Sent"]]
    assert get(google, sheets, sid, "Leads!A4:C4")["values"] == [["Cat", "c@x.io", "Sent"]]


def test_append_to_an_empty_sheet_has_no_table_range(google: "GoogleApis", sheets: Any, sid: str) -> None:
    # GIVEN an empty tab
    # WHEN rows are appended to the whole tab
    appended = google.run(
        sheets.spreadsheets()
        .values()
        .append(spreadsheetId=sid, range="Leads", valueInputOption="RAW", body={"values": [["h1", "h2"]]})
    )

    # THEN they start at A1 and there is no tableRange
    assert "tableRange" not in appended
    assert appended["updates"]["updatedRange"] == "Leads!A1:B1"


def test_append_insert_rows_pushes_what_follows_a_gap_down(
    google: "GoogleApis", sheets: Any, sid: str, sandbox: ProviderSandbox
) -> None:
    # GIVEN a table in rows 1-2, a blank row 3 and a note in row 4
    update(google, sheets, sid, "Leads!A1", [["Name"], ["Ann"], [], ["note"]])

    # WHEN a row is appended with INSERT_ROWS
    appended = google.run(
        sheets.spreadsheets()
        .values()
        .append(
            spreadsheetId=sid,
            range="Leads!A1",
            valueInputOption="RAW",
            insertDataOption="INSERT_ROWS",
            body={"values": [["Bob"]]},
        )
    )

    # THEN the table ended at the blank row, a row was inserted there, and the note moved down one
    assert appended["tableRange"] == "Leads!A1:A2"
    assert sandbox.sheets.read_grid(sid, "Leads") == [["Name"], ["Ann"], ["Bob"], [], ["note"]]


def test_append_from_a_single_cell_finds_a_table_further_down(google: "GoogleApis", sheets: Any, sid: str) -> None:
    # GIVEN a title in A1, a blank row, and a table starting at B3
    update(google, sheets, sid, "Leads!A1", [["Radio promo"], [], [None, "Name"], [None, "Ann"]])

    # WHEN rows are appended from A3
    appended = google.run(
        sheets.spreadsheets()
        .values()
        .append(spreadsheetId=sid, range="Leads!A3", valueInputOption="RAW", body={"values": [["Bob"]]})
    )

    # THEN the search ran from A3: the table is B3:B4 and the row went under it, in its first column
    assert appended["tableRange"] == "Leads!B3:B4"
    assert appended["updates"]["updatedRange"] == "Leads!B5"


def test_batch_get_returns_value_ranges_in_request_order(google: "GoogleApis", sheets: Any, sid: str) -> None:
    # GIVEN two columns of values
    update(google, sheets, sid, "Leads!A1", [["a1", "b1"], ["a2", "b2"]])

    # WHEN they are batch-read in reverse order, with an empty range between
    body = google.run(
        sheets.spreadsheets().values().batchGet(spreadsheetId=sid, ranges=["Leads!B1:B2", "Leads!Z9", "Leads!A1:A2"])
    )

    # THEN the value ranges come back in the order asked
    assert [vr["range"] for vr in body["valueRanges"]] == ["Leads!B1:B2", "Leads!Z9", "Leads!A1:A2"]
    assert [vr.get("values") for vr in body["valueRanges"]] == [[["b1"], ["b2"]], None, [["a1"], ["a2"]]]


def test_values_batch_update_is_atomic_when_one_range_is_bad(google: "GoogleApis", sheets: Any, sid: str) -> None:
    # GIVEN a batch with a good range and one naming a tab that does not exist
    body = {
        "valueInputOption": "RAW",
        "data": [{"range": "Leads!A1", "values": [["kept out"]]}, {"range": "Nope!A1", "values": [["x"]]}],
    }

    # WHEN it is sent
    status, error = google.fail(sheets.spreadsheets().values().batchUpdate(spreadsheetId=sid, body=body))

    # THEN 400 names the bad range and nothing was written
    assert status == 400
    assert error["error"]["status"] == "INVALID_ARGUMENT"
    assert "Unable to parse range: Nope!A1" in error["error"]["message"]
    assert "values" not in get(google, sheets, sid, "Leads!A1")


def test_values_batch_update_reports_totals(google: "GoogleApis", sheets: Any, sid: str) -> None:
    # GIVEN two ranges to write
    body = {
        "valueInputOption": "USER_ENTERED",
        "data": [{"range": "Leads!A1:B1", "values": [["a", "b"]]}, {"range": "Leads!A3", "values": [["c"], ["d"]]}],
    }

    # WHEN they are written in one call
    result = google.run(sheets.spreadsheets().values().batchUpdate(spreadsheetId=sid, body=body))

    # THEN the totals add up and each range has its response
    assert (result["totalUpdatedRows"], result["totalUpdatedCells"], result["totalUpdatedSheets"]) == (3, 4, 1)
    assert [r["updatedRange"] for r in result["responses"]] == ["Leads!A1:B1", "Leads!A3:A4"]


def test_value_input_option_is_required(google: "GoogleApis", sheets: Any, sid: str) -> None:
    # GIVEN an update without valueInputOption
    request = sheets.spreadsheets().values().update(spreadsheetId=sid, range="Leads!A1", body={"values": [["x"]]})

    # WHEN it is sent THEN Google's 400 comes back
    status, error = google.fail(request)
    assert status == 400
    assert error["error"]["message"] == "Invalid valueInputOption: INPUT_VALUE_OPTION_UNSPECIFIED"


def test_writes_must_fit_the_range_and_the_grid(google: "GoogleApis", sheets: Any, sid: str) -> None:
    # GIVEN three rows for a two-row range, and a write past the 1000-row grid
    too_tall = (
        sheets.spreadsheets()
        .values()
        .update(spreadsheetId=sid, range="Leads!A1:B2", valueInputOption="RAW", body={"values": [["1"], ["2"], ["3"]]})
    )
    off_grid = (
        sheets.spreadsheets()
        .values()
        .update(spreadsheetId=sid, range="Leads!A1001", valueInputOption="RAW", body={"values": [["x"]]})
    )

    # WHEN they are sent THEN both are refused with Google's wording
    assert google.fail(too_tall)[1]["error"]["message"] == (
        "Requested writing within range [Leads!A1:B2], but tried writing to row [3]"
    )
    assert google.fail(off_grid)[1]["error"]["message"] == (
        "Range ('Leads'!A1001) exceeds grid limits. Max rows: 1000, max columns: 26"
    )


def test_unknown_tab_and_malformed_ranges_are_unparseable(google: "GoogleApis", sheets: Any, sid: str) -> None:
    # GIVEN ranges naming a missing tab and a malformed cell
    for rng in ("Foo!A1", "Leads!A0"):
        # WHEN read THEN 400 "Unable to parse range"
        status, error = google.fail(sheets.spreadsheets().values().get(spreadsheetId=sid, range=rng))
        assert status == 400
        assert error["error"]["message"] == f"Unable to parse range: {rng}"
        assert error["error"]["errors"][0]["reason"] == "badRequest"


def test_clear_removes_values_and_echoes_the_cleared_range(google: "GoogleApis", sheets: Any, sid: str) -> None:
    # GIVEN two rows of values
    update(google, sheets, sid, "Leads!A1", [["a", "b"], ["c", "d"]])

    # WHEN column B is cleared
    cleared = google.run(sheets.spreadsheets().values().clear(spreadsheetId=sid, range="Leads!B:B", body={}))

    # THEN only column A is left and the whole column is echoed
    assert cleared["clearedRange"] == "Leads!B1:B1000"
    assert get(google, sheets, sid, "Leads")["values"] == [["a"], ["c"]]


def test_quoted_titles_with_symbols_work_encoded_and_raw(
    google: "GoogleApis", sheets: Any, sid: str, token: str, http: httpx.Client, base: str
) -> None:
    # GIVEN a tab whose title needs quoting and percent-encoding
    title = "Q4 / Radio's #1"
    google.run(
        sheets.spreadsheets().batchUpdate(
            spreadsheetId=sid, body={"requests": [{"addSheet": {"properties": {"title": title}}}]}
        )
    )
    quoted = "'Q4 / Radio''s #1'"

    # WHEN the client appends (it percent-encodes the range) and httpx clears with a partly raw URL
    google.run(
        sheets.spreadsheets()
        .values()
        .append(spreadsheetId=sid, range=f"{quoted}!A1", valueInputOption="RAW", body={"values": [["x", "y"]]})
    )
    url = f"{base}/sheets.googleapis.com/v4/spreadsheets/{sid}/values/{quote(quoted, safe='')}!B1:clear"
    response = http.post(url, headers={"Authorization": f"Bearer {token}"}, json={})

    # THEN both verbs reach the right tab and the echo quotes the title the way Google does
    assert response.status_code == 200, response.text
    assert response.json()["clearedRange"] == f"{quoted}!B1"
    assert get(google, sheets, sid, quoted)["values"] == [["x"]]


def test_unknown_parameters_and_a_mismatched_body_range_are_refused(
    sid: str, token: str, http: httpx.Client, base: str
) -> None:
    # GIVEN a typo in a query parameter, and a body range that differs from the URL's
    url = f"{base}/sheets.googleapis.com/v4/spreadsheets/{sid}/values/Leads!A1"
    headers = {"Authorization": f"Bearer {token}"}

    # WHEN they are sent
    typo = http.put(url, params={"valueInputOptions": "RAW"}, headers=headers, json={"values": [["x"]]})
    mismatch = http.put(
        url, params={"valueInputOption": "RAW"}, headers=headers, json={"range": "Leads!B1", "values": [["x"]]}
    )

    # THEN both are 400 INVALID_ARGUMENT, as Google answers them
    assert typo.status_code == 400
    assert 'Unknown name "valueInputOptions"' in typo.json()["error"]["message"]
    assert mismatch.status_code == 400
    assert mismatch.json()["error"]["status"] == "INVALID_ARGUMENT"
