"""Change markers: "something changed since the last sync" per connection, and the real-time slot.

A marker is a small item of its own (`CHANGES#{provider}` under the user), not an attribute of the
connection: the connection is rewritten whole by its versioned put, which would erase a marker set
in between. A changed marker sits in the schedule index as due now, so the next tick of the
connection's cadence syncs it; the sync that saw every change takes it out again. Real time claims a
short slot on it so a burst of changes queues one sync, not one per change.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from tracker_integrations.models.connection import ProviderKey
from tracker_integrations.store.dynamo import value
from tracker_integrations.store.integrations import DUE_NOW, schedule_key, user_pk

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# Markers of connections nobody syncs any more are swept by the table's TTL after a month.
MARKER_LIFETIME = timedelta(days=31)


class ChangeMarkers:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._db = client
        self._table = table_name

    def _key(self, user_id: str, provider: ProviderKey) -> dict[str, dict[str, str]]:
        return {"pk": {"S": user_pk(user_id)}, "sk": {"S": f"CHANGES#{provider}"}}

    def mark(self, user_id: str, provider: ProviderKey, at: datetime, *, cadence: str | None) -> None:
        """Record a change at `at` (never moving the marker back in time); with a cadence, the connection is
        due at that cadence's next tick."""
        update = "SET changed_at = :at, expires_at_epoch = :epoch"
        values = {":at": value(at.isoformat()), ":epoch": value(int((at + MARKER_LIFETIME).timestamp()))}
        if cadence is not None:
            update += ", sched_pk = :pk, sched_sk = :sk"
            values[":pk"] = value(f"SCHED#{cadence}")
            values[":sk"] = value(schedule_key(DUE_NOW, user_id, provider))
        try:
            self._db.update_item(
                TableName=self._table,
                Key=self._key(user_id, provider),
                UpdateExpression=update,
                ConditionExpression="attribute_not_exists(changed_at) OR changed_at < :at",
                ExpressionAttributeValues=values,
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            # A later change is already recorded (and due): nothing to add.

    def settle(self, user_id: str, provider: ProviderKey, *, synced_from: datetime) -> None:
        """A sync that started at `synced_from` succeeded: changes before then are synced, so the marker
        leaves the schedule; one that changed meanwhile stays due."""
        try:
            self._db.update_item(
                TableName=self._table,
                Key=self._key(user_id, provider),
                UpdateExpression="REMOVE sched_pk, sched_sk",
                ConditionExpression="attribute_exists(sched_pk) AND changed_at < :started",
                ExpressionAttributeValues={":started": value(synced_from.isoformat())},
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise

    def claim_slot(self, user_id: str, provider: ProviderKey, *, now: datetime, window: timedelta) -> bool:
        """True for the first change of a burst: the caller queues one sync that will see them all."""
        until = now + window
        try:
            self._db.update_item(
                TableName=self._table,
                Key=self._key(user_id, provider),
                UpdateExpression="SET queued_until = :until, expires_at_epoch = :epoch",
                ConditionExpression="attribute_not_exists(queued_until) OR queued_until <= :now",
                ExpressionAttributeValues={
                    ":until": value(until.isoformat()),
                    ":now": value(now.isoformat()),
                    ":epoch": value(int((now + MARKER_LIFETIME).timestamp())),
                },
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    def forget(self, user_id: str, provider: ProviderKey) -> None:
        """The connection is gone: its marker leaves the schedule with it."""
        self._db.delete_item(TableName=self._table, Key=self._key(user_id, provider))
