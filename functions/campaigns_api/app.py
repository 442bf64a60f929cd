"""HTTP API: Tracker's campaigns and their pitches."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext
from pydantic import BaseModel, ConfigDict, Field

from tracker_integrations import wiring
from tracker_integrations.api import (
    current_identity,
    current_user,
    install_audit,
    install_error_handlers,
    install_rate_limits,
    install_roles,
    json_response,
    parse_body,
    query_model,
)
from tracker_integrations.models.campaign_inputs import (
    CampaignCreate,
    CampaignUpdate,
    PitchCreate,
    PitchUpdate,
    UserReplyCategory,
)
from tracker_integrations.models.history import member_writer
from tracker_integrations.models.statuses import ReplyCategory
from tracker_integrations.observability import logger, metrics
from tracker_integrations.resolver import APIGatewayHttpResolver, Response

app = APIGatewayHttpResolver()
install_error_handlers(app)
install_rate_limits(app)
install_roles(app)
install_audit(app)


class PageQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    limit: int = Field(default=50, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=2048)


class DeleteQuery(BaseModel):
    """Deletes name the version the client last saw, like updates."""

    model_config = ConfigDict(extra="forbid", defer_build=True)

    version: int = Field(ge=1)


class RepliesQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    limit: int = Field(default=50, ge=1, le=100)
    category: ReplyCategory | None = None


@app.get("/api/replies")
def list_replies() -> Response[str]:
    query = query_model(app, RepliesQuery)
    result = wiring.campaigns_service().replies(current_user(app), limit=query.limit, category=query.category)
    return json_response(200, result)


@app.get("/api/campaigns")
def list_campaigns() -> Response[str]:
    page = query_model(app, PageQuery)
    return json_response(
        200, wiring.campaigns_service().list_campaigns(current_user(app), limit=page.limit, cursor=page.cursor)
    )


@app.post("/api/campaigns")
def create_campaign() -> Response[str]:
    data = parse_body(app, CampaignCreate)
    return json_response(201, wiring.campaigns_service().create_campaign(current_user(app), data))


@app.get("/api/campaigns/<campaign_id>")
def get_campaign(campaign_id: str) -> Response[str]:
    return json_response(200, wiring.campaigns_service().get_campaign(current_user(app), campaign_id))


@app.patch("/api/campaigns/<campaign_id>")
def update_campaign(campaign_id: str) -> Response[str]:
    update = parse_body(app, CampaignUpdate)
    return json_response(200, wiring.campaigns_service().update_campaign(current_user(app), campaign_id, update))


@app.delete("/api/campaigns/<campaign_id>")
def delete_campaign(campaign_id: str) -> Response[str]:
    query = query_model(app, DeleteQuery)
    wiring.campaigns_service().delete_campaign(current_user(app), campaign_id, version=query.version)
    return Response(status_code=204, body="")


@app.get("/api/campaigns/<campaign_id>/pitches")
def list_pitches(campaign_id: str) -> Response[str]:
    page = query_model(app, PageQuery)
    result = wiring.campaigns_service().list_pitches(
        current_user(app), campaign_id, limit=page.limit, cursor=page.cursor
    )
    return json_response(200, result)


@app.post("/api/campaigns/<campaign_id>/pitches")
def create_pitch(campaign_id: str) -> Response[str]:
    data = parse_body(app, PitchCreate)
    identity = current_identity(app)
    # Who wrote it rides to the pitch's history through the table's stream.
    pitch = wiring.campaigns_service().create_pitch(
        identity.account_id, campaign_id, data, written_by=member_writer(identity.user_id)
    )
    return json_response(201, pitch)


@app.get("/api/campaigns/<campaign_id>/pitches/<pitch_id>")
def get_pitch(campaign_id: str, pitch_id: str) -> Response[str]:
    return json_response(200, wiring.campaigns_service().get_pitch(current_user(app), campaign_id, pitch_id))


@app.patch("/api/campaigns/<campaign_id>/pitches/<pitch_id>")
def update_pitch(campaign_id: str, pitch_id: str) -> Response[str]:
    update = parse_body(app, PitchUpdate)
    identity = current_identity(app)
    pitch = wiring.campaigns_service().update_pitch(
        identity.account_id, campaign_id, pitch_id, update, written_by=member_writer(identity.user_id)
    )
    return json_response(200, pitch)


@app.put("/api/campaigns/<campaign_id>/pitches/<pitch_id>/reply-category")
def set_reply_category(campaign_id: str, pitch_id: str) -> Response[str]:
    body = parse_body(app, UserReplyCategory)
    identity = current_identity(app)
    pitch = wiring.reply_categories().set_category(
        identity.account_id, campaign_id, pitch_id, body, written_by=member_writer(identity.user_id)
    )
    return json_response(200, pitch)


@app.delete("/api/campaigns/<campaign_id>/pitches/<pitch_id>")
def delete_pitch(campaign_id: str, pitch_id: str) -> Response[str]:
    query = query_model(app, DeleteQuery)
    wiring.campaigns_service().delete_pitch(current_user(app), campaign_id, pitch_id, version=query.version)
    return Response(status_code=204, body="")


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
