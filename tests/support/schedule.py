"""What the tier schedules would queue: the fan-out's own query of the schedule index."""

from __future__ import annotations

from datetime import datetime

from tracker_integrations import wiring
from tracker_integrations.config import get_settings
from tracker_integrations.models.common import utcnow
from tracker_integrations.store.integrations import scheduled_connections


def due_connections(cadence: str = "every_15_minutes", *, at: datetime | None = None) -> set[tuple[str, str]]:
    """(user, provider) pairs a tick of `cadence` at `at` (default now) would queue."""
    pages = scheduled_connections(wiring.dynamodb(), get_settings().integrations_table, cadence, now=at or utcnow())
    return {pair for page in pages for pair in page}


def is_due(user_id: str, provider: str, cadence: str = "every_15_minutes", *, at: datetime | None = None) -> bool:
    return (user_id, provider) in due_connections(cadence, at=at)
