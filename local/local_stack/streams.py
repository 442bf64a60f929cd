"""DynamoDB streams, delivered as Lambda's stream poller does: batches in shard order, retried, then dropped.

moto records every table change in the table's stream; `StreamPump.pump()` reads what is new since
the last pump and invokes the template's consumer with a stream event. A failing batch is retried on
the next pump, up to the event source's MaximumRetryAttempts, then skipped (in AWS it goes to the
OnFailure destination).
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable
from typing import Any

import boto3

from local_stack.events import LambdaContextStub
from local_stack.template import StreamConsumer, stream_consumers

logger = logging.getLogger("local_stack")


class StreamPump:
    def __init__(self, region: str, physical: dict[str, str], invoke_lock: threading.Lock) -> None:
        self._region = region
        self._physical = physical
        self._invoke_lock = invoke_lock
        self._consumers = stream_consumers()
        # (consumer, shard id) -> last sequence number delivered: each consumer reads the stream on its own,
        # as Lambda's event source mappings do.
        self._positions: dict[tuple[str, str], str] = {}
        self._failures: dict[str, int] = {}
        self._lock = threading.Lock()

    def pump(self) -> int:
        """Deliver every record written since the last pump; returns how many were delivered."""
        with self._lock:
            return sum(self._pump(consumer) for consumer in self._consumers)

    def _pump(self, consumer: StreamConsumer) -> int:
        dynamodb = boto3.client("dynamodb", region_name=self._region)
        streams = boto3.client("dynamodbstreams", region_name=self._region)
        table = dynamodb.describe_table(TableName=self._physical[consumer.table])["Table"]
        stream_arn = table.get("LatestStreamArn")
        if not stream_arn:
            return 0
        handler: Callable[..., Any] = getattr(importlib.import_module(consumer.module), consumer.function_name)
        delivered = 0
        for shard in streams.describe_stream(StreamArn=stream_arn)["StreamDescription"].get("Shards", []):
            position = (consumer.function, shard["ShardId"])
            shard_id = shard["ShardId"]
            while True:
                after = self._positions.get(position)
                iterator = streams.get_shard_iterator(
                    StreamArn=stream_arn,
                    ShardId=shard_id,
                    **(
                        {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": after}
                        if after
                        else {"ShardIteratorType": "TRIM_HORIZON"}
                    ),
                )["ShardIterator"]
                records = streams.get_records(ShardIterator=iterator, Limit=consumer.batch_size)["Records"]
                if not records:
                    break
                event = {
                    "Records": [
                        {**record, "eventSourceARN": stream_arn, "awsRegion": self._region} for record in records
                    ]
                }
                last = str(records[-1]["dynamodb"]["SequenceNumber"])
                try:
                    with self._invoke_lock:
                        handler(_jsonable(event), LambdaContextStub(function_name=consumer.function))
                except Exception:  # as Lambda: retry the batch, then give up on it
                    attempts = self._failures.get(f"{consumer.function}:{last}", 0) + 1
                    self._failures[f"{consumer.function}:{last}"] = attempts
                    logger.exception("%s failed on a stream batch (attempt %d)", consumer.function, attempts)
                    if attempts <= consumer.max_retries:
                        break
                self._positions[position] = last
                delivered += len(records)
        return delivered


def _jsonable(value: Any) -> Any:
    """boto3 hands back datetimes and Decimals; a Lambda event is plain JSON."""
    import json

    return json.loads(json.dumps(value, default=str))
