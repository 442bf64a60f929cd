"""Contract tests: who may call the sandbox's Sheets API on which files, and the per-user quotas."""

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from provider_sandbox import ProviderSandbox

if TYPE_CHECKING:
    from tests.contract.sandbox.conftest import FakeClock, GoogleApis

SHEETS = "sheets.googleapis.com"
OTHER_APP = "another-app.apps.googleusercontent.com"
TRACKER = "tracker-sheets.apps.googleusercontent.com"


@pytest.fixture
def sandbox(google_sandbox: ProviderSandbox) -> ProviderSandbox:
    return google_sandbox


@pytest.fixture
def users_sheet(sandbox: ProviderSandbox) -> str:
    """A spreadsheet dan made in the Sheets UI: no app has access to it."""
    return sandbox.sheets.create_user_spreadsheet("dan@example.com", "My promo", [["Name", "Email"], ["Ann", "a@x.io"]])


def read(google: "GoogleApis", token: str, sid: str) -> Any:
    return google.sheets(token).spreadsheets().values().get(spreadsheetId=sid, range="A1:B2")


# Authentication and scopes ------------------------------------------------------------------------------


@pytest.mark.parametrize("token", [None, "ya29.not-a-real-token", "expired"])
def test_calls_without_a_valid_token_get_401(
    google: "GoogleApis", users_sheet: str, token: str | None, fake_clock: "FakeClock"
) -> None:
    # GIVEN no token, an unknown one, or one that expired an hour after it was issued
    if token == "expired":
        token = google.token("spreadsheets")
        fake_clock.advance(timedelta(seconds=3600))

    # WHEN the app reads a spreadsheet
    request = google.sheets(token).spreadsheets().values().get(spreadsheetId=users_sheet, range="A1")
    status, body = google.fail(request)

    # THEN 401 UNAUTHENTICATED in Google's shape, pointing at the Authorization header
    assert status == 401
    error = body["error"]
    assert error["status"] == "UNAUTHENTICATED"
    assert error["message"].startswith("Request had invalid authentication credentials.")
    assert error["errors"] == [
        {
            "message": "Invalid Credentials",
            "domain": "global",
            "reason": "authError",
            "location": "Authorization",
            "locationType": "header",
        }
    ]


def test_a_token_without_a_sheets_scope_gets_403(google: "GoogleApis", users_sheet: str) -> None:
    # GIVEN a sign-in-only token (openid email)
    token = google.token("userinfo.profile")

    # WHEN it reads a spreadsheet
    status, body = google.fail(read(google, token, users_sheet))

    # THEN 403 PERMISSION_DENIED with insufficientPermissions and ACCESS_TOKEN_SCOPE_INSUFFICIENT
    assert status == 403
    assert body["error"]["status"] == "PERMISSION_DENIED"
    assert body["error"]["errors"][0]["reason"] == "insufficientPermissions"
    assert body["error"]["details"][0]["reason"] == "ACCESS_TOKEN_SCOPE_INSUFFICIENT"


def test_a_readonly_scope_reads_but_cannot_write(google: "GoogleApis", users_sheet: str) -> None:
    # GIVEN a spreadsheets.readonly token
    sheets = google.sheets(google.token("spreadsheets.readonly"))

    # WHEN it reads and then writes
    values = google.run(sheets.spreadsheets().values().get(spreadsheetId=users_sheet, range="A1"))
    status, _ = google.fail(
        sheets.spreadsheets()
        .values()
        .update(spreadsheetId=users_sheet, range="A1", valueInputOption="RAW", body={"values": [["x"]]})
    )

    # THEN the read works and the write is 403
    assert values["values"] == [["Name"]]
    assert status == 403


# drive.file visibility --------------------------------------------------------------------------------


def test_drive_file_cannot_open_a_users_spreadsheet_until_it_is_picked(
    google: "GoogleApis", sandbox: ProviderSandbox, users_sheet: str
) -> None:
    # GIVEN a drive.file token and the user's own spreadsheet
    token = google.token("drive.file")

    # WHEN the app opens it before and after the user picks it for Tracker
    before = google.fail(read(google, token, users_sheet))
    sandbox.sheets.pick("dan@example.com", users_sheet, TRACKER)
    after = google.run(read(google, token, users_sheet))

    # THEN 404 NOT_FOUND first (Google hides files it will not show), then the values
    assert before[0] == 404
    assert before[1]["error"]["status"] == "NOT_FOUND"
    assert before[1]["error"]["message"] == "Requested entity was not found."
    assert before[1]["error"]["errors"][0]["reason"] == "notFound"
    assert after["values"] == [["Name", "Email"], ["Ann", "a@x.io"]]


@pytest.mark.parametrize("take_away", ["unshare", "trash"])
def test_an_unshared_or_trashed_spreadsheet_answers_404(
    google: "GoogleApis", sandbox: ProviderSandbox, users_sheet: str, take_away: str
) -> None:
    # GIVEN a picked spreadsheet the app can read
    token = google.token("drive.file")
    sandbox.sheets.pick("dan@example.com", users_sheet, TRACKER)
    google.run(read(google, token, users_sheet))

    # WHEN the user unshares it from Tracker, or moves it to the bin
    if take_away == "unshare":
        sandbox.sheets.unshare(users_sheet, TRACKER)
    else:
        sandbox.sheets.trash_spreadsheet(users_sheet)

    # THEN reads and writes answer 404
    assert google.fail(read(google, token, users_sheet))[0] == 404
    write = (
        google.sheets(token)
        .spreadsheets()
        .values()
        .update(spreadsheetId=users_sheet, range="A1", valueInputOption="RAW", body={"values": [["x"]]})
    )
    assert google.fail(write)[0] == 404


def test_files_stay_with_their_owner_and_their_app(google: "GoogleApis", sandbox: ProviderSandbox) -> None:
    # GIVEN a spreadsheet Tracker created for dan, and a spreadsheet of another user
    dan = google.token("drive.file")
    created = google.run(google.sheets(dan).spreadsheets().create(body={}))["spreadsheetId"]
    anns = sandbox.sheets.create_user_spreadsheet("ann@example.com", "Ann's", [["x"]])

    # WHEN another app with drive.file, and Tracker with the full spreadsheets scope, try them
    other_app = google.token("drive.file", client_id=OTHER_APP)
    full = google.token("spreadsheets")

    # THEN the other app cannot see Tracker's file; the full scope sees dan's files but never ann's
    assert google.fail(read(google, other_app, created))[0] == 404
    assert "range" in google.run(read(google, full, created))
    assert google.fail(read(google, full, anns))[0] == 404


def test_made_up_ids_answer_404(google: "GoogleApis") -> None:
    # GIVEN a well-formed id that no spreadsheet has
    token = google.token("spreadsheets")

    # WHEN it is read THEN 404
    assert google.fail(read(google, token, "1" + "x" * 43))[0] == 404


# Quotas ------------------------------------------------------------------------------------------------


def test_the_61st_read_in_a_minute_gets_429_and_the_next_minute_recovers(
    google: "GoogleApis", sandbox: ProviderSandbox, fake_clock: "FakeClock", http: httpx.Client, base: str
) -> None:
    # GIVEN a spreadsheet and a token, and 60 reads spent within one minute
    token = google.token("drive.file")
    sheets = google.sheets(token)
    sid = google.run(sheets.spreadsheets().create(body={}))["spreadsheetId"]
    values = sheets.spreadsheets().values()
    for _ in range(60):
        values.get(spreadsheetId=sid, range="A1").execute()
        fake_clock.advance(timedelta(milliseconds=500))

    # WHEN the 61st read is made, then a write, then a read after the minute has passed
    status, body = google.fail(values.get(spreadsheetId=sid, range="A1"))
    raw = http.get(f"{base}/{SHEETS}/v4/spreadsheets/{sid}/values/A1", headers={"Authorization": f"Bearer {token}"})
    write = values.update(spreadsheetId=sid, range="A1", valueInputOption="RAW", body={"values": [["w"]]}).execute()
    fake_clock.advance(timedelta(seconds=31))
    recovered = google.run(values.get(spreadsheetId=sid, range="A1"))

    # THEN 429 RESOURCE_EXHAUSTED names the per-user read quota, without Retry-After; writes have their
    # own bucket; and once the window has passed reads work again
    assert status == 429
    error = body["error"]
    assert error["status"] == "RESOURCE_EXHAUSTED"
    assert error["message"].startswith(
        "Quota exceeded for quota metric 'Read requests' and limit 'Read requests per minute per user' of "
        "service 'sheets.googleapis.com' for consumer 'project_number:"
    )
    assert error["details"][0]["reason"] == "RATE_LIMIT_EXCEEDED"
    assert raw.status_code == 429
    assert "retry-after" not in raw.headers
    assert write["updatedCells"] == 1
    assert recovered["values"] == [["w"]]


def test_quotas_are_per_user_and_can_be_lifted(
    google: "GoogleApis", sandbox: ProviderSandbox, fake_clock: "FakeClock"
) -> None:
    # GIVEN a quota of 2 reads a minute, and dan has spent his
    sandbox.sheets.quota_per_minute = 2
    dan = google.token("spreadsheets")
    ann = google.token("spreadsheets", login="ann@example.com")
    dans = sandbox.sheets.create_user_spreadsheet("dan@example.com", "D", [["d"]])
    anns = sandbox.sheets.create_user_spreadsheet("ann@example.com", "A", [["a"]])
    for _ in range(2):
        google.run(read(google, dan, dans))

    # WHEN dan and ann read, then the limit is lifted and dan reads again
    dan_blocked = google.fail(read(google, dan, dans))[0]
    ann_fine = google.run(read(google, ann, anns))
    sandbox.sheets.quota_per_minute = None
    dan_again = google.run(read(google, dan, dans))

    # THEN only dan was limited, and lifting the limit let him through
    assert dan_blocked == 429
    assert ann_fine["values"] == [["a"]]
    assert dan_again["values"] == [["d"]]


def test_the_project_quota_spans_users(google: "GoogleApis", sandbox: ProviderSandbox) -> None:
    # GIVEN a project limit of 2 writes a minute and two users
    sandbox.sheets.project_write_requests_per_minute = 2
    tokens = [google.token("spreadsheets", login=login) for login in ("a@example.com", "b@example.com")]

    # WHEN each creates a spreadsheet, then the first creates another
    for token in tokens:
        google.run(google.sheets(token).spreadsheets().create(body={}))
    status, body = google.fail(google.sheets(tokens[0]).spreadsheets().create(body={}))

    # THEN the third write is over the per-project (not per-user) limit
    assert status == 429
    assert "limit 'Write requests per minute' of service" in body["error"]["message"]


def test_execute_with_num_retries_retries_a_429(
    google: "GoogleApis", sandbox: ProviderSandbox, fake_clock: "FakeClock"
) -> None:
    # GIVEN a spent read quota (1 a minute)
    sandbox.sheets.quota_per_minute = 1
    token = google.token("spreadsheets")
    sid = sandbox.sheets.create_user_spreadsheet("dan@example.com", "D", [["d"]])
    google.run(read(google, token, sid))
    sandbox.reset_requests()

    # WHEN google-api-python-client executes with num_retries=1; its backoff sleep lets the minute pass
    request = read(google, token, sid)
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        fake_clock.advance(timedelta(minutes=1))

    request._sleep = sleep
    body = request.execute(num_retries=1)

    # THEN the client saw 429, slept once and retried successfully
    assert body["values"] == [["d"]]
    assert len(slept) == 1
    assert [r.status for r in sandbox.find_requests(host=SHEETS)] == [429, 200]


def test_control_calls_use_no_quota_and_are_not_recorded(
    google: "GoogleApis", sandbox: ProviderSandbox, http: httpx.Client, base: str
) -> None:
    # GIVEN a quota of one write a minute
    sandbox.sheets.quota_per_minute = 1
    sid = sandbox.sheets.create_user_spreadsheet("dan@example.com", "D")

    # WHEN the user edits through Python and the HTTP control API, then the app writes once
    sandbox.sheets.set_cells(sid, "A1", [["one"]])
    http.post(f"{base}/_control/google/spreadsheets/{sid}/cells", json={"range": "A2", "rows": [["two"]]})
    token = google.token("spreadsheets")
    written = google.run(
        google.sheets(token)
        .spreadsheets()
        .values()
        .update(spreadsheetId=sid, range="A3", valueInputOption="RAW", body={"values": [["three"]]})
    )

    # THEN the app's write still fits its quota and only it was recorded
    assert written["updatedCells"] == 1
    assert sandbox.count(host=SHEETS) == 1
    assert sandbox.sheets.read_grid(sid, "Sheet1") == [["one"], ["two"], ["three"]]
