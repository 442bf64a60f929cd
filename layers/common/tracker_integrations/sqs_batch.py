"""SQS partial batch responses: each message handled alone, the failed ones named back to Lambda.

Lambda then deletes the messages that succeeded and returns only the failed ones to the queue, where
their visibility timeout and the DLQ's receive count apply. Written here rather than taken from
Powertools' batch utility: its import (asyncio and the event data classes) cost the sync worker's
cold start more than this whole module, which is all the worker used of it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypedDict


class SQSMessage(TypedDict):
    """The fields of an SQS record a handler reads (Lambda sends more)."""

    messageId: str  # SQS's own field names
    body: str


class ItemFailure(TypedDict):
    itemIdentifier: str  # Lambda's own field names


class PartialBatchResponse(TypedDict):
    batchItemFailures: list[ItemFailure]


class NotAnSQSBatch(ValueError):
    """The event carries no SQS records: a wiring fault, so the invocation fails as a whole."""


def partial_batch_response(event: Mapping[str, Any], handle: Callable[[SQSMessage], object]) -> PartialBatchResponse:
    """Hand each record to `handle`; a record whose handling raises is reported, the others are not.

    A batch where every record failed is still reported record by record: raising instead would make
    Lambda retry the whole batch and count a function error."""
    records = event.get("Records")
    if not records or not isinstance(records, list):
        raise NotAnSQSBatch("the event has no SQS Records list")
    failures: list[ItemFailure] = []
    for record in records:
        try:
            handle(record)
        except Exception:  # any failure returns this one message to the queue
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
