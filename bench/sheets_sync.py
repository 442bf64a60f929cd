"""Provider calls, AWS calls and state size of Google Sheets syncs over a 10,000-row sheet.

Runs the real worker path (sync service, Sheets client over HTTP, moto, the sandbox) in the
local stack. Goals: a sync with no changes makes exactly 1 Sheets read; a sync with changes on both
sides makes 1 read and at most 1 write whatever the number of rows changed. An import of an existing
sheet's rows: 1 read to preview, 1 read and 1 write to import, pitches written 99 to a DynamoDB
transaction, and a second import creates nothing.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import httpx

from bench.local import in_local_stack
from bench.results import Figure
from provider_sandbox.testing import approve
from tracker_integrations import wiring
from tracker_integrations.config import get_settings
from tracker_integrations.models.campaign import Campaign, CampaignType, Pitch, PitchStatus
from tracker_integrations.models.common import new_id, utcnow
from tracker_integrations.store.dynamo import serialize
from tracker_integrations.store.integrations import user_pk
from tracker_integrations.store.tracker import pitch_sk

ROWS = 10_000
CHANGED = 1_000
IMPORTED = 1_000
SHEETS = "sheets.googleapis.com"


class AwsCallCounter:
    def __init__(self) -> None:
        self.calls: Counter[str] = Counter()
        for client in (wiring.dynamodb(), wiring.kms(), wiring.sqs()):
            client.meta.events.register("before-call.*.*", self._count)

    def _count(self, model: Any, **_: Any) -> None:
        self.calls[f"{model.service_model.service_name}:{model.name}"] += 1

    def reset(self) -> None:
        self.calls.clear()


def _seed(user: str) -> list[Pitch]:
    """10,000 pitches written straight to the table (25 per batch): seeding is not what is measured."""
    store = wiring.tracker_store()
    now = utcnow()
    campaign = Campaign(
        campaign_id=new_id("cmp"),
        title="Big radio push",
        artist="The Lanterns",
        type=CampaignType.RADIO,
        created_at=now,
        updated_at=now,
    )
    store.put_campaign(user, campaign, expected_version=None)
    pitches = [
        Pitch(
            pitch_id=new_id("pit"),
            campaign_id=campaign.campaign_id,
            email=f"contact{n}@outlet.example",
            contact_name=f"Contact {n}",
            outlet=f"Station {n % 300}",
            status=PitchStatus.SENT,
            created_at=now,
            updated_at=now,
        )
        for n in range(ROWS)
    ]
    table = get_settings().tracker_table
    for start in range(0, ROWS, 25):
        items = [
            {
                "PutRequest": {
                    "Item": serialize(
                        {
                            "pk": user_pk(user),
                            "sk": pitch_sk(p.campaign_id, p.pitch_id),
                            "entity": "pitch",
                            "version": 1,
                            "pitch": p.model_dump(mode="json"),
                        }
                    )
                }
            }
            for p in pitches[start : start + 25]
        ]
        wiring.dynamodb().batch_write_item(RequestItems={table: items})  # type: ignore[dict-item]
    return pitches


def run() -> list[Figure]:
    return in_local_stack(_measure_import_then_sync)


def _measure_import_then_sync(base: str, stack: Any) -> list[Figure]:
    # The import first, before the 10,000 pitches below fill the (moto) table it would query.
    imported = _measure_import(base, stack)
    return [*_measure(base, stack), *imported]


def _measure(base: str, stack: Any) -> list[Figure]:
    sandbox = stack.sandbox
    sandbox.sheets.read_requests_per_minute = None  # the benchmark measures calls, not quota waits
    sandbox.sheets.write_requests_per_minute = None
    sandbox.sheets.project_read_requests_per_minute = None
    sandbox.sheets.project_write_requests_per_minute = None
    http = httpx.Client(base_url=base, timeout=120)
    token = http.get("/local/token", params={"user": "bench", "plan": "agency"}).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    url = http.post("/api/integrations/google-sheets/connect", headers=headers).json()["authorization_url"]
    http.get(approve(url, login="bench@example.com", client=http))
    target = http.post("/api/integrations/google-sheets/spreadsheets", headers=headers, json={}).json()
    spreadsheet = target["settings"]["sheet"]["target"]
    pitches = _seed("bench")
    sync = wiring.sheets_sync()
    sync.run("bench")  # the first sync writes all 10,000 rows
    aws = AwsCallCounter()

    def provider_calls() -> tuple[int, int]:
        # This spreadsheet's calls only: the import measured before used another user's.
        mine = [r for r in sandbox.find_requests(host=SHEETS) if spreadsheet["spreadsheet_id"] in r.path]
        reads = sum(1 for r in mine if r.method == "GET")
        writes = sum(1 for r in mine if r.method in {"POST", "PUT"})
        return reads, writes

    # 1. nothing changed
    reads0, writes0 = provider_calls()
    generation_before = wiring.sync_state_store().load("bench", "google-sheets").generation
    aws.reset()
    quiet = sync.run("bench")
    reads1, writes1 = provider_calls()
    quiet_aws = dict(aws.calls)
    stored = wiring.sync_state_store().load("bench", "google-sheets")
    state_bytes = len(stored.blob or b"")
    state_written = 0 if stored.generation == generation_before else state_bytes

    # 2. changes on both sides: 1,000 cells edited in the sheet, 1,000 pitches edited in Tracker
    tab = spreadsheet["tab_title"]
    grid = sandbox.sheets.read_grid(spreadsheet["spreadsheet_id"], tab)
    status_column = [str(h) for h in grid[0]].index("Status")
    letter = chr(ord("A") + status_column)
    sandbox.sheets.set_cells(
        spreadsheet["spreadsheet_id"], f"'{tab}'!{letter}2:{letter}{CHANGED + 1}", [["Replied"]] * CHANGED
    )
    store = wiring.tracker_store()
    for pitch in pitches[-CHANGED:]:
        current = store.get_pitch("bench", pitch.campaign_id, pitch.pitch_id)
        assert current is not None
        store.put_pitch(
            "bench",
            current.model_copy(update={"outlet": "6 Music", "version": current.version + 1}),
            expected_version=current.version,
        )
    busy = sync.run("bench")
    reads2, writes2 = provider_calls()
    http.close()

    no_change_aws = sum(quiet_aws.values())
    kms = sum(v for k, v in quiet_aws.items() if k.startswith("kms:"))
    print(f"  no-change sync AWS calls: {dict(sorted(quiet_aws.items()))}")
    print(f"  busy sync log: updated {busy.records_updated}, outcome {busy.outcome}, {busy.duration_ms} ms")
    return [
        Figure(
            name=f"Sheets reads, sync with no changes ({ROWS:,} rows)",
            value=reads1 - reads0,
            unit="calls",
            goal="= 1",
            met=reads1 - reads0 == 1 and quiet.outcome == "success",
        ),
        Figure(
            name=f"Sheets writes, sync with no changes ({ROWS:,} rows)",
            value=writes1 - writes0,
            unit="calls",
            goal="= 0",
            met=writes1 == writes0,
        ),
        Figure(
            name=f"Sheets reads, sync with {CHANGED:,}+{CHANGED:,} changes on both sides",
            value=reads2 - reads1,
            unit="calls",
            goal="= 1",
            met=reads2 - reads1 == 1,
        ),
        Figure(
            name=f"Sheets writes, sync with {CHANGED:,}+{CHANGED:,} changes on both sides",
            value=writes2 - writes1,
            unit="calls",
            goal="<= 1",
            met=writes2 - writes1 <= 1 and busy.outcome == "success",
        ),
        Figure(
            name=f"sync state read per sync, {ROWS:,} rows (compressed)",
            value=state_bytes / 1024,
            unit="KiB",
            goal="< 1024 KiB",
            met=state_bytes < 1024 * 1024,
        ),
        Figure(
            name=f"sync state written, sync with no changes ({ROWS:,} rows)",
            value=state_written / 1024,
            unit="KiB",
            goal="= 0",
            met=state_written == 0,
        ),
        Figure(
            name=f"AWS calls, sync with no changes ({ROWS:,} rows)",
            value=no_change_aws,
            unit="calls",
            goal="< 20",
            met=no_change_aws < 20,
        ),
        Figure(
            name="KMS calls, sync with no changes (warm container)", value=kms, unit="calls", goal="= 0", met=kms == 0
        ),
    ]


def _measure_import(base: str, stack: Any) -> list[Figure]:
    """A new user's existing sheet of 1,000 contacts, no Campaign column: preview, import, import again."""
    sandbox = stack.sandbox
    http = httpx.Client(base_url=base, timeout=600)
    token = http.get("/local/token", params={"user": "bench-import", "plan": "agency"}).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    login = "bench-import@example.com"
    url = http.post("/api/integrations/google-sheets/connect", headers=headers).json()["authorization_url"]
    http.get(approve(url, login=login, client=http))
    rows = [["Name", "Email", "Station", "Status"]]
    rows += [[f"Contact {n}", f"c{n}@outlet.example", f"Station {n % 300}", "sent"] for n in range(IMPORTED)]
    spreadsheet_id = sandbox.sheets.create_user_spreadsheet(login, "Existing promo sheet", rows)
    sandbox.sheets.pick(login, spreadsheet_id, "local-google-client")
    version = http.get("/api/integrations/google-sheets", headers=headers).json()["version"]
    chosen = {"version": version, "spreadsheet_id": spreadsheet_id}
    http.put("/api/integrations/google-sheets/settings", headers=headers, json=chosen).raise_for_status()
    stack.run_queued_jobs()  # the first sync: it proposes the import

    def calls() -> tuple[int, int]:
        found = sandbox.find_requests(host=SHEETS)
        mine = [r for r in found if f"/spreadsheets/{spreadsheet_id}" in r.path]
        return sum(1 for r in mine if r.method == "GET"), sum(1 for r in mine if r.method == "POST")

    path = "/api/integrations/google-sheets/import"
    before = calls()
    preview = http.post(path, headers=headers, json={"dry_run": True, "campaign": {}}).json()
    previewed = calls()
    aws = AwsCallCounter()
    imported = http.post(path, headers=headers, json={"campaign": {}}).json()
    import_aws = dict(aws.calls)
    after = calls()
    again = http.post(path, headers=headers, json={"campaign": {}}).json()
    http.close()
    print(
        f"  import: previewed {preview['created']} to create, created {imported['created']}, again {again['created']}"
    )
    import_calls = (after[0] - previewed[0], after[1] - previewed[1])
    print(f"  import AWS calls: {dict(sorted(import_aws.items()))}")
    transactions = import_aws.get("dynamodb:TransactWriteItems", 0)
    # DynamoDB takes at most 100 writes per transaction; the import keeps one slot for the campaign.
    fewest_transactions = -(-IMPORTED // 99)
    return [
        Figure(
            name=f"Sheets reads, import preview ({IMPORTED:,} rows)",
            value=previewed[0] - before[0],
            unit="calls",
            goal="= 1",
            met=previewed == (before[0] + 1, before[1]) and preview["created"] == IMPORTED,
        ),
        Figure(
            name=f"Sheets reads + writes, import ({IMPORTED:,} rows)",
            value=sum(import_calls),
            unit="calls",
            goal="= 2",
            met=import_calls == (1, 1) and imported["created"] == IMPORTED,
        ),
        Figure(
            name=f"AWS calls, import ({IMPORTED:,} rows)",
            value=sum(import_aws.values()),
            unit="calls",
            goal=f"{fewest_transactions} transactions + < 30 other",
            met=transactions == fewest_transactions and sum(import_aws.values()) - transactions < 30,
        ),
        Figure(
            name="pitches created by a second import",
            value=again["created"],
            unit="pitches",
            goal="= 0",
            met=again["created"] == 0 and again["updated"] == 0,
        ),
    ]
