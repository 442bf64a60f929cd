"""The per-user rate limits under the attack that found them missing: a burst of 300 Connects from one user.

Over HTTP against the local stack (the real handlers, moto, the sandbox): one user fires 300
Connects while ten other users use the app in the same burst. Counted: what the burster got refused
(goal: everything past the connect limit), what the others got refused (goal: nothing), and the
DynamoDB calls each refused request cost (goal: at most one write) and the limiter's share of an
admitted one.
"""

from __future__ import annotations

import logging
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from bench.results import Figure
from local_stack.server import serve_local_stack
from tracker_integrations import wiring
from tracker_integrations.config import get_settings
from tracker_integrations.observability import logger

BURST = 300
BYSTANDERS = 10
_WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem", "TransactWriteItems"})


class DynamoCalls:
    """DynamoDB operations of the functions' client, split into the counters' table and the rest."""

    def __init__(self, counters_table: str) -> None:
        self._counters_table = counters_table
        self.limiter: Counter[str] = Counter()
        self.other: Counter[str] = Counter()
        wiring.dynamodb().meta.events.register("before-parameter-build.dynamodb.*", self._count)

    def _count(self, model: Any, params: dict[str, Any], **_: Any) -> None:
        side = self.limiter if params.get("TableName") == self._counters_table else self.other
        side[model.name] += 1

    def reset(self) -> None:
        self.limiter.clear()
        self.other.clear()


def run() -> list[Figure]:
    logger.setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as state_dir:
        running = serve_local_stack("127.0.0.1", 0, state_dir=Path(state_dir), quiet=True)
        try:
            return _measure(running.base_url)
        finally:
            running.stop()


def _token(http: httpx.Client, user: str) -> dict[str, str]:
    token = http.get("/local/token", params={"user": user, "plan": "pro"}).json()["token"]
    return {"Authorization": f"Bearer {token}"}


def _wait_for_room_in_the_minute(seconds: float) -> None:
    """The counters are per clock minute: start with `seconds` left, so the burst meets a single window."""
    while 60 - time.time() % 60 < seconds:
        time.sleep(0.2)


def _measure(base: str) -> list[Figure]:
    settings = get_settings()
    limit = settings.rate_limit_connect_per_minute
    calls = DynamoCalls(settings.rate_limits_table)
    with httpx.Client(base_url=base, timeout=30) as http:
        burster = _token(http, "burster")
        others = [_token(http, f"bystander-{n}") for n in range(BYSTANDERS)]
        # What each bystander does in the burst: open the screen, connect, read a card, create a campaign.
        bystander_requests = [
            ("GET", "/api/integrations", None),
            ("POST", "/api/integrations/gmail/connect", None),
            ("GET", "/api/integrations/gmail", None),
            ("POST", "/api/campaigns", {"title": "Spring radio push"}),
        ]
        every = BURST // (BYSTANDERS * len(bystander_requests))
        _wait_for_room_in_the_minute(30)
        minute = int(time.time()) // 60
        refused_burster = 0
        refused_others = 0
        refused_costs: list[Counter[str]] = []
        admitted_limiter_costs: list[Counter[str]] = []
        for n in range(BURST):
            calls.reset()
            response = http.post("/api/integrations/google-sheets/connect", headers=burster)
            if response.status_code == 429:
                refused_burster += 1
                refused_costs.append(calls.limiter + calls.other)
            else:
                admitted_limiter_costs.append(Counter(calls.limiter))
            # Spread through the burst: each bystander makes each of its requests once.
            if n % every == 0:
                turn = n // every
                method, path, body = bystander_requests[(turn // BYSTANDERS) % len(bystander_requests)]
                other = http.request(method, path, headers=others[turn % BYSTANDERS], json=body)
                refused_others += other.status_code == 429
        crossed = int(time.time()) // 60 != minute
    expected_refused = BURST - limit
    writes_per_refused = max((sum(c[op] for op in _WRITES) for c in refused_costs), default=0)
    calls_per_refused = max((sum(c.values()) for c in refused_costs), default=0)
    limiter_per_admitted = max((sum(c.values()) for c in admitted_limiter_costs), default=0)
    print(
        f"  burst of {BURST} Connects from one user: {BURST - refused_burster} admitted, {refused_burster} refused "
        f"(limit {limit} a minute); {BYSTANDERS} other users in the same burst: {refused_others} refused"
        + (" (the burst crossed a minute: two windows)" if crossed else "")
    )
    measured = [
        (
            f"Connects refused in a burst of {BURST} from one user",
            refused_burster,
            "reqs",
            f"= {expected_refused}",
            refused_burster == expected_refused and not crossed,
        ),
        ("other users' requests refused during that burst", refused_others, "reqs", "= 0", refused_others == 0),
        ("DynamoDB writes per refused request", writes_per_refused, "calls", "<= 1", writes_per_refused <= 1),
        ("DynamoDB calls per refused request (any kind)", calls_per_refused, "calls", "<= 1", calls_per_refused <= 1),
        (
            "limiter's DynamoDB calls per admitted request",
            limiter_per_admitted,
            "calls",
            "= 1",
            limiter_per_admitted == 1,
        ),
    ]
    return [
        Figure(name=f"rate limit: {name}", value=value, unit=unit, goal=goal, met=met)
        for name, value, unit, goal, met in measured
    ]
