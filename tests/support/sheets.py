"""A pro (or agency) user with Google Sheets connected, a Tracker-made spreadsheet and one campaign."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from local_stack.server import RunningStack
from provider_sandbox import Fault, ProviderSandbox
from tests.support.api import LocalUser, connect

SHEETS_HOST = "sheets.googleapis.com"
HEADERS = [
    "Campaign",
    "Artist",
    "Contact",
    "Email",
    "Outlet",
    "Role",
    "Region",
    "Status",
    "Sent",
    "Subject",
    "Notes",
    "Tracker ID",
]


@dataclass
class SheetsUser:
    """A pro user with Google Sheets connected, a Tracker-made spreadsheet and one campaign."""

    user: LocalUser
    spreadsheet_id: str
    tab: str
    campaign: dict[str, Any]
    http: httpx.Client
    stack: RunningStack

    @property
    def sandbox(self) -> ProviderSandbox:
        return self.stack.stack.sandbox

    def sheet_fault(self, **fault: Any) -> Fault:
        """A fault on Sheets requests for this user's spreadsheet only: another test's job left in the
        shared queue, run first by this test's worker, must not take it."""
        return Fault(host=SHEETS_HOST, path=f"/v4/spreadsheets/{self.spreadsheet_id}*", **fault)

    def pitch(self, **fields: Any) -> dict[str, Any]:
        body = {"email": "annie@radio.example", "contact_name": "Annie Mac", "outlet": "Radio 1", **fields}
        response = self.http.post(
            f"/api/campaigns/{self.campaign['campaign_id']}/pitches", headers=self.user.headers, json=body
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    def get_pitch(self, pitch_id: str) -> dict[str, Any]:
        path = f"/api/campaigns/{self.campaign['campaign_id']}/pitches/{pitch_id}"
        return dict(self.http.get(path, headers=self.user.headers).json())

    def sync(self) -> dict[str, Any]:
        """Sync now, let the worker run it, and return the run's log."""
        queued = self.http.post("/api/integrations/google-sheets/sync", headers=self.user.headers)
        assert queued.status_code == 202, queued.text
        self.stack.stack.run_queued_jobs()
        return self.logs()[0]

    def logs(self) -> list[dict[str, Any]]:
        """The sync log, newest first."""
        response = self.http.get("/api/integrations/google-sheets/logs", headers=self.user.headers)
        return [dict(log) for log in response.json()["logs"]]

    def grid(self) -> list[list[Any]]:
        return [list(r) for r in self.sandbox.sheets.read_grid(self.spreadsheet_id, self.tab)]

    def rows_by_id(self) -> dict[str, dict[str, Any]]:
        grid = self.grid()
        header = [str(h) for h in grid[0]]
        rows = {}
        for raw in grid[1:]:
            cells = {header[i]: (raw[i] if i < len(raw) else None) for i in range(len(header))}
            if cells.get("Tracker ID"):
                rows[str(cells["Tracker ID"])] = cells
        return rows

    def row_number(self, pitch_id: str) -> int:
        for number, raw in enumerate(self.grid(), start=1):
            if pitch_id in [str(v) for v in raw]:
                return number
        raise AssertionError(f"{pitch_id} not in the sheet")

    def sheets_calls(self, method: str | None = None) -> int:
        """Sheets API calls on this user's spreadsheet (other tests' real-time syncs may run meanwhile)."""
        found = self.sandbox.find_requests(host=SHEETS_HOST, method=method)
        return sum(1 for r in found if f"/spreadsheets/{self.spreadsheet_id}" in r.path)


def make_sheets_user(
    http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack, plan: str = "pro"
) -> SheetsUser:
    user = new_user(plan)
    assert connect(http, user, "google-sheets", login=f"{user.name}@example.com").connected
    created = http.post(
        "/api/integrations/google-sheets/spreadsheets", headers=user.headers, json={"title": "Radio promo Q4"}
    )
    assert created.status_code == 201, created.text
    target = created.json()["settings"]["sheet"]["target"]
    campaign = http.post(
        "/api/campaigns", headers=user.headers, json={"title": "Autumn radio push", "artist": "The Lanterns"}
    ).json()
    return SheetsUser(user, target["spreadsheet_id"], target["tab_title"], campaign, http, stack)


def user_with_own_spreadsheet(
    http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack, title: str, header: list[str]
) -> tuple[LocalUser, str, str]:
    """A pro user with Google Sheets connected and a spreadsheet of their own in Drive, not yet picked for
    Tracker: (user, Google login, spreadsheet id)."""
    user = new_user("pro")
    login = f"{user.name}@example.com"
    assert connect(http, user, "google-sheets", login=login).connected
    spreadsheet_id = stack.stack.sandbox.sheets.create_user_spreadsheet(login, title, [header])
    return user, login, spreadsheet_id
