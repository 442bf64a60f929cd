"""The integrations table: accounts, connections, OAuth state and sync logs (audit entries: store.activity).

One table, partitioned by user (`USER#<sub>`), so every read is scoped to the caller by its key;
OAuth states live in their own partition (`STATE#<state>`) because the callback arrives without a
user and finds the user through the state.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

from botocore.exceptions import ClientError

from tracker_integrations.errors import VersionConflict
from tracker_integrations.models.account import Account, Plan
from tracker_integrations.models.connection import Connection, ConnectionStatus, ProviderKey
from tracker_integrations.models.sync_log import SyncLog
from tracker_integrations.records import FrozenRecord
from tracker_integrations.store.dynamo import PageRequest, deserialize, query_all, query_page, serialize, value

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

    from tracker_integrations.models.notification import Notification

    # OAuth callbacks only: the store's other users (a sync job) never build the state model.
    from tracker_integrations.models.oauth import OAuthState


def user_pk(user_id: str) -> str:
    return f"USER#{user_id}"


class ScheduleEntry(FrozenRecord):
    """Where a connection sits in the schedule index: the cadence that syncs it and when it is next due."""

    __slots__ = ("cadence", "due")

    def __init__(self, cadence: str, due: str) -> None:
        self.cadence: Final = cadence
        self.due: Final = due  # ISO time, or DUE_NOW


# The scheduling policy (services.scheduling.policy) decides the entry; the store only writes it.
type SchedulePolicy = Callable[[Connection], ScheduleEntry | None]

DUE_NOW = "0000"  # sorts before every timestamp: due at the next tick


def schedule_key(due: str, user_id: str, provider: str) -> str:
    """The schedule index's sort key: when the entry is next due, then whose it is."""
    return f"{due}#{user_id}#{provider}"


def scheduled_connections(
    client: DynamoDBClient, table: str, cadence: str, *, now: datetime, page_size: int = 1000
) -> Iterator[list[tuple[str, str]]]:
    """Pages of (user, provider) due at a cadence by `now`, from the sparse schedule index (keys only).

    Two kinds of entry share the index: connections, due when their reconciliation time has come, and
    change markers, due as soon as something changed. A connection may so appear twice in a tick.
    """
    kwargs: dict[str, Any] = {
        "TableName": table,
        "IndexName": "BySchedule",
        "KeyConditionExpression": "sched_pk = :pk AND sched_sk < :now",
        "ExpressionAttributeValues": {":pk": value(f"SCHED#{cadence}"), ":now": value(now.astimezone(UTC).isoformat())},
        "Limit": page_size,
    }
    while True:
        response = client.query(**kwargs)
        page = []
        for raw in response.get("Items", []):
            _due, _, rest = str(raw["sched_sk"]["S"]).partition("#")
            user_id, _, provider = rest.rpartition("#")
            page.append((user_id, provider))
        yield page
        if "LastEvaluatedKey" not in response:
            return
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]


def _is_conditional_failure(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException"


class IntegrationsStore:
    def __init__(self, client: DynamoDBClient, table_name: str, schedule: SchedulePolicy) -> None:
        self._db = client
        self._table = table_name
        self._schedule = schedule

    # -- accounts ---------------------------------------------------------------------------------

    def get_account(self, user_id: str) -> Account:
        raw = self._db.get_item(TableName=self._table, Key=self._key(user_pk(user_id), "ACCOUNT")).get("Item")
        if raw is None:
            return Account(user_id=user_id, plan=Plan.FREE)
        return Account.model_validate(deserialize(raw)["account"])

    def apply_plan(self, account: Account) -> bool:
        """Store the account's plan if its effective time is later than the stored one's (False: a
        duplicate or an older change, and nothing was written). Billing's events are the only writer."""
        if account.plan_effective_at is None:
            raise ValueError("a plan change carries its effective time")
        effective_ms = int(account.plan_effective_at.timestamp() * 1000)
        try:
            self._db.put_item(
                TableName=self._table,
                Item=serialize(
                    {
                        "pk": user_pk(account.user_id),
                        "sk": "ACCOUNT",
                        "entity": "account",
                        "account": account.model_dump(mode="json"),
                        "plan_effective_ms": effective_ms,
                    }
                ),
                ConditionExpression="attribute_not_exists(plan_effective_ms) OR plan_effective_ms < :at",
                ExpressionAttributeValues={":at": value(effective_ms)},
            )
        except ClientError as exc:
            if _is_conditional_failure(exc):
                return False
            raise
        return True

    # -- connections ------------------------------------------------------------------------------

    def get_connection(self, user_id: str, provider: ProviderKey) -> Connection | None:
        raw = self._db.get_item(
            TableName=self._table, Key=self._key(user_pk(user_id), f"CONN#{provider}"), ConsistentRead=True
        ).get("Item")
        return None if raw is None else Connection.model_validate(deserialize(raw)["connection"])

    def list_connections(self, user_id: str) -> list[Connection]:
        items = query_all(self._db, self._table, user_pk(user_id), "CONN#")
        return [Connection.model_validate(item["connection"]) for item in items]

    def save_connection(self, connection: Connection, *, expected_version: int | None) -> None:
        """Create (`expected_version=None`: must not exist) or replace at exactly `expected_version`."""
        item: dict[str, Any] = {
            "pk": user_pk(connection.user_id),
            "sk": f"CONN#{connection.provider}",
            "entity": "connection",
            "version": connection.version,
            "connection": connection.model_dump(mode="json"),
        }
        entry = self._schedule(connection)
        if entry is not None:
            # A sparse index: only connections that sync on a schedule are in it, so the fan-out reads
            # exactly the due ones (a paused or needs-reauth connection simply drops out).
            item["sched_pk"] = f"SCHED#{entry.cadence}"
            item["sched_sk"] = schedule_key(entry.due, connection.user_id, connection.provider)
        if connection.status != ConnectionStatus.NEEDS_REAUTH and connection.token_expires_at is not None:
            # Expiring tokens (Google, Airtable) sit in a second sparse index ordered by when the access token
            # expires, so the daily keep-alive finds the ones nobody refreshed for a day without reading every
            # connection. (Not by last update: every sync would then move the index entry, two more writes.)
            expires = connection.token_expires_at.astimezone(UTC).isoformat()
            item["refresh_pk"] = "REFRESHABLE"
            item["refresh_sk"] = f"{expires}#{connection.user_id}#{connection.provider}"
        kwargs: dict[str, Any] = {}
        if expected_version is None:
            kwargs["ConditionExpression"] = "attribute_not_exists(pk)"
        else:
            kwargs["ConditionExpression"] = "version = :expected"
            kwargs["ExpressionAttributeValues"] = {":expected": value(expected_version)}
        try:
            self._db.put_item(TableName=self._table, Item=serialize(item), **kwargs)
        except ClientError as exc:
            if _is_conditional_failure(exc):
                raise VersionConflict(
                    f"the {connection.provider} connection changed while this request ran; try again"
                ) from exc
            raise

    def delete_connection(self, user_id: str, provider: ProviderKey) -> None:
        self._db.delete_item(TableName=self._table, Key=self._key(user_pk(user_id), f"CONN#{provider}"))

    # -- OAuth state ------------------------------------------------------------------------------

    def put_oauth_state(self, state: OAuthState) -> None:
        self._db.put_item(
            TableName=self._table,
            Item=serialize(
                {
                    "pk": f"STATE#{state.state}",
                    "sk": "STATE",
                    "entity": "oauth_state",
                    "oauth_state": state.model_dump(mode="json"),
                    # DynamoDB's TTL sweeps abandoned attempts; expiry itself is checked on use.
                    "expires_at_epoch": int(state.expires_at.timestamp()),
                }
            ),
            ConditionExpression="attribute_not_exists(pk)",
        )

    def consume_oauth_state(self, state: str) -> OAuthState | None:
        """Delete and return the state in one conditional call: a second use finds nothing."""
        from tracker_integrations.models.oauth import OAuthState

        try:
            response = self._db.delete_item(
                TableName=self._table,
                Key=self._key(f"STATE#{state}", "STATE"),
                ConditionExpression="attribute_exists(pk)",
                ReturnValues="ALL_OLD",
            )
        except ClientError as exc:
            if _is_conditional_failure(exc):
                return None
            raise
        raw = response.get("Attributes")
        return None if raw is None else OAuthState.model_validate(deserialize(raw)["oauth_state"])

    # -- sync logs --------------------------------------------------------------------------------

    def add_sync_log(self, log: SyncLog) -> None:
        self._db.put_item(
            TableName=self._table,
            Item=serialize(
                {
                    "pk": user_pk(log.user_id),
                    "sk": f"SYNCLOG#{log.provider}#{log.run_id}",
                    "entity": "sync_log",
                    "sync_log": log.model_dump(mode="json"),
                }
            ),
        )

    def list_sync_logs(
        self, user_id: str, provider: ProviderKey, *, limit: int, cursor: str | None
    ) -> tuple[list[SyncLog], str | None]:
        page = PageRequest(limit=limit, cursor=cursor, newest_first=True)
        items, next_cursor = query_page(self._db, self._table, user_pk(user_id), f"SYNCLOG#{provider}#", page)
        return [SyncLog.model_validate(item["sync_log"]) for item in items], next_cursor

    def idle_since(self, cutoff: datetime) -> Iterator[tuple[str, str]]:
        """(user, provider) of connections with expiring tokens not refreshed since `cutoff` (their access
        token expired before it)."""
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "IndexName": "ByLastUpdate",
            "KeyConditionExpression": "refresh_pk = :pk AND refresh_sk < :cutoff",
            "ExpressionAttributeValues": {
                ":pk": value("REFRESHABLE"),
                ":cutoff": value(cutoff.astimezone(UTC).isoformat()),
            },
        }
        while True:
            response = self._db.query(**kwargs)
            for raw in response.get("Items", []):
                _, user_id, provider = str(raw["refresh_sk"]["S"]).rsplit("#", 2)
                yield user_id, provider
            if "LastEvaluatedKey" not in response:
                return
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def scheduled(self, cadence: str, now: datetime) -> Iterator[list[tuple[str, str]]]:
        return scheduled_connections(self._db, self._table, cadence, now=now)

    # -- notifications ----------------------------------------------------------------------------

    def add_notification(self, user_id: str, notification: Notification) -> None:
        self._db.put_item(
            TableName=self._table,
            Item=serialize(
                {
                    "pk": user_pk(user_id),
                    "sk": f"NOTIF#{notification.notification_id}",
                    "entity": "notification",
                    "notification": notification.model_dump(mode="json"),
                }
            ),
        )

    def list_notifications(
        self, user_id: str, *, limit: int, cursor: str | None
    ) -> tuple[list[Notification], str | None]:
        page = PageRequest(limit=limit, cursor=cursor, newest_first=True)
        items, next_cursor = query_page(self._db, self._table, user_pk(user_id), "NOTIF#", page)
        from tracker_integrations.models.notification import Notification

        return [Notification.model_validate(item["notification"]) for item in items], next_cursor

    def alert_state(self, user_id: str, provider: ProviderKey) -> str | None:
        raw = self._db.get_item(TableName=self._table, Key=self._key(user_pk(user_id), f"ALERT#{provider}")).get("Item")
        return None if raw is None else str(deserialize(raw)["kind"])

    def set_alert_state(self, user_id: str, provider: ProviderKey, kind: str | None) -> None:
        key = self._key(user_pk(user_id), f"ALERT#{provider}")
        if kind is None:
            self._db.delete_item(TableName=self._table, Key=key)
            return
        item = {"pk": user_pk(user_id), "sk": f"ALERT#{provider}", "entity": "alert_state", "kind": kind}
        self._db.put_item(TableName=self._table, Item=serialize(item))

    # -- helpers ----------------------------------------------------------------------------------

    @staticmethod
    def _key(pk: str, sk: str) -> dict[str, Any]:
        return {"pk": {"S": pk}, "sk": {"S": sk}}
