"""Merge throughput of the sync engine: 10,000 and 100,000 records with 10 mapped fields.

Goals: 10,000 under 100 ms and 100,000 under 1 s (linear growth). Measured for a sync with no
changes (the steady state of a scheduled sync) and one where 10% of rows were edited in the sheet.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime

from bench.results import Figure
from tracker_integrations.sync.engine import Merger, ProviderRow, SyncState
from tracker_integrations.sync.mapping import ColumnMapping, SyncMapping

MAPPING = SyncMapping(
    columns=[
        ColumnMapping(header="Contact", field="pitch.contact_name"),
        ColumnMapping(header="Email", field="pitch.email"),
        ColumnMapping(header="Outlet", field="pitch.outlet"),
        ColumnMapping(header="Role", field="pitch.role"),
        ColumnMapping(header="Region", field="pitch.region"),
        ColumnMapping(header="Status", field="pitch.status"),
        ColumnMapping(header="Sent", field="pitch.sent_at"),
        ColumnMapping(header="Subject", field="pitch.subject"),
        ColumnMapping(header="Notes", field="pitch.notes"),
        ColumnMapping(header="Campaign", field="campaign.title"),
    ]
)
STATUSES = ["pending", "sent", "opened", "replied", "interested"]


def _tracker(n: int) -> dict[str, dict[str, str]]:
    return {
        f"pit_{i:08d}": {
            "pitch.contact_name": f"Contact {i}",
            "pitch.email": f"contact{i}@outlet.example",
            "pitch.outlet": f"Station {i % 300}",
            "pitch.role": "Presenter",
            "pitch.region": "UK",
            "pitch.status": STATUSES[i % 5],
            "pitch.sent_at": "2026-11-02T09:30:00+00:00",
            "pitch.subject": f"New single for show {i % 40}",
            "pitch.notes": "Followed up by phone" if i % 7 == 0 else "",
            "campaign.title": f"Campaign {i % 25}",
        }
        for i in range(n)
    }


def _synced(n: int) -> tuple[Merger, dict[str, dict[str, str]], list[ProviderRow], SyncState]:
    merger = Merger(MAPPING, now=datetime(2026, 11, 27, tzinfo=UTC))
    tracker = _tracker(n)
    first = merger.plan(tracker, [], SyncState())
    rows = [ProviderRow(i + 2, r.record_id, dict(r.cells)) for i, r in enumerate(first.new_rows)]
    return merger, tracker, rows, first.state


def _median_ms(n: int, edited_share: float, runs: int) -> float:
    merger, tracker, rows, state = _synced(n)
    for row in rows[: int(n * edited_share)]:
        row.cells["Status"] = "Replied"
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        merger.plan(tracker, rows, state)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def run() -> list[Figure]:
    figures = []
    for n, goal in ((10_000, 100.0), (100_000, 1000.0)):
        for share, label in ((0.0, "no changes"), (0.1, "10% edited")):
            ms = _median_ms(n, share, runs=5 if n == 10_000 else 3)
            figures.append(
                Figure(
                    name=f"merge {n:,} records x 10 fields, {label}",
                    value=round(ms, 1),
                    unit="ms",
                    goal=f"< {goal:.0f} ms",
                    met=ms < goal,
                )
            )
    return figures
