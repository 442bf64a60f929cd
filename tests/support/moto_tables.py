"""Tables inside moto built from template.yaml, so tests and template cannot drift."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from local_stack.template import resources

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def create_template_table(client: DynamoDBClient, logical_id: str) -> str:
    """Create the template's table under a unique name (the session's local stack may share moto's backend)."""
    props = resources("AWS::DynamoDB::Table")[logical_id]["Properties"]
    name = f"{logical_id}-{uuid.uuid4().hex[:8]}"
    client.create_table(
        TableName=name,
        KeySchema=props["KeySchema"],
        AttributeDefinitions=props["AttributeDefinitions"],
        BillingMode=props["BillingMode"],
    )
    return name
