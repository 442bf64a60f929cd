"""Push channels, stored twice: by channel id (the webhook's lookup) and as the connection's current watch.

The store remembers the last watch it read or wrote, and when: a sync run reads its connection's watch
(and may renew it), and the runner asks for it again when the run ends (is the connection pushed?). The
run holds the connection's lease, so no other sync renews the watch meanwhile: what this store saw
since the run started answers without a second GetItem. Anything seen before the run is read again.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from tracker_integrations.models.common import utcnow
from tracker_integrations.models.connection import ProviderKey
from tracker_integrations.models.push import PushChannel
from tracker_integrations.store.dynamo import deserialize, serialize
from tracker_integrations.store.integrations import user_pk

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# Kept a day past expiry so late notifications of a replaced channel are still recognised (and ignored).
GRACE_SECONDS = 86400


def _channel_key(channel_id: str) -> dict[str, dict[str, str]]:
    return {"pk": {"S": f"CHANNEL#{channel_id}"}, "sk": {"S": "CHANNEL"}}


def _watch_key(user_id: str, provider: ProviderKey) -> dict[str, dict[str, str]]:
    return {"pk": {"S": user_pk(user_id)}, "sk": {"S": f"WATCH#{provider}"}}


class ChannelStore:
    def __init__(self, client: DynamoDBClient, table_name: str, *, now: Callable[[], datetime] = utcnow) -> None:
        self._db = client
        self._table = table_name
        self._now = now
        # The last watch read or written: (user, provider), when, and the channel (None: there was none).
        self._seen: tuple[tuple[str, ProviderKey], datetime, PushChannel | None] | None = None

    def _saw(self, user_id: str, provider: ProviderKey, channel: PushChannel | None) -> None:
        self._seen = ((user_id, provider), self._now(), channel)

    def save(self, channel: PushChannel) -> None:
        body = {
            "entity": "push_channel",
            "channel": channel.model_dump(mode="json"),
            "expires_at_epoch": int(channel.expires_at.timestamp()) + GRACE_SECONDS,
        }
        self._db.put_item(TableName=self._table, Item={**_channel_key(channel.channel_id), **serialize(body)})
        self._db.put_item(
            TableName=self._table, Item={**_watch_key(channel.user_id, channel.provider), **serialize(body)}
        )
        self._saw(channel.user_id, channel.provider, channel)

    def by_id(self, channel_id: str) -> PushChannel | None:
        raw = self._db.get_item(TableName=self._table, Key=_channel_key(channel_id)).get("Item")
        return None if raw is None else PushChannel.model_validate(deserialize(raw)["channel"])

    def current(self, user_id: str, provider: ProviderKey) -> PushChannel | None:
        raw = self._db.get_item(TableName=self._table, Key=_watch_key(user_id, provider), ConsistentRead=True).get(
            "Item"
        )
        channel = None if raw is None else PushChannel.model_validate(deserialize(raw)["channel"])
        self._saw(user_id, provider, channel)
        return channel

    def current_since(self, user_id: str, provider: ProviderKey, since: datetime) -> PushChannel | None:
        """The connection's watch as this store last read or wrote it at or after `since`, else as read now."""
        if self._seen is not None:
            key, seen_at, channel = self._seen
            if key == (user_id, provider) and seen_at >= since:
                return channel
        return self.current(user_id, provider)

    def forget_current(self, user_id: str, provider: ProviderKey) -> None:
        self._db.delete_item(TableName=self._table, Key=_watch_key(user_id, provider))
        self._saw(user_id, provider, None)
