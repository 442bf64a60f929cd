"""The activity table: each account's audit log, and each pitch's change history (kept 90 days by TTL).

A table of its own so that the campaigns function, which records category corrections and pitch
edits, never gets access to the integrations table and its credentials. Both lists are read newest
first straight from the key: entry ids are time-ordered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from tracker_integrations.models.audit import AuditEntry
from tracker_integrations.models.history import HISTORY_KEPT, PitchHistoryEntry, PitchWrite
from tracker_integrations.store.dynamo import PageRequest, deserialize, query_all, query_page, serialize

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def _audit_pk(account_id: str) -> str:
    return f"AUDIT#{account_id}"


def _history_pk(account_id: str, campaign_id: str, pitch_id: str) -> str:
    return f"HISTORY#{account_id}#{campaign_id}#{pitch_id}"


def pitch_writes(records: Iterable[Mapping[str, Any]]) -> list[PitchWrite]:
    """The pitch writes in a batch of the Tracker table's stream (NEW_AND_OLD_IMAGES), images decoded."""
    writes = []
    for record in records:
        change = record.get("dynamodb", {})
        keys = deserialize(change.get("Keys", {}))
        pk, sk = str(keys.get("pk", "")), str(keys.get("sk", ""))
        if not pk.startswith("USER#") or not sk.startswith("PITCH#"):
            continue
        old = deserialize(change["OldImage"]) if "OldImage" in change else None
        new = deserialize(change["NewImage"]) if "NewImage" in change else None
        _, campaign_id, pitch_id = sk.split("#", 2)
        writer = (new or {}).get("written_by") or "user"
        writes.append(
            PitchWrite(
                account_id=pk.removeprefix("USER#"),
                campaign_id=campaign_id,
                pitch_id=pitch_id,
                written_by=str(writer),
                old=old.get("pitch") if old else None,
                new=new.get("pitch") if new else None,
            )
        )
    return writes


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

    # -- pitch history ----------------------------------------------------------------------------

    def add_history(self, account_id: str, entry: PitchHistoryEntry) -> None:
        item = {
            "pk": _history_pk(account_id, entry.campaign_id, entry.pitch_id),
            "sk": f"E#{entry.entry_id}",
            "entity": "pitch_history",
            "history": entry.model_dump(mode="json"),
            "expires_at_epoch": int((entry.at + HISTORY_KEPT).timestamp()),  # DynamoDB's TTL sweeps it
        }
        self._db.put_item(TableName=self._table, Item=serialize(item))

    def history_page(
        self, account_id: str, campaign_id: str, pitch_id: str, *, limit: int, cursor: str | None
    ) -> tuple[list[PitchHistoryEntry], str | None]:
        page = PageRequest(limit=limit, cursor=cursor, newest_first=True)
        pk = _history_pk(account_id, campaign_id, pitch_id)
        items, next_cursor = query_page(self._db, self._table, pk, "E#", page)
        return [PitchHistoryEntry.model_validate(item["history"]) for item in items], next_cursor

    def audit_page(self, account_id: str, *, limit: int, cursor: str | None) -> tuple[list[AuditEntry], str | None]:
        page = PageRequest(limit=limit, cursor=cursor, newest_first=True)
        items, next_cursor = query_page(self._db, self._table, _audit_pk(account_id), "E#", page)
        return [AuditEntry.model_validate(item["audit"]) for item in items], next_cursor
