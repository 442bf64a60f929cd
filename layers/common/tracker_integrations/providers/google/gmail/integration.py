"""Gmail's part in the platform: its services, built from the root, and its hooks into the generic ones.

Disconnect stops the mailbox's watch while the token still works, unless another Tracker user's
connection watches the same mailbox (Gmail keeps one watch per mailbox for an app); the mailbox is
shared the same way when deciding whether revoking would cut another user off.
"""

from __future__ import annotations

from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING

from tracker_integrations.errors import ProviderError
from tracker_integrations.models.connection import Connection
from tracker_integrations.observability import logger
from tracker_integrations.providers.google.gmail.store import GmailStore
from tracker_integrations.services.integration_hooks import IntegrationHooks

if TYPE_CHECKING:
    from tracker_integrations.providers.google.gmail.push import GmailPushReceiver
    from tracker_integrations.providers.google.gmail.reply_categories import ReplyCategories
    from tracker_integrations.providers.google.gmail.sync import GmailReplySync
    from tracker_integrations.providers.google.gmail.watch import GmailWatchRenewal
    from tracker_integrations.wiring import Root


class GmailIntegration(IntegrationHooks):
    def __init__(self, root: Root) -> None:
        self._root = root

    # -- services (per process: the store; the rest per call) -------------------------------------

    @cached_property
    def store(self) -> GmailStore:
        return GmailStore(self._root.dynamodb, self._root.settings.integrations_table)

    def sync(self) -> GmailReplySync:
        from tracker_integrations.providers.google.gmail.sync import GmailReplySync
        from tracker_integrations.replies import classify_raw

        return GmailReplySync(self._root.run_services(), self.store, classify_raw)

    def push_receiver(self) -> GmailPushReceiver:
        from tracker_integrations.providers.google.gmail.pubsub_push import PushTokenVerifier
        from tracker_integrations.providers.google.gmail.push import GmailPushReceiver

        root = self._root
        return GmailPushReceiver(self.store, root.integrations_store, root.sync_queue, PushTokenVerifier(root.settings))

    def watch_renewal(self) -> GmailWatchRenewal:
        from tracker_integrations.providers.google.gmail.watch import GmailWatchRenewal

        root = self._root
        return GmailWatchRenewal(root.integrations_store, self.store, root.token_service, root.settings)

    def reply_categories(self) -> ReplyCategories:
        from tracker_integrations.providers.google.gmail.reply_categories import ReplyCategories

        return ReplyCategories(self._root.tracker_store)

    # -- hooks ------------------------------------------------------------------------------------

    def push_live_until(self, connection: Connection, *, run_started: datetime | None = None) -> datetime | None:
        watch = self.store.watch(connection.user_id)
        return None if watch is None else watch.expires_at

    def renew_push(self) -> int:
        return self.watch_renewal().run()

    def shares_account(self, connection: Connection) -> bool:
        cursor = self.store.cursor(connection.user_id)
        if cursor is None:
            return False
        return any(u != connection.user_id for u in self.store.users_for_address(cursor.email_address))

    def disconnecting(self, connection: Connection, access_token: str | None) -> None:
        if access_token is not None and self.store.watch(connection.user_id) is not None:
            if self._watched_by_others(connection.user_id):
                # Gmail keeps one watch per mailbox for Tracker: stopping it would silence the others.
                logger.info("gmail watch kept: another connection uses this mailbox")
            else:
                self._stop_watch(access_token)
        self.store.forget(connection.user_id)

    def _watched_by_others(self, user_id: str) -> bool:
        """Another connection of the same mailbox still relies on its push (it registered a watch)."""
        cursor = self.store.cursor(user_id)
        if cursor is None:
            return False
        others = [u for u in self.store.users_for_address(cursor.email_address) if u != user_id]
        return any(self.store.watch(other) is not None for other in others)

    def _stop_watch(self, access_token: str) -> None:
        from tracker_integrations.providers.google.gmail.client import GmailClient

        try:
            GmailClient(self._root.settings, access_token).stop()
        except ProviderError as exc:
            logger.info("could not stop the Gmail watch; it lapses within a week", extra={"code": exc.code})


def build(root: Root) -> GmailIntegration:
    return GmailIntegration(root)
