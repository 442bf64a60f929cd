"""Daily schedule target: refresh the tokens of connections idle for a day, so providers keep them alive."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from tracker_integrations import wiring
from tracker_integrations.observability import logger, metrics


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return wiring.keep_alive().run().model_dump()
