"""DynamoDB stream on the Tracker table: campaign and pitch changes become syncs (real time) or marks (schedules).

The whole batch is one unit: routing is idempotent (markers only move forward, a burst claims one
slot), so a retried batch queues nothing twice.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from tracker_integrations import wiring
from tracker_integrations.models.tracker_stream import TrackerStreamEvent
from tracker_integrations.observability import logger, metrics
from tracker_integrations.validation import parse_model


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    stream = parse_model(TrackerStreamEvent, event)
    return wiring.realtime().tracker_changed(stream.changes()).model_dump()
