"""Item conversion and paging shared by the stores."""

from __future__ import annotations

import base64
import binascii
import json
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

from tracker_integrations.errors import ValidationFailed
from tracker_integrations.records import FrozenRecord

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

Item = dict[str, Any]

# Items here hold only JSON-mode pydantic dumps (str, int, float, bool, None, lists, maps), so the
# DynamoDB attribute-value conversion is small enough to own; boto3's TypeSerializer would import
# boto3 and s3transfer into every handler's cold start (~60 ms).


def value(v: Any) -> AttributeValueTypeDef:
    """One Python value as a DynamoDB attribute value."""
    if v is None:
        return {"NULL": True}
    if isinstance(v, bool):
        return {"BOOL": v}
    if isinstance(v, int | float | Decimal):
        return {"N": str(v)}
    if isinstance(v, str):
        return {"S": v}
    if isinstance(v, bytes):
        return {"B": v}
    if isinstance(v, list | tuple):
        return {"L": [value(x) for x in v]}
    if isinstance(v, dict):
        return {"M": {str(k): value(x) for k, x in v.items()}}
    raise TypeError(f"cannot store {type(v).__name__} in DynamoDB")


def python_value(raw: dict[str, Any]) -> Any:
    """One DynamoDB attribute value as a Python value (numbers back to int or float)."""
    kind, data = next(iter(raw.items()))
    if kind == "S":
        return data
    if kind == "N":
        number = Decimal(data)
        return int(number) if number == number.to_integral_value() else float(number)
    if kind == "BOOL":
        return bool(data)
    if kind == "NULL":
        return None
    if kind == "B":
        return bytes(data)
    if kind == "L":
        return [python_value(x) for x in data]
    if kind == "M":
        return {k: python_value(x) for k, x in data.items()}
    raise TypeError(f"unexpected DynamoDB attribute type {kind}")


def serialize(item: Item) -> dict[str, AttributeValueTypeDef]:
    return {k: value(v) for k, v in item.items() if v is not None}


def deserialize(raw: dict[str, Any]) -> Item:
    return {k: python_value(v) for k, v in raw.items()}


def encode_cursor(last_key: dict[str, Any] | None) -> str | None:
    """An opaque page cursor for API clients (the DynamoDB key, base64url JSON)."""
    if not last_key:
        return None
    plain = deserialize(last_key)
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


def _prefix_query(table: str, pk: str, prefix: str) -> dict[str, Any]:
    return {
        "TableName": table,
        "KeyConditionExpression": "pk = :pk AND begins_with(sk, :prefix)",
        "ExpressionAttributeValues": {":pk": value(pk), ":prefix": value(prefix)},
    }


def query_all(db: DynamoDBClient, table: str, pk: str, prefix: str, *, projection: str | None = None) -> list[Item]:
    """Every item of partition `pk` whose sort key starts with `prefix`, across pages, strongly read."""
    return _query_pages(db, {**_prefix_query(table, pk, prefix), "ConsistentRead": True}, projection)


def query_range(db: DynamoDBClient, table: str, pk: str, first: str, last: str) -> list[Item]:
    """Every item of partition `pk` whose sort key is between `first` and `last` (both included),
    across pages, strongly read: the items of several prefixes in one query when they sort together."""
    return _query_pages(
        db,
        {
            "TableName": table,
            "KeyConditionExpression": "pk = :pk AND sk BETWEEN :first AND :last",
            "ExpressionAttributeValues": {":pk": value(pk), ":first": value(first), ":last": value(last)},
            "ConsistentRead": True,
        },
        None,
    )


def _query_pages(db: DynamoDBClient, kwargs: dict[str, Any], projection: str | None) -> list[Item]:
    if projection:
        kwargs["ProjectionExpression"] = projection
    items: list[Item] = []
    while True:
        response = db.query(**kwargs)
        items.extend(deserialize(raw) for raw in response.get("Items", []))
        if "LastEvaluatedKey" not in response:
            return items
        kwargs["ExclusiveStartKey"] = response["LastEvaluatedKey"]


class PageRequest(FrozenRecord):
    """Which page of an API list: its size, the cursor the last page returned, and the order."""

    __slots__ = ("cursor", "limit", "newest_first")

    def __init__(self, limit: int, cursor: str | None, newest_first: bool = False) -> None:
        self.limit: Final = limit
        self.cursor: Final = cursor
        self.newest_first: Final = newest_first


def query_page(
    db: DynamoDBClient, table: str, pk: str, prefix: str, page: PageRequest
) -> tuple[list[Item], str | None]:
    """One page for an API list: items plus the opaque cursor of the next page (None at the end)."""
    kwargs: dict[str, Any] = {
        **_prefix_query(table, pk, prefix),
        "Limit": page.limit,
        "ScanIndexForward": not page.newest_first,
    }
    start = decode_cursor(page.cursor, partition_key=pk, sort_prefix=prefix)
    if start:
        kwargs["ExclusiveStartKey"] = start
    response = db.query(**kwargs)
    return [deserialize(raw) for raw in response.get("Items", [])], encode_cursor(response.get("LastEvaluatedKey"))
