"""Provider calls of Airtable syncs and the import of a 10,000-record table, with Airtable's rate limit on.

Runs the real paths (the API for configure and import, the sync service, the Airtable client over HTTP, moto,
the sandbox with its 5-requests-a-second-per-base limit) in a local stack of its own. Goals:
- an incremental sync after webhook pings, with k records edited in Airtable and k in Tracker: at most
  ceil(k / 50) payload reads plus ceil(k / 10) writes, and no record read;
- a full sync of n records with c changed in Tracker: ceil(n / 100) reads plus ceil(c / 10) writes;
- the import of 10,000 records (preview, then import): no request answered 429;
- each record links to one of L outlets (a linked-record field shown as names): a run that reads the table reads
  the outlets' names in ceil(L / 100) requests, counted apart from the table's own reads.
"""

from __future__ import annotations

import math
from typing import Any

import httpx

from bench.local import in_local_stack
from bench.results import Figure
from provider_sandbox.airtable_workspace import FieldSpec, TableSpec, UserEdit
from provider_sandbox.testing import approve
from tracker_integrations import wiring
from tracker_integrations.models.campaign_inputs import PitchUpdate

RECORDS = 10_000
EDITED = 100  # k: records edited on each side before an incremental sync
CHANGED = 200  # c: records changed in Tracker before a full sync
OUTLETS = 250  # L: the linked Outlets table's records
API = "api.airtable.com"
LOGIN = "bench-airtable@example.com"
USER = "bench-airtable"


def run() -> list[Figure]:
    return in_local_stack(_measure)


def _calls(stack: Any, base_id: str, since: int, linked_table_id: str) -> dict[str, int]:
    """Calls to the base since the `since`-th recorded request, by kind."""
    counted = {"payloads": 0, "reads": 0, "writes": 0, "other": 0, "429": 0, "link reads": 0}
    for request in stack.sandbox.requests[since:]:
        if request.host != API or base_id not in request.path:
            continue
        if request.status == 429:
            counted["429"] += 1
        if request.path == f"/v0/{base_id}/{linked_table_id}":
            counted["link reads"] += 1
        elif request.path.endswith("/payloads"):
            counted["payloads"] += 1
        elif request.method == "GET" and request.path.startswith(f"/v0/{base_id}/"):
            counted["reads"] += 1
        elif request.method in {"PATCH", "POST"} and request.path.startswith(f"/v0/{base_id}/"):
            counted["writes"] += 1
        else:
            counted["other"] += 1
    return counted


def _base(sandbox: Any) -> Any:
    """The Agency base: an Outlets table, and 10,000 pitches each linking to one outlet."""
    records = [
        {
            "Contact": f"Contact {n}",
            "Email": f"contact{n}@outlet.example",
            "Status": "Sent",
            "Outlet": [f"Outlet {n % OUTLETS}"],
        }
        for n in range(RECORDS)
    ]
    return sandbox.airtable.create_base(
        LOGIN,
        "Agency",
        [
            TableSpec(
                name="Outlets",
                fields=[FieldSpec(name="Name")],
                records=[{"Name": f"Outlet {n}"} for n in range(OUTLETS)],
            ),
            TableSpec(
                name="Pitches",
                fields=[
                    FieldSpec(name="Contact"),
                    FieldSpec(name="Email", type="email"),
                    FieldSpec(name="Status", type="singleSelect", choices=["Sent", "Replied"]),
                    FieldSpec(name="Notes", type="multilineText"),
                    FieldSpec(name="Outlet", type="multipleRecordLinks", linked_table="Outlets"),
                ],
                records=records,
            ),
        ],
    )


def _measure(base_url: str, stack: Any) -> list[Figure]:
    sandbox = stack.sandbox
    base = _base(sandbox)
    outlets_id, table_id = base.tables[0].id, base.tables[1].id
    http = httpx.Client(base_url=base_url, timeout=1800)  # moto makes a 10,000-pitch import slow
    token = http.get("/local/token", params={"user": USER, "plan": "agency"}).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    url = http.post("/api/integrations/airtable/connect", headers=headers).json()["authorization_url"]
    http.get(approve(url, login=LOGIN, client=http))
    version = http.get("/api/integrations/airtable", headers=headers).json()["version"]
    configured = http.put(
        "/api/integrations/airtable/settings",
        headers=headers,
        json={"version": version, "base_id": base.id, "table_id": table_id},
    )
    assert configured.status_code == 200, configured.text

    # The import: preview, then import, with Airtable's rate limit on.
    start = len(sandbox.requests)
    body = {"campaign": {"title": "Big radio push"}}
    preview = http.post("/api/integrations/airtable/import", headers=headers, json={**body, "dry_run": True})
    assert preview.status_code == 200, preview.text
    imported = http.post("/api/integrations/airtable/import", headers=headers, json=body)
    assert imported.status_code == 200, imported.text
    assert imported.json()["created"] == RECORDS, imported.json()["created"]
    import_calls = _calls(stack, base.id, start, outlets_id)
    stack.run_queued_jobs()  # anything the import's writes queued, before measuring

    sync = wiring.root().hooks("airtable").sync()
    campaigns = wiring.campaigns_service()
    pitches = {p.email: p for p in wiring.tracker_store().all_pitches(USER)}
    by_email = {str(r["fields"]["Email"]): str(r["id"]) for r in sandbox.airtable.records(base.id, table_id)}

    # Incremental: k records edited in Airtable (pasted 10 at a time: one payload and one ping each) and k in
    # Tracker.
    for start in range(0, EDITED, 10):
        edits = [
            UserEdit(id=by_email[f"contact{n}@outlet.example"], fields={"Status": "Replied"})
            for n in range(start, start + 10)
        ]
        sandbox.airtable.edit(LOGIN, base.id, table_id, edits)
    for n in range(EDITED, 2 * EDITED):
        pitch = pitches[f"contact{n}@outlet.example"]
        update = PitchUpdate(version=pitch.version, notes=f"call back {n}")
        pitches[pitch.email] = campaigns.update_pitch(USER, pitch.campaign_id, pitch.pitch_id, update)
    start = len(sandbox.requests)
    incremental_log = sync.run(USER)
    incremental = _calls(stack, base.id, start, outlets_id)
    assert incremental_log.outcome == "success", incremental_log

    # Full: the cached copy forgotten (as when a view or the mapping changes), c pitches changed in Tracker.
    wiring.root().hooks("airtable").store.forget_cache(USER)  # type: ignore[attr-defined]
    for n in range(2 * EDITED, 2 * EDITED + CHANGED):
        pitch = pitches[f"contact{n}@outlet.example"]
        update = PitchUpdate(version=pitch.version, notes=f"sent the radio edit {n}")
        campaigns.update_pitch(USER, pitch.campaign_id, pitch.pitch_id, update)
    start = len(sandbox.requests)
    full_log = sync.run(USER)
    full = _calls(stack, base.id, start, outlets_id)
    assert full_log.outcome == "success", full_log

    incremental_goal = math.ceil(EDITED / 50) + math.ceil(EDITED / 10)
    incremental_used = incremental["payloads"] + incremental["reads"] + incremental["writes"]
    full_goal = math.ceil(RECORDS / 100) + math.ceil(CHANGED / 10)
    full_used = full["reads"] + full["writes"] + full["payloads"]
    assert full["writes"] >= math.ceil(CHANGED / 10), full  # Tracker's changes did reach Airtable
    total_429 = import_calls["429"] + incremental["429"] + full["429"]
    link_goal = math.ceil(OUTLETS / 100)
    link_reads = [import_calls["link reads"], incremental["link reads"], full["link reads"]]
    assert "Outlet 1" in {p.outlet for p in wiring.tracker_store().all_pitches(USER)}  # the names did arrive
    return [
        Figure(
            name=f"airtable incremental sync, {EDITED}+{EDITED} edits: calls",
            value=incremental_used,
            unit="calls",
            goal=f"<= {incremental_goal}",
            met=incremental_used <= incremental_goal and incremental["reads"] == 0,
        ),
        Figure(
            name=f"airtable full sync of {RECORDS:,}, {CHANGED} changed: calls",
            value=full_used,
            unit="calls",
            goal=f"<= {full_goal}",
            met=full_used <= full_goal,
        ),
        Figure(
            name=f"airtable import of {RECORDS:,} records: calls",
            value=import_calls["reads"] + import_calls["writes"] + import_calls["other"],
            unit="calls",
            goal=f"<= {2 * math.ceil(RECORDS / 100) + 1}",
            met=import_calls["reads"] + import_calls["writes"] + import_calls["other"]
            <= 2 * math.ceil(RECORDS / 100) + 1,
        ),
        Figure(
            # Three runs read the table (preview, import, full sync); the incremental one keeps the cached names.
            name=f"airtable linked names of {OUTLETS} outlets, 3 table reads: calls",
            value=sum(link_reads),
            unit="calls",
            goal=f"<= {3 * link_goal}, 0 incr.",
            met=sum(link_reads) <= 3 * link_goal and link_reads[1] == 0,
        ),
        Figure(
            name="airtable answers 429 (import + syncs)", value=total_429, unit="429s", goal="0", met=total_429 == 0
        ),
    ]


if __name__ == "__main__":
    for figure in run():
        print(figure.line())
