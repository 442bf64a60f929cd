"""The schedules' fan-out: one SQS message per due connection, spread across the interval.

Reads only the sparse schedule index (keys only: no per-connection reads) for entries due by now:
connections with a change reported and connections due for reconciliation. Sends ten messages per
SQS call, and gives each a random delay within the interval so neither the providers nor the
worker see the whole tier at the top of the hour.
"""

import random
from collections.abc import Callable
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tracker_integrations.jobs import SyncJob, SyncJobQueue
from tracker_integrations.models.common import new_id, utcnow
from tracker_integrations.models.connection import PROVIDER_KEYS
from tracker_integrations.observability import logger, metrics
from tracker_integrations.store.integrations import IntegrationsStore

Cadence = Literal["every_15_minutes", "real_time"]


class ScheduleTick(BaseModel):
    """The Input each EventBridge schedule sends."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    cadence: Cadence
    interval_seconds: int = Field(ge=60, le=3600)


class FanoutResult(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    cadence: Cadence
    connections: int
    send_calls: int


class Fanout:
    def __init__(
        self,
        integrations: IntegrationsStore,
        queue: SyncJobQueue,
        *,
        now: Callable[[], datetime] = utcnow,
        jitter: Callable[[], float] = random.random,
    ) -> None:
        self._integrations = integrations
        self._queue = queue
        self._now = now
        self._jitter = jitter

    def run(self, tick: ScheduleTick) -> FanoutResult:
        spread = min(tick.interval_seconds, 900)  # SQS delays stop at 15 minutes
        requested = self._now()
        total = calls = 0
        queued: set[tuple[str, str]] = set()
        for page in self._integrations.scheduled(tick.cadence, requested):
            jobs: list[tuple[SyncJob, int]] = []
            for user_id, provider in page:
                # A changed connection is due twice (its marker, and maybe its reconciliation): one job.
                if provider not in PROVIDER_KEYS or (user_id, provider) in queued:
                    continue
                queued.add((user_id, provider))
                job = SyncJob(
                    job_id=new_id("job"),
                    user_id=user_id,
                    provider=provider,
                    reason="schedule",
                    requested_at=requested,
                )
                jobs.append((job, int(self._jitter() * spread)))
            calls += self._queue.enqueue_many(jobs)
            total += len(jobs)
        metrics.add_metric(name="ScheduledSyncsQueued", unit="Count", value=total)
        logger.info("fan-out done", extra={"cadence": tick.cadence, "connections": total, "send_calls": calls})
        return FanoutResult(cadence=tick.cadence, connections=total, send_calls=calls)
