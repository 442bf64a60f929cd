"""The activity table: each account's audit log, and each pitch's change history (kept 90 days).

A table of its own so that the campaigns function, which records category corrections and pitch
edits, never gets access to the integrations table and its credentials. Both lists are read newest
first straight from the key: entry ids are time-ordered.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tracker_integrations.models.audit import AuditEntry
from tracker_integrations.store.dynamo import PageRequest, query_all, query_page, serialize

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def _audit_pk(account_id: str) -> str:
    return f"AUDIT#{account_id}"


class ActivityStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._db = client
        self._table = table_name

    # -- audit log --------------------------------------------------------------------------------

    def add_audit_entry(self, entry: AuditEntry) -> None:
        item = {
            "pk": _audit_pk(entry.user_id),
            "sk": f"E#{entry.entry_id}",
            "entity": "audit",
            "audit": entry.model_dump(mode="json"),
        }
        self._db.put_item(TableName=self._table, Item=serialize(item))

    def list_audit_entries(self, account_id: str) -> list[AuditEntry]:
        """Every entry, oldest first (tests and support; the API pages)."""
        items = query_all(self._db, self._table, _audit_pk(account_id), "E#")
        return [AuditEntry.model_validate(item["audit"]) for item in items]

    def audit_page(self, account_id: str, *, limit: int, cursor: str | None) -> tuple[list[AuditEntry], str | None]:
        page = PageRequest(limit=limit, cursor=cursor, newest_first=True)
        items, next_cursor = query_page(self._db, self._table, _audit_pk(account_id), "E#", page)
        return [AuditEntry.model_validate(item["audit"]) for item in items], next_cursor
