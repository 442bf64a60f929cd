"""Request counters for the per-user rate limits: one item per (class, window, user), swept by TTL.

Counting is one conditional UpdateItem: ADD one unless the window already holds the limit. DynamoDB
applies it atomically, so every Lambda instance shares the same count and a window never admits
more than its limit. A refused request costs that same failed conditional write and nothing else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from botocore.exceptions import ClientError

from tracker_integrations.store.dynamo import value

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# DynamoDB refusing the counter's own write: the caller is bursting far past any limit, so the
# request is refused like one over its limit rather than answered with a 500.
_THROTTLED = {"ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded"}


def counter_key(name: str, window: int, user_id: str) -> str:
    """The counter's key; the user id comes last so no user id can reach into another's key."""
    return f"{name}#{window}#{user_id}"


class RateCounterStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._db = client
        self._table = table_name

    def take(self, name: str, window: int, user_id: str, *, limit: int, expires_at_epoch: int) -> bool:
        """Counts one request in the window and returns True, or False (counting nothing) when it is full."""
        try:
            self._db.update_item(
                TableName=self._table,
                Key={"pk": {"S": counter_key(name, window, user_id)}},
                UpdateExpression="SET expires_at_epoch = :expires ADD hits :one",
                ConditionExpression="attribute_not_exists(hits) OR hits < :limit",
                ExpressionAttributeValues={
                    ":one": value(1),
                    ":limit": value(limit),
                    ":expires": value(expires_at_epoch),
                },
            )
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code == "ConditionalCheckFailedException" or code in _THROTTLED:
                return False
            raise
        return True
