"""EventBridge (billing bus): a plan change applied to the account and its connections."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from tracker_integrations import wiring
from tracker_integrations.models.billing import PlanChangedEvent
from tracker_integrations.observability import logger, metrics
from tracker_integrations.validation import parse_model


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    change = parse_model(PlanChangedEvent, event)
    return wiring.plan_changes().apply(change.detail).model_dump(mode="json")
