"""Contract tests, with Google's own client: the Sheets and Drive behaviours the product once slipped past.

appendDimension; insertDimension at the end of the grid (needs inheritFromBefore); the 50,000-character cell
limit; typed dates read in the spreadsheet's locale; typed `+...` as a formula; Drive's per-user and
per-project rate limits answered 403, and faults that name a 403 reason.
"""

import json
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

import pytest
from googleapiclient.http import _should_retry_response  # the client's own retry rule

from provider_sandbox import Fault, ProviderSandbox

if TYPE_CHECKING:
    from tests.contract.sandbox.conftest import FakeClock, GoogleApis

LIMIT_MESSAGE = "Your input contains more than the maximum of 50000 characters in a single cell."


@pytest.fixture
def sandbox(google_sandbox: ProviderSandbox) -> ProviderSandbox:
    return google_sandbox


@pytest.fixture
def token(google: "GoogleApis") -> str:
    return google.token("drive.file")


@pytest.fixture
def sheets(google: "GoogleApis", token: str) -> Any:
    return google.sheets(token)


def create(google: "GoogleApis", sheets: Any, locale: str = "en_US") -> str:
    body = {"properties": {"title": "Promo", "locale": locale}, "sheets": [{"properties": {"title": "Leads"}}]}
    sid: str = google.run(sheets.spreadsheets().create(body=body))["spreadsheetId"]
    return sid


def batch(sheets: Any, sid: str, *requests: dict[str, Any]) -> Any:
    return sheets.spreadsheets().batchUpdate(spreadsheetId=sid, body={"requests": list(requests)})


def grid(google: "GoogleApis", sheets: Any, sid: str) -> dict[str, int]:
    body = google.run(sheets.spreadsheets().get(spreadsheetId=sid, fields="sheets.properties.gridProperties"))
    props: dict[str, int] = body["sheets"][0]["properties"]["gridProperties"]
    return props


def serial(day: date) -> int:
    return (day - date(1899, 12, 30)).days


# -- dimensions ---------------------------------------------------------------------------------------


def test_append_dimension_adds_rows_and_columns_at_the_end(google: "GoogleApis", sheets: Any) -> None:
    # GIVEN a new 1000 x 26 tab
    sid = create(google, sheets)
    sheet_id = google.run(sheets.spreadsheets().get(spreadsheetId=sid))["sheets"][0]["properties"]["sheetId"]

    # WHEN two columns and three rows are appended, as Tracker grows a sheet for new mapped columns
    google.run(
        batch(
            sheets,
            sid,
            {"appendDimension": {"sheetId": sheet_id, "dimension": "COLUMNS", "length": 2}},
            {"appendDimension": {"sheetId": sheet_id, "dimension": "ROWS", "length": 3}},
        )
    )

    # THEN the grid grew by exactly that
    assert grid(google, sheets, sid) == {"rowCount": 1003, "columnCount": 28}


def test_append_dimension_needs_a_positive_length(google: "GoogleApis", sheets: Any) -> None:
    sid = create(google, sheets)
    status, error = google.fail(batch(sheets, sid, {"appendDimension": {"dimension": "ROWS", "length": 0}}))
    assert status == 400
    assert error["error"]["message"].startswith("Invalid requests[0].appendDimension: ")


def test_insert_dimension_at_the_end_of_the_grid_needs_inherit_from_before(google: "GoogleApis", sheets: Any) -> None:
    # GIVEN a 1000-row tab
    sid = create(google, sheets)
    at_end = {"sheetId": 0, "dimension": "ROWS", "startIndex": 1000, "endIndex": 1002}

    # WHEN rows are inserted after the last row without inheritFromBefore THEN Google's 400 says why
    status, error = google.fail(batch(sheets, sid, {"insertDimension": {"range": at_end}}))
    assert status == 400
    assert error["error"]["message"] == (
        "Invalid requests[0].insertDimension: range.startIndex must be less than the grid size (1000) "
        "if inheritFromBefore is false."
    )
    assert grid(google, sheets, sid)["rowCount"] == 1000

    # WHEN the same insert inherits from the row before THEN it is applied
    google.run(batch(sheets, sid, {"insertDimension": {"range": at_end, "inheritFromBefore": True}}))
    assert grid(google, sheets, sid)["rowCount"] == 1002


# -- the cell size limit ---------------------------------------------------------------------------------


def test_a_cell_over_50000_characters_is_refused_by_batch_update_and_values(
    google: "GoogleApis", sheets: Any, sandbox: ProviderSandbox
) -> None:
    sid = create(google, sheets)
    too_long = "x" * 50_001
    cell = {"userEnteredValue": {"stringValue": too_long}}

    # WHEN updateCells carries 50,001 characters THEN 400 with Google's words, and nothing is written
    status, error = google.fail(
        batch(sheets, sid, {"updateCells": {"start": {"sheetId": 0}, "rows": [{"values": [cell]}], "fields": "*"}})
    )
    assert (status, error["error"]["message"]) == (400, f"Invalid requests[0].updateCells: {LIMIT_MESSAGE}")

    # WHEN values.update carries it (RAW or USER_ENTERED) THEN the same limit
    for option in ("RAW", "USER_ENTERED"):
        request = (
            sheets.spreadsheets()
            .values()
            .update(spreadsheetId=sid, range="Leads!A1", valueInputOption=option, body={"values": [[too_long]]})
        )
        status, error = google.fail(request)
        assert (status, error["error"]["message"]) == (400, LIMIT_MESSAGE)
    assert sandbox.sheets.read_grid(sid, "Leads") == []

    # AND exactly 50,000 characters fit
    fits = {"userEnteredValue": {"stringValue": "y" * 50_000}}
    google.run(
        batch(sheets, sid, {"updateCells": {"start": {"sheetId": 0}, "rows": [{"values": [fits]}], "fields": "*"}})
    )
    assert sandbox.sheets.read_grid(sid, "Leads") == [["y" * 50_000]]


# -- typed input ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "typed", "stored"),
    [
        ("en_US", "3/5/2024", serial(date(2024, 3, 5))),
        ("en_GB", "3/5/2024", serial(date(2024, 5, 3))),
        ("fr_FR", "3/5/2024", serial(date(2024, 5, 3))),
        ("de_DE", "3.5.2024", serial(date(2024, 5, 3))),
        ("de_DE", "3/5/2024", "3/5/2024"),
        ("en_US", "2024-03-05", serial(date(2024, 3, 5))),
        ("de_DE", "2024-03-05", serial(date(2024, 3, 5))),
    ],
)
def test_typed_dates_are_read_in_the_spreadsheets_locale(
    google: "GoogleApis", sheets: Any, locale: str, typed: str, stored: int | str
) -> None:
    # GIVEN a spreadsheet in `locale`
    sid = create(google, sheets, locale)
    assert google.run(sheets.spreadsheets().get(spreadsheetId=sid, fields="properties.locale")) == {
        "properties": {"locale": locale}
    }

    # WHEN a user types the date
    google.run(
        sheets.spreadsheets()
        .values()
        .update(spreadsheetId=sid, range="Leads!A1", valueInputOption="USER_ENTERED", body={"values": [[typed]]})
    )

    # THEN it is the date that locale means (or text where the locale does not read it as a date)
    got = google.run(
        sheets.spreadsheets().values().get(spreadsheetId=sid, range="Leads!A1", valueRenderOption="UNFORMATTED_VALUE")
    )
    assert got["values"] == [[stored]]


def test_typed_date_times_keep_their_time(google: "GoogleApis", sheets: Any) -> None:
    sid = create(google, sheets, "en_GB")
    google.run(
        sheets.spreadsheets()
        .values()
        .update(
            spreadsheetId=sid, range="Leads!A1", valueInputOption="USER_ENTERED", body={"values": [["3/5/2024 14:30"]]}
        )
    )
    got = google.run(
        sheets.spreadsheets().values().get(spreadsheetId=sid, range="Leads!A1", valueRenderOption="UNFORMATTED_VALUE")
    )
    assert got["values"] == [[serial(date(2024, 5, 3)) + (14 * 60 + 30) / 1440]]


def test_typed_plus_starts_a_formula_while_raw_keeps_it_text(
    google: "GoogleApis", sheets: Any, sandbox: ProviderSandbox
) -> None:
    # GIVEN "+foo" and "+1+2" typed (USER_ENTERED) and "+foo" written RAW
    sid = create(google, sheets)
    values = sheets.spreadsheets().values()
    google.run(
        values.update(
            spreadsheetId=sid, range="Leads!A1", valueInputOption="USER_ENTERED", body={"values": [["+foo", "+1+2"]]}
        )
    )
    google.run(values.update(spreadsheetId=sid, range="Leads!C1", valueInputOption="RAW", body={"values": [["+foo"]]}))

    # THEN the typed ones are formulas (+foo is a #NAME? error), the RAW one is text
    assert sandbox.sheets.formula_cells(sid, "Leads") == {"A1": "=+foo", "B1": "=+1+2"}
    shown = google.run(values.get(spreadsheetId=sid, range="Leads!A1:C1"))
    assert shown["values"] == [["#NAME?", "3", "+foo"]]
    cells = google.run(
        sheets.spreadsheets().get(
            spreadsheetId=sid, ranges=["Leads!A1"], fields="sheets.data.rowData.values.effectiveValue"
        )
    )
    error = cells["sheets"][0]["data"][0]["rowData"][0]["values"][0]["effectiveValue"]["errorValue"]
    assert error == {"type": "NAME", "message": "Unknown range name: 'FOO'."}


# -- Drive rate limits ------------------------------------------------------------------------------------


def test_drive_answers_its_per_user_quota_with_403_user_rate_limit_exceeded(
    google: "GoogleApis", token: str, sandbox: ProviderSandbox, fake_clock: "FakeClock"
) -> None:
    # GIVEN a Drive quota of 2 requests a minute per user
    sandbox.sheets.drive_requests_per_minute = 2
    drive = google.drive(token)
    google.run(drive.files().list())
    google.run(drive.files().list())

    # WHEN a third request comes within the minute
    status, error = google.fail(drive.files().list())

    # THEN 403 userRateLimitExceeded, a shape Google's own client retries
    assert status == 403
    assert error["error"]["errors"][0]["reason"] == "userRateLimitExceeded"
    assert error["error"]["errors"][0]["domain"] == "usageLimits"
    assert _should_retry_response(403, json.dumps(error).encode())

    # AND the next minute the quota is back
    fake_clock.advance(timedelta(minutes=1))
    google.run(drive.files().list())


def test_drive_answers_its_per_project_quota_with_403_rate_limit_exceeded(
    google: "GoogleApis", sandbox: ProviderSandbox
) -> None:
    # GIVEN a project quota of 1 Drive request a minute, spent by one user
    sandbox.sheets.project_drive_requests_per_minute = 1
    google.run(google.drive(google.token("drive.file")).files().list())

    # WHEN another user of the same app calls Drive
    status, error = google.fail(google.drive(google.token("drive.file", login="eve@example.com")).files().list())

    # THEN 403 rateLimitExceeded
    assert status == 403
    assert error["error"]["errors"][0]["reason"] == "rateLimitExceeded"


@pytest.mark.parametrize("reason", ["rateLimitExceeded", "userRateLimitExceeded", "domainPolicy"])
def test_a_fault_can_answer_any_403_reason_in_googles_envelope(
    google: "GoogleApis", token: str, sandbox: ProviderSandbox, reason: str
) -> None:
    sandbox.inject_fault(Fault(host="www.googleapis.com", path="/drive/v3/files", status=403, reason=reason))
    status, error = google.fail(google.drive(token).files().list())
    assert status == 403
    assert error["error"]["errors"][0]["reason"] == reason
    # Google's client retries the rate limits and not the policy refusal.
    assert _should_retry_response(403, json.dumps(error).encode()) == (reason != "domainPolicy")
