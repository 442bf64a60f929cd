"""A run reads its connection's Drive watch once: asked again when the run ends, the store answers from
what it read or wrote since the run started, and reads again for anything older."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, cast

from tracker_integrations.models.push import PushChannel
from tracker_integrations.providers.google.sheets.channels import ChannelStore

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class _Table:
    """The three DynamoDB calls the store makes, on a dict, counting the reads."""

    def __init__(self) -> None:
        self.items: dict[tuple[str, str], dict[str, Any]] = {}
        self.reads = 0

    @staticmethod
    def _key(key: dict[str, Any]) -> tuple[str, str]:
        return key["pk"]["S"], key["sk"]["S"]

    def put_item(self, *, TableName: str, Item: dict[str, Any]) -> None:  # noqa: N803 - boto3's names
        self.items[self._key(Item)] = Item

    def get_item(self, *, TableName: str, Key: dict[str, Any], ConsistentRead: bool) -> dict[str, Any]:  # noqa: N803
        self.reads += 1
        item = self.items.get(self._key(Key))
        return {} if item is None else {"Item": item}

    def delete_item(self, *, TableName: str, Key: dict[str, Any]) -> None:  # noqa: N803
        self.items.pop(self._key(Key), None)


class _Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


def _channel(channel_id: str) -> PushChannel:
    return PushChannel(
        channel_id=channel_id,
        user_id="usr_1",
        provider="google-sheets",
        resource_id="res",
        watched_file_id="sheet",
        token_sha256="0" * 64,
        expires_at=START + timedelta(days=1),
    )


def _store() -> tuple[ChannelStore, _Table, _Clock]:
    table, clock = _Table(), _Clock()
    return ChannelStore(cast(Any, table), "Integrations", now=clock), table, clock


def test_the_watch_read_or_written_during_a_run_answers_at_its_end_without_a_read() -> None:
    # GIVEN a run that started at START and read its watch, then renewed it
    store, table, clock = _store()
    clock.now = START + timedelta(seconds=1)
    assert store.current("usr_1", "google-sheets") is None
    store.save(_channel("ch_new"))
    reads = table.reads
    # WHEN the runner asks for the watch as the run ends
    seen = store.current_since("usr_1", "google-sheets", START)
    # THEN the renewed channel answers, and nothing was read again
    assert seen is not None
    assert seen.channel_id == "ch_new"
    assert table.reads == reads


def test_a_watch_seen_before_the_run_or_of_another_connection_is_read_again() -> None:
    store, table, clock = _store()
    store.save(_channel("ch_old"))  # at START, by an earlier run
    table.items.clear()  # meanwhile the watch went (a disconnect in another container)
    # a run that started after the store last saw the watch: read again, and the read is what counts
    assert store.current_since("usr_1", "google-sheets", START + timedelta(minutes=5)) is None
    assert table.reads == 1
    # another connection's watch is never answered from this one's
    clock.now = START + timedelta(minutes=10)
    assert store.current_since("usr_2", "google-sheets", START) is None
    assert table.reads == 2
