"""The rate limits' counters table inside moto, built from template.yaml's RateLimitsTable."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import boto3
from moto import mock_aws

from local_stack.aws import make_dynamodb_operations_atomic
from tests.support.moto_tables import create_template_table
from tracker_integrations.store.rate_limits import RateCounterStore

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


class DynamoCallCounter:
    """Every DynamoDB operation the client makes, by name (UpdateItem, GetItem ...)."""

    def __init__(self, client: DynamoDBClient) -> None:
        self.calls: list[str] = []
        client.meta.events.register("before-call.dynamodb.*", self._count)

    def _count(self, model: Any, **_: Any) -> None:
        self.calls.append(model.name)


def counters_in_moto() -> Iterator[tuple[RateCounterStore, DynamoDBClient, str]]:
    """A fresh counters table (a unique name: the session's local stack may share moto's backend)."""
    with mock_aws():
        # DynamoDB applies a conditional write atomically; moto does only with this lock.
        make_dynamodb_operations_atomic()
        client: DynamoDBClient = boto3.client("dynamodb", region_name="eu-west-2")
        name = create_template_table(client, "RateLimitsTable")
        yield RateCounterStore(client, name), client, name
