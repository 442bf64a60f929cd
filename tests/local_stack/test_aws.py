"""The local stack's emulated DynamoDB: transactions stay all-or-nothing with one snapshot per table."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from local_stack.aws import make_dynamodb_operations_atomic

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import TransactWriteItemTypeDef

# Unique per test run: the suite's session-wide moto may already be active, and a nested
# mock_aws does not give this module a fresh account.
TABLE = f"Transactions-{uuid.uuid4().hex}"


@pytest.fixture
def dynamodb() -> Iterator[DynamoDBClient]:
    with mock_aws():
        make_dynamodb_operations_atomic()
        client: DynamoDBClient = boto3.client("dynamodb", region_name="eu-west-2")
        client.create_table(
            TableName=TABLE,
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        try:
            yield client
        finally:
            client.delete_table(TableName=TABLE)


def _put(pk: str, **condition: str) -> TransactWriteItemTypeDef:
    put: TransactWriteItemTypeDef = {"Put": {"TableName": TABLE, "Item": {"pk": {"S": pk}}}}
    put["Put"].update(condition)  # type: ignore[typeddict-item]
    return put


def _keys(client: DynamoDBClient) -> set[str]:
    return {item["pk"]["S"] for item in client.scan(TableName=TABLE)["Items"]}


def test_a_transaction_that_fails_late_leaves_the_table_as_it_was(dynamodb: DynamoDBClient) -> None:
    # GIVEN a table holding one item
    dynamodb.put_item(TableName=TABLE, Item={"pk": {"S": "existing"}})
    # WHEN a 99-item transaction's last write fails its condition
    items = [_put(f"new-{n}") for n in range(98)]
    items.append(_put("existing", ConditionExpression="attribute_not_exists(pk)"))
    with pytest.raises(ClientError) as refused:
        dynamodb.transact_write_items(TransactItems=items)
    # THEN it is refused as DynamoDB refuses it, and none of the 98 earlier writes stays
    assert refused.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert _keys(dynamodb) == {"existing"}


def test_a_transaction_that_succeeds_writes_every_item(dynamodb: DynamoDBClient) -> None:
    # GIVEN an empty table WHEN a 99-item transaction succeeds THEN all 99 items are there
    dynamodb.transact_write_items(TransactItems=[_put(f"new-{n}") for n in range(99)])
    assert _keys(dynamodb) == {f"new-{n}" for n in range(99)}
