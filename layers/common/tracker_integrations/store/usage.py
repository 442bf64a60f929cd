"""Records synced per user per calendar month, counted atomically (ADD), for the plans' quotas."""

from __future__ import annotations

from typing import TYPE_CHECKING

from tracker_integrations.store.dynamo import value
from tracker_integrations.store.integrations import user_pk

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class UsageStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._db = client
        self._table = table_name

    def records(self, user_id: str, month: str) -> int:
        item = self._db.get_item(
            TableName=self._table,
            Key={"pk": {"S": user_pk(user_id)}, "sk": {"S": f"USAGE#{month}"}},
            ConsistentRead=True,
        ).get("Item")
        return int(item["records"]["N"]) if item and "records" in item else 0

    def add_records(self, user_id: str, month: str, count: int) -> int:
        """Add to the month's count and return the new total (two workers never lose an update)."""
        response = self._db.update_item(
            TableName=self._table,
            Key={"pk": {"S": user_pk(user_id)}, "sk": {"S": f"USAGE#{month}"}},
            UpdateExpression="ADD #records :n SET entity = :entity",
            ExpressionAttributeNames={"#records": "records"},
            ExpressionAttributeValues={":n": value(count), ":entity": value("usage")},
            ReturnValues="UPDATED_NEW",
        )
        return int(response["Attributes"]["records"]["N"])
