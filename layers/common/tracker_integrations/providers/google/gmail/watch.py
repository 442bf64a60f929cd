"""Daily renewal of Gmail watches, called from the keep-alive schedule.

A users.watch lapses after 7 days and Gmail then stops publishing, silently. Every watch lapsing
within the next two days (or already lapsed in the last week) is registered again; the tier
schedules' polling stays behind it as reconciliation, so a missed renewal delays replies, never
loses them. Watches are found through day buckets (one query per day), not a scan. Gmail keeps one
watch per mailbox: when several Tracker users connect the same mailbox, one users.watch call per run
renews it for all of them.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from tracker_integrations.config import Settings
from tracker_integrations.errors import ProviderError, TrackerError
from tracker_integrations.models.common import utcnow
from tracker_integrations.models.connection import ConnectionStatus
from tracker_integrations.models.gmail import GmailWatch
from tracker_integrations.observability import logger, metrics
from tracker_integrations.providers.google.gmail.store import GmailStore
from tracker_integrations.store.integrations import IntegrationsStore

if TYPE_CHECKING:
    from tracker_integrations.services.connecting.tokens import TokenService

RENEW_WITHIN = timedelta(days=2)
LOOK_BACK_DAYS = 7  # watches that lapsed unnoticed (a failed renewal) are picked up again


class GmailWatchRenewal:
    """The token service and Gmail's client are loaded on use: a day with no watch to renew calls no one."""

    def __init__(
        self,
        integrations: IntegrationsStore,
        gmail: GmailStore,
        tokens: Callable[[], TokenService],
        settings: Settings,
        *,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._integrations = integrations
        self._gmail = gmail
        self._tokens = tokens
        self._settings = settings
        self._now = now

    def run(self) -> int:
        """Renew the watches lapsing soon; returns how many were renewed."""
        topic = self._settings.gmail_pubsub_topic
        if not topic:
            return 0
        now = self._now()
        renewed = failed = 0
        renewed_mailboxes: dict[str, datetime] = {}  # address -> when its watch renewed in this run lapses
        today = now.date()
        for offset in range(-LOOK_BACK_DAYS, RENEW_WITHIN.days + 1):
            day = today + timedelta(days=offset)
            for user_id in self._gmail.watches_lapsing_on(day):
                watch = self._gmail.watch(user_id)
                if watch is None or watch.expires_at.date() != day:
                    self._gmail.drop_watch_due(day, user_id)  # a stale bucket entry
                    continue
                if watch.expires_at - now > RENEW_WITHIN and watch.topic == topic:
                    continue
                try:
                    if self._renew(user_id, topic, renewed_mailboxes):
                        renewed += 1
                    else:
                        self._gmail.drop_watch_due(day, user_id)
                except (ProviderError, TrackerError):
                    # needs_reauth is recorded by the token service; anything else is retried tomorrow.
                    failed += 1
        metrics.add_metric(name="GmailWatchRenewed", unit="Count", value=renewed)
        logger.info("gmail watches renewed", extra={"renewed": renewed, "failed": failed})
        return renewed

    def _renew(self, user_id: str, topic: str, renewed_mailboxes: dict[str, datetime]) -> bool:
        connection = self._integrations.get_connection(user_id, "gmail")
        if connection is None or connection.status == ConnectionStatus.NEEDS_REAUTH:
            return False  # disconnected or waiting for a reconnect: its next sync sets a new watch up
        cursor = self._gmail.cursor(user_id)
        address = None if cursor is None else cursor.email_address
        if address is not None and address in renewed_mailboxes:
            # Another connection of this mailbox renewed its one watch already.
            self._gmail.save_watch(user_id, GmailWatch(topic=topic, expires_at=renewed_mailboxes[address]))
            return True
        from tracker_integrations.providers.google.gmail.client import GmailClient

        result = GmailClient(self._settings, self._tokens().auth(connection)).watch(topic)
        self._gmail.save_watch(user_id, GmailWatch(topic=topic, expires_at=result.expires_at))
        if address is not None:
            renewed_mailboxes[address] = result.expires_at
        return True
