"""The creation journal: pitch ids promised to a provider's new rows before the pitches are created.

A sync creates Tracker pitches for new sheet rows, then writes their ids into the sheet. A worker
killed between the two would leave pitches whose rows carry no id, and the next run would create
them again. Writing the promised ids first (one small item, only when there are new rows) lets the
next run recognise those rows and finish the job instead of duplicating it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tracker_integrations.store.dynamo import value
from tracker_integrations.store.integrations import user_pk

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

JOURNAL_LIFETIME_SECONDS = 7 * 86400


class CreationJournal:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._db = client
        self._table = table_name

    def _key(self, user_id: str, provider: str) -> dict[str, dict[str, str]]:
        return {"pk": {"S": user_pk(user_id)}, "sk": {"S": f"JOURNAL#{provider}"}}

    def load(self, user_id: str, provider: str) -> dict[str, str]:
        """Row key -> promised record id; empty when the last run finished."""
        raw = self._db.get_item(TableName=self._table, Key=self._key(user_id, provider), ConsistentRead=True).get(
            "Item"
        )
        if raw is None:
            return {}
        return {k: v["S"] for k, v in raw.get("promised", {}).get("M", {}).items()}

    def save(self, user_id: str, provider: str, promised: dict[str, str], *, now_epoch: int) -> None:
        self._db.put_item(
            TableName=self._table,
            Item={
                **self._key(user_id, provider),
                "promised": {"M": {k: {"S": v} for k, v in promised.items()}},
                "expires_at_epoch": value(now_epoch + JOURNAL_LIFETIME_SECONDS),
            },
        )

    def clear(self, user_id: str, provider: str) -> None:
        self._db.delete_item(TableName=self._table, Key=self._key(user_id, provider))
