"""The demo's Airtable steps: connect, pick base and table, import, and an edit travelling each way.

Dan's existing Airtable base holds a few pitches of another campaign. The user's edit in Airtable is made as
Airtable's users' own scripts make them: pyairtable with a personal access token (the sandbox issues one for
his login), so it reaches Tracker through Airtable's webhook ping like any edit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from pyairtable import Api

from local_stack.server import RunningStack
from provider_sandbox.airtable_workspace import FieldSpec, TableSpec

BASE_NAME = "Agency pitches"
TABLE_NAME = "Pitches"
CAMPAIGN = "Spring radio (Airtable)"
RECORDS = [
    {"Contact": "Jess Iszatt", "Email": "jess@6music.example", "Outlet": "6 Music", "Status": "Sent"},
    {"Contact": "Huw Stephens", "Email": "huw@radiowales.example", "Outlet": "Radio Wales", "Status": "Sent"},
    {"Contact": "Gideon Coe", "Email": "gideon@6music.example", "Outlet": "6 Music", "Status": "Replied"},
]


class Seen(NamedTuple):
    text: str
    seconds: float | None = None
    details: tuple[str, ...] = ()


class AirtableDemo:
    def __init__(
        self,
        running: RunningStack,
        api: Callable[..., Any],
        connect: Callable[[str], str],
        wait_for: Callable[[str, Callable[[], Any]], tuple[Any, float]],
        changed: Callable[[], None],
        login: str,
    ) -> None:
        self._running = running
        self._sandbox = running.stack.sandbox
        self._api = api
        self._connect = connect
        self._wait_for = wait_for
        self._changed = changed
        self._login = login
        self._base_id = ""
        self._table_id = ""

    def connect(self) -> Seen:
        fields = [
            FieldSpec(name="Contact"),
            FieldSpec(name="Email", type="email"),
            FieldSpec(name="Outlet"),
            FieldSpec(name="Status", type="singleSelect", choices=["Sent", "Replied", "Interested"]),
        ]
        base = self._sandbox.airtable.create_base(
            self._login, BASE_NAME, [TableSpec(name=TABLE_NAME, fields=fields, records=RECORDS)]
        )
        self._base_id, self._table_id = base.id, base.tables[0].id
        landed = self._connect("airtable")
        return Seen(f"Airtable's consent page → Allow → back on {landed}")

    def pick_base_and_table(self) -> Seen:
        bases = self._api("GET", "/api/integrations/airtable/bases")["bases"]
        tables = self._api("GET", f"/api/integrations/airtable/bases/{self._base_id}/tables")["tables"]
        table = next(t for t in tables if t["id"] == self._table_id)
        version = self._api("GET", "/api/integrations/airtable")["version"]
        body = {"version": version, "base_id": self._base_id, "table_id": self._table_id, "sync_frequency": "real_time"}
        detail = self._api("PUT", "/api/integrations/airtable/settings", json=body)
        mapped = ", ".join(
            f"{c['header']} → {c['field']}" for c in detail["settings"]["airtable"]["mapping"]["columns"]
        )
        types = ", ".join(f"{f['name']} ({f['type']})" for f in table["fields"])
        return Seen(
            f"base '{BASE_NAME}' of {len(bases)}, table '{table['name']}': fields mapped by name",
            details=(f"fields: {types}", f"mapping: {mapped}"),
        )

    def import_records(self) -> Seen:
        body = {"campaign": {"title": CAMPAIGN}}
        preview = self._api("POST", "/api/integrations/airtable/import", json={**body, "dry_run": True})
        done = self._api("POST", "/api/integrations/airtable/import", json=body)
        again = self._api("POST", "/api/integrations/airtable/import", json=body)
        if (preview["created"], done["created"], again["created"]) != (len(RECORDS), len(RECORDS), 0):
            raise AirtableStepFailed(
                f"preview {preview['created']}, import {done['created']}, again {again['created']}"
            )
        return Seen(
            f"preview: {preview['created']} to create; imported {done['created']} into '{CAMPAIGN}'; "
            "imported again: nothing new"
        )

    def edit_in_airtable(self) -> Seen:
        token = self._sandbox.airtable.issue_token(self._login)
        table = Api(token, endpoint_url=f"{self._running.base_url}/sandbox/api.airtable.com").table(
            self._base_id, self._table_id
        )
        huw = next(r for r in table.all() if r["fields"].get("Email") == "huw@radiowales.example")
        table.update(huw["id"], {"Status": "Interested"})
        self._changed()
        return Seen("Huw Stephens — Radio Wales Status: Sent → Interested, changed in Airtable (pyairtable)")

    def see_tracker_follow(self) -> Seen:
        def interested() -> dict[str, Any] | None:
            pitch = self._pitch_by_email("huw@radiowales.example")
            return pitch if pitch is not None and pitch["status"] == "interested" else None

        pitch, took = self._wait_for("Tracker to show Huw Stephens as interested", interested)
        return Seen(
            f"Huw Stephens is '{pitch['status']}' in Tracker, {took:.1f} s after the edit (Airtable's webhook ping)",
            seconds=took,
        )

    def edit_in_tracker(self) -> Seen:
        pitch = self._pitch_by_email("jess@6music.example")
        if pitch is None:
            raise AirtableStepFailed("Jess Iszatt's pitch is not in Tracker")
        path = f"/api/campaigns/{pitch['campaign_id']}/pitches/{pitch['pitch_id']}"
        self._api("PATCH", path, json={"version": pitch["version"], "status": "replied"})
        self._changed()
        return Seen("Jess Iszatt — 6 Music marked replied in Tracker")

    def see_airtable_follow(self) -> Seen:
        def replied() -> dict[str, Any] | None:
            fields = self._fields_of("jess@6music.example")
            return fields if fields.get("Status") == "Replied" else None

        _, took = self._wait_for("Airtable to show Jess Iszatt as replied", replied)
        return Seen(f"Airtable shows Jess Iszatt as Replied, {took:.1f} s after the edit (no Sync now)", seconds=took)

    def _fields_of(self, email: str) -> dict[str, Any]:
        """The Airtable record of a contact, fields by name (empty when there is none)."""
        for record in self._sandbox.airtable.records(self._base_id, self._table_id):
            fields = record.get("fields") if isinstance(record, dict) else None
            if isinstance(fields, dict) and fields.get("Email") == email:
                return dict(fields)
        return {}

    def _pitch_by_email(self, email: str) -> dict[str, Any] | None:
        for campaign in self._api("GET", "/api/campaigns")["campaigns"]:
            for pitch in self._api("GET", f"/api/campaigns/{campaign['campaign_id']}/pitches")["pitches"]:
                if pitch["email"] == email:
                    return dict(pitch)
        return None


class AirtableStepFailed(Exception):
    """An expectation of the Airtable steps was not met."""
