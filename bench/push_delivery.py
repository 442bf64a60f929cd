"""Sheet edits reaching Tracker when Drive's pushes arrive late, twice or never.

Runs the real path in the local stack: an agency user's synced sheet with a live Drive channel,
edits made in the sheet one after another while the sandbox delays, triples or drops each push in
turn, then the reconciliation tick behind push. Goals: every edit reaches Tracker (0 lost) and none
is applied twice (each pitch exactly one version more).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import httpx

from bench.local import in_local_stack
from bench.results import Figure
from local_stack.server import LocalStack
from provider_sandbox.push import PushFault, PushSender
from provider_sandbox.testing import approve
from tracker_integrations import wiring
from tracker_integrations.jobs import SyncJob
from tracker_integrations.models.common import new_id, utcnow

USER = "bench-push"
FAULTS = [
    PushFault(action="delay", kind="drive", delay_seconds=1),
    PushFault(action="duplicate", kind="drive", copies=3),
    PushFault(action="drop", kind="drive"),
]
ROUNDS = 2  # each fault twice
STATUS_COLUMN = "H"


def run() -> list[Figure]:
    return in_local_stack(_measure)


def _settle(stack: LocalStack, condition: Callable[[], bool], *, within: float = 20.0) -> bool:
    sender = PushSender.of(stack.sandbox.context)
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        sender.flush()
        stack.run_queued_jobs()
        if condition():
            return True
        time.sleep(0.2)
    return False


def _measure(base: str, stack: LocalStack) -> list[Figure]:
    http = httpx.Client(base_url=base, timeout=60)
    token = http.get("/local/token", params={"user": USER, "plan": "agency"}).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    url = http.post("/api/integrations/google-sheets/connect", headers=headers).json()["authorization_url"]
    http.get(approve(url, login=f"{USER}@example.com", client=http))
    target = http.post("/api/integrations/google-sheets/spreadsheets", headers=headers, json={}).json()
    sheet = target["settings"]["sheet"]["target"]
    campaign = http.post("/api/campaigns", headers=headers, json={"title": "Push bench"}).json()
    pitches_path = f"/api/campaigns/{campaign['campaign_id']}/pitches"
    edits = len(FAULTS) * ROUNDS
    pitch_ids = [
        http.post(pitches_path, headers=headers, json={"email": f"dj{n}@radio.example", "status": "sent"}).json()[
            "pitch_id"
        ]
        for n in range(edits)
    ]
    sender = PushSender.of(stack.sandbox.context)

    def pitch(pitch_id: str) -> dict[str, Any]:
        return dict(http.get(f"{pitches_path}/{pitch_id}", headers=headers).json())

    def replied(pitch_id: str) -> Callable[[], bool]:
        return lambda: pitch(pitch_id)["status"] == "replied"

    def queue_sync() -> None:
        job = SyncJob(
            job_id=new_id("job"), user_id=USER, provider="google-sheets", reason="schedule", requested_at=utcnow()
        )
        wiring.sync_queue().enqueue(job)

    def rows() -> dict[str, int]:
        grid = stack.sandbox.sheets.read_grid(sheet["spreadsheet_id"], sheet["tab_title"])
        return {str(v): n for n, row in enumerate(grid, start=1) for v in row if str(v) in pitch_ids}

    queue_sync()
    _settle(stack, lambda: len(rows()) == edits)
    _settle(stack, lambda: False, within=4)  # the first sync's own writes come back as one more push
    row_of = rows()
    versions = {p: int(pitch(p)["version"]) for p in pitch_ids}
    before = sender.counts
    for n, pitch_id in enumerate(pitch_ids):
        fault = FAULTS[n % len(FAULTS)]
        sender.add_fault(fault)
        cell = f"'{sheet['tab_title']}'!{STATUS_COLUMN}{row_of[pitch_id]}"
        stack.sandbox.sheets.set_cells(sheet["spreadsheet_id"], cell, [["Replied"]])
        if fault.action == "drop":
            sender.flush()
            stack.run_queued_jobs()
        else:
            _settle(stack, replied(pitch_id))
    queue_sync()  # the reconciliation tick behind push
    _settle(stack, lambda: all(replied(p)() for p in pitch_ids), within=10)
    after = sender.counts
    final = {p: pitch(p) for p in pitch_ids}
    lost = sum(1 for p in pitch_ids if final[p]["status"] != "replied")
    twice = sum(1 for p in pitch_ids if final[p]["version"] > versions[p] + 1)
    return [
        _count("push: pushes delayed", after.delayed - before.delayed, ROUNDS),
        _count("push: extra copies delivered", after.duplicated - before.duplicated, 2 * ROUNDS),
        _count("push: pushes dropped", after.dropped - before.dropped, ROUNDS),
        _count("push: sheet edits lost", lost, 0),
        _count("push: sheet edits applied twice", twice, 0),
    ]


def _count(name: str, value: int, goal: int) -> Figure:
    return Figure(name=name, value=value, unit="count", goal=str(goal), met=value == goal)
