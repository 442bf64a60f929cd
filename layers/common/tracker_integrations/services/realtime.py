"""Changes on either side turn into syncs: at once for real-time connections, at the next tick otherwise.

Two sources report changes: the Tracker table's stream (a user edited a campaign or pitch) and the
providers' push notifications (a spreadsheet was edited). Every change marks the connection changed,
so the schedules skip connections with nothing to do; a real-time (agency) connection also gets a
sync queued a few seconds out, and the changes arriving meanwhile ride on that one sync.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict

from tracker_integrations.jobs import SyncJob, SyncJobQueue
from tracker_integrations.models.common import new_id, utcnow
from tracker_integrations.models.connection import Connection, ConnectionStatus, ProviderKey
from tracker_integrations.models.push import TrackerChange
from tracker_integrations.observability import logger, metrics
from tracker_integrations.store.changes import ChangeMarkers
from tracker_integrations.store.channels import ChannelStore
from tracker_integrations.store.integrations import IntegrationsStore, schedule_of

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
        queue: Callable[[], SyncJobQueue],
        *,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._integrations = integrations
        self._markers = markers
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

    def _changed(self, connection: Connection) -> bool:
        now = self._now()
        self._markers.mark(connection.user_id, connection.provider, now)
        if schedule_of(connection) != "real_time":
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


# Even with nothing reported, a connection gets a full sync this often: a lost notification (Drive
# promises none of delivery) or a change made while a channel was being replaced is caught within it.
RECONCILE_EVERY = timedelta(hours=6)
# Integrations whose provider side reports changes through a push channel.
PUSH_WATCHED: frozenset[ProviderKey] = frozenset({"google-sheets"})


class QuietCheck:
    """Whether a scheduled sync would find nothing to do: then it is skipped without a token, a lease or a
    provider call (most ticks of most connections), which is what keeps the schedules cheap."""

    def __init__(self, markers: ChangeMarkers, channels: ChannelStore, *, now: Callable[[], datetime] = utcnow) -> None:
        self._markers = markers
        self._channels = channels
        self._now = now

    def nothing_changed(self, connection: Connection) -> bool:
        last = connection.last_sync_at
        if connection.provider not in PUSH_WATCHED or connection.status != ConnectionStatus.CONNECTED or last is None:
            return False
        now = self._now()
        if last <= now - RECONCILE_EVERY:
            return False
        channel = self._channels.current(connection.user_id, connection.provider)
        sheet = connection.settings.get("sheet")
        target = sheet.get("target") if isinstance(sheet, dict) else None
        watched = target.get("spreadsheet_id") if isinstance(target, dict) else None
        if channel is None or channel.expires_at <= now or channel.watched_file_id != watched:
            return False  # nobody would have told us about a change on the provider's side
        changed = self._markers.changed_at(connection.user_id, connection.provider)
        return changed is None or changed < last
