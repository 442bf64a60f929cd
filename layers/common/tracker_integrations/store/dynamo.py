"""Item conversion and paging shared by the stores."""

from __future__ import annotations

import base64
import binascii
import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

from tracker_integrations.errors import ValidationFailed

if TYPE_CHECKING:
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()

Item = dict[str, Any]


def _to_dynamo_numbers(value: Any) -> Any:
    # DynamoDB wants Decimal, never float; JSON-mode dumps give us plain floats.
    if isinstance(value, float):
        return Decimal(str(value))
    if isinstance(value, dict):
        return {k: _to_dynamo_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_to_dynamo_numbers(v) for v in value]
    return value


def _from_dynamo_numbers(value: Any) -> Any:
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, dict):
        return {k: _from_dynamo_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_from_dynamo_numbers(v) for v in value]
    return value


def serialize(item: Item) -> dict[str, AttributeValueTypeDef]:
    return {k: _serializer.serialize(_to_dynamo_numbers(v)) for k, v in item.items() if v is not None}


def deserialize(raw: dict[str, Any]) -> Item:
    return {k: _from_dynamo_numbers(_deserializer.deserialize(v)) for k, v in raw.items()}


def value(v: Any) -> AttributeValueTypeDef:
    return _serializer.serialize(_to_dynamo_numbers(v))  # type: ignore[no-any-return]


def encode_cursor(last_key: dict[str, Any] | None) -> str | None:
    """An opaque page cursor for API clients (the DynamoDB key, base64url JSON)."""
    if not last_key:
        return None
    plain = {k: _deserializer.deserialize(v) for k, v in last_key.items()}
    return base64.urlsafe_b64encode(json.dumps(plain, default=str).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, *, partition_key: str, sort_prefix: str) -> dict[str, Any] | None:
    """The DynamoDB key behind a cursor; refuses cursors for another user's partition or collection."""
    if not cursor:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise ValidationFailed("cursor is not valid: use the next_cursor of the previous page") from exc
    if (
        not isinstance(data, dict)
        or set(data) != {"pk", "sk"}
        or data["pk"] != partition_key
        or not str(data["sk"]).startswith(sort_prefix)
    ):
        raise ValidationFailed("cursor is not valid: use the next_cursor of the previous page")
    return {"pk": {"S": data["pk"]}, "sk": {"S": str(data["sk"])}}
