"""A sync cut off midway is finished by the next run: nothing lost, nothing created twice.

The dangerous moment is between creating Tracker pitches for new sheet rows and writing their ids
back into the sheet. Two ways to be cut off there: the write fails (Google 500s) and the run ends
as a failure; or the worker is killed outright, leaving its lease held and no log at all.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest

from local_stack.server import RunningStack
from tests.support.api import LocalUser
from tests.support.sheets import HEADERS, SheetsUser, make_sheets_user
from tracker_integrations import wiring
from tracker_integrations.errors import SyncInProgress
from tracker_integrations.models.common import utcnow
from tracker_integrations.providers.google.sheets.client import SheetsClient
from tracker_integrations.store.leases import LeaseStore


class WorkerKilled(BaseException):
    """Stands for the Lambda runtime killing the process: no except clause sees it."""


@pytest.fixture
def sheets_user(http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack) -> SheetsUser:
    return make_sheets_user(http, new_user, stack)


def _type_new_rows(user: SheetsUser) -> list[str]:
    emails = ["first@radio.example", "second@radio.example"]
    rows = []
    for number, email in enumerate(emails, start=1):
        cells = {"Campaign": "Autumn radio push", "Contact": f"Contact {number}", "Email": email, "Status": "Sent"}
        rows.append([cells.get(header, "") for header in HEADERS])
    user.sandbox.sheets.append_rows(user.spreadsheet_id, user.tab, rows)
    return emails


def _pitches_by_email(user: SheetsUser) -> dict[str, list[dict[str, Any]]]:
    path = f"/api/campaigns/{user.campaign['campaign_id']}/pitches"
    found: dict[str, list[dict[str, Any]]] = {}
    for pitch in user.http.get(path, headers=user.user.headers).json()["pitches"]:
        found.setdefault(pitch["email"], []).append(pitch)
    return found


def _assert_each_row_once_with_its_pitch(user: SheetsUser, emails: list[str]) -> None:
    pitches = _pitches_by_email(user)
    rows = user.rows_by_id()
    for email in emails:
        assert len(pitches[email]) == 1, f"{email} is in Tracker {len(pitches[email])} times"
        assert rows[pitches[email][0]["pitch_id"]]["Email"] == email
    grid_emails = [row[HEADERS.index("Email")] for row in user.grid()[1:]]
    assert sorted(e for e in grid_emails if e in emails) == sorted(emails)


def test_a_run_whose_sheet_write_fails_is_finished_by_the_next_without_duplicates(sheets_user: SheetsUser) -> None:
    # GIVEN two rows typed into the sheet, and Google failing every write of the next run
    emails = _type_new_rows(sheets_user)
    sheets_user.sandbox.inject_fault(sheets_user.sheet_fault(method="POST", status=500, times=3))
    # WHEN the sync creates their pitches but cannot write the ids back, and the queue runs the job again
    sheets_user.sync()
    logs = sheets_user.http.get("/api/integrations/google-sheets/logs", headers=sheets_user.user.headers).json()
    retried, failed = logs["logs"][0], logs["logs"][1]
    # THEN the cut-off run is logged as a failure, not a success
    assert failed["outcome"] == "failed"
    # AND the retry finished its work without creating anything again
    assert (retried["outcome"], retried["records_created"]) == ("success", 0)
    _assert_each_row_once_with_its_pitch(sheets_user, emails)


def test_a_worker_killed_between_creating_pitches_and_writing_ids_loses_and_duplicates_nothing(
    sheets_user: SheetsUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN two rows typed into the sheet
    emails = _type_new_rows(sheets_user)
    user_id = sheets_user.user.name

    # WHEN the worker is killed just as it writes to the sheet (after the pitches exist in Tracker):
    # a killed process releases nothing, so its lease stays held
    def killed(*_args: object, **_kwargs: object) -> None:
        raise WorkerKilled

    with monkeypatch.context() as patch:
        patch.setattr(SheetsClient, "write_cells", killed)
        patch.setattr(LeaseStore, "release", lambda *_args, **_kwargs: None)
        with pytest.raises(WorkerKilled):
            wiring.sheets_sync().run(user_id)
    assert sorted(_pitches_by_email(sheets_user)) == sorted(emails)
    # THEN a retry while the dead worker's lease lasts is refused (the queue brings it back later)
    with pytest.raises(SyncInProgress):
        wiring.sheets_sync().run(user_id)
    # AND once the lease has lapsed, the next run takes over and finishes the job
    leases = wiring.lease_store()
    later = utcnow() + timedelta(minutes=4)
    taken = leases.acquire(user_id, "sync#google-sheets", owner="lapse-check", ttl=timedelta(seconds=1), now=later)
    assert taken is not None  # the dead run's lease is expired by then
    leases.release(user_id, taken)
    log = wiring.sheets_sync().run(user_id)
    assert log.outcome == "success"
    assert log.records_created == 0
    _assert_each_row_once_with_its_pitch(sheets_user, emails)
    # AND the run after that has nothing left to do
    again = wiring.sheets_sync().run(user_id)
    assert (again.records_created, again.records_updated) == (0, 0)
