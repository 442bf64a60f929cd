"""HTTP API: Drive push notifications for synced spreadsheets (no bearer token: the channel token proves them)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from tracker_integrations import wiring
from tracker_integrations.api import install_error_handlers, json_response
from tracker_integrations.models.push import DriveNotification
from tracker_integrations.observability import logger, metrics
from tracker_integrations.resolver import APIGatewayHttpResolver, Response
from tracker_integrations.validation import parse_model

app = APIGatewayHttpResolver()
install_error_handlers(app)


@app.post("/api/webhooks/google-drive")
def drive_notification() -> Response[str]:
    notification = parse_model(DriveNotification, app.current_event.headers)
    # Any 2xx tells Drive the notification arrived; other answers make it retry with backoff.
    return json_response(200, wiring.drive_watches().notified(notification))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
