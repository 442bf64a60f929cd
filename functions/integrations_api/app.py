"""HTTP API: the Integrations screen (cards, connect, settings, disconnect, sync logs)."""

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
    json_object,
    json_response,
    parse_body,
    query_model,
)
from tracker_integrations.browser_binding import binding_cookie, browser_binding
from tracker_integrations.models.imports import ImportRequest
from tracker_integrations.models.sheets_requests import CreateSpreadsheet
from tracker_integrations.models.sync_requests import DeletionDecision
from tracker_integrations.observability import logger, metrics
from tracker_integrations.resolver import APIGatewayHttpResolver, Response

app = APIGatewayHttpResolver()
install_error_handlers(app)
install_rate_limits(app)
install_roles(app)
install_audit(app)


class SpreadsheetsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    # Drive's list tokens are printable ASCII without spaces; anything else is refused before asking Drive.
    page_token: str | None = Field(default=None, max_length=2048, pattern=r"^[!-~]+$")


class LogsQuery(BaseModel):
    model_config = ConfigDict(extra="forbid", defer_build=True)

    limit: int = Field(default=20, ge=1, le=100)
    cursor: str | None = Field(default=None, max_length=2048)


@app.get("/api/integrations")
def list_integrations() -> Response[str]:
    cards = wiring.integrations_service().cards(current_user(app))
    return json_response(200, {"integrations": [card.model_dump(mode="json") for card in cards]})


@app.get("/api/integrations/<provider>")
def get_integration(provider: str) -> Response[str]:
    return json_response(200, wiring.integrations_service().detail(current_user(app), provider))


@app.get("/api/integrations/<provider>/fields")
def tracker_fields(provider: str) -> Response[str]:
    current_user(app)  # signed-in users only, like every route here
    return json_response(200, wiring.integrations_service().tracker_fields(provider))


@app.put("/api/integrations/<provider>/settings")
def update_settings(provider: str) -> Response[str]:
    body = json_object(app)
    return json_response(200, wiring.settings_updates().apply(current_user(app), provider, body))


@app.post("/api/integrations/<provider>/sync")
def sync_now(provider: str) -> Response[str]:
    return json_response(202, wiring.sync_requests().sync_now(current_user(app), provider))


@app.get("/api/integrations/<provider>/pending-deletions")
def pending_deletions(provider: str) -> Response[str]:
    return json_response(200, wiring.deletion_approvals().pending_deletions(current_user(app), provider))


@app.post("/api/integrations/<provider>/pending-deletions/<record_id>")
def decide_deletion(provider: str, record_id: str) -> Response[str]:
    decision = parse_body(app, DeletionDecision)
    return json_response(200, wiring.deletion_approvals().decide(current_user(app), provider, record_id, decision))


@app.get("/api/notifications")
def notifications() -> Response[str]:
    query = query_model(app, LogsQuery)
    return json_response(200, wiring.notifier().feed(current_user(app), limit=query.limit, cursor=query.cursor))


@app.get("/api/integrations/google-sheets/spreadsheets")
def list_spreadsheets() -> Response[str]:
    query = query_model(app, SpreadsheetsQuery)
    return json_response(200, wiring.sheets_setup().list_spreadsheets(current_user(app), query.page_token))


@app.post("/api/integrations/google-sheets/spreadsheets")
def create_spreadsheet() -> Response[str]:
    request = parse_body(app, CreateSpreadsheet)
    return json_response(201, wiring.sheets_setup().create_spreadsheet(current_user(app), request))


# -- Airtable: choosing base and table -------------------------------------------------------------


@app.get("/api/integrations/airtable/bases")
def list_airtable_bases() -> Response[str]:
    return json_response(200, wiring.airtable_setup().bases(current_user(app)))


@app.get("/api/integrations/airtable/bases/<base_id>/tables")
def list_airtable_tables(base_id: str) -> Response[str]:
    return json_response(200, wiring.airtable_setup().tables(current_user(app), base_id))


@app.post("/api/integrations/<provider>/connect")
def connect(provider: str) -> Response[str]:
    identity = current_identity(app)
    started = wiring.oauth_service().start(
        identity.account_id, provider, browser_binding(app.current_event), member=identity.user_id
    )
    response = json_response(200, {"authorization_url": started.authorization_url})
    # The callback only links an account in the browser holding this cookie (see browser_binding).
    response.cookies.append(binding_cookie(started.browser_binding))
    return response


@app.delete("/api/integrations/<provider>/disconnect")
def disconnect(provider: str) -> Response[str]:
    identity = current_identity(app)
    return json_response(200, wiring.oauth_service().disconnect(identity.account_id, provider, member=identity.user_id))


@app.get("/api/integrations/<provider>/logs")
def sync_logs(provider: str) -> Response[str]:
    query = query_model(app, LogsQuery)
    page = wiring.integrations_service().sync_logs(current_user(app), provider, limit=query.limit, cursor=query.cursor)
    return json_response(200, page)


@app.post("/api/integrations/<provider>/import")
def import_rows(provider: str) -> Response[str]:
    request = parse_body(app, ImportRequest)
    return json_response(200, wiring.imports().run(current_user(app), provider, request))


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
