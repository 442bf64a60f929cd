"""Creates, inside moto, the AWS resources template.yaml declares: tables, keys (and later queues)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import boto3

from local_stack.template import resources

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def _table_kwargs(name: str, props: dict[str, Any]) -> dict[str, Any]:
    kwargs: dict[str, Any] = {
        "TableName": name,
        "KeySchema": props["KeySchema"],
        "AttributeDefinitions": props["AttributeDefinitions"],
        "BillingMode": props.get("BillingMode", "PROVISIONED"),
    }
    if kwargs["BillingMode"] == "PROVISIONED":
        kwargs["ProvisionedThroughput"] = props["ProvisionedThroughput"]
    for index_kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
        if index_kind in props:
            kwargs[index_kind] = props[index_kind]
    if "StreamSpecification" in props:
        kwargs["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
    return kwargs


def create_resources(region: str) -> dict[str, str]:
    """Create every table and key; returns logical id -> physical name/ARN, as !Ref/!GetAtt would."""
    physical: dict[str, str] = {}
    dynamodb: DynamoDBClient = boto3.client("dynamodb", region_name=region)
    for logical_id, resource in resources("AWS::DynamoDB::Table").items():
        props = resource["Properties"]
        dynamodb.create_table(**_table_kwargs(logical_id, props))
        ttl = props.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled"):
            dynamodb.update_time_to_live(
                TableName=logical_id, TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]}
            )
        physical[logical_id] = logical_id
    kms = boto3.client("kms", region_name=region)
    for logical_id, resource in resources("AWS::KMS::Key").items():
        key = kms.create_key(Description=str(resource["Properties"].get("Description", logical_id)))
        physical[logical_id] = key["KeyMetadata"]["Arn"]
    return physical


def function_environment(physical: dict[str, str], overrides: dict[str, str]) -> dict[str, str]:
    """Globals' environment with !Ref/!GetAtt resolved to the moto resources, plus local overrides."""
    from local_stack.template import global_environment

    env: dict[str, str] = {}
    for name, raw in global_environment().items():
        if isinstance(raw, dict):
            ref = raw.get("Ref") or (raw.get("Fn::GetAtt") or [None])[0]
            resolved = physical.get(str(ref))
            if resolved is not None:
                env[name] = resolved
        else:
            env[name] = str(raw)
    env.update(overrides)
    return env
