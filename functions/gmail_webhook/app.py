"""HTTP API: Gmail push notifications through Pub/Sub (no Tracker token: Google's signed JWT proves them)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from tracker_integrations import wiring
from tracker_integrations.api import install_error_handlers, json_response
from tracker_integrations.observability import logger, metrics
from tracker_integrations.resolver import APIGatewayHttpResolver, Response

app = APIGatewayHttpResolver()
install_error_handlers(app)


@app.post("/api/webhooks/gmail")
def gmail_notification() -> Response[str]:
    authorization = app.current_event.headers.get("authorization")
    outcome = wiring.gmail_push_receiver().receive(authorization, app.current_event.decoded_body or "")
    # Any 2xx acknowledges the push (an unknown mailbox too: anything else makes Pub/Sub redeliver it).
    if outcome.status == "queued":
        return Response(status_code=204, body="")
    return json_response(200, outcome)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
