"""Drive push notifications for synced spreadsheets: channels opened, renewed, and their notifications checked.

Each Sheets connection keeps one `files.watch` channel on its spreadsheet. Drive lets a file channel
live at most a day, so a sync renews it when less than `RENEW_BEFORE` is left (more than the
reconciliation interval, so the full sync that runs at least that often always renews it in time).
A notification is believed only when its channel is one Tracker opened, its token matches the secret
given to Drive (only a hash is stored) and it names the watched resource.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from tracker_integrations.config import Settings
from tracker_integrations.errors import ProviderError, Unauthenticated
from tracker_integrations.models.common import new_id, utcnow
from tracker_integrations.models.connection import Connection
from tracker_integrations.models.push import DriveNotification, PushChannel, PushOutcome
from tracker_integrations.observability import logger, metrics
from tracker_integrations.providers.google.sheets.channels import ChannelStore
from tracker_integrations.services.scheduling.realtime import RealTime

if TYPE_CHECKING:
    # Loaded only to stop a channel: a notification (the webhook's whole work) needs no HTTP client.
    from tracker_integrations.providers.google.sheets.client import SheetsClient

WATCH_LIFETIME = timedelta(days=1)  # Drive's longest for a file channel
RENEW_BEFORE = timedelta(hours=8)
WEBHOOK_PATH = "/api/webhooks/google-drive"


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class DriveWatches:
    def __init__(
        self,
        channels: ChannelStore,
        realtime: Callable[[], RealTime],
        settings: Settings,
        *,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._channels = channels
        self._realtime = realtime
        self._settings = settings
        self._now = now

    def current(self, connection: Connection) -> PushChannel | None:
        return self._channels.current(connection.user_id, connection.provider)

    def ensure(self, connection: Connection, spreadsheet_id: str, client: SheetsClient) -> None:
        """Open (or renew) the channel on the synced spreadsheet. Never fails the sync: without a channel the
        schedules simply sync the connection every time instead of only when something changed."""
        now = self._now()
        current = self.current(connection)
        if (
            current is not None
            and current.watched_file_id == spreadsheet_id
            and current.expires_at - now > RENEW_BEFORE
        ):
            return
        token = secrets.token_urlsafe(32)
        channel_id = new_id("ch")
        address = str(self._settings.api_base_url).rstrip("/") + WEBHOOK_PATH
        try:
            opened = client.watch_file(
                spreadsheet_id,
                channel_id=channel_id,
                address=address,
                token=token,
                expires_at_ms=int((now + WATCH_LIFETIME).timestamp() * 1000),
            )
        except ProviderError as exc:
            logger.warning(
                "could not open a Drive channel; scheduled syncs cover this connection", extra={"code": exc.code}
            )
            return
        self._channels.save(
            PushChannel(
                channel_id=channel_id,
                user_id=connection.user_id,
                provider=connection.provider,
                resource_id=opened.resource_id,
                watched_file_id=spreadsheet_id,
                token_sha256=_digest(token),
                expires_at=datetime.fromtimestamp(opened.expiration / 1000, UTC),
            )
        )
        metrics.add_metric(name="DriveChannelsOpened", unit="Count", value=1)
        if current is not None:
            self._stop(client, current)

    def close(self, connection: Connection, access_token: str | None) -> None:
        """The connection is going: stop its channel at Drive while the token still works, and forget it."""
        current = self.current(connection)
        if current is None:
            return
        if access_token is not None:
            from tracker_integrations.providers.google.sheets.client import SheetsClient

            self._stop(SheetsClient(self._settings, access_token), current)
        self._channels.forget_current(connection.user_id, connection.provider)

    def _stop(self, client: SheetsClient, channel: PushChannel) -> None:
        try:
            client.stop_channel(channel.channel_id, channel.resource_id)
        except ProviderError as exc:
            # It lapses within a day anyway, and its notifications are ignored as stale.
            logger.info("could not stop a Drive channel", extra={"code": exc.code})

    def notified(self, notification: DriveNotification) -> PushOutcome:
        channel = self._channels.by_id(notification.channel_id)
        if channel is None or not hmac.compare_digest(_digest(notification.channel_token), channel.token_sha256):
            raise Unauthenticated("this notification is not from a Drive channel Tracker opened")
        if notification.resource_id != channel.resource_id:
            raise Unauthenticated("this notification names a resource its channel does not watch")
        if notification.resource_state == "sync":
            return PushOutcome(accepted=True, queued=False, reason="channel opened")
        current = self._channels.current(channel.user_id, channel.provider)
        if current is None or current.channel_id != channel.channel_id:
            return PushOutcome(accepted=True, queued=False, reason="channel replaced; the current one reports changes")
        queued = self._realtime().provider_changed(channel.user_id, channel.provider)
        metrics.add_metric(name="DriveChangesReceived", unit="Count", value=1)
        return PushOutcome(accepted=True, queued=queued, reason="change recorded")
