"""The analytics table: usage counters per provider, kept by atomic updates as things happen.

One partition (`USAGE`) holds, per provider, the accounts connected now and, per day, the sync runs,
failed runs, records synced and accounts whose latest sync fell on that day. "Accounts synced in
the last 7 days" is then the sum of 7 days' counts, exactly: each account's latest-sync day lives in
its own item, and moving it to today moves the account's one count from that day's bucket to
today's. Answering reads the one partition (a few hundred small items, TTL-bounded): one query,
however many accounts there are.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING, Any, Final

from tracker_integrations.records import FrozenRecord
from tracker_integrations.store.dynamo import deserialize, value

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

_USAGE = "USAGE"
KEEP_DAYS = 40  # the report reads 30 days; TTL deletion may lag by a day or two


class DayCounts(FrozenRecord):
    __slots__ = ("accounts_synced", "day", "failed", "provider", "records", "runs")

    def __init__(  # noqa: PLR0913 - one day's counters, each named
        self,
        day: date,
        provider: str,
        runs: int = 0,
        failed: int = 0,
        records: int = 0,
        accounts_synced: int = 0,
    ) -> None:
        self.day: Final = day
        self.provider: Final = provider
        self.runs: Final = runs
        self.failed: Final = failed
        self.records: Final = records
        self.accounts_synced: Final = accounts_synced  # accounts whose latest sync fell on this day


class UsageCounters(FrozenRecord):
    __slots__ = ("connected", "days")

    def __init__(self, connected: dict[str, int], days: list[DayCounts]) -> None:
        self.connected: Final = connected  # provider -> accounts connected now
        self.days: Final = days


def _epoch(day: date) -> int:
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()) + KEEP_DAYS * 86400


class AnalyticsStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._db = client
        self._table = table_name

    def add_connected(self, provider: str, delta: int) -> None:
        self._add(f"CONNECTED#{provider}", {"accounts": delta})

    def add_run(self, provider: str, account_id: str, day: date, *, failed: bool, records: int) -> None:
        """Count one finished run (one to three atomic updates: the day, and the account's latest-sync
        day when it moves)."""
        previous = self._move_latest_sync(provider, account_id, day)
        counts = {"runs": 1, "failed": int(failed), "records": records}
        if previous != day:
            counts["accounts_synced"] = 1
        self._add(f"DAY#{day.isoformat()}#{provider}", counts, expires=_epoch(day))
        if previous is not None and previous != day:
            self._add(f"DAY#{previous.isoformat()}#{provider}", {"accounts_synced": -1}, expires=_epoch(previous))

    def read(self) -> UsageCounters:
        kwargs: dict[str, Any] = {
            "TableName": self._table,
            "KeyConditionExpression": "pk = :pk",
            "ExpressionAttributeValues": {":pk": value(_USAGE)},
        }
        connected: dict[str, int] = {}
        days: list[DayCounts] = []
        while True:
            response = self._db.query(**kwargs)
            for raw in response.get("Items", []):
                item = deserialize(raw)
                kind, _, rest = str(item["sk"]).partition("#")
                if kind == "CONNECTED":
                    connected[rest] = int(item.get("accounts", 0))
                elif kind == "DAY":
                    day, _, provider = rest.partition("#")
                    days.append(
                        DayCounts(
                            day=date.fromisoformat(day),
                            provider=provider,
                            runs=int(item.get("runs", 0)),
                            failed=int(item.get("failed", 0)),
                            records=int(item.get("records", 0)),
                            accounts_synced=int(item.get("accounts_synced", 0)),
                        )
                    )
            if "LastEvaluatedKey" not in response:
                return UsageCounters(connected=connected, days=days)
            kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]

    def _move_latest_sync(self, provider: str, account_id: str, day: date) -> date | None:
        response = self._db.update_item(
            TableName=self._table,
            Key={"pk": value(f"LATEST#{provider}#{account_id}"), "sk": value("LATEST")},
            UpdateExpression="SET latest_day = :day, expires_at_epoch = :epoch",
            ExpressionAttributeValues={":day": value(day.isoformat()), ":epoch": value(_epoch(day))},
            ReturnValues="ALL_OLD",  # (UPDATED_OLD may leave out a value set to itself)
        )
        old = response.get("Attributes", {}).get("latest_day")
        if old is None:
            return None
        previous = date.fromisoformat(str(old["S"]))
        # A latest-sync day older than the counters kept counts nowhere any more.
        return previous if day - previous <= timedelta(days=KEEP_DAYS) else None

    def _add(self, sk: str, counts: dict[str, int], *, expires: int | None = None) -> None:
        names = {f"#c{i}": name for i, name in enumerate(counts)}
        values = {f":c{i}": value(amount) for i, amount in enumerate(counts.values())}
        update = "ADD " + ", ".join(f"#c{i} :c{i}" for i in range(len(counts)))
        if expires is not None:
            update += " SET expires_at_epoch = :expires"
            values[":expires"] = value(expires)
        self._db.update_item(
            TableName=self._table,
            Key={"pk": value(_USAGE), "sk": value(sk)},
            UpdateExpression=update,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=values,
        )
