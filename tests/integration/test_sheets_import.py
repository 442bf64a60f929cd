"""Bringing an existing sheet into Tracker: the proposal, the preview, the import, and what follows.

A new user's own sheet, as people keep them: her column names, statuses typed in any case, a blank row,
a formula in her Notes, no Campaign column. Her side is played through the sandbox's controls.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from local_stack.server import RunningStack
from provider_sandbox import Fault
from tests.support.api import LocalUser, card, connect, put_settings
from tests.support.sheets import SHEETS_HOST
from tracker_integrations import wiring
from tracker_integrations.config import get_settings
from tracker_integrations.providers.google.sheets.client import SheetsClient

TAB = "Sheet1"
TITLE = "My radio promo"
HEADERS = ["Name", "E-mail", "Station", "Status", "Notes", "Chased?"]
LINK = '=HYPERLINK("https://radiox.example/lauren","Lauren show page")'
ROWS: list[list[Any]] = [
    ["Annie Mac", "annie@radio1.example", "Radio 1", "sent", "", "yes"],
    ["Lauren Price", "Lauren@RadioX.example", "Radio X", "REPLIED", LINK, ""],
    [],  # a blank row between her contacts
    ["Tom Reid", "tom@amazing.example", "Amazing Radio", "Sent", "back Monday", "no"],
]


@dataclass
class ExistingSheet:
    user: LocalUser
    http: httpx.Client
    stack: RunningStack
    spreadsheet_id: str

    def post_import(self, body: dict[str, Any]) -> httpx.Response:
        return self.http.post("/api/integrations/google-sheets/import", headers=self.user.headers, json=body)

    def imported(self, body: dict[str, Any]) -> dict[str, Any]:
        response = self.post_import(body)
        assert response.status_code == 200, response.text
        return dict(response.json())

    def campaigns(self) -> list[dict[str, Any]]:
        return list(self.http.get("/api/campaigns", headers=self.user.headers).json()["campaigns"])

    def pitches(self, campaign_id: str) -> list[dict[str, Any]]:
        path = f"/api/campaigns/{campaign_id}/pitches"
        return list(self.http.get(path, headers=self.user.headers).json()["pitches"])

    def sync(self) -> dict[str, Any]:
        queued = self.http.post("/api/integrations/google-sheets/sync", headers=self.user.headers)
        assert queued.status_code == 202, queued.text
        self.stack.stack.run_queued_jobs()
        logs = self.http.get("/api/integrations/google-sheets/logs", headers=self.user.headers).json()["logs"]
        return dict(logs[0])

    def settings(self) -> dict[str, Any]:
        detail = self.http.get("/api/integrations/google-sheets", headers=self.user.headers).json()
        return dict(detail["settings"]["sheet"])

    def set(self, a1: str, value: str) -> None:
        self.stack.stack.sandbox.sheets.set_cells(self.spreadsheet_id, f"'{TAB}'!{a1}", [[value]])

    def formulas(self) -> dict[str, str]:
        return self.stack.stack.sandbox.sheets.formula_cells(self.spreadsheet_id, TAB)

    def grid(self) -> list[list[Any]]:
        return [list(r) for r in self.stack.stack.sandbox.sheets.read_grid(self.spreadsheet_id, TAB)]


def choose_sheet(
    http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack, rows: list[list[Any]]
) -> ExistingSheet:
    user = new_user("pro")
    login = f"{user.name}@example.com"
    assert connect(http, user, "google-sheets", login=login).connected
    workspace = stack.stack.sandbox.sheets
    spreadsheet_id = workspace.create_user_spreadsheet(login, TITLE, rows, tab=TAB)
    workspace.pick(login, spreadsheet_id, "local-google-client")
    chosen = put_settings(http, user, "google-sheets", {"spreadsheet_id": spreadsheet_id})
    assert chosen.status_code == 200, chosen.text
    return ExistingSheet(user, http, stack, spreadsheet_id)


@pytest.fixture
def her_sheet(http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack) -> ExistingSheet:
    return choose_sheet(http, new_user, stack, [HEADERS, *ROWS])


def test_a_new_users_sheet_is_proposed_previewed_and_imported_into_one_campaign(her_sheet: ExistingSheet) -> None:
    # GIVEN a new user with no campaigns who chose her own sheet
    assert her_sheet.campaigns() == []
    # WHEN the first sync runs THEN it proposes the import instead of refusing her rows
    log = her_sheet.sync()
    assert log["records_created"] == 0
    shown = card(her_sheet.http, her_sheet.user, "google-sheets")
    assert shown["status"] == "connected"
    assert shown["last_error"]["code"] == "import_proposed"
    assert "3 rows that are not in Tracker yet" in shown["last_error"]["message"]
    assert "Preview the import" in shown["last_error"]["action"]
    assert her_sheet.campaigns() == []
    # WHEN she previews the import into a new campaign THEN each row says what it would do, and nothing changes
    preview = her_sheet.imported({"dry_run": True, "campaign": {}})
    assert (preview["created"], preview["updated"], preview["skipped"]) == (3, 0, 1)
    by_row = {r["row"]: r for r in preview["rows"]}
    assert (by_row[3]["action"], by_row[3]["contact"]) == ("created", "Lauren Price")
    assert by_row[4] == {**by_row[4], "action": "skipped", "reason": "row 4 is blank"}
    assert preview["campaigns"] == [
        {"title": f"{TITLE} — {TAB}", "campaign_id": None, "created": True, "rows": 3},
    ]
    assert her_sheet.campaigns() == []
    # WHEN she imports
    result = her_sheet.imported({"campaign": {}})
    # THEN one campaign holds one pitch per contact, statuses read whatever their case
    (campaign,) = her_sheet.campaigns()
    assert campaign["title"] == f"{TITLE} — {TAB}"
    pitches = {p["email"]: p for p in her_sheet.pitches(campaign["campaign_id"])}
    assert {e: p["status"] for e, p in pitches.items()} == {
        "annie@radio1.example": "sent",
        "lauren@radiox.example": "replied",
        "tom@amazing.example": "sent",
    }
    assert pitches["lauren@radiox.example"]["notes"] == "Lauren show page"  # what her formula shows
    assert result["created"] == 3
    # AND her rows carry their Tracker IDs, her formula and her own column untouched
    grid = her_sheet.grid()
    ids = {str(row[-1]) for row in grid[1:] if len(row) == len(HEADERS) + 1}
    assert ids == {p["pitch_id"] for p in pitches.values()}
    assert her_sheet.formulas() == {"E3": LINK}
    assert grid[1][5] == "yes"
    # AND a second import creates nothing, and the sync goes on by itself
    again = her_sheet.imported({"campaign": {}})
    assert (again["created"], again["updated"]) == (0, 0)
    assert len(her_sheet.campaigns()) == 1
    assert len(her_sheet.pitches(campaign["campaign_id"])) == 3
    after = her_sheet.sync()
    assert after["outcome"] == "success", after
    assert card(her_sheet.http, her_sheet.user, "google-sheets")["last_error"] is None


def test_rows_without_a_campaign_name_the_row_and_what_to_do(her_sheet: ExistingSheet) -> None:
    # GIVEN her sheet with no Campaign column WHEN she previews without choosing a campaign
    preview = her_sheet.imported({"dry_run": True})
    # THEN every contact row is skipped, naming the row and the two ways to place it
    assert preview["created"] == 0
    reasons = {r["row"]: r["reason"] for r in preview["rows"]}
    assert reasons[2] == "row 2 has no campaign: add a Campaign column or choose a campaign for the import"
    assert reasons[5].startswith("row 5 has no campaign")


def test_a_campaign_column_places_rows_creates_missing_campaigns_and_matches_by_email(
    http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack
) -> None:
    # GIVEN a sheet with a Campaign column, and Tracker already holding Annie in "Autumn push"
    rows = [
        ["Campaign", "Name", "Email", "Status"],
        ["Autumn push", "Annie Mac", "ANNIE@radio1.example", "Interested"],
        ["Spring tour", "Jo Whiley", "jo@radio2.example", "sent"],
        ["", "Nobody", "nobody@x.example", "sent"],
    ]
    sheet = choose_sheet(http, new_user, stack, rows)
    autumn = http.post("/api/campaigns", headers=sheet.user.headers, json={"title": "Autumn push"}).json()
    annie = http.post(
        f"/api/campaigns/{autumn['campaign_id']}/pitches",
        headers=sheet.user.headers,
        json={"email": "annie@radio1.example", "contact_name": "Annie Mac", "status": "sent"},
    ).json()
    # WHEN she imports
    result = sheet.imported({})
    # THEN Annie's row updates her pitch (matched by e-mail), Jo's creates "Spring tour", the third names its cell
    by_row = {r["row"]: r for r in result["rows"]}
    assert (by_row[2]["action"], by_row[2]["pitch_id"]) == ("updated", annie["pitch_id"])
    assert "status from the row" in by_row[2]["reason"]
    assert by_row[3]["action"] == "created"
    assert by_row[4]["reason"] == (
        "row 4 has no campaign: fill in its Campaign cell or choose a campaign for the import"
    )
    titles = sorted(c["title"] for c in sheet.campaigns())
    assert titles == ["Autumn push", "Spring tour"]
    assert [p["status"] for p in sheet.pitches(autumn["campaign_id"])] == ["interested"]
    # AND importing again duplicates nothing
    again = sheet.imported({})
    assert (again["created"], again["updated"]) == (0, 0)
    assert len(sheet.pitches(autumn["campaign_id"])) == 1


def test_import_is_offered_where_an_import_exists_and_its_body_is_checked(her_sheet: ExistingSheet) -> None:
    response = her_sheet.http.post("/api/integrations/mailchimp/import", headers=her_sheet.user.headers, json={})
    assert response.status_code == 404
    assert "Import is offered for airtable, google-sheets" in response.json()["error"]["message"]
    bad = her_sheet.post_import({"dry_run": True, "campaign": {"campaign_id": "cmp_nope"}})
    assert bad.status_code == 400
    assert "campaign.campaign_id" in bad.json()["error"]["message"]
    unknown = her_sheet.post_import({"dryrun": True})
    assert unknown.status_code == 400
    assert "dryrun" in unknown.json()["error"]["message"]


def test_a_formula_is_never_overwritten_and_tracker_keeps_its_own_value(her_sheet: ExistingSheet) -> None:
    # GIVEN her imported sheet, whose Notes cell for Lauren holds a formula
    her_sheet.imported({"campaign": {}})
    her_sheet.sync()
    (campaign,) = her_sheet.campaigns()
    lauren = next(p for p in her_sheet.pitches(campaign["campaign_id"]) if p["contact_name"] == "Lauren Price")
    # WHEN Tracker changes Lauren's notes
    changed = her_sheet.http.patch(
        f"/api/campaigns/{campaign['campaign_id']}/pitches/{lauren['pitch_id']}",
        headers=her_sheet.user.headers,
        json={"version": lauren["version"], "notes": "called, loves it"},
    )
    assert changed.status_code == 200, changed.text
    log = her_sheet.sync()
    # THEN the formula stays, Tracker keeps its notes, and the conflict names the cell
    assert her_sheet.formulas() == {"E3": LINK}
    assert log["conflicts"] == 1
    (conflict,) = log["conflict_details"]
    assert (conflict["where"], conflict["field"]) == (f"'{TAB}'!E3", "pitch.notes")
    assert "holds a formula" in conflict["note"]
    shown = card(her_sheet.http, her_sheet.user, "google-sheets")
    assert "The sheet's formula wins in 'Sheet1'!E3" in shown["last_error"]["message"]
    # AND later syncs, even after she edits another cell of that row, neither write over it nor undo Tracker's notes
    her_sheet.set("D3", "Interested")
    later = her_sheet.sync()
    assert later["conflicts"] == 0
    assert her_sheet.formulas() == {"E3": LINK}
    path = f"/api/campaigns/{campaign['campaign_id']}/pitches/{lauren['pitch_id']}"
    now = her_sheet.http.get(path, headers=her_sheet.user.headers).json()
    assert (now["notes"], now["status"]) == ("called, loves it", "interested")
    # AND when her formula shows something new, Tracker takes it
    her_sheet.set("E3", '=HYPERLINK("https://radiox.example/lauren","New show page")')
    her_sheet.sync()
    assert her_sheet.http.get(path, headers=her_sheet.user.headers).json()["notes"] == "New show page"


def test_the_mapping_follows_the_sheets_columns(her_sheet: ExistingSheet) -> None:
    # GIVEN her imported sheet
    her_sheet.imported({"campaign": {}})
    her_sheet.sync()
    headers = [str(h) for h in her_sheet.grid()[0]]
    assert "Chased?" in her_sheet.settings()["unmapped_headers"]
    # WHEN she adds a Campaign column and a column of her own
    width = len(headers)
    letter = chr(ord("A") + width)
    her_sheet.set(f"{letter}1", "Campaign")
    her_sheet.set(f"{chr(ord(letter) + 1)}1", "Mood")
    log = her_sheet.sync()
    # THEN Campaign is mapped (and filled in by Tracker); Mood is offered, unmapped
    assert log["outcome"] == "success", log
    settings = her_sheet.settings()
    assert ("Campaign", "campaign.title") in {(c["header"], c["field"]) for c in settings["mapping"]["columns"]}
    assert "Mood" in settings["unmapped_headers"]
    assert {str(r[width]) for r in her_sheet.grid()[1:] if len(r) > width} == {f"{TITLE} — {TAB}"}
    # WHEN she removes her Mood column THEN it is no longer offered
    her_sheet.stack.stack.sandbox.sheets.delete_columns(her_sheet.spreadsheet_id, TAB, at_index=width + 1)
    her_sheet.sync()
    assert "Mood" not in her_sheet.settings()["unmapped_headers"]
    # WHEN she renames a mapped column THEN the sync stops, offering the renamed column for mapping
    her_sheet.set("C1", "Radio station")
    stopped = her_sheet.sync()
    assert stopped["outcome"] == "failed"
    assert "Radio station" in her_sheet.settings()["unmapped_headers"]
    action = card(her_sheet.http, her_sheet.user, "google-sheets")["last_error"]["action"]
    assert "Rename the column back to 'Station'" in action
    assert "'Radio station'" in action
    # AND once she renames it back, the sync goes on and nothing is offered in its place
    her_sheet.set("C1", "Station")
    assert her_sheet.sync()["outcome"] == "success"
    assert "Radio station" not in her_sheet.settings()["unmapped_headers"]


def test_a_new_row_after_the_import_joins_the_imported_campaign(her_sheet: ExistingSheet) -> None:
    her_sheet.imported({"campaign": {"title": "Radio push"}})
    her_sheet.sync()
    her_sheet.stack.stack.sandbox.sheets.append_rows(
        her_sheet.spreadsheet_id, TAB, [["Jo Whiley", "jo@radio2.example", "Radio 2", "sent"]]
    )
    log = her_sheet.sync()
    assert (log["outcome"], log["records_created"]) == ("success", 1)
    (campaign,) = her_sheet.campaigns()
    assert "jo@radio2.example" in {p["email"] for p in her_sheet.pitches(campaign["campaign_id"])}


def test_a_new_row_with_no_campaign_to_join_names_its_row(
    http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack
) -> None:
    # GIVEN a synced sheet with no Campaign column and no import campaign, and two campaigns in Tracker
    sheet = choose_sheet(http, new_user, stack, [["Name", "Email", "Status"]])
    for title in ("One", "Two"):
        http.post("/api/campaigns", headers=sheet.user.headers, json={"title": title})
    sheet.sync()
    stack.stack.sandbox.sheets.append_rows(sheet.spreadsheet_id, TAB, [["Jo", "jo@radio2.example", "Sent"]])
    # WHEN it syncs THEN the error names the row and the missing piece, not an unrelated cell
    log = sheet.sync()
    (error,) = log["errors"]
    assert error["message"] == (
        "New row not added: row 2 has no campaign: add a Campaign column or choose a campaign for the import."
    )
    assert error["where"] == f"'{TAB}'!2:2"


def test_the_syncs_one_read_gives_the_values_the_formulas_and_the_sheets_locale(
    http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack
) -> None:
    # GIVEN a sheet with text, a number, a date, a boolean, a computed formula and one Google cannot compute
    rows = [
        ["Name", "Email", "Sent", "Count", "Done", "Sum", "Broken"],
        ["Annie", "annie@x.example", "2026-03-05", "1,234", "TRUE", "=1+2", "=LEN(A2)"],
        [],
        ["Tom", "tom@x.example", "", "7", "", "", ""],
    ]
    sheet = choose_sheet(http, new_user, stack, rows)
    stack.stack.sandbox.sheets.set_locale(sheet.spreadsheet_id, "en_GB", "Europe/London")
    connection = wiring.integrations_store().get_connection(sheet.user.name, "google-sheets")
    assert connection is not None
    access = wiring.token_service().current_tokens(connection).access_token.get_secret_value()
    # WHEN the sync's client reads the tab
    client = SheetsClient(get_settings(), access)
    tab = client.read_tab(sheet.spreadsheet_id, TAB)
    # THEN it took one call, and the values are unformatted, dates as the sheet shows them, trimmed as values.get
    assert client.calls["read"] == 1
    assert str(tab.rows[1][2]) == "2026-03-05"
    assert tab.rows[1][3:6] == [1234, True, 3]
    assert tab.rows[2] == []
    assert tab.rows[3] == ["Tom", "tom@x.example", "", 7]
    # AND the formulas are where the sheet has them, beside how the sheet reads dates
    assert tab.formulas == {(1, 5), (1, 6)}
    assert (tab.locale, tab.time_zone) == ("en_GB", "Europe/London")


def test_an_import_google_refuses_says_what_to_do_as_a_sync_does(her_sheet: ExistingSheet) -> None:
    # GIVEN her sheet, whose import was proposed, and then a Workspace policy blocking Tracker (403 domainPolicy)
    her_sheet.sync()
    policy = Fault(host=SHEETS_HOST, method="GET", status=403, reason="domainPolicy")
    her_sheet.stack.stack.sandbox.inject_fault(policy)
    # WHEN she previews the import THEN the answer names the policy and who can lift it
    preview = her_sheet.post_import({"dry_run": True, "campaign": {}})
    assert preview.status_code == 400, preview.text
    assert "administrator" in preview.json()["error"]["message"]
    # WHEN she imports (the policy still in force)
    her_sheet.stack.stack.sandbox.inject_fault(policy)
    response = her_sheet.post_import({"campaign": {}})
    # THEN nothing is imported, and the answer and the card name the policy and who can lift it
    assert response.status_code == 400, response.text
    assert "Workspace policy" in response.json()["error"]["message"]
    shown = card(her_sheet.http, her_sheet.user, "google-sheets")
    assert shown["last_error"]["code"] == "google_refused"
    assert "administrator" in shown["last_error"]["action"]
    assert her_sheet.campaigns() == []
