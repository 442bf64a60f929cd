"""What an integration plugs into the generic services, beyond the data its spec declares.

Each integration's folder returns one of these from `build(root)` (its spec names the module); the
generic services call the hooks and never ask which provider they hold. The defaults are what an
integration without a sync, push or settings of its own does: nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from tracker_integrations.models.connection import Connection, ProviderKey

if TYPE_CHECKING:
    # Types only: a function that runs a sync or a push never loads the Integrations screen's service.
    from tracker_integrations.models.imports import ImportRequest, ImportResult
    from tracker_integrations.models.sync_log import SyncLog
    from tracker_integrations.services.integrations import IntegrationDetail


class SyncService(Protocol):
    """One sync run of a user's connection (SheetsSync, GmailReplySync, ...).

    `read`: the connection as the caller has just read it, if it has; `on_rerun`: what to do with a request
    left on the run's lease meanwhile (see `SyncFrame.run`)."""

    def run(
        self, user_id: str, *, read: Connection | None = None, on_rerun: Callable[[str], None] | None = None
    ) -> SyncLog: ...


class RowImport(Protocol):
    def import_rows(self, user_id: str, request: ImportRequest) -> ImportResult: ...


class IntegrationHooks:
    def sync(self) -> SyncService:
        """Its sync service; asked only when the spec's `sync.available` says there is one."""
        raise NotImplementedError("this integration has no sync")

    def importer(self) -> RowImport:
        """Its import; asked only when the spec's `sync.imports` says there is one."""
        raise NotImplementedError("this integration has no import")

    def configure(self, user_id: str, body: dict[str, Any]) -> IntegrationDetail | None:
        """Apply a settings body that carries its own fields; None: only the shared ones are in it."""
        return None

    def push_live_until(self, connection: Connection, *, run_started: datetime | None = None) -> datetime | None:
        """Until when the provider reports this connection's changes to Tracker (None: it does not).

        Asked when a run that started at `run_started` ends: what the integration read or wrote of its push
        channel during that run may answer, rather than reading it again."""
        return None

    def disconnecting(self, connection: Connection, access_token: str | None) -> None:
        """Stop what the provider does for this connection (best effort) and forget its own state."""

    def shares_account(self, connection: Connection) -> bool:
        """Another Tracker user's connection holds a grant of the same provider account (read before
        `disconnecting`), so revoking would cut that user off too."""
        return False

    def renew_push(self) -> int:
        """Renew the push registrations that lapse soon (daily); how many were renewed."""
        return 0


# The composition root's lookup: the hooks of one provider, built on first use.
HooksOf = Callable[[ProviderKey], IntegrationHooks]
