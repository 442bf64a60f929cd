"""Push channels: provider notifications (Drive `files.watch`) pointed at Tracker's webhooks."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tracker_integrations.models.connection import ProviderKey

# Drive sends these states; `sync` only announces a new channel, the others mean the file changed.
DriveResourceState = Literal["sync", "add", "remove", "update", "trash", "untrash", "change"]


class PushChannel(BaseModel):
    """A live channel. Only a hash of its secret token is kept: a leaked table cannot forge notifications."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    channel_id: str
    user_id: str
    provider: ProviderKey
    resource_id: str
    watched_file_id: str
    token_sha256: str
    expires_at: datetime


class DriveNotification(BaseModel):
    """The X-Goog-* headers of one Drive push notification (the body is empty)."""

    model_config = ConfigDict(frozen=True, extra="ignore", defer_build=True)

    channel_id: str = Field(alias="x-goog-channel-id", min_length=1, max_length=64)
    channel_token: str = Field(default="", alias="x-goog-channel-token", max_length=256)
    resource_id: str = Field(alias="x-goog-resource-id", min_length=1, max_length=256)
    resource_state: DriveResourceState = Field(alias="x-goog-resource-state")
    message_number: int = Field(default=0, alias="x-goog-message-number", ge=0)
    changed: str = Field(default="", alias="x-goog-changed", max_length=256)


class TrackerChange(BaseModel):
    """One changed campaign or pitch, as the Tracker table's stream reports it."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    user_id: str
    written_by: str = "user"


class PushOutcome(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    accepted: bool
    queued: bool
    reason: str
