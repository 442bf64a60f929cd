"""HTTP API: the signed-in member and their account (who am I, the audit log, pitch histories, usage analytics)."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field

from tracker_integrations import wiring
from tracker_integrations.api import (
    current_identity,
    current_user,
    install_error_handlers,
    install_rate_limits,
    install_roles,
    json_response,
    query_model,
)
from tracker_integrations.observability import logger, metrics
from tracker_integrations.resolver import APIGatewayHttpResolver, Response

app = APIGatewayHttpResolver()
install_error_handlers(app)
install_rate_limits(app)
install_roles(app)


class AuditQuery(BaseModel):
    """A page of the audit log or of a pitch's history, newest first."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    limit: int = Field(default=50, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=2048)


@app.get("/api/me")
def me() -> Response[str]:
    return json_response(200, wiring.profile().me(current_identity(app)))


@app.get("/api/audit")
def audit() -> Response[str]:
    query = query_model(app, AuditQuery)
    return json_response(200, wiring.audit_log().page(current_user(app), limit=query.limit, cursor=query.cursor))


@app.get("/api/campaigns/<campaign_id>/pitches/<pitch_id>/history")
def pitch_history(campaign_id: str, pitch_id: str) -> Response[str]:
    query = query_model(app, AuditQuery)
    page = wiring.pitch_history().page(current_user(app), campaign_id, pitch_id, limit=query.limit, cursor=query.cursor)
    return json_response(200, page)


@app.get("/api/analytics/integrations")
def integration_usage() -> Response[str]:
    return json_response(200, wiring.analytics().report(current_identity(app)))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
