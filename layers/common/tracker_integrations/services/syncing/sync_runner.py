"""Runs one queued sync job with the provider's sync service; what a failure does to the queue is
decided by one table (`queue_actions`).

- A job requested before the connection's last sync started is a duplicate (a repeated message,
  or a burst of "sync now" clicks): it is dropped, so one request never syncs twice in a row.
- A rate limit re-queues the job with the provider's wait as an SQS delay and acknowledges this
  delivery: the wait does not burn one of the message's bounded receives.
- A finished run settles the connection's change marker, so the schedules leave it alone until
  something changes or its reconciliation time comes.
- A job that finds a run of the same connection going leaves itself on the run's lease and is
  acknowledged; the run's worker queues it the moment the run ends, so "Sync now" pressed during a
  run starts seconds after it (not when the message's visibility timeout lapses, 12 minutes on).
  Any number of jobs waiting on one run become one run after it.
- Transient errors raise: the message returns after the visibility timeout and, if it keeps
  failing, reaches the DLQ.
"""

from __future__ import annotations

import math
from collections.abc import Callable

from tracker_integrations.errors import RateLimited
from tracker_integrations.jobs import SyncJob, SyncJobQueue
from tracker_integrations.models.common import utcnow
from tracker_integrations.models.connection import Connection
from tracker_integrations.models.sync_log import SyncLog
from tracker_integrations.observability import logger, metrics
from tracker_integrations.providers.registry import get_spec
from tracker_integrations.services.integration_hooks import HooksOf
from tracker_integrations.services.scheduling.realtime import RealTime
from tracker_integrations.services.syncing.queue_actions import DuplicateJob, QueueAction, queue_action
from tracker_integrations.services.syncing.sync_frame import sync_lease
from tracker_integrations.store.integrations import IntegrationsStore
from tracker_integrations.store.leases import LeaseStore


class SyncRunner:
    def __init__(
        self,
        integrations: IntegrationsStore,
        hooks: HooksOf,
        queue: Callable[[], SyncJobQueue],
        leases: LeaseStore,
        *,
        realtime: Callable[[], RealTime] | None = None,
    ) -> None:
        self._realtime = realtime
        self._leases = leases
        self._integrations = integrations
        self._hooks = hooks
        self._queue = queue

    def run(self, job: SyncJob) -> SyncLog | None:
        if not get_spec(job.provider).sync.available:
            logger.warning("no sync exists for this provider yet; job dropped")
            return None
        connection = self._integrations.get_connection(job.user_id, job.provider)
        if connection is None:
            logger.info("connection gone before its sync ran; job dropped")
            return None
        try:
            log = self._sync(job, connection)
        except Exception as exc:
            self._act(queue_action(exc), job, exc)
            return None
        if self._realtime is not None:
            if log.outcome == "failed":
                # Nothing was synced: the next tick tries again (the card already says what went wrong).
                self._realtime().still_due(connection, log.started_at)
            else:
                self._realtime().synced(connection, log.started_at)
        return log

    def _sync(self, job: SyncJob, connection: Connection) -> SyncLog:
        if connection.last_sync_at is not None and connection.last_sync_at >= job.requested_at:
            raise DuplicateJob("a sync finished after this job was requested")
        # The connection just read to check the job: the run need not read it again (one GetItem fewer). A job
        # left waiting on the lease meanwhile comes with the lease's release (one UpdateItem fewer).
        return self._hooks(job.provider).sync().run(job.user_id, read=connection, on_rerun=self._queue_waiting_job)

    def _act(self, action: QueueAction, job: SyncJob, failure: Exception) -> None:
        match action:
            case QueueAction.DROP if isinstance(failure, DuplicateJob):
                metrics.add_metric(name="SyncJobDeduplicated", unit="Count", value=1)
                logger.info("a sync finished after this job was requested; job dropped as a duplicate")
            case QueueAction.DROP:
                logger.info("job dropped", extra={"code": getattr(failure, "code", type(failure).__name__)})
            case QueueAction.WAIT_FOR_RUN:
                self._wait_for_running_sync(job)
            case QueueAction.DELAY:
                wait = math.ceil(failure.retry_after) if isinstance(failure, RateLimited) else 0
                self._queue().enqueue(job, delay_seconds=wait)
                metrics.add_metric(name="SyncJobDelayedForRateLimit", unit="Count", value=1)
                logger.info("rate limited; job re-queued", extra={"delay_seconds": wait})
            case QueueAction.RETRY:
                raise failure

    def _wait_for_running_sync(self, job: SyncJob) -> None:
        if self._leases.request_rerun(job.user_id, sync_lease(job.provider), job.model_dump_json(), now=utcnow()):
            metrics.add_metric(name="SyncJobWaitingForRun", unit="Count", value=1)
            logger.info("a sync of this connection is running; this job runs when it ends")
            return
        # The run ended between our try and our request: nothing holds the lease now, so go again at once.
        self._queue().enqueue(job)

    def _queue_waiting_job(self, waiting: str) -> None:
        """Queue the job left on the lease while this run held it (a Sync now, a change, a tick)."""
        self._queue().enqueue(SyncJob.model_validate_json(waiting))
        logger.info("a job waited for this run; queued now")
