"""DynamoDB attribute conversion round-trips what the stores write; cursors cannot cross users."""

from __future__ import annotations

from typing import Any

import pytest

from tracker_integrations.errors import ValidationFailed
from tracker_integrations.store.dynamo import decode_cursor, deserialize, encode_cursor, serialize


def test_json_mode_values_round_trip() -> None:
    item: dict[str, Any] = {
        "pk": "USER#a",
        "count": 3,
        "ratio": 0.25,
        "flag": False,
        "nothing_nested": {"gone": None, "list": [1, "two", {"three": 3.5}]},
    }
    assert deserialize(serialize(item)) == item


def test_unsupported_types_fail_loudly() -> None:
    with pytest.raises(TypeError):
        serialize({"bad": {1, 2}})


def test_a_cursor_for_another_users_partition_is_refused() -> None:
    cursor = encode_cursor({"pk": {"S": "USER#alice"}, "sk": {"S": "CAMPAIGN#cmp_1"}})
    assert decode_cursor(cursor, partition_key="USER#alice", sort_prefix="CAMPAIGN#") is not None
    with pytest.raises(ValidationFailed, match="cursor"):
        decode_cursor(cursor, partition_key="USER#bob", sort_prefix="CAMPAIGN#")
    with pytest.raises(ValidationFailed, match="cursor"):
        decode_cursor(cursor, partition_key="USER#alice", sort_prefix="PITCH#")
    with pytest.raises(ValidationFailed, match="cursor"):
        decode_cursor("%%%not-base64", partition_key="USER#alice", sort_prefix="CAMPAIGN#")
