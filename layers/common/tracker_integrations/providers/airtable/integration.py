"""Airtable's part in the platform: its services, built from the root, and its hooks into the generic ones.

Its own settings (base, table, view, mapping) are checked against the base's schema; its push is a webhook
on the synced table, refreshed by the daily keep-alive and deleted at disconnect.
"""

from __future__ import annotations

from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from tracker_integrations.errors import ProviderError, TrackerError
from tracker_integrations.models.airtable import AirtableSettingsUpdate
from tracker_integrations.models.connection import Connection
from tracker_integrations.observability import logger
from tracker_integrations.providers.airtable.store import AirtableStore
from tracker_integrations.services.integration_hooks import IntegrationHooks
from tracker_integrations.validation import parse_model

if TYPE_CHECKING:
    from tracker_integrations.providers.airtable.setup import AirtableSetup
    from tracker_integrations.providers.airtable.sync import AirtableSync
    from tracker_integrations.providers.airtable.webhooks import AirtableWebhooks
    from tracker_integrations.services.integrations import IntegrationDetail
    from tracker_integrations.wiring import Root


class AirtableIntegration(IntegrationHooks):
    def __init__(self, root: Root) -> None:
        self._root = root

    # -- services (per process: the store; the rest per call) -------------------------------------

    @cached_property
    def store(self) -> AirtableStore:
        root = self._root
        return AirtableStore(root.dynamodb, root.settings.integrations_table, root.sync_state_store)

    def webhooks(self) -> AirtableWebhooks:
        from tracker_integrations.providers.airtable.webhooks import AirtableWebhooks

        # The cipher on use: renewing or closing no webhook (most keep-alives) creates no KMS client.
        return AirtableWebhooks(self.store, self._root.cipher_on_use, self._root.realtime, self._root.settings)

    def sync(self) -> AirtableSync:
        from tracker_integrations.providers.airtable.sync import AirtableStorage, AirtableSync

        root = self._root
        storage = AirtableStorage(states=root.sync_state_store, store=self.store)
        return AirtableSync(root.run_services(), root.campaigns_service(), storage, self.webhooks())

    def importer(self) -> AirtableSync:
        return self.sync()

    def setup(self) -> AirtableSetup:
        from tracker_integrations.providers.airtable.setup import AirtableSetup

        root = self._root
        return AirtableSetup(root.integrations_store, root.token_service(), root.integrations_service(), root.settings)

    # -- hooks ------------------------------------------------------------------------------------

    def configure(self, user_id: str, body: dict[str, Any]) -> IntegrationDetail:
        return self.setup().configure(user_id, parse_model(AirtableSettingsUpdate, body))

    def push_live_until(self, connection: Connection, *, run_started: datetime | None = None) -> datetime | None:
        hook = self.store.current_webhook(connection.user_id)
        return None if hook is None else hook.expires_at

    def disconnecting(self, connection: Connection, access_token: str | None) -> None:
        from tracker_integrations.providers.airtable.client import AirtableClient

        client = None if access_token is None else AirtableClient(self._root.settings, access_token)
        self.webhooks().close(connection, client)
        self.store.forget_cache(connection.user_id)

    def renew_push(self) -> int:
        """Refresh the webhooks that expire within 3 days; one Airtable no longer has is dropped, so the next
        sync recreates it and catches up with a full read."""
        root, webhooks = self._root, self.webhooks()
        renewed = 0
        for hook in self.store.current_webhooks():
            current = webhooks.current(hook.user_id)
            if current is None or current.webhook_id != hook.webhook_id or not webhooks.due_for_refresh(current):
                continue
            connection = root.integrations_store.get_connection(hook.user_id, "airtable")
            if connection is None:
                continue
            # Loaded here, with the HTTP client: most days no webhook is due.
            from tracker_integrations.providers.airtable.client import AirtableClient

            try:
                client = AirtableClient(root.settings, root.token_service().auth(connection))
                renewed += webhooks.refresh(current, client)
            except (ProviderError, TrackerError) as exc:
                logger.info("an Airtable webhook was not refreshed", extra={"code": exc.code})
        return renewed


def build(root: Root) -> AirtableIntegration:
    return AirtableIntegration(root)
