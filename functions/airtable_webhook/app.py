"""HTTP API: Airtable webhook pings for synced tables (no bearer token: the webhook's MAC proves them)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field

from tracker_integrations import wiring
from tracker_integrations.api import install_error_handlers, json_response
from tracker_integrations.errors import Unauthenticated, ValidationFailed
from tracker_integrations.observability import logger, metrics
from tracker_integrations.resolver import APIGatewayHttpResolver, Response
from tracker_integrations.validation import parse_json, parse_model

app = APIGatewayHttpResolver()
install_error_handlers(app)


class _Id(BaseModel):
    model_config = ConfigDict(defer_build=True)

    id: str = Field(min_length=1, max_length=64)


class Ping(BaseModel):
    """Airtable's ping: {"base": {"id"}, "webhook": {"id"}, "timestamp"}."""

    model_config = ConfigDict(extra="ignore", defer_build=True)

    base: _Id
    webhook: _Id


@app.post("/api/webhooks/airtable")
def airtable_ping() -> Response[str]:
    raw = (app.current_event.decoded_body or "").encode()
    try:
        ping = parse_model(Ping, parse_json(raw.decode()))
    except ValidationFailed as exc:  # an unsigned body is refused as unauthenticated, never described
        raise Unauthenticated("this ping is not from an Airtable webhook Tracker created") from exc
    mac = app.current_event.headers.get("x-airtable-content-mac")
    outcome = wiring.airtable_webhooks().pinged(ping.webhook.id, ping.base.id, raw, mac)
    # Any 2xx tells Airtable the ping arrived.
    return json_response(200, outcome)


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
