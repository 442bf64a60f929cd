"""Contract tests: Drive v3 files.list and files.get over the sandbox's spreadsheets."""

from datetime import timedelta
from typing import TYPE_CHECKING, Any

import pytest

from provider_sandbox import ProviderSandbox

if TYPE_CHECKING:
    from tests.contract.sandbox.conftest import FakeClock, GoogleApis

SPREADSHEET = "application/vnd.google-apps.spreadsheet"
TRACKER = "tracker-sheets.apps.googleusercontent.com"


@pytest.fixture
def sandbox(google_sandbox: ProviderSandbox) -> ProviderSandbox:
    return google_sandbox


@pytest.fixture
def token(google: "GoogleApis") -> str:
    return google.token("drive.file")


@pytest.fixture
def drive(google: "GoogleApis", token: str) -> Any:
    return google.drive(token)


def create(google: "GoogleApis", token: str, title: str) -> str:
    sid: str = google.run(google.sheets(token).spreadsheets().create(body={"properties": {"title": title}}))[
        "spreadsheetId"
    ]
    return sid


def names(body: dict[str, Any]) -> list[str]:
    return [f["name"] for f in body.get("files", [])]


def test_files_list_shows_only_files_the_app_may_see(
    google: "GoogleApis", sandbox: ProviderSandbox, token: str, drive: Any
) -> None:
    # GIVEN a file Tracker created, a user file picked for Tracker and one that was not
    create(google, token, "Made by Tracker")
    picked = sandbox.sheets.create_user_spreadsheet("dan@example.com", "Picked")
    sandbox.sheets.create_user_spreadsheet("dan@example.com", "Private")
    sandbox.sheets.pick("dan@example.com", picked, TRACKER)

    # WHEN the app lists with drive.file, and with the full drive scope
    visible = google.run(drive.files().list(orderBy="name"))
    everything = google.run(google.drive(google.token("drive.readonly")).files().list(orderBy="name"))

    # THEN drive.file lists only its own and the picked file, in Drive's default shape
    assert names(visible) == ["Made by Tracker", "Picked"]
    assert visible["kind"] == "drive#fileList"
    assert set(visible["files"][0]) == {"kind", "id", "name", "mimeType"}
    assert visible["files"][0]["mimeType"] == SPREADSHEET
    assert names(everything) == ["Made by Tracker", "Picked", "Private"]


def test_files_list_query_filters_by_mime_type_trashed_and_name(
    google: "GoogleApis", sandbox: ProviderSandbox, token: str, drive: Any
) -> None:
    # GIVEN three spreadsheets, one of them trashed
    create(google, token, "Radio promo Q4")
    create(google, token, "Press list")
    trashed = create(google, token, "Radio promo Q3")
    sandbox.sheets.trash_spreadsheet(trashed)

    # WHEN the app queries as Tracker does, and without the trashed filter
    query = f"mimeType='{SPREADSHEET}' and trashed=false and name contains 'radio'"
    live = google.run(drive.files().list(q=query))
    with_bin = google.run(drive.files().list(q="name contains 'promo'", orderBy="name"))
    words = google.run(drive.files().list(q="name contains 'list' or (name = 'Nope' and not trashed = true)"))

    # THEN only the live radio sheet matches; trashed files show unless excluded; contains is a word prefix
    assert names(live) == ["Radio promo Q4"]
    assert names(with_bin) == ["Radio promo Q3", "Radio promo Q4"]
    assert names(words) == ["Press list"]
    assert names(google.run(drive.files().list(q="name contains 'romo'"))) == []


def test_files_list_pages_through_results(google: "GoogleApis", token: str, drive: Any) -> None:
    # GIVEN five spreadsheets
    for n in range(5):
        create(google, token, f"Sheet {n}")

    # WHEN the app pages two at a time, ordered by name
    pages: list[list[str]] = []
    page_token: str | None = None
    while True:
        body = google.run(
            drive.files().list(pageSize=2, orderBy="name", pageToken=page_token, fields="nextPageToken,files(id,name)")
        )
        pages.append(names(body))
        page_token = body.get("nextPageToken")
        if page_token is None:
            break

    # THEN every file comes once, in order, and the last page has no token
    assert pages == [["Sheet 0", "Sheet 1"], ["Sheet 2", "Sheet 3"], ["Sheet 4"]]


def test_files_list_orders_by_modified_time_and_writes_bump_it(
    google: "GoogleApis", token: str, drive: Any, fake_clock: "FakeClock"
) -> None:
    # GIVEN two spreadsheets created a minute apart
    first = create(google, token, "First")
    fake_clock.advance(timedelta(minutes=1))
    create(google, token, "Second")

    # WHEN the older one is written to later, and the app lists newest first
    fake_clock.advance(timedelta(minutes=1))
    google.run(
        google.sheets(token)
        .spreadsheets()
        .values()
        .update(spreadsheetId=first, range="A1", valueInputOption="RAW", body={"values": [["x"]]})
    )
    body = google.run(drive.files().list(orderBy="modifiedTime desc", fields="files(id,name,modifiedTime,webViewLink)"))

    # THEN the written file comes first with its new modifiedTime, and webViewLink is the spreadsheet URL
    assert names(body) == ["First", "Second"]
    assert body["files"][0]["modifiedTime"] == "2026-03-02T09:02:00.000Z"
    assert body["files"][0]["webViewLink"] == f"https://docs.google.com/spreadsheets/d/{first}/edit"
    assert set(body["files"][0]) == {"id", "name", "modifiedTime", "webViewLink"}


def test_files_get_shows_trashed_files_and_hides_invisible_ones(
    google: "GoogleApis", sandbox: ProviderSandbox, token: str, drive: Any
) -> None:
    # GIVEN a trashed Tracker file and a user file Tracker was never given
    mine = create(google, token, "Mine")
    sandbox.sheets.trash_spreadsheet(mine)
    private = sandbox.sheets.create_user_spreadsheet("dan@example.com", "Private")

    # WHEN the app gets both
    got = google.run(drive.files().get(fileId=mine, fields="id,name,trashed,version,owners(emailAddress,me)"))
    status, error = google.fail(drive.files().get(fileId=private))

    # THEN Drive reports the trashed flag (version is an int64 string); the invisible file is 404
    assert got["trashed"] is True
    assert got["version"].isdigit()
    assert got["owners"] == [{"emailAddress": "dan@example.com", "me": True}]
    assert status == 404
    assert error["error"]["message"] == f"File not found: {private}."
    assert error["error"]["errors"][0]["location"] == "fileId"


def test_drive_is_also_served_at_drive_googleapis_com(google: "GoogleApis", token: str) -> None:
    # GIVEN a Tracker file
    sid = create(google, token, "Mine")

    # WHEN listed through drive.googleapis.com
    body = google.run(google.drive(token, host="drive.googleapis.com").files().get(fileId=sid))

    # THEN the same file comes back
    assert body == {"kind": "drive#file", "id": sid, "name": "Mine", "mimeType": SPREADSHEET}


@pytest.mark.parametrize(
    ("params", "location"),
    [
        ({"q": "name contains"}, "q"),
        ({"q": "owner = 'me'"}, "q"),
        ({"pageSize": 1001}, "pageSize"),
        ({"pageToken": "not-a-token"}, "pageToken"),
        ({"orderBy": "size desc"}, "orderBy"),
        ({"fields": "files(id,nam)"}, "fields"),
    ],
)
def test_files_list_refuses_bad_parameters(
    drive: Any, google: "GoogleApis", params: dict[str, Any], location: str
) -> None:
    # GIVEN a malformed query parameter
    # WHEN the app lists with it
    status, error = google.fail(drive.files().list(**params))

    # THEN 400 points at the parameter
    assert status == 400
    assert error["error"]["errors"][0]["location"] == location


def test_a_spreadsheets_only_token_cannot_list_drive(google: "GoogleApis") -> None:
    # GIVEN a token with only the spreadsheets scope
    drive = google.drive(google.token("spreadsheets"))

    # WHEN it lists files THEN 403 insufficient scopes
    status, error = google.fail(drive.files().list())
    assert status == 403
    assert error["error"]["errors"][0]["reason"] == "insufficientPermissions"
