"""Airtable webhooks: one per connection on the synced table, created when sync starts, refreshed before
Airtable's 7-day expiry by the daily keep-alive, and recreated (with a full catch-up sync) when found gone.

A ping (`POST /api/webhooks/airtable`) is believed only when it names a webhook Tracker created and its
X-Airtable-Content-MAC is the HMAC-SHA256 of the raw body under that webhook's secret, compared in
constant time; anything else is 401 and queues nothing. The ping carries no changes: the sync reads the
webhook's payloads from the stored cursor.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from tracker_integrations.config import Settings
from tracker_integrations.crypto.envelope import EncryptionContext, TokenCipher
from tracker_integrations.errors import ProviderError, Unauthenticated
from tracker_integrations.models.common import utcnow
from tracker_integrations.models.connection import Connection
from tracker_integrations.models.push import PushOutcome
from tracker_integrations.observability import logger, metrics
from tracker_integrations.providers.airtable.store import AirtableStore, WebhookRecord
from tracker_integrations.services.scheduling.realtime import RealTime

if TYPE_CHECKING:
    # Callers pass the client in; this module itself never loads httpx (the keep-alive on a quiet day).
    from tracker_integrations.providers.airtable.client import AirtableClient

WEBHOOK_PATH = "/api/webhooks/airtable"
LIFETIME = timedelta(days=7)
# Refreshed by the daily keep-alive when less than this is left: two chances before it lapses.
RENEW_BEFORE = timedelta(days=3)
MAC_PREFIX = "hmac-sha256="


def _context(hook_user: str, webhook_id: str) -> EncryptionContext:
    # The webhook id takes the connection's place, so a sealed secret opens only for its own webhook.
    return EncryptionContext(user_id=hook_user, connection_id=webhook_id, provider="airtable")


def _expiry(raw: object, fallback: datetime) -> datetime:
    try:
        return datetime.fromisoformat(str(raw).replace("Z", "+00:00"))
    except ValueError:
        return fallback


@dataclass(frozen=True, slots=True)
class Ensured:
    hook: WebhookRecord | None
    # A new webhook replaced one that had expired or been deleted: changes may have been missed.
    recreated: bool = False


class AirtableWebhooks:
    def __init__(
        self,
        store: AirtableStore,
        cipher: Callable[[], TokenCipher],
        realtime: Callable[[], RealTime],
        settings: Settings,
        *,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._store = store
        self._cipher = cipher
        self._realtime = realtime
        self._settings = settings
        self._now = now

    def current(self, user_id: str) -> WebhookRecord | None:
        return self._store.current_webhook(user_id)

    def live(self, connection: Connection, base_id: str, table_id: str) -> WebhookRecord | None:
        """The connection's webhook on this table while Airtable still keeps it."""
        hook = self.current(connection.user_id)
        if hook is None or hook.base_id != base_id or hook.table_id != table_id or hook.expires_at <= self._now():
            return None
        return hook

    def create(self, connection: Connection, base_id: str, table_id: str, client: AirtableClient) -> Ensured:
        """A new webhook on the table (the old one, if any, deleted). Never fails the sync: without a webhook
        the schedules sync the connection at every tick instead of when something changed."""
        previous = self.current(connection.user_id)
        address = str(self._settings.api_base_url).rstrip("/") + WEBHOOK_PATH
        try:
            created = client.create_webhook(base_id, table_id, address)
        except ProviderError as exc:
            logger.warning("could not create an Airtable webhook; scheduled syncs cover it", extra={"code": exc.code})
            return Ensured(None)
        webhook_id = str(created["id"])
        secret = base64.b64decode(str(created["macSecretBase64"]))
        hook = WebhookRecord(
            webhook_id=webhook_id,
            user_id=connection.user_id,
            connection_id=connection.connection_id,
            base_id=base_id,
            table_id=table_id,
            mac_secret=self._cipher().encrypt(secret, _context(connection.user_id, webhook_id)),
            cursor=1,
            expires_at=_expiry(created.get("expirationTime"), self._now() + LIFETIME),
        )
        self._store.save_webhook(hook)
        metrics.add_metric(name="AirtableWebhooksCreated", unit="Count", value=1)
        if previous is not None and previous.webhook_id != webhook_id:
            self._delete(client, previous)
        return Ensured(hook, recreated=previous is not None)

    def moved(self, hook: WebhookRecord, cursor: int) -> WebhookRecord:
        """The payloads before `cursor` are synced."""
        moved = hook.model_copy(update={"cursor": cursor})
        self._store.save_webhook(moved)
        return moved

    def refresh(self, hook: WebhookRecord, client: AirtableClient) -> bool:
        """Push the webhook's expiry 7 days on; False when Airtable no longer has it."""
        try:
            answer = client.refresh_webhook(hook.base_id, hook.webhook_id)
        except ProviderError as exc:
            logger.info("could not refresh an Airtable webhook", extra={"code": exc.code})
            return False
        self._store.save_webhook(
            hook.model_copy(update={"expires_at": _expiry(answer.get("expirationTime"), self._now() + LIFETIME)})
        )
        return True

    def due_for_refresh(self, hook: WebhookRecord) -> bool:
        return hook.expires_at - self._now() < RENEW_BEFORE

    def close(self, connection: Connection, client: AirtableClient | None) -> None:
        hook = self.current(connection.user_id)
        if hook is None:
            return
        if client is not None:
            self._delete(client, hook)
        self._store.forget_webhook(connection.user_id)

    def _delete(self, client: AirtableClient, hook: WebhookRecord) -> None:
        try:
            client.delete_webhook(hook.base_id, hook.webhook_id)
        except ProviderError as exc:
            logger.info("could not delete an Airtable webhook", extra={"code": exc.code})

    # -- pings ------------------------------------------------------------------------------------

    def pinged(self, webhook_id: str, base_id: str, raw_body: bytes, mac: str | None) -> PushOutcome:
        hook = self._store.webhook_by_id(webhook_id)
        if hook is None or hook.base_id != base_id or not mac or not mac.startswith(MAC_PREFIX):
            raise Unauthenticated("this ping is not from an Airtable webhook Tracker created")
        secret = self._cipher().decrypt(hook.mac_secret, _context(hook.user_id, hook.webhook_id))
        expected = MAC_PREFIX + hmac.new(secret, raw_body, hashlib.sha256).hexdigest()
        if not hmac.compare_digest(expected.encode(), mac.strip().encode()):
            raise Unauthenticated("this ping's signature does not match its webhook")
        current = self.current(hook.user_id)
        if current is None or current.webhook_id != hook.webhook_id:
            return PushOutcome(accepted=True, queued=False, reason="webhook replaced; the current one reports changes")
        queued = self._realtime().provider_changed(hook.user_id, "airtable")
        metrics.add_metric(name="AirtableChangesReceived", unit="Count", value=1)
        return PushOutcome(accepted=True, queued=queued, reason="change recorded")
