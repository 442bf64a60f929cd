"""Contract tests: spreadsheets.create, get (field masks, grid data) and batchUpdate in the sandbox."""

from typing import TYPE_CHECKING, Any

import pytest

from provider_sandbox import ProviderSandbox

if TYPE_CHECKING:
    from tests.contract.sandbox.conftest import GoogleApis


@pytest.fixture
def sandbox(google_sandbox: ProviderSandbox) -> ProviderSandbox:
    return google_sandbox


@pytest.fixture
def sheets(google: "GoogleApis") -> Any:
    return google.sheets(google.token("spreadsheets"))


def create(google: "GoogleApis", sheets: Any, body: dict[str, Any]) -> dict[str, Any]:
    return google.run(sheets.spreadsheets().create(body=body))


def batch(google: "GoogleApis", sheets: Any, sid: str, *requests: dict[str, Any]) -> dict[str, Any]:
    return google.run(sheets.spreadsheets().batchUpdate(spreadsheetId=sid, body={"requests": list(requests)}))


def test_create_returns_the_spreadsheet_with_sheet_properties(google: "GoogleApis", sheets: Any) -> None:
    # GIVEN a create request naming two tabs, the second with a frozen header and a small grid
    body = {
        "properties": {"title": "Radio promo"},
        "sheets": [
            {"properties": {"title": "Leads"}},
            {
                "properties": {
                    "title": "Notes",
                    "gridProperties": {"rowCount": 50, "columnCount": 5, "frozenRowCount": 1},
                }
            },
        ],
    }

    # WHEN it is sent
    created = create(google, sheets, body)

    # THEN the spreadsheet has an id, a docs URL and both sheets with ids, indexes and grid properties
    sid = created["spreadsheetId"]
    assert len(sid) == 44
    assert created["spreadsheetUrl"] == f"https://docs.google.com/spreadsheets/d/{sid}/edit"
    assert created["properties"]["title"] == "Radio promo"
    first, second = (s["properties"] for s in created["sheets"])
    assert first == {
        "sheetId": 0,
        "title": "Leads",
        "index": 0,
        "sheetType": "GRID",
        "gridProperties": {"rowCount": 1000, "columnCount": 26},
    }
    assert (second["index"], second["title"]) == (1, "Notes")
    assert second["gridProperties"] == {"rowCount": 50, "columnCount": 5, "frozenRowCount": 1}
    assert isinstance(second["sheetId"], int)
    assert second["sheetId"] > 0


def test_create_with_defaults_makes_one_untitled_sheet(google: "GoogleApis", sheets: Any) -> None:
    # GIVEN an empty create body
    # WHEN it is sent
    created = create(google, sheets, {})

    # THEN Google's defaults apply
    assert created["properties"]["title"] == "Untitled spreadsheet"
    assert [s["properties"]["title"] for s in created["sheets"]] == ["Sheet1"]


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (
            "sheets.properties.title",
            {"sheets": [{"properties": {"title": "Leads"}}, {"properties": {"title": "Notes"}}]},
        ),
        (
            "sheets(properties(sheetId,title))",
            {
                "sheets": [
                    {"properties": {"sheetId": 0, "title": "Leads"}},
                    {"properties": {"sheetId": 7, "title": "Notes"}},
                ]
            },
        ),
        ("spreadsheetId,properties.title", {"spreadsheetId": "<sid>", "properties": {"title": "Radio promo"}}),
        ("properties(title,locale)", {"properties": {"title": "Radio promo", "locale": "en_US"}}),
    ],
)
def test_get_applies_field_masks(google: "GoogleApis", sheets: Any, fields: str, expected: dict[str, Any]) -> None:
    # GIVEN a spreadsheet with two tabs
    body = {
        "properties": {"title": "Radio promo"},
        "sheets": [{"properties": {"title": "Leads"}}, {"properties": {"title": "Notes", "sheetId": 7}}],
    }
    sid = create(google, sheets, body)["spreadsheetId"]

    # WHEN it is fetched with a field mask
    got = google.run(sheets.spreadsheets().get(spreadsheetId=sid, fields=fields))

    # THEN exactly the named fields come back
    assert got == _with_sid(expected, sid)


def _with_sid(expected: dict[str, Any], sid: str) -> dict[str, Any]:
    return {k: (sid if v == "<sid>" else v) for k, v in expected.items()}


def test_get_refuses_a_field_mask_naming_an_unknown_field(google: "GoogleApis", sheets: Any) -> None:
    # GIVEN a spreadsheet
    sid = create(google, sheets, {})["spreadsheetId"]

    # WHEN it is fetched with a typo in the mask
    status, error = google.fail(sheets.spreadsheets().get(spreadsheetId=sid, fields="sheets.propertys"))

    # THEN 400 names the field
    assert status == 400
    assert "propertys" in error["error"]["message"]


def test_get_returns_grid_data_for_ranges_only_when_asked(google: "GoogleApis", sheets: Any) -> None:
    # GIVEN two tabs with values
    sid = create(google, sheets, {"sheets": [{"properties": {"title": "Leads"}}, {"properties": {"title": "Notes"}}]})[
        "spreadsheetId"
    ]
    google.run(
        sheets.spreadsheets()
        .values()
        .update(spreadsheetId=sid, range="Leads!A1", valueInputOption="USER_ENTERED", body={"values": [["Ann", "7"]]})
    )

    # WHEN fetched plainly, with includeGridData for one range, and with a data mask (which wins)
    plain = google.run(sheets.spreadsheets().get(spreadsheetId=sid))
    with_data = google.run(sheets.spreadsheets().get(spreadsheetId=sid, ranges=["Leads!A1:B2"], includeGridData=True))
    masked = google.run(
        sheets.spreadsheets().get(
            spreadsheetId=sid,
            ranges=["Leads!B1"],
            includeGridData=False,
            fields="sheets.data.rowData.values(formattedValue,effectiveValue)",
        )
    )

    # THEN plain has no data; ranges return only their sheet, with cells in CellData form
    assert all("data" not in s for s in plain["sheets"])
    assert [s["properties"]["title"] for s in with_data["sheets"]] == ["Leads"]
    data = with_data["sheets"][0]["data"][0]
    assert data["rowData"][0]["values"][1] == {
        "userEnteredValue": {"numberValue": 7},
        "effectiveValue": {"numberValue": 7},
        "formattedValue": "7",
    }
    assert len(data["rowMetadata"]) == 2
    assert masked == {
        "sheets": [
            {"data": [{"rowData": [{"values": [{"formattedValue": "7", "effectiveValue": {"numberValue": 7}}]}]}]}
        ]
    }


def test_batch_update_adds_renames_freezes_and_deletes_sheets(google: "GoogleApis", sheets: Any) -> None:
    # GIVEN a spreadsheet with one sheet
    sid = create(google, sheets, {})["spreadsheetId"]

    # WHEN a sheet is added, the first renamed and frozen, then the new one deleted
    added = batch(google, sheets, sid, {"addSheet": {"properties": {"title": "Extra", "index": 0}}})
    new_id = added["replies"][0]["addSheet"]["properties"]["sheetId"]
    changed = batch(
        google,
        sheets,
        sid,
        {
            "updateSheetProperties": {
                "properties": {"sheetId": 0, "title": "Leads", "gridProperties": {"frozenRowCount": 1}},
                "fields": "title,gridProperties.frozenRowCount",
            }
        },
        {"deleteSheet": {"sheetId": new_id}},
    )
    got = google.run(sheets.spreadsheets().get(spreadsheetId=sid, fields="sheets.properties"))

    # THEN the replies line up with the requests and the result has one renamed, frozen sheet
    assert added["replies"][0]["addSheet"]["properties"]["index"] == 0
    assert changed == {"spreadsheetId": sid, "replies": [{}, {}]}
    assert got["sheets"] == [
        {
            "properties": {
                "sheetId": 0,
                "title": "Leads",
                "index": 0,
                "sheetType": "GRID",
                "gridProperties": {"rowCount": 1000, "columnCount": 26, "frozenRowCount": 1},
            }
        }
    ]


def test_batch_update_is_atomic_when_a_request_fails(google: "GoogleApis", sheets: Any) -> None:
    # GIVEN a batch whose second request names a sheet that does not exist
    sid = create(google, sheets, {})["spreadsheetId"]
    request = sheets.spreadsheets().batchUpdate(
        spreadsheetId=sid,
        body={"requests": [{"addSheet": {"properties": {"title": "Extra"}}}, {"deleteSheet": {"sheetId": 999}}]},
    )

    # WHEN it is sent
    status, error = google.fail(request)

    # THEN 400 names the failing request and the first one was not applied either
    assert status == 400
    assert error["error"]["status"] == "INVALID_ARGUMENT"
    assert error["error"]["message"] == "Invalid requests[1].deleteSheet: No grid with id: 999"
    titles = google.run(sheets.spreadsheets().get(spreadsheetId=sid, fields="sheets.properties.title"))
    assert titles == {"sheets": [{"properties": {"title": "Sheet1"}}]}


@pytest.mark.parametrize(
    ("request_body", "message"),
    [
        ({"addSheet": {"properties": {"title": "Sheet1"}}}, 'A sheet with the name "Sheet1" already exists'),
        ({"deleteSheet": {"sheetId": 0}}, "You can't remove all the sheets in a document."),
        ({"sortRangeX": {}}, 'Unknown name "sortRangeX"'),
        ({"addChart": {}}, "the provider sandbox does not imitate addChart requests"),
        ({"updateSheetProperties": {"properties": {"sheetId": 0}}}, "At least one field must be specified"),
    ],
)
def test_batch_update_refuses_invalid_requests(
    google: "GoogleApis", sheets: Any, request_body: dict[str, Any], message: str
) -> None:
    # GIVEN a spreadsheet and an invalid (or not imitated) request
    sid = create(google, sheets, {})["spreadsheetId"]

    # WHEN the request is sent THEN 400 explains it
    status, error = google.fail(sheets.spreadsheets().batchUpdate(spreadsheetId=sid, body={"requests": [request_body]}))
    assert status == 400
    assert message in error["error"]["message"]


def test_update_cells_and_append_cells_store_typed_values(
    google: "GoogleApis", sheets: Any, sandbox: ProviderSandbox
) -> None:
    # GIVEN a spreadsheet
    sid = create(google, sheets, {})["spreadsheetId"]
    row = {
        "values": [
            {"userEnteredValue": {"stringValue": "=1+1"}},
            {"userEnteredValue": {"formulaValue": "=1+1"}},
            {"userEnteredValue": {"numberValue": 2.5}},
            {"userEnteredValue": {"boolValue": False}},
        ]
    }

    # WHEN cells are written at B2 and a row is appended after the last row with data
    batch(
        google,
        sheets,
        sid,
        {
            "updateCells": {
                "rows": [row],
                "fields": "userEnteredValue",
                "start": {"sheetId": 0, "rowIndex": 1, "columnIndex": 1},
            }
        },
        {
            "appendCells": {
                "sheetId": 0,
                "rows": [{"values": [{"userEnteredValue": {"stringValue": "next"}}]}],
                "fields": "*",
            }
        },
    )

    # THEN a stringValue stays text, a formulaValue is a formula, and the appended row follows
    assert sandbox.sheets.read_grid(sid, 0) == [[], [None, "=1+1", 2, 2.5, False], ["next"]]
    assert sandbox.sheets.formula_cells(sid, "Sheet1") == {"C2": "=1+1"}


def test_insert_and_delete_dimension_shift_cells(google: "GoogleApis", sheets: Any, sandbox: ProviderSandbox) -> None:
    # GIVEN values in A1:B2
    sid = create(google, sheets, {})["spreadsheetId"]
    sandbox.sheets.set_cells(sid, "Sheet1!A1", [["a", "b"], ["c", "d"]])

    # WHEN a row is inserted at the top and column A deleted
    batch(
        google,
        sheets,
        sid,
        {"insertDimension": {"range": {"sheetId": 0, "dimension": "ROWS", "startIndex": 0, "endIndex": 1}}},
        {"deleteDimension": {"range": {"sheetId": 0, "dimension": "COLUMNS", "startIndex": 0, "endIndex": 1}}},
    )
    props = google.run(sheets.spreadsheets().get(spreadsheetId=sid, fields="sheets.properties.gridProperties"))

    # THEN the values moved down one row and left one column, and the grid changed size
    assert sandbox.sheets.read_grid(sid, "Sheet1") == [[], ["b"], ["d"]]
    assert props["sheets"][0]["properties"]["gridProperties"] == {"rowCount": 1001, "columnCount": 25}


def test_data_validation_and_protected_ranges_are_stored_and_shown(
    google: "GoogleApis", sheets: Any, sandbox: ProviderSandbox
) -> None:
    # GIVEN a status list on B2:B3 and a warning-only protected header row
    sid = create(google, sheets, {})["spreadsheetId"]
    rule = {"condition": {"type": "ONE_OF_LIST", "values": [{"userEnteredValue": "Sent"}]}, "showCustomUi": True}
    replies = batch(
        google,
        sheets,
        sid,
        {
            "setDataValidation": {
                "range": {
                    "sheetId": 0,
                    "startRowIndex": 1,
                    "endRowIndex": 3,
                    "startColumnIndex": 1,
                    "endColumnIndex": 2,
                },
                "rule": rule,
            }
        },
        {
            "addProtectedRange": {
                "protectedRange": {
                    "range": {"sheetId": 0, "startRowIndex": 0, "endRowIndex": 1},
                    "description": "Header",
                    "warningOnly": True,
                }
            }
        },
    )["replies"]

    # WHEN the spreadsheet is read with grid data
    got = google.run(
        sheets.spreadsheets().get(
            spreadsheetId=sid, ranges=["Sheet1!B2"], fields="sheets(protectedRanges,data.rowData.values.dataValidation)"
        )
    )

    # THEN the rule is on the cells, and the protected range is listed with its id
    protected = replies[1]["addProtectedRange"]["protectedRange"]
    assert protected["warningOnly"] is True
    # (zero start indexes are left out, as in Google's proto3 JSON)
    assert protected["range"] == {"sheetId": 0, "endRowIndex": 1}
    sheet = got["sheets"][0]
    assert sheet["data"][0]["rowData"][0]["values"][0]["dataValidation"] == rule
    assert sheet["protectedRanges"][0]["protectedRangeId"] == protected["protectedRangeId"]
    assert set(sandbox.sheets.data_validation(sid, 0)) == {"B2", "B3"}
    assert sandbox.sheets.protected_ranges(sid, 0)[0]["a1"] == "Sheet1!1:1"


def test_set_data_validation_refuses_an_empty_list(google: "GoogleApis", sheets: Any) -> None:
    # GIVEN a ONE_OF_LIST rule without values
    sid = create(google, sheets, {})["spreadsheetId"]
    rule = {"condition": {"type": "ONE_OF_LIST"}}
    request = {"setDataValidation": {"range": {"sheetId": 0, "startRowIndex": 0, "endRowIndex": 1}, "rule": rule}}

    # WHEN it is sent THEN it is refused
    status, error = google.fail(sheets.spreadsheets().batchUpdate(spreadsheetId=sid, body={"requests": [request]}))
    assert status == 400
    assert error["error"]["message"].startswith("Invalid requests[0].setDataValidation:")


def test_column_developer_metadata_follows_its_column_and_is_found_by_key(
    google: "GoogleApis", sheets: Any, sandbox: ProviderSandbox
) -> None:
    # GIVEN metadata on column C and project-private metadata on the spreadsheet
    sid = create(google, sheets, {})["spreadsheetId"]
    column = {"sheetId": 0, "dimension": "COLUMNS", "startIndex": 2, "endIndex": 3}
    replies = batch(
        google,
        sheets,
        sid,
        {
            "createDeveloperMetadata": {
                "developerMetadata": {
                    "metadataKey": "tracker.field",
                    "metadataValue": "status",
                    "location": {"dimensionRange": column},
                    "visibility": "DOCUMENT",
                }
            }
        },
        {
            "createDeveloperMetadata": {
                "developerMetadata": {
                    "metadataKey": "tracker.sync",
                    "location": {"spreadsheet": True},
                    "visibility": "PROJECT",
                }
            }
        },
    )["replies"]
    metadata_id = replies[0]["createDeveloperMetadata"]["developerMetadata"]["metadataId"]

    # WHEN the user inserts a column before it, and the app looks the metadata up
    sandbox.sheets.insert_columns(sid, "Sheet1", at_index=0)
    fetched = google.run(sheets.spreadsheets().developerMetadata().get(spreadsheetId=sid, metadataId=metadata_id))
    found = google.run(
        sheets.spreadsheets()
        .developerMetadata()
        .search(
            spreadsheetId=sid, body={"dataFilters": [{"developerMetadataLookup": {"metadataKey": "tracker.field"}}]}
        )
    )
    other_app = google.sheets(google.token("spreadsheets", client_id="another-app.apps.googleusercontent.com"))
    hidden = google.run(other_app.spreadsheets().get(spreadsheetId=sid, fields="developerMetadata"))

    # THEN it moved to column D, the search finds it, and PROJECT metadata stays with its project
    assert fetched["location"] == {
        "locationType": "COLUMN",
        "dimensionRange": {"sheetId": 0, "dimension": "COLUMNS", "startIndex": 3, "endIndex": 4},
    }
    assert [m["developerMetadata"]["metadataId"] for m in found["matchedDeveloperMetadata"]] == [metadata_id]
    assert hidden == {}


def test_a_renamed_tab_makes_ranges_with_the_old_title_unparseable(
    google: "GoogleApis", sheets: Any, sandbox: ProviderSandbox
) -> None:
    # GIVEN a tab the app reads by title
    sid = create(google, sheets, {"sheets": [{"properties": {"title": "Leads"}}]})["spreadsheetId"]
    sandbox.sheets.set_cells(sid, "Leads!A1", [["Name"]])

    # WHEN the user renames it
    sandbox.sheets.rename_tab(sid, "Leads", "Radio")

    # THEN the old range is 400 "Unable to parse range" and the sheetId still finds the tab
    status, error = google.fail(sheets.spreadsheets().values().get(spreadsheetId=sid, range="'Leads'!A1"))
    assert (status, error["error"]["message"]) == (400, "Unable to parse range: 'Leads'!A1")
    props = google.run(sheets.spreadsheets().get(spreadsheetId=sid, fields="sheets.properties(sheetId,title)"))
    assert props == {"sheets": [{"properties": {"sheetId": 0, "title": "Radio"}}]}
