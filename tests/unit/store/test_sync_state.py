"""Sync state storage: a state that fits one chunk lives in its head; states stored before that still read."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from local_stack.server import RunningStack
from tracker_integrations import wiring
from tracker_integrations.errors import VersionConflict
from tracker_integrations.store.dynamo import serialize
from tracker_integrations.store.sync_state import CHUNK_BYTES, SyncStateStore

PROVIDER = "google-sheets"


class CountingClient:
    """The DynamoDB client, counting the calls made through it by operation."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self.calls: list[str] = []

    def __getattr__(self, name: str) -> Any:
        method = getattr(self._client, name)

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append(name)
            return method(*args, **kwargs)

        return call


def _store() -> tuple[SyncStateStore, CountingClient]:
    client = CountingClient(wiring.dynamodb())
    return SyncStateStore(client, wiring.root().settings.integrations_table), client  # type: ignore[arg-type]


def _items(user: str) -> dict[str, dict[str, Any]]:
    pages = wiring.dynamodb().query(
        TableName=wiring.root().settings.integrations_table,
        KeyConditionExpression="pk = :pk AND begins_with(sk, :prefix)",
        ExpressionAttributeValues={":pk": {"S": f"USER#{user}"}, ":prefix": {"S": f"SYNCSTATE#{PROVIDER}#"}},
    )
    return {item["sk"]["S"]: item for item in pages["Items"]}


def test_a_state_that_fits_one_chunk_is_one_write_inside_its_head(stack: RunningStack) -> None:
    # GIVEN a connection with no state yet
    assert stack.base_url
    user = f"state-{uuid.uuid4().hex[:8]}"
    store, client = _store()
    # WHEN a small state is saved THEN it takes one PutItem, the head, which holds the data
    generation = store.save(user, PROVIDER, b"small state", expected_generation=0)
    assert client.calls == ["put_item"]
    assert set(_items(user)) == {f"SYNCSTATE#{PROVIDER}#HEAD"}
    # AND it reads back whole
    loaded = store.load(user, PROVIDER)
    assert (loaded.generation, loaded.blob) == (generation, b"small state")


def test_a_state_over_one_chunk_is_still_written_in_chunks(stack: RunningStack) -> None:
    assert stack.base_url
    user = f"state-{uuid.uuid4().hex[:8]}"
    store, _ = _store()
    blob = bytes(range(256)) * (CHUNK_BYTES // 256 + 10)
    generation = store.save(user, PROVIDER, blob, expected_generation=0)
    items = _items(user)
    assert len(items) == 3  # the head and two chunks
    assert "data" not in items[f"SYNCSTATE#{PROVIDER}#HEAD"]
    assert store.load(user, PROVIDER).blob == blob
    # AND a smaller state after it goes inline and the old chunks are deleted
    store.save(user, PROVIDER, b"smaller", expected_generation=generation)
    assert set(_items(user)) == {f"SYNCSTATE#{PROVIDER}#HEAD"}
    assert store.load(user, PROVIDER).blob == b"smaller"


def test_a_state_stored_before_inline_heads_still_reads_and_is_replaced(stack: RunningStack) -> None:
    # GIVEN a state written the old way: one chunk item and a head without data
    assert stack.base_url
    user = f"state-{uuid.uuid4().hex[:8]}"
    table = wiring.root().settings.integrations_table
    pk = f"USER#{user}"
    old: list[dict[str, Any]] = [
        {"pk": pk, "sk": f"SYNCSTATE#{PROVIDER}#G0000000003#0000", "entity": "sync_state", "data": b"old state"},
        {
            "pk": pk,
            "sk": f"SYNCSTATE#{PROVIDER}#HEAD",
            "entity": "sync_state_head",
            "generation": 3,
            "chunks": 1,
            "bytes": 9,
        },
    ]
    for item in old:
        wiring.dynamodb().put_item(TableName=table, Item=serialize(item))
    store, _ = _store()
    # WHEN it is read THEN it reads as before
    loaded = store.load(user, PROVIDER)
    assert (loaded.generation, loaded.blob) == (3, b"old state")
    # AND the next save goes inline and deletes the old chunk
    store.save(user, PROVIDER, b"new state", expected_generation=3)
    assert set(_items(user)) == {f"SYNCSTATE#{PROVIDER}#HEAD"}
    assert store.load(user, PROVIDER).blob == b"new state"


def test_an_inline_head_still_names_its_one_chunk_for_older_readers(stack: RunningStack) -> None:
    # Code from before inline heads, finding no chunk item for a head saying `chunks: 1`, fails loudly
    # rather than reading an empty state.
    assert stack.base_url
    user = f"state-{uuid.uuid4().hex[:8]}"
    store, _ = _store()
    store.save(user, PROVIDER, b"state", expected_generation=0)
    head = _items(user)[f"SYNCSTATE#{PROVIDER}#HEAD"]
    assert head["chunks"] == {"N": "1"}


def test_two_saves_from_the_same_generation_conflict(stack: RunningStack) -> None:
    assert stack.base_url
    user = f"state-{uuid.uuid4().hex[:8]}"
    store, _ = _store()
    store.save(user, PROVIDER, b"first", expected_generation=0)
    with pytest.raises(VersionConflict):
        store.save(user, PROVIDER, b"second", expected_generation=0)
    assert store.load(user, PROVIDER).blob == b"first"
