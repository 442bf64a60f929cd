"""When the schedules sync a connection: its cadence, and how long it may wait without a change.

The policy reads each provider's spec (what "configured" means, how long a push-watched connection may
go without a full sync); the store only writes what this decides into the schedule index.
"""

from __future__ import annotations

from datetime import UTC

from tracker_integrations.models.account import Plan
from tracker_integrations.models.connection import Connection, ConnectionStatus
from tracker_integrations.providers.registry import get_spec
from tracker_integrations.store.integrations import DUE_NOW, ScheduleEntry

SCHEDULED_STATUSES = frozenset({ConnectionStatus.CONNECTED, ConnectionStatus.ERROR, ConnectionStatus.SYNCING})
AUTOMATIC_FREQUENCIES = frozenset({"every_15_minutes", "real_time"})


def default_frequency(plan: Plan) -> str:
    """What a new connection starts with: the plan's own cadence (free syncs when asked)."""
    return {Plan.FREE: "manual", Plan.PRO: "every_15_minutes", Plan.AGENCY: "real_time"}[plan]


def schedule_of(connection: Connection) -> str | None:
    """The cadence a connection is synced at by the schedules, or None (manual only, paused, needs reauth,
    or nothing chosen to sync yet)."""
    settings = get_spec(connection.provider).settings_of(connection)
    frequency = settings.sync_frequency
    if frequency not in AUTOMATIC_FREQUENCIES or connection.status not in SCHEDULED_STATUSES:
        return None
    if not settings.is_configured():
        return None
    return frequency


def next_due(connection: Connection) -> str:
    """When the schedules next sync this connection if nothing changes (ISO time, or DUE_NOW).

    Only integrations whose provider pushes its changes may wait (their reconciliation time); while their
    push is not live they stay due through their change marker. The rest are due at every tick."""
    wait = get_spec(connection.provider).sync.reconcile_every
    if connection.last_sync_at is None or not wait:
        return DUE_NOW
    return (connection.last_sync_at + wait).astimezone(UTC).isoformat()


def schedule_entry(connection: Connection) -> ScheduleEntry | None:
    """What the store writes into the schedule index for this connection (None: it is not scheduled)."""
    cadence = schedule_of(connection)
    return None if cadence is None else ScheduleEntry(cadence=cadence, due=next_due(connection))
