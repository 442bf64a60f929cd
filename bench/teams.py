"""Teams and analytics: what they cost in DynamoDB calls.

Over HTTP against the local stack (the real handlers, moto):
- the operator's analytics route at two sizes (100 and 1,000 accounts that synced): the calls to
  answer it must not grow with the number of accounts;
- the extra calls a team member's request costs over the same request from a user on their own
  (identity, team and role come from the token, so the goal is at most one, and the measure is 0).
The rate limiter's counter (one UpdateItem per request, for everyone) is left out of both.
"""

from __future__ import annotations

import contextlib
import io
import logging
import tempfile
import uuid
from collections import Counter
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from bench.results import Figure
from local_stack.server import serve_local_stack
from tracker_integrations import wiring
from tracker_integrations.config import get_settings
from tracker_integrations.models.common import utcnow
from tracker_integrations.models.sync_log import SyncLog
from tracker_integrations.observability import logger
from tracker_integrations.services.accounts.analytics import Analytics

SIZES = (100, 1000)
# Requests a member makes on the Integrations screen and the campaigns list (reads and a Sync now).
REQUESTS = (
    ("GET", "/api/me"),
    ("GET", "/api/integrations"),
    ("GET", "/api/integrations/google-sheets"),
    ("GET", "/api/campaigns"),
    ("GET", "/api/notifications"),
    ("POST", "/api/integrations/google-sheets/sync"),
)


class DynamoCalls:
    """The functions' DynamoDB calls, without the rate limiter's counter."""

    def __init__(self) -> None:
        self._counters_table = get_settings().rate_limits_table
        self.calls: Counter[str] = Counter()
        wiring.dynamodb().meta.events.register("before-parameter-build.dynamodb.*", self._count)

    def _count(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        if params.get("TableName") != self._counters_table:
            self.calls[model.name] += 1

    def take(self) -> int:
        total = sum(self.calls.values())
        self.calls.clear()
        return total


def run() -> list[Figure]:
    logger.setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as state_dir:
        running = serve_local_stack("127.0.0.1", 0, state_dir=Path(state_dir), quiet=True)
        try:
            with httpx.Client(base_url=running.base_url, timeout=30) as http:
                return _analytics(http) + _team_overhead(http)
        finally:
            running.stop()


def _headers(http: httpx.Client, **params: str) -> dict[str, str]:
    token = http.get("/local/token", params=params).json()["token"]
    return {"Authorization": f"Bearer {token}"}


def _record_runs(accounts: int, start: int) -> None:
    usage = wiring.analytics()
    now = utcnow()
    with contextlib.redirect_stdout(io.StringIO()):  # each run's metrics line (EMF) is not a figure
        _record(usage, now, range(start, accounts))


def _record(usage: Analytics, now: datetime, accounts: range) -> None:
    for n in accounts:
        usage.sync_finished(
            SyncLog(
                user_id=f"bench-account-{n}",
                provider="google-sheets",
                run_id=f"run_{n}",
                started_at=now,
                direction="both",
                outcome="success",
                records_synced=3,
            )
        )


def _analytics(http: httpx.Client) -> list[Figure]:
    operator = _headers(http, user="bench-operator", plan="free", operator="1")
    calls = DynamoCalls()
    figures: list[Figure] = []
    measured: list[int] = []
    recorded = 0
    for size in SIZES:
        _record_runs(size, recorded)
        recorded = size
        calls.take()
        response = http.get("/api/analytics/integrations", headers=operator)
        response.raise_for_status()
        measured.append(calls.take())
    flat = len(set(measured)) == 1
    for size, count in zip(SIZES, measured, strict=True):
        figures.append(
            Figure(
                name=f"analytics route: DynamoDB calls, {size:,} accounts synced",
                value=count,
                unit="calls",
                goal="same at every size",
                met=flat,
            )
        )
    return figures


def _team_overhead(http: httpx.Client) -> list[Figure]:
    team = f"bench-team-{uuid.uuid4().hex[:8]}"
    alone = _headers(http, user=f"bench-alone-{uuid.uuid4().hex[:8]}", plan="agency")
    member = _headers(http, user=f"bench-member-{uuid.uuid4().hex[:8]}", plan="agency", team=team, role="member")
    calls = DynamoCalls()
    extra = 0
    for method, path in REQUESTS:
        counts = []
        for headers in (alone, member):
            calls.take()
            http.request(method, path, headers=headers)
            counts.append(calls.take())
        extra = max(extra, counts[1] - counts[0])
    return [
        Figure(
            name="teams: extra DynamoDB calls per API request",
            value=extra,
            unit="calls",
            goal="<= 1",
            met=extra <= 1,
        )
    ]


if __name__ == "__main__":
    for figure in run():
        print(figure.line())
