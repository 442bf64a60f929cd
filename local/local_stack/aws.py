"""Creates, inside moto, the AWS resources template.yaml declares: tables, keys (and later queues)."""

from __future__ import annotations

import copy
import json
import threading
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
    sqs = boto3.client("sqs", region_name=region)
    queues = resources("AWS::SQS::Queue")
    # Dead-letter queues first: the others name them in their redrive policy.
    order = sorted(queues, key=lambda name: "RedrivePolicy" in queues[name].get("Properties", {}))
    arns: dict[str, str] = {}
    for logical_id in order:
        props = queues[logical_id].get("Properties", {})
        attributes = {
            key: str(props[key])
            for key in ("VisibilityTimeout", "MessageRetentionPeriod", "DelaySeconds")
            if key in props
        }
        redrive = props.get("RedrivePolicy")
        if redrive:
            target = redrive["deadLetterTargetArn"]["Fn::GetAtt"][0]
            attributes["RedrivePolicy"] = json.dumps(
                {"deadLetterTargetArn": arns[target], "maxReceiveCount": str(redrive["maxReceiveCount"])}
            )
        url = sqs.create_queue(QueueName=logical_id, Attributes=attributes)["QueueUrl"]  # type: ignore[arg-type]
        arns[logical_id] = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        physical[logical_id] = url
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


_ATOMIC = threading.RLock()
_ATOMIC_OPERATIONS = ("update_item", "put_item", "delete_item", "transact_write_items", "get_item", "query")


class _OneSnapshotPerTable:
    """Stands in for the `copy` module inside moto's DynamoDB models during one transaction.

    moto takes its rollback snapshot of a table once per item of a TransactWriteItems, before any
    write: 99 deep copies of the same unchanged table for a 99-item transaction, which made a
    1,000-row import take minutes locally. One copy per table is the same rollback point.
    """

    def __init__(self, table_type: type) -> None:
        self._table_type = table_type
        self._snapshots: dict[int, Any] = {}

    def deepcopy(self, value: Any, memo: dict[int, Any] | None = None) -> Any:
        if not isinstance(value, self._table_type):
            return copy.deepcopy(value, memo)
        if id(value) not in self._snapshots:
            self._snapshots[id(value)] = copy.deepcopy(value, memo)
        return self._snapshots[id(value)]


def _transact_with_one_snapshot_per_table(original: Any) -> Any:
    from moto.dynamodb import models as moto_models

    models: Any = moto_models  # its `copy` is swapped for the length of one call
    from moto.dynamodb.models.table import Table

    def transact_write_items(self: Any, *args: Any, **kwargs: Any) -> Any:
        # Runs under _ATOMIC, so no other emulated DynamoDB call sees the stand-in.
        models.copy = _OneSnapshotPerTable(Table)
        try:
            return original(self, *args, **kwargs)
        finally:
            models.copy = copy

    return transact_write_items


def make_dynamodb_operations_atomic() -> None:
    """Make each emulated DynamoDB call atomic, as the real service's conditional writes are.

    moto checks a condition and then writes without a lock, so two threads of the local stack could
    both "win" a conditional write (a lease, a version check) that DynamoDB would give to one.
    """
    from moto.dynamodb.models import DynamoDBBackend

    for name in _ATOMIC_OPERATIONS:
        original = getattr(DynamoDBBackend, name)
        if getattr(original, "_atomic", False):
            continue
        if name == "transact_write_items":
            original = _transact_with_one_snapshot_per_table(original)

        def atomic(self: Any, *args: Any, __original: Any = original, **kwargs: Any) -> Any:
            with _ATOMIC:
                return __original(self, *args, **kwargs)

        atomic._atomic = True  # type: ignore[attr-defined]
        setattr(DynamoDBBackend, name, atomic)
