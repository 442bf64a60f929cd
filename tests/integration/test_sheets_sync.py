"""Google Sheets two-way sync end to end: API -> queue -> worker -> sandbox, and back.

The user's side is played through the sandbox's control API (edit cells, sort, move, rename,
delete), exactly as someone in the spreadsheet would; Tracker's side through the public API.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from local_stack.server import RunningStack
from tests.support.api import LocalUser, card, connect, put_settings
from tests.support.sheets import HEADERS, SheetsUser, make_sheets_user, user_with_own_spreadsheet


@pytest.fixture
def sheets_user(http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack) -> SheetsUser:
    return make_sheets_user(http, new_user, stack)


def test_a_new_spreadsheet_is_laid_out_for_tracker(sheets_user: SheetsUser) -> None:
    # GIVEN a spreadsheet created through the API
    workspace = sheets_user.sandbox.sheets
    # THEN it has the header row, the sync's id column, a frozen header and a status list
    assert [str(h) for h in sheets_user.grid()[0]] == HEADERS
    assert workspace.frozen_rows(sheets_user.spreadsheet_id, sheets_user.tab) == 1
    assert workspace.data_validation(sheets_user.spreadsheet_id, sheets_user.tab)
    assert workspace.protected_ranges(sheets_user.spreadsheet_id, sheets_user.tab)
    # AND the card and settings name it
    detail = sheets_user.http.get("/api/integrations/google-sheets", headers=sheets_user.user.headers).json()
    assert detail["settings"]["sheet"]["target"]["spreadsheet_name"] == "Radio promo Q4"


def test_tracker_pitches_appear_as_rows_with_one_read_and_one_write(sheets_user: SheetsUser) -> None:
    # GIVEN two pitches in Tracker
    annie = sheets_user.pitch(status="sent")
    bob = sheets_user.pitch(email="bob@blog.example", contact_name="Bob", outlet="Blog")
    before = sheets_user.sheets_calls()
    # WHEN the user syncs
    log = sheets_user.sync()
    # THEN both are rows, with their campaign beside them and their Tracker ID
    rows = sheets_user.rows_by_id()
    assert rows[annie["pitch_id"]]["Contact"] == "Annie Mac"
    assert rows[annie["pitch_id"]]["Status"] == "Sent"
    assert rows[annie["pitch_id"]]["Campaign"] == "Autumn radio push"
    assert rows[bob["pitch_id"]]["Email"] == "bob@blog.example"
    # AND the run cost one read and one write, plus (first run only) opening the Drive push channel; the log says so
    assert sheets_user.sheets_calls() - before == 2
    assert (log["outcome"], log["records_created"], log["provider_calls"]) == ("success", 2, 3)
    shown = card(sheets_user.http, sheets_user.user, "google-sheets")
    assert shown["records_synced"] == 2
    assert shown["last_sync_at"] is not None


def test_a_sync_with_no_changes_reads_once_and_writes_nothing(sheets_user: SheetsUser) -> None:
    sheets_user.pitch()
    sheets_user.sync()
    before, writes_before = sheets_user.sheets_calls(), sheets_user.sheets_calls("POST")
    log = sheets_user.sync()
    assert sheets_user.sheets_calls() - before == 1
    assert sheets_user.sheets_calls("POST") == writes_before
    assert (log["records_unchanged"], log["records_updated"], log["records_created"]) == (1, 0, 0)


def test_an_edit_in_the_sheet_reaches_tracker_and_does_not_echo(sheets_user: SheetsUser) -> None:
    # GIVEN a synced pitch
    pitch = sheets_user.pitch(status="sent")
    sheets_user.sync()
    # WHEN the VA marks it replied in the sheet
    row = sheets_user.row_number(pitch["pitch_id"])
    sheets_user.sandbox.sheets.set_cells(sheets_user.spreadsheet_id, f"'{sheets_user.tab}'!H{row}", [["Replied"]])
    log = sheets_user.sync()
    # THEN Tracker knows
    assert sheets_user.get_pitch(pitch["pitch_id"])["status"] == "replied"
    assert log["records_updated"] == 1
    # AND the next sync finds nothing to do on either side (our own write is not a change)
    before = sheets_user.sheets_calls()
    again = sheets_user.sync()
    assert sheets_user.sheets_calls() - before == 1
    assert again["records_updated"] == 0


def test_sorting_moving_and_reordering_columns_break_nothing(sheets_user: SheetsUser) -> None:
    # GIVEN three synced pitches
    pitches = [sheets_user.pitch(email=f"c{n}@x.example", contact_name=f"Contact {n}") for n in range(3)]
    sheets_user.sync()
    workspace = sheets_user.sandbox.sheets
    # WHEN the user sorts by contact descending, moves a row and moves the Status column to the front
    workspace.sort_rows(sheets_user.spreadsheet_id, sheets_user.tab, column_index=2, descending=True)
    workspace.move_rows(sheets_user.spreadsheet_id, sheets_user.tab, from_index=1, count=1, to_index=3)
    workspace.move_columns(sheets_user.spreadsheet_id, sheets_user.tab, from_index=7, count=1, to_index=0)
    # AND edits the middle pitch's status wherever it now is
    target = pitches[1]["pitch_id"]
    row = sheets_user.row_number(target)
    workspace.set_cells(sheets_user.spreadsheet_id, f"'{sheets_user.tab}'!A{row}", [["Interested"]])
    # AND Tracker changes another pitch's outlet
    other = pitches[2]
    sheets_user.http.patch(
        f"/api/campaigns/{sheets_user.campaign['campaign_id']}/pitches/{other['pitch_id']}",
        headers=sheets_user.user.headers,
        json={"version": other["version"], "outlet": "6 Music"},
    )
    log = sheets_user.sync()
    # THEN the right pitch changed in Tracker and the right row in the sheet
    assert log["outcome"] == "success", log
    assert sheets_user.get_pitch(target)["status"] == "interested"
    assert sheets_user.get_pitch(pitches[0]["pitch_id"])["status"] == "pending"
    rows = sheets_user.rows_by_id()
    assert rows[other["pitch_id"]]["Outlet"] == "6 Music"
    assert rows[target]["Status"] == "Interested"
    assert len(rows) == 3


def test_a_renamed_header_stops_writes_and_names_the_column(sheets_user: SheetsUser) -> None:
    pitch = sheets_user.pitch()
    sheets_user.sync()
    sheets_user.sandbox.sheets.set_cells(sheets_user.spreadsheet_id, f"'{sheets_user.tab}'!H1", [["Pitch state"]])
    sheets_user.http.patch(
        f"/api/campaigns/{sheets_user.campaign['campaign_id']}/pitches/{pitch['pitch_id']}",
        headers=sheets_user.user.headers,
        json={"version": 1, "status": "sent"},
    )
    posts_before = sheets_user.sheets_calls("POST")
    log = sheets_user.sync()
    assert log["outcome"] == "failed"
    assert sheets_user.sheets_calls("POST") == posts_before  # nothing written: no shifted values
    shown = card(sheets_user.http, sheets_user.user, "google-sheets")
    assert shown["status"] == "error"
    assert "Column 'Status'" in shown["last_error"]["message"]
    assert "Rename the column back to 'Status'" in shown["last_error"]["action"]


def test_a_duplicated_header_stops_writes(sheets_user: SheetsUser) -> None:
    sheets_user.pitch()
    sheets_user.sync()
    sheets_user.sandbox.sheets.set_cells(sheets_user.spreadsheet_id, f"'{sheets_user.tab}'!M1", [["Status"]])
    log = sheets_user.sync()
    assert log["outcome"] == "failed"
    assert (
        "appears more than once" in card(sheets_user.http, sheets_user.user, "google-sheets")["last_error"]["message"]
    )


def test_a_new_row_in_the_sheet_creates_a_pitch_and_gets_its_id(sheets_user: SheetsUser) -> None:
    sheets_user.pitch()
    sheets_user.sync()
    sheets_user.sandbox.sheets.append_rows(
        sheets_user.spreadsheet_id,
        sheets_user.tab,
        [["Autumn radio push", "", "Jo Whiley", "jo@radio.example", "Radio 2", "", "", "Sent"]],
    )
    log = sheets_user.sync()
    assert log["records_created"] == 1
    pitches = sheets_user.http.get(
        f"/api/campaigns/{sheets_user.campaign['campaign_id']}/pitches", headers=sheets_user.user.headers
    ).json()["pitches"]
    jo = next(p for p in pitches if p["email"] == "jo@radio.example")
    assert jo["status"] == "sent"
    rows = sheets_user.rows_by_id()
    assert jo["pitch_id"] in rows
    assert rows[jo["pitch_id"]]["Artist"] == "The Lanterns"  # Tracker's own columns filled in
    # AND the next sync does not create it again
    assert sheets_user.sync()["records_created"] == 0


def test_invalid_cells_are_reported_by_reference_and_the_rest_syncs(sheets_user: SheetsUser) -> None:
    first = sheets_user.pitch()
    second = sheets_user.pitch(email="b@x.example", contact_name="B")
    sheets_user.sync()
    workspace = sheets_user.sandbox.sheets
    row = sheets_user.row_number(first["pitch_id"])
    workspace.set_cells(sheets_user.spreadsheet_id, f"'{sheets_user.tab}'!H{row}", [["Maybe later"]])
    workspace.set_cells(sheets_user.spreadsheet_id, f"'{sheets_user.tab}'!D{row}", [["not-an-email"]])
    other_row = sheets_user.row_number(second["pitch_id"])
    workspace.set_cells(sheets_user.spreadsheet_id, f"'{sheets_user.tab}'!E{other_row}", [["NTS"]])
    log = sheets_user.sync()
    assert log["outcome"] == "partial"
    where = {e["where"] for e in log["errors"]}
    assert where == {f"'{sheets_user.tab}'!H{row}", f"'{sheets_user.tab}'!D{row}"}
    assert sheets_user.get_pitch(second["pitch_id"])["outlet"] == "NTS"
    assert sheets_user.get_pitch(first["pitch_id"])["status"] == "pending"
    shown = card(sheets_user.http, sheets_user.user, "google-sheets")
    assert "could not be synced" in shown["last_error"]["message"]


def test_text_that_looks_like_a_formula_stays_text(sheets_user: SheetsUser) -> None:
    pitch = sheets_user.pitch(notes='=HYPERLINK("http://evil.example","click")', subject="+44 new single")
    sheets_user.sync()
    row = sheets_user.rows_by_id()[pitch["pitch_id"]]
    assert row["Notes"] == '=HYPERLINK("http://evil.example","click")'
    assert row["Subject"] == "+44 new single"
    assert not sheets_user.sandbox.sheets.formula_cells(sheets_user.spreadsheet_id, sheets_user.tab)


def test_unmapped_columns_and_their_formulas_are_never_touched(sheets_user: SheetsUser) -> None:
    pitch = sheets_user.pitch()
    sheets_user.sync()
    workspace = sheets_user.sandbox.sheets
    row = sheets_user.row_number(pitch["pitch_id"])
    workspace.set_cells(sheets_user.spreadsheet_id, f"'{sheets_user.tab}'!M1:M{row}", [["My notes"], ["=LEN(C2)"]])
    sheets_user.pitch(email="new@x.example")
    sheets_user.http.patch(
        f"/api/campaigns/{sheets_user.campaign['campaign_id']}/pitches/{pitch['pitch_id']}",
        headers=sheets_user.user.headers,
        json={"version": 1, "status": "sent"},
    )
    sheets_user.sync()
    assert workspace.formula_cells(sheets_user.spreadsheet_id, sheets_user.tab) == {f"M{row}": "=LEN(C2)"}


def test_a_deleted_row_waits_for_approval_and_approval_deletes_the_pitch(sheets_user: SheetsUser) -> None:
    keep = [sheets_user.pitch(email=f"k{n}@x.example") for n in range(5)]
    gone = sheets_user.pitch(email="gone@x.example")
    sheets_user.sync()
    workspace = sheets_user.sandbox.sheets
    workspace.delete_rows(
        sheets_user.spreadsheet_id, sheets_user.tab, at_index=sheets_user.row_number(gone["pitch_id"]) - 1
    )
    log = sheets_user.sync()
    # THEN the pitch is still in Tracker, waiting for approval
    assert log["pending_deletions"] == 1
    assert sheets_user.get_pitch(gone["pitch_id"])["pitch_id"] == gone["pitch_id"]
    pending = sheets_user.http.get(
        "/api/integrations/google-sheets/pending-deletions", headers=sheets_user.user.headers
    ).json()["pending_deletions"]
    assert [p["record_id"] for p in pending] == [gone["pitch_id"]]
    # WHEN approved THEN it is deleted in Tracker and not re-added to the sheet
    decided = sheets_user.http.post(
        f"/api/integrations/google-sheets/pending-deletions/{gone['pitch_id']}",
        headers=sheets_user.user.headers,
        json={"decision": "approve"},
    )
    assert decided.status_code == 200, decided.text
    assert decided.json()["pending_deletions"] == []
    path = f"/api/campaigns/{sheets_user.campaign['campaign_id']}/pitches/{gone['pitch_id']}"
    assert sheets_user.http.get(path, headers=sheets_user.user.headers).status_code == 404
    sheets_user.sync()
    assert set(sheets_user.rows_by_id()) == {p["pitch_id"] for p in keep}


def test_a_rejected_deletion_puts_the_row_back(sheets_user: SheetsUser) -> None:
    pitches = [sheets_user.pitch(email=f"p{n}@x.example") for n in range(6)]
    sheets_user.sync()
    victim = pitches[0]["pitch_id"]
    sheets_user.sandbox.sheets.delete_rows(
        sheets_user.spreadsheet_id, sheets_user.tab, at_index=sheets_user.row_number(victim) - 1
    )
    sheets_user.sync()
    sheets_user.http.post(
        f"/api/integrations/google-sheets/pending-deletions/{victim}",
        headers=sheets_user.user.headers,
        json={"decision": "reject"},
    )
    sheets_user.sync()
    assert victim in sheets_user.rows_by_id()


def test_a_sync_that_would_remove_many_records_stops_and_asks(sheets_user: SheetsUser) -> None:
    pitches = [sheets_user.pitch(email=f"m{n}@x.example") for n in range(10)]
    sheets_user.sync()
    sheets_user.sandbox.sheets.delete_rows(sheets_user.spreadsheet_id, sheets_user.tab, at_index=1, count=6)
    posts_before = sheets_user.sheets_calls("POST")
    log = sheets_user.sync()
    assert log["outcome"] == "failed"
    assert sheets_user.sheets_calls("POST") == posts_before
    shown = card(sheets_user.http, sheets_user.user, "google-sheets")
    assert "6 of 10 synced rows disappeared" in shown["last_error"]["message"]
    assert "approve the pending deletions" in shown["last_error"]["action"]
    assert all(sheets_user.get_pitch(p["pitch_id"])["pitch_id"] for p in pitches)


def test_a_conflict_is_won_by_tracker_and_logged_with_the_losing_value(sheets_user: SheetsUser) -> None:
    pitch = sheets_user.pitch(status="sent")
    sheets_user.sync()
    row = sheets_user.row_number(pitch["pitch_id"])
    sheets_user.sandbox.sheets.set_cells(
        sheets_user.spreadsheet_id, f"'{sheets_user.tab}'!H{row}", [["Not interested"]]
    )
    sheets_user.http.patch(
        f"/api/campaigns/{sheets_user.campaign['campaign_id']}/pitches/{pitch['pitch_id']}",
        headers=sheets_user.user.headers,
        json={"version": pitch["version"], "status": "interested"},
    )
    log = sheets_user.sync()
    assert log["conflicts"] == 1
    assert log["conflict_details"][0]["losing_value"] == "not_interested"
    assert sheets_user.rows_by_id()[pitch["pitch_id"]]["Status"] == "Interested"


def test_a_renamed_tab_is_found_again(sheets_user: SheetsUser) -> None:
    pitch = sheets_user.pitch()
    sheets_user.sync()
    sheets_user.sandbox.sheets.rename_tab(sheets_user.spreadsheet_id, sheets_user.tab, "Radio")
    sheets_user.http.patch(
        f"/api/campaigns/{sheets_user.campaign['campaign_id']}/pitches/{pitch['pitch_id']}",
        headers=sheets_user.user.headers,
        json={"version": 1, "status": "sent"},
    )
    log = sheets_user.sync()
    assert log["outcome"] == "success"
    sheets_user.tab = "Radio"
    assert sheets_user.rows_by_id()[pitch["pitch_id"]]["Status"] == "Sent"


@pytest.mark.parametrize(
    ("break_it", "code", "words"),
    [
        ("trash", "spreadsheet_unavailable", "can't be opened"),
        ("unshare", "spreadsheet_unavailable", "access to it was removed"),
        ("delete_tab", "tab_deleted", "was deleted"),
    ],
)
def test_a_removed_spreadsheet_or_tab_gives_a_clear_status_and_next_step(
    sheets_user: SheetsUser, break_it: str, code: str, words: str
) -> None:
    sheets_user.pitch()
    sheets_user.sync()
    workspace = sheets_user.sandbox.sheets
    if break_it == "trash":
        workspace.trash_spreadsheet(sheets_user.spreadsheet_id)
    elif break_it == "unshare":
        workspace.unshare(sheets_user.spreadsheet_id, "local-google-client")
    else:
        workspace.add_tab(sheets_user.spreadsheet_id, "Other")
        workspace.delete_tab(sheets_user.spreadsheet_id, sheets_user.tab)
    log = sheets_user.sync()
    assert log["outcome"] == "failed"
    shown = card(sheets_user.http, sheets_user.user, "google-sheets")
    assert shown["status"] == "error"
    assert shown["last_error"]["code"] == code
    assert words in shown["last_error"]["message"]
    assert shown["last_error"]["action"]


def test_choosing_an_existing_spreadsheet_needs_the_picker_and_maps_columns_by_name(
    http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack
) -> None:
    # GIVEN the user's own promo sheet in Drive, not yet shared with Tracker
    user, login, spreadsheet_id = user_with_own_spreadsheet(
        http, new_user, stack, "My radio promo", ["Name", "E-mail", "Station", "Status", "My own column"]
    )
    workspace = stack.stack.sandbox.sheets
    # WHEN they choose it without picking it THEN Tracker explains how to share it
    refused = put_settings(http, user, "google-sheets", {"spreadsheet_id": spreadsheet_id})
    assert refused.status_code == 400
    assert "file picker" in refused.json()["error"]["message"]
    # WHEN picked THEN columns are mapped by header name and the id column is added
    workspace.pick(login, spreadsheet_id, "local-google-client")
    chosen = put_settings(http, user, "google-sheets", {"spreadsheet_id": spreadsheet_id})
    assert chosen.status_code == 200, chosen.text
    mapping = chosen.json()["settings"]["sheet"]["mapping"]["columns"]
    assert {(c["header"], c["field"]) for c in mapping} == {
        ("Name", "pitch.contact_name"),
        ("E-mail", "pitch.email"),
        ("Station", "pitch.outlet"),
        ("Status", "pitch.status"),
    }
    assert [str(h) for h in workspace.read_grid(spreadsheet_id, 0)[0]][-1] == "Tracker ID"
    # AND the spreadsheet list shows it
    listed = http.get("/api/integrations/google-sheets/spreadsheets", headers=user.headers).json()
    assert spreadsheet_id in [s["spreadsheet_id"] for s in listed["spreadsheets"]]


def test_a_mapping_naming_a_missing_column_is_refused(sheets_user: SheetsUser) -> None:
    response = put_settings(
        sheets_user.http,
        sheets_user.user,
        "google-sheets",
        {"mapping": {"columns": [{"header": "Mood", "field": "pitch.notes"}]}},
    )
    assert response.status_code == 400
    assert "no column named 'Mood'" in response.json()["error"]["message"]


def test_sync_now_explains_what_is_missing(http: httpx.Client, new_user: Callable[[str], LocalUser]) -> None:
    user = new_user("pro")
    assert http.post("/api/integrations/google-sheets/sync", headers=user.headers).status_code == 404
    assert connect(http, user, "google-sheets").connected
    response = http.post("/api/integrations/google-sheets/sync", headers=user.headers)
    assert response.status_code == 400
    assert "choose or create a spreadsheet" in response.json()["error"]["message"]


def test_a_short_rate_limit_is_waited_out_within_the_run(sheets_user: SheetsUser) -> None:
    # GIVEN Google answering the next read with 429 and Retry-After: 1
    sheets_user.pitch()
    sheets_user.sandbox.inject_fault(sheets_user.sheet_fault(method="GET", status=429, retry_after=1, times=1))
    # WHEN the user syncs THEN the run waits a second, retries and succeeds: no failed run, no retry burnt
    log = sheets_user.sync()
    assert log["outcome"] == "success"
    assert log["records_created"] == 1


def test_a_long_rate_limit_requeues_the_job_with_a_delay_and_logs_a_failed_run(sheets_user: SheetsUser) -> None:
    # GIVEN Google asking to wait 120 s (longer than a run should sleep)
    sheets_user.pitch()
    sheets_user.sandbox.inject_fault(sheets_user.sheet_fault(method="GET", status=429, retry_after=120, times=1))
    before = sheets_user.stack.stack.queued_messages("SyncJobsQueue")
    # WHEN the user syncs
    queued = sheets_user.http.post("/api/integrations/google-sheets/sync", headers=sheets_user.user.headers)
    assert queued.status_code == 202
    handled = sheets_user.stack.stack.run_queued_jobs()
    # THEN the delivery is acknowledged, the job waits in the queue for the provider's 120 s,
    assert handled >= 1
    waiting = sheets_user.stack.stack.messages_queued_since("SyncJobsQueue", before)
    assert [(message.body["user_id"], message.delayed) for message in waiting] == [(sheets_user.user.name, True)]
    # AND the run is logged as failed, never as a success, with nothing for the user to do
    logs = sheets_user.http.get("/api/integrations/google-sheets/logs", headers=sheets_user.user.headers).json()["logs"]
    assert logs[0]["outcome"] == "failed"
    assert logs[0]["errors"][0]["code"] == "rate_limited"
    shown = card(sheets_user.http, sheets_user.user, "google-sheets")
    assert "tries again automatically" in shown["last_error"]["action"]
    sheets_user.stack.stack.purge_queues()


def test_a_fault_meant_for_one_users_sheet_is_not_taken_by_another_users_job_run_first(
    http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack
) -> None:
    # GIVEN another user's sync job waiting in the shared queue, queued before this user's
    other, mine = make_sheets_user(http, new_user, stack), make_sheets_user(http, new_user, stack)
    other.pitch()
    mine.pitch()
    assert http.post("/api/integrations/google-sheets/sync", headers=other.user.headers).status_code == 202
    # AND Google asking this user's spreadsheet reads to wait
    mine.sandbox.inject_fault(mine.sheet_fault(method="GET", status=429, retry_after=120, times=1))
    assert http.post("/api/integrations/google-sheets/sync", headers=mine.user.headers).status_code == 202
    # WHEN the worker runs both
    stack.stack.run_queued_jobs()
    # THEN the other user's run succeeds and this user's is the one held back by the wait
    assert other.logs()[0]["outcome"] == "success"
    assert mine.logs()[0]["errors"][0]["code"] == "rate_limited"
    stack.stack.purge_queues()


def test_a_repeated_sync_request_does_not_sync_twice(sheets_user: SheetsUser) -> None:
    # GIVEN three "sync now" clicks before the worker runs
    sheets_user.pitch()
    for _ in range(3):
        assert (
            sheets_user.http.post("/api/integrations/google-sheets/sync", headers=sheets_user.user.headers).status_code
            == 202
        )
    # WHEN the worker drains the queue
    sheets_user.stack.stack.run_queued_jobs()
    # THEN one run happened
    logs = sheets_user.http.get("/api/integrations/google-sheets/logs", headers=sheets_user.user.headers).json()["logs"]
    assert len(logs) == 1


def test_revoked_google_access_marks_the_card_needs_reauth(sheets_user: SheetsUser) -> None:
    sheets_user.pitch()
    sheets_user.sync()
    sheets_user.sandbox.revoke_user_grants(provider="google", login=f"{sheets_user.user.name}@example.com")
    sheets_user.sandbox.expire_access_tokens(provider="google")
    # The stored token still looks fresh to Tracker; Google answers 401: a reconnect, not a retry.
    log = sheets_user.sync()
    assert log["outcome"] == "failed"
    shown = card(sheets_user.http, sheets_user.user, "google-sheets")
    assert shown["status"] == "needs_reauth"
    assert "Reconnect Google Sheets" in shown["last_error"]["action"]


def test_an_access_token_google_expired_early_is_refreshed_once_and_the_sync_goes_on(sheets_user: SheetsUser) -> None:
    sheets_user.pitch()
    sheets_user.sync()
    sheets_user.sandbox.expire_access_tokens(provider="google")
    refreshes = sheets_user.sandbox.count(host="oauth2.googleapis.com", path="/token")
    log = sheets_user.sync()
    assert log["outcome"] == "success"
    assert sheets_user.sandbox.count(host="oauth2.googleapis.com", path="/token") == refreshes + 1
    assert card(sheets_user.http, sheets_user.user, "google-sheets")["status"] == "connected"


def test_a_deletion_decision_must_be_approve_or_reject(sheets_user: SheetsUser) -> None:
    response = sheets_user.http.post(
        "/api/integrations/google-sheets/pending-deletions/pit_x",
        headers=sheets_user.user.headers,
        json={"decision": "maybe"},
    )
    assert response.status_code == 400
    assert "decision" in response.json()["error"]["message"]
    missing = sheets_user.http.post(
        "/api/integrations/google-sheets/pending-deletions/pit_x",
        headers=sheets_user.user.headers,
        json={"decision": "approve"},
    )
    assert missing.status_code == 404


def test_the_sync_options_chosen_in_the_settings_decide_which_way_changes_flow(sheets_user: SheetsUser) -> None:
    # GIVEN a synced pitch, then "New campaigns → new rows" and "Sheet edits → update Tracker" turned off
    annie = sheets_user.pitch(status="sent")
    sheets_user.sync()
    options = {"new_records_to_rows": False, "tracker_updates_to_rows": True, "row_edits_to_tracker": False}
    saved = put_settings(sheets_user.http, sheets_user.user, "google-sheets", {"options": options})
    assert saved.status_code == 200, saved.text
    assert saved.json()["settings"]["sheet"]["options"] == options
    # WHEN a pitch is added in Tracker and Annie's status is edited in the sheet
    bob = sheets_user.pitch(email="bob@blog.example", contact_name="Bob")
    row = sheets_user.row_number(annie["pitch_id"])
    sheets_user.sandbox.sheets.set_cells(sheets_user.spreadsheet_id, f"'{sheets_user.tab}'!H{row}", [["Replied"]])
    log = sheets_user.sync()
    # THEN Bob gets no row, Tracker keeps Annie's status, and the row shows Tracker's value again
    assert log["outcome"] == "success", log
    rows = sheets_user.rows_by_id()
    assert bob["pitch_id"] not in rows
    assert sheets_user.get_pitch(annie["pitch_id"])["status"] == "sent"
    assert rows[annie["pitch_id"]]["Status"] == "Sent"
