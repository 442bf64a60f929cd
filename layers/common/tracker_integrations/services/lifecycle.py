"""What connecting and disconnecting set in motion beyond the credentials themselves.

Connect: an integration that works with no further setup (Gmail) gets its first sync queued at once,
so replies are tracked from the first minute rather than from the next tick. Disconnect: push
registrations are stopped at the provider while the token still works (before it is revoked), unless
another Tracker user's connection watches the same mailbox (Gmail has one watch per mailbox), and
the connection's schedule entries, change marker and push state are deleted, so nothing keeps
syncing, or waking up, a connection that no longer exists.
"""

from __future__ import annotations

from collections.abc import Callable

from tracker_integrations.config import Settings
from tracker_integrations.errors import ProviderError
from tracker_integrations.jobs import SyncJob, SyncJobQueue
from tracker_integrations.models.common import new_id, utcnow
from tracker_integrations.models.connection import Connection, TokenSet
from tracker_integrations.observability import logger
from tracker_integrations.services.drive_watch import DriveWatches
from tracker_integrations.store.changes import ChangeMarkers
from tracker_integrations.store.gmail import GmailStore

# Integrations that can sync as soon as they are connected (nothing to choose first).
READY_ON_CONNECT = frozenset({"gmail"})


class ConnectionLifecycle:
    def __init__(
        self,
        queue: Callable[[], SyncJobQueue],
        markers: ChangeMarkers,
        drive_watches: Callable[[], DriveWatches],
        gmail: GmailStore,
        settings: Settings,
    ) -> None:
        self._queue = queue
        self._markers = markers
        self._drive_watches = drive_watches
        self._gmail = gmail
        self._settings = settings

    def connected(self, connection: Connection) -> None:
        if connection.provider not in READY_ON_CONNECT:
            return
        job = SyncJob(
            job_id=new_id("job"),
            user_id=connection.user_id,
            provider=connection.provider,
            reason="connected",
            requested_at=utcnow(),
        )
        self._queue().enqueue(job)

    def disconnecting(self, connection: Connection, tokens: TokenSet | None) -> None:
        """Best effort at the provider (a failure there must not block the disconnect); always local."""
        access = tokens.access_token.get_secret_value() if tokens is not None else None
        if connection.provider == "google-sheets":
            self._drive_watches().close(connection, access)
        if connection.provider == "gmail":
            if access is not None and self._gmail.watch(connection.user_id) is not None:
                if self._mailbox_watched_by_others(connection.user_id):
                    # Gmail keeps one watch per mailbox for Tracker: stopping it would silence the others.
                    logger.info("gmail watch kept: another connection uses this mailbox")
                else:
                    self._stop_gmail_watch(access)
            self._gmail.forget(connection.user_id)
        self._markers.forget(connection.user_id, connection.provider)

    def mailbox_shared(self, connection: Connection) -> bool:
        """Another Tracker user's connection reads the same mailbox, so it holds a grant of the same account.

        Read before `disconnecting`, which forgets this connection's side of the lookup.
        """
        if connection.provider != "gmail":
            return False
        cursor = self._gmail.cursor(connection.user_id)
        if cursor is None:
            return False
        return any(u != connection.user_id for u in self._gmail.users_for_address(cursor.email_address))

    def _mailbox_watched_by_others(self, user_id: str) -> bool:
        """Another connection of the same mailbox still relies on its push (it registered a watch)."""
        cursor = self._gmail.cursor(user_id)
        if cursor is None:
            return False
        others = [u for u in self._gmail.users_for_address(cursor.email_address) if u != user_id]
        return any(self._gmail.watch(other) is not None for other in others)

    def _stop_gmail_watch(self, access: str) -> None:
        from tracker_integrations.providers.google.gmail import GmailClient

        try:
            GmailClient(self._settings, access).stop()
        except ProviderError as exc:
            logger.info("could not stop the Gmail watch; it lapses within a week", extra={"code": exc.code})
