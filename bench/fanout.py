"""AWS calls made by the fan-out for 10,000 due connections.

Goal: ceil(N/10) SQS SendMessageBatch calls and no per-connection reads beyond the index pages.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from datetime import UTC, datetime
from typing import Any

from botocore.awsrequest import AWSResponse, HTTPHeaders
from moto import mock_aws

from bench.results import Figure
from local_stack.aws import create_resources, function_environment
from tracker_integrations import wiring
from tracker_integrations.models.connection import Connection, ConnectionStatus
from tracker_integrations.observability import logger
from tracker_integrations.services.scheduling.fanout import ScheduleTick
from tracker_integrations.services.scheduling.policy import next_due, schedule_of
from tracker_integrations.store.dynamo import serialize
from tracker_integrations.store.integrations import schedule_key, user_pk

CONNECTIONS = 10_000
REGION = "eu-west-2"


# A chosen spreadsheet as Sheets stores it: settings are read through its typed model, so a stand-in must be valid.
_SHEET = {
    "target": {"spreadsheet_id": "bench_spreadsheet_01", "sheet_id": 0, "tab_title": "Pitches"},
    "mapping": {"columns": [{"header": "Contact", "field": "pitch.contact_name"}]},
}


def _seed() -> None:
    now = datetime(2026, 11, 27, tzinfo=UTC)
    table = _table()
    requests: list[dict[str, Any]] = []
    for n in range(CONNECTIONS):
        connection = Connection(
            user_id=f"user-{n:05d}",
            provider="google-sheets",
            connection_id=f"con_{n:05d}",
            status=ConnectionStatus.CONNECTED,
            settings={"sync_frequency": "every_15_minutes", "sheet": _SHEET},
            connected_at=now,
            updated_at=now,
        )
        cadence = schedule_of(connection)
        item = {
            "pk": user_pk(connection.user_id),
            "sk": "CONN#google-sheets",
            "entity": "connection",
            "version": 1,
            "connection": connection.model_dump(mode="json"),
            "sched_pk": f"SCHED#{cadence}",
            "sched_sk": schedule_key(next_due(connection), connection.user_id, "google-sheets"),
        }
        requests.append({"PutRequest": {"Item": serialize(item)}})
        if len(requests) == 25:
            wiring.dynamodb().batch_write_item(RequestItems={table: requests})  # type: ignore[dict-item]
            requests = []


def _accept_batch(params: dict[str, Any], **_: Any) -> tuple[AWSResponse, dict[str, Any]]:
    entries = params.get("Entries", [])
    successful = [{"Id": e["Id"], "MessageId": f"m-{e['Id']}", "MD5OfMessageBody": ""} for e in entries]
    return AWSResponse("https://sqs.local", 200, HTTPHeaders(), None), {"Successful": successful, "Failed": []}


def _table() -> str:
    from tracker_integrations.config import get_settings

    return get_settings().integrations_table


def run() -> list[Figure]:
    import os

    logger.setLevel(logging.WARNING)
    saved = dict(os.environ)  # noqa: TID251  # the bench plays Lambda's environment, then restores it
    with mock_aws():
        os.environ.update(  # noqa: TID251
            {"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": REGION}
        )
        physical = create_resources(REGION)
        os.environ.update(  # noqa: TID251
            function_environment(
                physical,
                {"AWS_REGION": REGION, "API_BASE_URL": "http://127.0.0.1", "APP_BASE_URL": "http://127.0.0.1/app"},
            )
        )
        wiring.reset()
        try:
            _seed()
            calls: Counter[str] = Counter()

            def count(model: Any, **_: Any) -> None:
                calls[f"{model.service_model.service_name}:{model.name}"] += 1

            wiring.dynamodb().meta.events.register("before-call.*.*", count)
            wiring.sqs().meta.events.register("before-call.*.*", count)
            # SQS answers from a counting stand-in: moto keeps every delayed message and rescans them all on
            # each send, which makes 10,000 sends quadratic. The figure is the number of calls, which does not
            # depend on what answers them.
            wiring.sqs().meta.events.register(
                "before-call.sqs.SendMessageBatch",
                _accept_batch,  # type: ignore[arg-type]  # a before-call handler may answer the call
            )
            result = wiring.fanout().run(ScheduleTick(cadence="every_15_minutes", interval_seconds=900))
        finally:
            wiring.reset()
    for key in set(os.environ) - set(saved):  # noqa: TID251
        del os.environ[key]  # noqa: TID251
    os.environ.update(saved)  # noqa: TID251
    batches = calls["sqs:SendMessageBatch"]
    reads = sum(v for k, v in calls.items() if k.startswith("dynamodb:"))
    other = {k: v for k, v in calls.items() if k not in {"sqs:SendMessageBatch", "dynamodb:Query"}}
    print(f"  fan-out AWS calls: {dict(sorted(calls.items()))}")
    return [
        Figure(
            name=f"fan-out SQS batch calls for {CONNECTIONS:,} due connections",
            value=batches,
            unit="calls",
            goal=f"= {math.ceil(CONNECTIONS / 10):,}",
            met=batches == math.ceil(CONNECTIONS / 10) and result.connections == CONNECTIONS,
        ),
        Figure(
            name=f"fan-out DynamoDB calls for {CONNECTIONS:,} due connections (index pages)",
            value=reads,
            unit="calls",
            goal=f"<= {math.ceil(CONNECTIONS / 1000) + 1} pages",
            met=reads <= math.ceil(CONNECTIONS / 1000) + 1 and not other,
        ),
    ]
