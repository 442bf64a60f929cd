"""Notifications the Tracker UI shows: failures a user can act on, quota, and recovery."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict

from tracker_integrations.models.connection import ProviderKey

NotificationKind = Literal[
    "sync_failed",
    "needs_reconnect",
    "quota_reached",
    "recovered",
    # Gmail reply tracking, one per message matched to a pitch:
    "reply_received",
    "bounced",
    "out_of_office",
]


class Notification(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    notification_id: str
    at: datetime
    kind: NotificationKind
    provider: ProviderKey
    message: str
    action: str
    # The pitch a reply notification is about.
    campaign_id: str | None = None
    pitch_id: str | None = None


class NotificationPage(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    notifications: list[Notification]
    next_cursor: str | None
