"""Sync state in DynamoDB: compressed chunks under a head item, replaced generation by generation.

Read: one query over the connection's state prefix (the head and its chunks). Write: new chunks,
then the head (conditional on the generation read, so two syncs can never interleave their
states), then the old chunks are deleted. A sync with no changes writes nothing.

A state that fits one chunk is written inside its head (`data` on the head item): one PutItem, not
two. Heads written before that have no `data` and are read from their chunks as ever. An inline head
still says `chunks: 1`, so code from before it, finding no chunk item, fails loudly on it (the job
is retried) instead of reading an empty state.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from tracker_integrations.errors import VersionConflict
from tracker_integrations.store.dynamo import query_all, serialize, value
from tracker_integrations.store.integrations import user_pk

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

CHUNK_BYTES = 350_000  # under DynamoDB's 400 KB item limit with room for keys


class StoredState:
    def __init__(self, generation: int, blob: bytes | None) -> None:
        self.generation = generation
        self.blob = blob


class SyncStateStore:
    def __init__(self, client: DynamoDBClient, table_name: str) -> None:
        self._db = client
        self._table = table_name

    def _prefix(self, provider: str) -> str:
        return f"SYNCSTATE#{provider}#"

    def load(self, user_id: str, provider: str) -> StoredState:
        items = query_all(self._db, self._table, user_pk(user_id), self._prefix(provider))
        head = next((i for i in items if i["sk"] == f"{self._prefix(provider)}HEAD"), None)
        if head is None:
            return StoredState(0, None)
        generation = int(head["generation"])
        if "data" in head:
            return StoredState(generation, bytes(head["data"]))
        wanted = f"{self._prefix(provider)}G{generation:010d}#"
        chunks = sorted((i for i in items if str(i["sk"]).startswith(wanted)), key=lambda i: str(i["sk"]))
        if len(chunks) != int(head["chunks"]):
            raise RuntimeError("sync state is incomplete: the head names chunks that are missing")
        return StoredState(generation, b"".join(bytes(c["data"]) for c in chunks))

    def save(self, user_id: str, provider: str, blob: bytes, *, expected_generation: int) -> int:
        pk = user_pk(user_id)
        generation = expected_generation + 1
        parts = [blob[i : i + CHUNK_BYTES] for i in range(0, len(blob), CHUNK_BYTES)] or [b""]
        if len(parts) > 1:
            for index, part in enumerate(parts):
                sk = f"{self._prefix(provider)}G{generation:010d}#{index:04d}"
                item = {"pk": pk, "sk": sk, "entity": "sync_state", "data": part}
                self._db.put_item(TableName=self._table, Item=serialize(item))
        head: dict[str, Any] = {
            "pk": pk,
            "sk": f"{self._prefix(provider)}HEAD",
            "entity": "sync_state_head",
            "generation": generation,
            "chunks": len(parts),
            "bytes": len(blob),
        }
        if len(parts) == 1:
            head["data"] = parts[0]
        condition: dict[str, Any] = (
            {"ConditionExpression": "attribute_not_exists(pk)"}
            if expected_generation == 0
            else {
                "ConditionExpression": "generation = :expected",
                "ExpressionAttributeValues": {":expected": value(expected_generation)},
            }
        )
        try:
            self._db.put_item(TableName=self._table, Item=serialize(head), **condition)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "ConditionalCheckFailedException":
                raise VersionConflict("another sync of this connection saved its state first") from exc
            raise
        self._delete_generation(pk, provider, expected_generation)
        return generation

    def delete_all(self, user_id: str, provider: str) -> None:
        pk = user_pk(user_id)
        for item in query_all(self._db, self._table, pk, self._prefix(provider), projection="pk, sk"):
            self._db.delete_item(TableName=self._table, Key={"pk": {"S": pk}, "sk": {"S": str(item["sk"])}})

    def _delete_generation(self, pk: str, provider: str, generation: int) -> None:
        if generation == 0:
            return
        prefix = f"{self._prefix(provider)}G{generation:010d}#"
        for item in query_all(self._db, self._table, pk, prefix, projection="pk, sk"):
            self._db.delete_item(TableName=self._table, Key={"pk": {"S": pk}, "sk": {"S": str(item["sk"])}})
