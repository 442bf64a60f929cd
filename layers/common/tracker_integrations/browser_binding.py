"""The cookie that binds an OAuth flow to the browser that started it (RFC 6749 §10.12).

Connect sets it (a random value; the flow's state keeps only its hash) and the callback needs it
back. Where it lives, and why the browser keeps and sends it:

- Host-only on the API's host (no Domain), Path=/; on https it is named `__Host-...`, a prefix
  browsers accept only with Secure, Path=/ and no Domain, so a sibling subdomain cannot plant one.
- SameSite=Lax: sent on the provider's top-level redirect to the callback (a GET navigation), never
  on cross-site subrequests. The app (AppBaseUrl) and the API (ApiBaseUrl) must be one site (e.g.
  app.tracker.example and integrations.tracker.example): the app's `fetch(..., {credentials:
  "include"})` to connect is then same-site, and the CORS answer allows credentials for exactly
  the app's origin, so the browser stores the cookie from that response.
- HttpOnly: page scripts never see it. Max-Age: the flow's own lifetime.
"""

from __future__ import annotations

from aws_lambda_powertools.shared.cookies import Cookie, SameSite
from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from tracker_integrations.config import Settings, get_settings

_NAME = "tracker-oauth-binding"


def _secure(settings: Settings) -> bool:
    return settings.base(settings.api_base_url).startswith("https://")


def cookie_name(settings: Settings) -> str:
    return f"__Host-{_NAME}" if _secure(settings) else _NAME


def binding_cookie(value: str, settings: Settings | None = None) -> Cookie:
    settings = settings or get_settings()
    return Cookie(
        name=cookie_name(settings),
        value=value,
        path="/",
        secure=_secure(settings),
        http_only=True,
        max_age=settings.oauth_state_ttl_seconds,
        same_site=SameSite.LAX_MODE,
    )


def browser_binding(event: APIGatewayProxyEventV2, settings: Settings | None = None) -> str | None:
    """The binding value the request's cookies carry, or None."""
    name = cookie_name(settings or get_settings())
    return event.resolved_cookies_field.get(name) or None
