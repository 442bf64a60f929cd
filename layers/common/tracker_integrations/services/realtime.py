"""Changes on either side turn into syncs: at once for real-time connections, at the next tick otherwise.

Two sources report changes: the Tracker table's stream (a user edited a campaign or pitch) and the
providers' push notifications (a spreadsheet was edited). Every change marks the connection due in
the schedule index, so the schedules sync connections with something to do and leave the rest
alone (until their reconciliation time); a real-time (agency) connection also gets a sync queued a
few seconds out, and the changes arriving meanwhile ride on that one sync.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict

from tracker_integrations.jobs import SyncJob, SyncJobQueue
from tracker_integrations.models.common import new_id, utcnow
from tracker_integrations.models.connection import Connection, ProviderKey
from tracker_integrations.models.push import TrackerChange
from tracker_integrations.observability import logger, metrics
from tracker_integrations.store.changes import ChangeMarkers
from tracker_integrations.store.channels import ChannelStore
from tracker_integrations.store.gmail import GmailStore
from tracker_integrations.store.integrations import RECONCILE_EVERY, IntegrationsStore, schedule_of

# Integrations whose sync carries Tracker's campaigns and pitches out to the provider.
TRACKER_DRIVEN: frozenset[ProviderKey] = frozenset({"google-sheets", "airtable"})
# A burst of edits within this window shares one sync, which starts when the window closes.
COLLAPSE_WINDOW = timedelta(seconds=3)


class ChangeSummary(BaseModel):
    model_config = ConfigDict(frozen=True)

    users: int
    marked: int
    queued: int


class RealTime:
    def __init__(
        self,
        integrations: IntegrationsStore,
        markers: ChangeMarkers,
        channels: ChannelStore,
        gmail: GmailStore,
        queue: Callable[[], SyncJobQueue],
        *,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._integrations = integrations
        self._markers = markers
        self._channels = channels
        self._gmail = gmail
        self._queue = queue
        self._now = now

    def tracker_changed(self, changes: Iterable[TrackerChange]) -> ChangeSummary:
        writers: dict[str, set[str]] = {}
        for change in changes:
            writers.setdefault(change.user_id, set()).add(change.written_by)
        marked = queued = 0
        for user_id, wrote in writers.items():
            for connection in self._integrations.list_connections(user_id):
                # A sync's own writes are news to every other integration, but not to itself.
                if connection.provider not in TRACKER_DRIVEN or not wrote - {connection.provider}:
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
        if connection.provider in PUSH_WATCHED:
            live_until = self._push_live_until(connection)
            if live_until is None or live_until <= self._now():
                self.still_due(connection, started_at)
                return
        self._markers.settle(connection.user_id, connection.provider, synced_from=started_at)

    def still_due(self, connection: Connection, started_at: datetime) -> None:
        """A run that synced nothing leaves the connection due at the next tick of its cadence."""
        self._markers.mark(connection.user_id, connection.provider, started_at, cadence=schedule_of(connection))

    def _push_live_until(self, connection: Connection) -> datetime | None:
        """Until when the provider reports this connection's changes to Tracker (None: it does not)."""
        if connection.provider == "gmail":
            watch = self._gmail.watch(connection.user_id)
            return None if watch is None else watch.expires_at
        channel = self._channels.current(connection.user_id, connection.provider)
        return None if channel is None else channel.expires_at

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


# Integrations whose provider side reports changes to Tracker (Drive channels, Gmail watches): exactly the ones
# that may wait for a reconciliation time between changes, while that push is live.
PUSH_WATCHED: frozenset[ProviderKey] = frozenset(RECONCILE_EVERY)
