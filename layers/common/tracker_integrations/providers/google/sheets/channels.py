"""Push channels, stored twice: by channel id (the webhook's lookup) and as the connection's current watch."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._db = client
        self._table = table_name

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

    def by_id(self, channel_id: str) -> PushChannel | None:
        raw = self._db.get_item(TableName=self._table, Key=_channel_key(channel_id)).get("Item")
        return None if raw is None else PushChannel.model_validate(deserialize(raw)["channel"])

    def current(self, user_id: str, provider: ProviderKey) -> PushChannel | None:
        raw = self._db.get_item(TableName=self._table, Key=_watch_key(user_id, provider), ConsistentRead=True).get(
            "Item"
        )
        return None if raw is None else PushChannel.model_validate(deserialize(raw)["channel"])

    def forget_current(self, user_id: str, provider: ProviderKey) -> None:
        self._db.delete_item(TableName=self._table, Key=_watch_key(user_id, provider))
