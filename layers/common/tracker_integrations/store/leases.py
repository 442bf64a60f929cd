"""Leases: one holder at a time per (user, name), across every Lambda container.

A conditional UpdateItem takes the lease when it is free, expired or already ours, and bumps a
fencing counter; release clears it only for its owner. Expiry (longer than the function timeout)
frees a lease whose holder was killed.

Someone refused the lease may leave a request behind (`request_rerun`) for the holder to take up
when it is done: its release takes the request in the same call (`release(..., take_rerun=True)`),
so work asked for during a run runs right after it, without polling. A new holder clears what is
left: it starts after the request, so it serves it.
"""

from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from botocore.exceptions import ClientError

from tracker_integrations.records import FrozenRecord
from tracker_integrations.store.dynamo import value
from tracker_integrations.store.integrations import user_pk

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class Lease(FrozenRecord):
    """A lease as its holder knows it (built here from what DynamoDB answered; never read from outside)."""

    __slots__ = ("expires_at", "fence", "name", "owner")

    def __init__(self, name: str, owner: str, fence: int, expires_at: datetime) -> None:
        self.name: Final = name
        self.owner: Final = owner
        self.fence: Final = fence
        self.expires_at: Final = expires_at


class LeaseStore:
    def __init__(self, client: "DynamoDBClient", table_name: str) -> None:
        self._db = client
        self._table = table_name

    def acquire(self, user_id: str, name: str, *, owner: str, ttl: timedelta, now: datetime) -> Lease | None:
        """The lease, or None when someone else holds it."""
        expires = now + ttl
        response = self._update_if(
            user_id,
            name,
            UpdateExpression="SET #owner = :me, expires_at = :expires, fence = if_not_exists(fence, :zero) + :one, "
            "expires_at_epoch = :epoch REMOVE rerun",
            ConditionExpression="attribute_not_exists(#owner) OR expires_at < :now OR #owner = :me",
            ExpressionAttributeNames={"#owner": "owner"},
            ExpressionAttributeValues={
                ":me": value(owner),
                ":expires": value(expires.isoformat()),
                ":now": value(now.isoformat()),
                ":zero": value(0),
                ":one": value(1),
                # Swept by the table's TTL a day after it lapses.
                ":epoch": value(int(expires.timestamp()) + 86400),
            },
            ReturnValues="ALL_NEW",
        )
        if response is None:
            return None
        fence = int(response["Attributes"]["fence"]["N"])
        return Lease(name=name, owner=owner, fence=fence, expires_at=expires)

    def release(self, user_id: str, lease: Lease, *, take_rerun: bool = False) -> str | None:
        """Give the lease up. `take_rerun`: the request left while it was held is removed in the same call
        and returned (None when there is none), so only its holder takes it, and with no call of its own.

        A failed condition: it expired and someone else took it, nothing of ours to release (and the
        request is the new holder's). Nothing is created for a lease never taken."""
        response = self._update_if(
            user_id,
            lease.name,
            UpdateExpression="REMOVE #owner, expires_at, rerun" if take_rerun else "REMOVE #owner, expires_at",
            ConditionExpression="#owner = :me",
            ExpressionAttributeNames={"#owner": "owner"},
            ExpressionAttributeValues={":me": value(lease.owner)},
            ReturnValues="UPDATED_OLD" if take_rerun else "NONE",
        )
        rerun = (response or {}).get("Attributes", {}).get("rerun")
        return None if rerun is None else str(rerun["S"])

    def request_rerun(self, user_id: str, name: str, request: str, *, now: datetime) -> bool:
        """Leave `request` for the lease's current holder to take up when done. False when nobody holds
        it (it was released meanwhile): then the caller can go ahead itself. A later request replaces an
        earlier one: one run after the holder serves them all."""
        response = self._update_if(
            user_id,
            name,
            UpdateExpression="SET rerun = :request",
            ConditionExpression="attribute_exists(#owner) AND expires_at >= :now",
            ExpressionAttributeNames={"#owner": "owner"},
            ExpressionAttributeValues={":request": value(request), ":now": value(now.isoformat())},
        )
        return response is not None

    def _update_if(self, user_id: str, name: str, **update: Any) -> dict[str, Any] | None:
        """One conditional UpdateItem on the lease item; None when its condition did not hold."""
        try:
            response = self._db.update_item(
                TableName=self._table, Key={"pk": {"S": user_pk(user_id)}, "sk": {"S": f"LEASE#{name}"}}, **update
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                return None
            raise
        return dict(response)
