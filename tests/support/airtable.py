"""A user with Airtable connected (as a login of the sandbox) and a base of pitches laid out for a sync."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from local_stack.server import RunningStack
from provider_sandbox import ProviderSandbox
from provider_sandbox.airtable_store import Base
from provider_sandbox.airtable_workspace import FieldSpec, TableSpec, UserEdit, ViewSpec
from tests.support.api import LocalUser, connect, put_settings

API_HOST = "api.airtable.com"


def pitch_tables(records: list[dict[str, Any]] | None = None) -> list[TableSpec]:
    """A Pitches table with the field types a sync maps, and a linked Campaigns table."""
    return [
        TableSpec(name="Campaigns", fields=[FieldSpec(name="Name")], records=[{"Name": "Spring launch"}]),
        TableSpec(
            name="Pitches",
            fields=[
                FieldSpec(name="Contact"),
                FieldSpec(name="Email", type="email"),
                FieldSpec(name="Outlet"),
                FieldSpec(name="Status", type="singleSelect", choices=["Pending", "Sent", "Replied", "Interested"]),
                FieldSpec(name="Notes", type="multilineText"),
                FieldSpec(name="Budget", type="number", precision=2),
                FieldSpec(name="Done", type="checkbox"),
                FieldSpec(name="Linked campaign", type="multipleRecordLinks", linked_table="Campaigns"),
            ],
            views=[ViewSpec(name="Open", formula="NOT({Done})")],
            records=records or [],
        ),
    ]


@dataclass
class AirtableUser:
    user: LocalUser
    login: str
    base: Base
    table_id: str
    http: httpx.Client
    stack: RunningStack

    @property
    def sandbox(self) -> ProviderSandbox:
        return self.stack.stack.sandbox

    def configure(self, **body: Any) -> dict[str, Any]:
        response = put_settings(
            self.http, self.user, "airtable", {"base_id": self.base.id, "table_id": self.table_id, **body}
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    def campaign(self, title: str = "Autumn radio push") -> dict[str, Any]:
        response = self.http.post("/api/campaigns", headers=self.user.headers, json={"title": title})
        assert response.status_code == 201, response.text
        return dict(response.json())

    def pitch(self, campaign: dict[str, Any], **fields: Any) -> dict[str, Any]:
        body = {"email": "annie@radio.example", "contact_name": "Annie Mac", "outlet": "Radio 1", **fields}
        response = self.http.post(
            f"/api/campaigns/{campaign['campaign_id']}/pitches", headers=self.user.headers, json=body
        )
        assert response.status_code == 201, response.text
        return dict(response.json())

    def pitches(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        for campaign in self.http.get("/api/campaigns", headers=self.user.headers).json()["campaigns"]:
            path = f"/api/campaigns/{campaign['campaign_id']}/pitches"
            found += self.http.get(path, headers=self.user.headers).json()["pitches"]
        return found

    def change_pitch(self, pitch: dict[str, Any] | None = None, **fields: Any) -> dict[str, Any]:
        """An edit in Tracker (the first pitch unless one is named), naming the version just read."""
        current = next(p for p in self.pitches() if pitch is None or p["pitch_id"] == pitch["pitch_id"])
        response = self.http.patch(
            f"/api/campaigns/{current['campaign_id']}/pitches/{current['pitch_id']}",
            headers=self.user.headers,
            json={"version": current["version"], **fields},
        )
        assert response.status_code == 200, response.text
        return dict(response.json())

    def sync(self) -> dict[str, Any]:
        queued = self.http.post("/api/integrations/airtable/sync", headers=self.user.headers)
        assert queued.status_code == 202, queued.text
        self.stack.stack.run_queued_jobs()
        return self.logs()[0]

    def logs(self) -> list[dict[str, Any]]:
        response = self.http.get("/api/integrations/airtable/logs", headers=self.user.headers)
        return [dict(log) for log in response.json()["logs"]]

    def records(self) -> list[dict[str, Any]]:
        """The table's records as Airtable lists them (fields by name, empty ones left out)."""
        return [dict(r) for r in self.sandbox.airtable.records(self.base.id, self.table_id) if isinstance(r, dict)]

    def by_email(self) -> dict[str, dict[str, Any]]:
        return {str(r["fields"].get("Email")): dict(r["fields"]) for r in self.records()}

    def edit(self, record_id: str | None, **fields: Any) -> None:
        """The user types in Airtable's UI (no record id: adds a record)."""
        self.sandbox.airtable.edit(self.login, self.base.id, self.table_id, [_edit(record_id, fields)])

    def delete(self, record_id: str) -> None:
        self.sandbox.airtable.edit(self.login, self.base.id, self.table_id, [], [record_id])

    def calls(self, method: str | None = None) -> int:
        return len(
            [
                r
                for r in self.sandbox.requests
                if r.host == API_HOST and self.base.id in r.path and (method is None or r.method == method)
            ]
        )


def _edit(record_id: str | None, fields: dict[str, Any]) -> UserEdit:
    return UserEdit(id=record_id, fields=fields)


@pytest.fixture(autouse=True)
def unpaced_sandbox(stack: RunningStack) -> Iterator[None]:
    """Airtable's rate limit off: these tests call the API faster than a person would, from several Lambda
    instances of one process (the per-base pacing is process-wide, but the tests' own sandbox edits and reads
    are not paced); the rate limit is measured by `make bench` (bench/airtable.py)."""
    sandbox = stack.stack.sandbox.airtable
    limit, sandbox.rate_limit = sandbox.rate_limit, None
    yield
    sandbox.rate_limit = limit


def make_airtable_user(
    http: httpx.Client,
    new_user: Callable[[str], LocalUser],
    stack: RunningStack,
    *,
    plan: str = "pro",
    records: list[dict[str, Any]] | None = None,
) -> AirtableUser:
    user = new_user(plan)
    login = f"{user.name}@agency.example"
    sandbox = stack.stack.sandbox
    base = sandbox.airtable.create_base(login, "Agency", pitch_tables(records))
    assert connect(http, user, "airtable", login=login).connected
    table = next(t for t in base.tables if t.name == "Pitches")
    return AirtableUser(user=user, login=login, base=base, table_id=table.id, http=http, stack=stack)
