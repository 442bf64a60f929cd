"""The stored sync state round-trips, and stays small."""

from __future__ import annotations

from datetime import UTC, datetime

from tracker_integrations.sync.codec import decode_state, encode_state
from tracker_integrations.sync.engine import PendingDeletion, RecordBase, SyncState

FIELDS = ["pitch.contact_name", "pitch.status"]


def test_state_round_trips() -> None:
    state = SyncState(
        records={"p1": RecordBase({"pitch.contact_name": "Annie", "pitch.status": "sent"}, "aa", "bb")},
        tombstones={"p0"},
        pending_deletions={
            "p2": PendingDeletion("p2", {"pitch.status": "replied"}, datetime(2026, 11, 27, tzinfo=UTC))
        },
    )
    assert decode_state(encode_state(state, FIELDS)) == state


def test_ten_thousand_records_compress_well() -> None:
    state = SyncState(
        records={
            f"pit_{i:08d}": RecordBase(
                {"pitch.contact_name": f"Contact {i}", "pitch.status": "sent"}, f"{i:016x}", "f" * 16
            )
            for i in range(10_000)
        }
    )
    assert len(encode_state(state, FIELDS)) < 400_000
