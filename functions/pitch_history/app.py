"""DynamoDB stream on the Tracker table: each pitch write recorded in the pitch's history."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict

from tracker_integrations import wiring
from tracker_integrations.observability import logger, metrics
from tracker_integrations.validation import parse_model


class StreamBatch(BaseModel):
    """The batch's records; each record's images are decoded by the history service's store."""

    model_config = ConfigDict(frozen=True, extra="ignore", defer_build=True)

    Records: list[dict[str, Any]]


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    batch = parse_model(StreamBatch, event)
    return wiring.pitch_history().record_stream(batch.Records).model_dump()
