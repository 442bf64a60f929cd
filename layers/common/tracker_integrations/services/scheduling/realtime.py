"""Changes on either side turn into syncs: at once for real-time connections, at the next tick otherwise.

Two sources report changes: the Tracker table's stream (a user edited a campaign or pitch) and the
providers' push notifications (a spreadsheet was edited). Every change marks the connection due in
the schedule index, so the schedules sync connections with something to do and leave the rest
alone (until their reconciliation time); a real-time (agency) connection also gets a sync queued a
few seconds out, and the changes arriving meanwhile ride on that one sync.
"""

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from tracker_integrations.jobs import SyncJob, SyncJobQueue
from tracker_integrations.models.common import new_id, utcnow
from tracker_integrations.models.connection import Connection, ProviderKey
from tracker_integrations.observability import logger, metrics
from tracker_integrations.providers.registry import get_spec
from tracker_integrations.services.integration_hooks import HooksOf
from tracker_integrations.services.scheduling.policy import schedule_of
from tracker_integrations.store.changes import ChangeMarkers
from tracker_integrations.store.integrations import IntegrationsStore

if TYPE_CHECKING:
    # A type only: the sync worker settles its runs through this module without loading the push models.
    from tracker_integrations.models.push import TrackerChange

# A burst of edits within this window shares one sync, which starts when the window closes.
COLLAPSE_WINDOW = timedelta(seconds=3)


class ChangeSummary(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    users: int
    marked: int
    queued: int


class RealTime:
    def __init__(
        self,
        integrations: IntegrationsStore,
        markers: ChangeMarkers,
        hooks: HooksOf,
        queue: Callable[[], SyncJobQueue],
        *,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._integrations = integrations
        self._markers = markers
        self._hooks = hooks
        self._queue = queue
        self._now = now

    def tracker_changed(self, changes: "Iterable[TrackerChange]") -> ChangeSummary:
        writers: dict[str, set[str]] = {}
        for change in changes:
            writers.setdefault(change.user_id, set()).add(change.written_by)
        marked = queued = 0
        for user_id, wrote in writers.items():
            for connection in self._integrations.list_connections(user_id):
                # A sync's own writes are news to every other integration, but not to itself.
                if not get_spec(connection.provider).sync.tracker_driven or not wrote - {connection.provider}:
                    continue
                if schedule_of(connection) is None:
                    continue
                marked += 1
                queued += self._changed(connection)
        metrics.add_metric(name="TrackerChangesQueued", unit="Count", value=queued)
        logger.info("tracker changes routed", extra={"users": len(writers), "marked": marked, "queued": queued})
        return ChangeSummary(users=len(writers), marked=marked, queued=queued)

    def provider_changed(self, user_id: str, provider: ProviderKey) -> bool:
        """The provider says its side changed; True when a sync was queued for it now."""
        connection = self._integrations.get_connection(user_id, provider)
        if connection is None or schedule_of(connection) is None:
            return False
        return self._changed(connection)

    def synced(self, connection: Connection, started_at: datetime) -> None:
        """A sync that started at `started_at` finished: what changed before it is synced. Without a live push
        channel nobody would report the provider's changes, so the connection stays due at every tick."""
        if get_spec(connection.provider).sync.push_watched:
            live_until = self._hooks(connection.provider).push_live_until(connection, run_started=started_at)
            if live_until is None or live_until <= self._now():
                self.still_due(connection, started_at)
                return
        self._markers.settle(connection.user_id, connection.provider, synced_from=started_at)

    def still_due(self, connection: Connection, started_at: datetime) -> None:
        """A run that synced nothing leaves the connection due at the next tick of its cadence."""
        self._markers.mark(connection.user_id, connection.provider, started_at, cadence=schedule_of(connection))

    def _changed(self, connection: Connection) -> bool:
        now = self._now()
        cadence = schedule_of(connection)
        self._markers.mark(connection.user_id, connection.provider, now, cadence=cadence)
        if cadence != "real_time":
            return False  # the next scheduled tick picks it up
        if not self._markers.claim_slot(connection.user_id, connection.provider, now=now, window=COLLAPSE_WINDOW):
            return False  # a sync is already queued for this burst
        # The job stands for every change until the window closes: a sync that started before then may
        # have missed some, so only one started after it makes this job a duplicate.
        job = SyncJob(
            job_id=new_id("job"),
            user_id=connection.user_id,
            provider=connection.provider,
            reason="change",
            requested_at=now + COLLAPSE_WINDOW,
        )
        self._queue().enqueue(job, delay_seconds=int(COLLAPSE_WINDOW.total_seconds()))
        return True
