"""The analytics counters' table inside moto, built from template.yaml's AnalyticsTable."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import boto3
from moto import mock_aws

from local_stack.aws import make_dynamodb_operations_atomic
from tests.support.moto_tables import create_template_table
from tracker_integrations.store.analytics import AnalyticsStore

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def analytics_in_moto() -> Iterator[tuple[AnalyticsStore, DynamoDBClient]]:
    with mock_aws():
        make_dynamodb_operations_atomic()
        client: DynamoDBClient = boto3.client("dynamodb", region_name="eu-west-2")
        name = create_template_table(client, "AnalyticsTable")
        yield AnalyticsStore(client, name), client
