"""EventBridge Scheduler target: queue one sync job per connection due at this tier's cadence."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from tracker_integrations import wiring
from tracker_integrations.observability import logger, metrics
from tracker_integrations.services.scheduling.fanout import ScheduleTick
from tracker_integrations.validation import parse_model


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    tick = parse_model(ScheduleTick, event)
    return wiring.fanout().run(tick).model_dump()
