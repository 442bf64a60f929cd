"""What Airtable keeps of its own between runs, in the integrations table.

- The table as last seen (`RecordCache`): each Airtable record's mapped cells by field id and the Tracker
  pitch it is linked to. Records are keyed by Airtable record id and the link is ours, so the user's table
  needs no id column; an incremental sync applies webhook payloads to this copy instead of reading the table.
  Stored compressed through the sync-state chunks under its own key.
- The connection's webhook (`WebhookRecord`), twice: as the connection's current webhook, and by webhook id
  for the receiver, which knows only the id a ping names. Its MAC secret is sealed like the tokens.
"""

import json
import zlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict

from tracker_integrations.models.connection import EncryptedBlob
from tracker_integrations.store.dynamo import deserialize, query_all, serialize
from tracker_integrations.store.integrations import user_pk
from tracker_integrations.store.sync_state import SyncStateStore

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

CACHE_KEY = "airtable-records"  # the sync-state key of the record cache (the merge state is under "airtable")
GRACE_SECONDS = 86400  # a replaced webhook's late pings are still recognised (and ignored) for a day


@dataclass
class CachedRecord:
    tracker_id: str | None
    cells: dict[str, Any]  # field id -> Airtable's cell value


@dataclass
class RecordCache:
    records: dict[str, CachedRecord] = field(default_factory=dict)  # Airtable record id -> record
    # What the cache was read from: a change of table or view (or field list) means a full read.
    source: str = ""
    read_at: int = 0  # epoch seconds of the last full read: payloads keep it current in between
    generation: int = 0

    def tracker_ids(self) -> dict[str, str]:
        return {r.tracker_id: rec for rec, r in self.records.items() if r.tracker_id}


def encode_cache(cache: RecordCache) -> bytes:
    body = {
        "source": cache.source,
        "read_at": cache.read_at,
        "records": {k: [v.tracker_id, v.cells] for k, v in cache.records.items()},
    }
    return zlib.compress(json.dumps(body, separators=(",", ":")).encode(), 6)


def decode_cache(blob: bytes, generation: int) -> RecordCache:
    body = json.loads(zlib.decompress(blob))
    records = {k: CachedRecord(v[0], dict(v[1])) for k, v in dict(body["records"]).items()}
    return RecordCache(
        records=records,
        source=str(body.get("source", "")),
        read_at=int(body.get("read_at", 0)),
        generation=generation,
    )


class WebhookRecord(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    webhook_id: str
    user_id: str
    connection_id: str
    base_id: str
    table_id: str
    mac_secret: EncryptedBlob
    cursor: int = 1  # the next payload to read
    expires_at: datetime


def _current_key(user_id: str) -> dict[str, dict[str, str]]:
    return {"pk": {"S": user_pk(user_id)}, "sk": {"S": "WEBHOOK#airtable"}}


def _listed_key(user_id: str) -> dict[str, dict[str, str]]:
    # Every connection's current webhook under one partition: the daily keep-alive reads them with a Query.
    return {"pk": {"S": "AIRTABLEHOOKS"}, "sk": {"S": f"HOOK#{user_id}"}}


def _by_id_key(webhook_id: str) -> dict[str, dict[str, str]]:
    return {"pk": {"S": f"AIRTABLEHOOK#{webhook_id}"}, "sk": {"S": "AIRTABLEHOOK"}}


class AirtableStore:
    def __init__(self, client: "DynamoDBClient", table_name: str, states: SyncStateStore) -> None:
        self._db = client
        self._table = table_name
        self._states = states

    # -- the record cache -------------------------------------------------------------------------

    def load_cache(self, user_id: str) -> RecordCache | None:
        stored = self._states.load(user_id, CACHE_KEY)
        return None if stored.blob is None else decode_cache(stored.blob, stored.generation)

    def save_cache(self, user_id: str, cache: RecordCache) -> None:
        cache.generation = self._states.save(
            user_id, CACHE_KEY, encode_cache(cache), expected_generation=cache.generation
        )

    def forget_cache(self, user_id: str) -> None:
        self._states.delete_all(user_id, CACHE_KEY)

    # -- webhooks ---------------------------------------------------------------------------------

    def save_webhook(self, hook: WebhookRecord) -> None:
        body = {
            "entity": "airtable_webhook",
            "webhook": hook.model_dump(mode="json"),
            "expires_at_epoch": int(hook.expires_at.timestamp()) + GRACE_SECONDS,
        }
        self._db.put_item(TableName=self._table, Item={**_current_key(hook.user_id), **serialize(body)})
        self._db.put_item(TableName=self._table, Item={**_by_id_key(hook.webhook_id), **serialize(body)})
        self._db.put_item(TableName=self._table, Item={**_listed_key(hook.user_id), **serialize(body)})

    def current_webhook(self, user_id: str) -> WebhookRecord | None:
        raw = self._db.get_item(TableName=self._table, Key=_current_key(user_id), ConsistentRead=True).get("Item")
        return None if raw is None else WebhookRecord.model_validate(deserialize(raw)["webhook"])

    def webhook_by_id(self, webhook_id: str) -> WebhookRecord | None:
        raw = self._db.get_item(TableName=self._table, Key=_by_id_key(webhook_id)).get("Item")
        return None if raw is None else WebhookRecord.model_validate(deserialize(raw)["webhook"])

    def forget_webhook(self, user_id: str) -> None:
        self._db.delete_item(TableName=self._table, Key=_current_key(user_id))
        self._db.delete_item(TableName=self._table, Key=_listed_key(user_id))

    def current_webhooks(self) -> list[WebhookRecord]:
        """Every connection's current webhook (the daily keep-alive refreshes those close to expiry)."""
        return [
            WebhookRecord.model_validate(i["webhook"])
            for i in query_all(self._db, self._table, "AIRTABLEHOOKS", "HOOK#")
        ]
