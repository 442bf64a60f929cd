"""Gmail reply tracking's items in the integrations table.

- `USER#<sub>` / `GMAIL#CURSOR`: the mailbox address and the historyId the next run continues from
  (written only by a sync, under the connection's sync lease).
- `USER#<sub>` / `GMAIL#WATCH`: the users.watch registration and when it lapses (written by the sync
  that sets it up and by the daily renewal), mirrored into a day bucket `GMAILWATCH#<yyyy-mm-dd>` /
  `<sub>` so the renewal finds the watches lapsing soon with a query per day, no index or scan.
- `GMAIL#<address>` / `USER#<sub>`: one item per connection of a mailbox (Pub/Sub pushes name only the
  address, and two Tracker users may connect the same mailbox); a query on the address finds them all.
  Items written before that (`GMAIL#<address>` / `GMAIL`, naming one user) are still read and cleaned up.
- `GMAILPUSH#<Pub/Sub message id>` / `GMAILPUSH`: a push already acted on, written conditionally (one
  write per push that queues work) and swept by the table's TTL once Pub/Sub can no longer redeliver it.
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
# Pub/Sub keeps an unacknowledged message for at most 7 days; a redelivery never comes later than that.
PUSH_SEEN_TTL = timedelta(days=7, hours=1)
_LEGACY_LINK = "GMAIL"  # the one-user address item, before a mailbox could have several connections


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
        """Drop the cursor, watch and this connection's address link (a disconnect): pushes for the mailbox
        no longer reach it, other connections of the same mailbox keep theirs, and the next connect starts
        with a fresh backfill."""
        watch = self.watch(user_id)
        cursor = self.cursor(user_id)
        if cursor is not None:
            self.unlink_address(cursor.email_address, user_id)
        for sk in ("GMAIL#CURSOR", "GMAIL#WATCH"):
            self._db.delete_item(TableName=self._table, Key=_key(user_pk(user_id), sk))
        if watch is not None:
            self._db.delete_item(TableName=self._table, Key=_key(_bucket(watch.expires_at.date()), user_id))

    # -- address lookup ---------------------------------------------------------------------------

    def link_address(self, address: str, user_id: str) -> None:
        self._put({"pk": _address_pk(address), "sk": user_pk(user_id), "entity": "gmail_address", "user_id": user_id})

    def unlink_address(self, address: str, user_id: str) -> None:
        pk = _address_pk(address)
        self._db.delete_item(TableName=self._table, Key=_key(pk, user_pk(user_id)))
        try:
            self._db.delete_item(
                TableName=self._table,
                Key=_key(pk, _LEGACY_LINK),
                ConditionExpression="user_id = :user",
                ExpressionAttributeValues={":user": {"S": user_id}},
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise

    def users_for_address(self, address: str) -> list[str]:
        """Every user with a connection on this mailbox (one strongly consistent query)."""
        items = self._query(_address_pk(address), projection="user_id", consistent=True)
        return list(dict.fromkeys(str(raw["user_id"]["S"]) for raw in items if "user_id" in raw))

    # -- pushes already acted on ------------------------------------------------------------------

    def claim_push(self, message_id: str, *, now: datetime) -> bool:
        """Record a Pub/Sub message as acted on; False when it already was (a redelivery)."""
        item = {
            "pk": _push_pk(message_id),
            "sk": "GMAILPUSH",
            "entity": "gmail_push_seen",
            "expires_at_epoch": int((now + PUSH_SEEN_TTL).timestamp()),
        }
        return self._put_new(item)

    def release_push(self, message_id: str) -> None:
        """Forget a claim whose work could not be queued, so Pub/Sub's redelivery is acted on."""
        self._db.delete_item(TableName=self._table, Key=_key(_push_pk(message_id), "GMAILPUSH"))

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
        return [str(raw["sk"]["S"]) for raw in self._query(_bucket(day), projection="sk")]

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
        return self._put_new(item)

    # -- helpers ----------------------------------------------------------------------------------

    def _get(self, pk: str, sk: str, *, projection: str | None = None) -> dict[str, Any] | None:
        kwargs: dict[str, Any] = {"TableName": self._table, "Key": _key(pk, sk), "ConsistentRead": True}
        if projection:
            kwargs["ProjectionExpression"] = projection
        raw = self._db.get_item(**kwargs).get("Item")
        return None if raw is None else deserialize(raw)

    def _query(self, pk: str, *, projection: str, consistent: bool = False) -> list[dict[str, Any]]:
        """Every item of a partition, page by page (raw attribute values)."""
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": {"S": pk}},
            "ProjectionExpression": projection,
            "ConsistentRead": consistent,
        }
        items: list[dict[str, Any]] = []
        while True:
            response = self._db.query(**kwargs)
            items.extend(response.get("Items", []))
            if "LastEvaluatedKey" not in response:
                return items
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def _put(self, item: dict[str, Any]) -> None:
        self._db.put_item(TableName=self._table, Item=serialize(item))

    def _put_new(self, item: dict[str, Any]) -> bool:
        """Write the item unless its key exists; False when it did."""
        try:
            self._db.put_item(
                TableName=self._table, Item=serialize(item), ConditionExpression="attribute_not_exists(pk)"
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return False
            raise
        return True


def _address_pk(address: str) -> str:
    return f"GMAIL#{normalise_address(address)}"


def _push_pk(message_id: str) -> str:
    return f"GMAILPUSH#{message_id}"


def _key(pk: str, sk: str) -> dict[str, Any]:
    return {"pk": {"S": pk}, "sk": {"S": sk}}


def _dump(model: GmailCursor | GmailWatch) -> dict[str, Any]:
    return model.model_dump(mode="json")
