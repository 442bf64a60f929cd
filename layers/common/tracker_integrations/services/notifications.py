"""The notification feed: one alert per failure class, and one when the connection recovers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Final

from tracker_integrations.models.common import new_id, utcnow
from tracker_integrations.models.connection import LastError, ProviderKey
from tracker_integrations.providers.registry import get_spec
from tracker_integrations.records import FrozenRecord
from tracker_integrations.store.integrations import IntegrationsStore

if TYPE_CHECKING:
    # The notification models are built by the runs that add one and by the feed: a sync that changes no
    # alert never builds them.
    from tracker_integrations.models.notification import NotificationKind, NotificationPage

_KIND_BY_CODE: dict[str, NotificationKind] = {"needs_reauth": "needs_reconnect", "quota_reached": "quota_reached"}


class Draft(FrozenRecord):
    """A notification before it is stamped: what happened, what to do, and the pitch it is about (if one)."""

    __slots__ = ("action", "campaign_id", "kind", "message", "pitch_id")

    def __init__(
        self,
        kind: NotificationKind,
        message: str,
        action: str,
        campaign_id: str | None = None,
        pitch_id: str | None = None,
    ) -> None:
        self.kind: Final = kind
        self.message: Final = message
        self.action: Final = action
        self.campaign_id: Final = campaign_id
        self.pitch_id: Final = pitch_id


class Notifier:
    def __init__(self, store: IntegrationsStore, *, now: Callable[[], datetime] = utcnow) -> None:
        self._store = store
        self._now = now

    def sync_finished(self, user_id: str, provider: ProviderKey, failure: LastError | None) -> None:
        """After every run: alert on a new kind of failure, say so once when it is over, else stay quiet."""
        current = self._store.alert_state(user_id, provider)
        if failure is None:
            if current is not None:
                name = get_spec(provider).name
                self._add(user_id, provider, Draft("recovered", f"{name} is syncing again.", "Nothing to do."))
                self._store.set_alert_state(user_id, provider, None)
            return
        kind = _KIND_BY_CODE.get(failure.code, "sync_failed")
        if kind == current:
            return  # the same problem as last run: the user has already been told
        self._add(user_id, provider, Draft(kind, failure.message, failure.action))
        self._store.set_alert_state(user_id, provider, kind)

    def pitch_event(self, user_id: str, provider: ProviderKey, draft: Draft) -> None:
        """One notification about one pitch (a reply, a bounce, an out-of-office): always added."""
        self._add(user_id, provider, draft)

    def feed(self, user_id: str, *, limit: int, cursor: str | None) -> NotificationPage:
        from tracker_integrations.models.notification import NotificationPage

        notifications, next_cursor = self._store.list_notifications(user_id, limit=limit, cursor=cursor)
        return NotificationPage(notifications=notifications, next_cursor=next_cursor)

    def _add(self, user_id: str, provider: ProviderKey, draft: Draft) -> None:
        from tracker_integrations.models.notification import Notification

        self._store.add_notification(
            user_id,
            Notification(
                notification_id=new_id("ntf"),
                at=self._now(),
                kind=draft.kind,
                provider=provider,
                message=draft.message,
                action=draft.action,
                campaign_id=draft.campaign_id,
                pitch_id=draft.pitch_id,
            ),
        )
