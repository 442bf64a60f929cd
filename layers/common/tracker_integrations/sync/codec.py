"""The sync state as compact bytes: JSON (values in field order, not keyed per record) then zlib.

A 10,000-row sheet's state is a few hundred kilobytes before compression; stored as chunks small
enough for DynamoDB items.
"""

from __future__ import annotations

import json
import zlib
from datetime import datetime
from typing import Any

from tracker_integrations.sync.engine import PendingDeletion, RecordBase, SyncState

FORMAT = 1


def encode_state(state: SyncState, fields: list[str]) -> bytes:
    records = {
        # A trailing object only for records holding a value against a formula: most records carry none.
        record_id: [
            *(base.values.get(f, "") for f in fields),
            base.row_fingerprint,
            base.tracker_fingerprint,
            *([base.held] if base.held else []),
        ]
        for record_id, base in state.records.items()
    }
    document = {
        "format": FORMAT,
        "fields": fields,
        "records": records,
        "tombstones": sorted(state.tombstones),
        "pending": {
            record_id: {"values": p.values, "detected_at": p.detected_at.isoformat()}
            for record_id, p in state.pending_deletions.items()
        },
    }
    return zlib.compress(json.dumps(document, separators=(",", ":")).encode(), level=6)


def _document(blob: bytes) -> dict[str, Any]:
    document = json.loads(zlib.decompress(blob))
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ValueError("unknown sync state format")
    return document


def stored_fields(blob: bytes) -> list[str]:
    """The field order the state was written with."""
    return [str(f) for f in _document(blob)["fields"]]


def decode_state(blob: bytes) -> SyncState:
    document = _document(blob)
    fields: list[str] = document["fields"]
    width = len(fields)
    records = {
        record_id: RecordBase(
            values=dict(zip(fields, row[:width], strict=True)),
            row_fingerprint=row[width],
            tracker_fingerprint=row[width + 1],
            held={str(k): str(v) for k, v in row[width + 2].items()} if len(row) > width + 2 else {},
        )
        for record_id, row in document["records"].items()
    }
    pending = {
        record_id: PendingDeletion(
            record_id=record_id, values=dict(p["values"]), detected_at=datetime.fromisoformat(p["detected_at"])
        )
        for record_id, p in document["pending"].items()
    }
    return SyncState(records=records, tombstones=set(document["tombstones"]), pending_deletions=pending)
