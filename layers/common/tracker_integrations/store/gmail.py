"""Gmail reply tracking's items in the integrations table.

- `USER#<sub>` / `GMAIL#CURSOR`: the mailbox address and the historyId the next run continues from
  (written only by a sync, under the connection's sync lease).
- `USER#<sub>` / `GMAIL#WATCH`: the users.watch registration and when it lapses (written by the sync
  that sets it up and by the daily renewal), mirrored into a day bucket `GMAILWATCH#<yyyy-mm-dd>` /
  `<sub>` so the renewal finds the watches lapsing soon with a query per day, no index or scan.
- `GMAIL#<address>` / `GMAIL`: which user a mailbox belongs to (Pub/Sub pushes name only the address).
- `USER#<sub>` / `GMAILMSG#<gmail message id>`: a message already handled, written conditionally and
  swept by the table's TTL once no resync can list it again.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from tracker_integrations.models.gmail import GmailCursor, GmailWatch, normalise_address
from tracker_integrations.store.dynamo import deserialize, serialize
from tracker_integrations.store.integrations import user_pk

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

# Longer than the bounded resync looks back (30 days), so a resync never sees a message it forgot.
PROCESSED_TTL = timedelta(days=45)


def _bucket(day: date) -> str:
    return f"GMAILWATCH#{day.isoformat()}"


class GmailStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._db = client
        self._table = table_name

    # -- cursor -----------------------------------------------------------------------------------

    def cursor(self, user_id: str) -> GmailCursor | None:
        raw = self._get(user_pk(user_id), "GMAIL#CURSOR")
        return None if raw is None else GmailCursor.model_validate(raw["cursor"])

    def save_cursor(self, user_id: str, cursor: GmailCursor) -> None:
        self._put({"pk": user_pk(user_id), "sk": "GMAIL#CURSOR", "entity": "gmail_cursor", "cursor": _dump(cursor)})

    def forget(self, user_id: str) -> None:
        """Drop the cursor, watch and address lookup (a disconnect): pushes for the mailbox find nobody, and the
        next connect starts with a fresh backfill."""
        watch = self.watch(user_id)
        cursor = self.cursor(user_id)
        if cursor is not None and self.user_for_address(cursor.email_address) == user_id:
            self._db.delete_item(
                TableName=self._table, Key=_key(f"GMAIL#{normalise_address(cursor.email_address)}", "GMAIL")
            )
        for sk in ("GMAIL#CURSOR", "GMAIL#WATCH"):
            self._db.delete_item(TableName=self._table, Key=_key(user_pk(user_id), sk))
        if watch is not None:
            self._db.delete_item(TableName=self._table, Key=_key(_bucket(watch.expires_at.date()), user_id))

    # -- address lookup ---------------------------------------------------------------------------

    def link_address(self, address: str, user_id: str) -> None:
        self._put(
            {"pk": f"GMAIL#{normalise_address(address)}", "sk": "GMAIL", "entity": "gmail_address", "user_id": user_id}
        )

    def user_for_address(self, address: str) -> str | None:
        raw = self._get(f"GMAIL#{normalise_address(address)}", "GMAIL")
        return None if raw is None else str(raw["user_id"])

    # -- watch ------------------------------------------------------------------------------------

    def watch(self, user_id: str) -> GmailWatch | None:
        raw = self._get(user_pk(user_id), "GMAIL#WATCH")
        return None if raw is None else GmailWatch.model_validate(raw["watch"])

    def save_watch(self, user_id: str, watch: GmailWatch) -> None:
        previous = self.watch(user_id)
        self._put({"pk": user_pk(user_id), "sk": "GMAIL#WATCH", "entity": "gmail_watch", "watch": _dump(watch)})
        day = watch.expires_at.date()
        self._put({"pk": _bucket(day), "sk": user_id, "entity": "gmail_watch_due"})
        if previous is not None and previous.expires_at.date() != day:
            self._db.delete_item(TableName=self._table, Key=_key(_bucket(previous.expires_at.date()), user_id))

    def watches_lapsing_on(self, day: date) -> list[str]:
        """Users whose watch lapses on `day` (UTC)."""
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": _bucket(day)}},
            "ProjectionExpression": "sk",
        }
        users: list[str] = []
        while True:
            response = self._db.query(**kwargs)
            users.extend(str(raw["sk"]["S"]) for raw in response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return users
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def drop_watch_due(self, day: date, user_id: str) -> None:
        self._db.delete_item(TableName=self._table, Key=_key(_bucket(day), user_id))

    # -- processed messages -----------------------------------------------------------------------

    def is_processed(self, user_id: str, message_id: str) -> bool:
        return self._get(user_pk(user_id), f"GMAILMSG#{message_id}", projection="pk") is not None

    def mark_processed(self, user_id: str, message_id: str, *, now: datetime) -> bool:
        """Record the message as handled; False when it already was (a duplicate got here first)."""
        item = {
            "pk": user_pk(user_id),
            "sk": f"GMAILMSG#{message_id}",
            "entity": "gmail_processed",
            "expires_at_epoch": int((now + PROCESSED_TTL).timestamp()),
        }
        try:
            self._db.put_item(
                TableName=self._table, Item=serialize(item), ConditionExpression="attribute_not_exists(pk)"
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True

    # -- helpers ----------------------------------------------------------------------------------

    def _get(self, pk: str, sk: str, *, projection: str | None = None) -> dict[str, Any] | None:
        kwargs: dict[str, Any] = {"TableName": self._table, "Key": _key(pk, sk), "ConsistentRead": True}
        if projection:
            kwargs["ProjectionExpression"] = projection
        raw = self._db.get_item(**kwargs).get("Item")
        return None if raw is None else deserialize(raw)

    def _put(self, item: dict[str, Any]) -> None:
        self._db.put_item(TableName=self._table, Item=serialize(item))


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def _dump(model: GmailCursor | GmailWatch) -> dict[str, Any]:
    return model.model_dump(mode="json")
