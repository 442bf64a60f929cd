"""HTTP API: the OAuth redirect target. No bearer token here: the state ties the request to its user,
and the binding cookie to the browser that started it."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.logging import correlation_paths
from aws_lambda_powertools.utilities.typing import LambdaContext

from tracker_integrations import wiring
from tracker_integrations.api import install_error_handlers, query_model
from tracker_integrations.browser_binding import browser_binding
from tracker_integrations.observability import logger, metrics
from tracker_integrations.resolver import APIGatewayHttpResolver, Response
from tracker_integrations.services.connecting.oauth import CallbackParams

app = APIGatewayHttpResolver()
install_error_handlers(app)


@app.get("/api/integrations/<provider>/callback")
def callback(provider: str) -> Response[str]:
    params = query_model(app, CallbackParams)
    location = wiring.oauth_service().complete(provider, params, browser_binding(app.current_event))
    # no-store: the URL carried a one-time code; referrer: never leak it onward.
    return Response(
        status_code=302,
        body="",
        headers={"Location": location, "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"},
    )


@logger.inject_lambda_context(correlation_id_path=correlation_paths.API_GATEWAY_HTTP)
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
