"""What connecting and disconnecting set in motion beyond the credentials themselves.

Connect: an integration that works with no further setup (its spec says `ready_on_connect`) gets its
first sync queued at once, so it works from the first minute rather than from the next tick.
Disconnect: the integration stops what its provider does for the connection (push registrations,
while the token still works, before it is revoked) and forgets its own state; the connection's
change marker is deleted, so nothing keeps syncing, or waking up, a connection that no longer exists.
"""

from __future__ import annotations

from collections.abc import Callable

from tracker_integrations.jobs import SyncJob, SyncJobQueue
from tracker_integrations.models.common import new_id, utcnow
from tracker_integrations.models.connection import Connection, TokenSet
from tracker_integrations.providers.registry import get_spec
from tracker_integrations.services.accounts.analytics import Analytics
from tracker_integrations.services.integration_hooks import HooksOf
from tracker_integrations.store.changes import ChangeMarkers


class ConnectionLifecycle:
    def __init__(
        self,
        queue: Callable[[], SyncJobQueue],
        markers: ChangeMarkers,
        hooks: HooksOf,
        *,
        usage: Callable[[], Analytics | None] = lambda: None,
    ) -> None:
        self._queue = queue
        self._markers = markers
        self._hooks = hooks
        self._usage = usage

    def connected(self, connection: Connection) -> None:
        usage = self._usage()
        if usage is not None:
            usage.connected(connection)
        if not get_spec(connection.provider).sync.ready_on_connect:
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
        self._hooks(connection.provider).disconnecting(connection, access)
        self._markers.forget(connection.user_id, connection.provider)
        usage = self._usage()
        if usage is not None:
            usage.disconnected(connection)

    def account_shared(self, connection: Connection) -> bool:
        """Another Tracker user's connection holds a grant of the same provider account.

        Read before `disconnecting`, which forgets this connection's side of the lookup.
        """
        return self._hooks(connection.provider).shares_account(connection)
