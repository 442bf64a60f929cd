"""The OAuth binding cookie: what a deployed (https) API sets, and how the callback reads it back."""

from __future__ import annotations

from aws_lambda_powertools.utilities.data_classes import APIGatewayProxyEventV2

from tracker_integrations.browser_binding import binding_cookie, browser_binding
from tracker_integrations.config import Settings


def _settings(api_base_url: str) -> Settings:
    return Settings.model_validate(
        {
            "integrations_table": "t",
            "tracker_table": "t",
            "tokens_key_id": "k",
            "app_base_url": "https://app.tracker.example",
            "api_base_url": api_base_url,
            "oauth_state_ttl_seconds": 600,
        }
    )


DEPLOYED = _settings("https://integrations.tracker.example")
LOCAL = _settings("http://127.0.0.1:3000")


def _attributes(cookie: str) -> dict[str, str]:
    parts = [p.strip() for p in cookie.split(";")]
    return {p.split("=", 1)[0].lower(): (p.split("=", 1)[1] if "=" in p else "") for p in parts[1:]}


def test_a_deployed_api_sets_a_host_only_secure_http_only_lax_cookie_for_the_flows_lifetime() -> None:
    cookie = str(binding_cookie("v" * 43, DEPLOYED))
    # THEN `__Host-`: the browser keeps it only if Secure, Path=/ and no Domain (no sibling host can plant one)
    assert cookie.startswith("__Host-tracker-oauth-binding=" + "v" * 43 + ";")
    attributes = _attributes(cookie)
    assert attributes == {"path": "/", "max-age": "600", "httponly": "", "secure": "", "samesite": "Lax"}


def test_the_local_http_stack_sets_the_same_cookie_without_secure_or_prefix() -> None:
    cookie = str(binding_cookie("v" * 43, LOCAL))
    assert cookie.startswith("tracker-oauth-binding=")
    assert "secure" not in _attributes(cookie)
    assert _attributes(cookie)["samesite"] == "Lax"


def _event(cookies: list[str]) -> APIGatewayProxyEventV2:
    return APIGatewayProxyEventV2({"version": "2.0", "cookies": cookies, "headers": {}, "requestContext": {}})


def test_the_callback_reads_the_binding_from_api_gateways_cookie_list() -> None:
    event = _event(["theme=dark", "__Host-tracker-oauth-binding=abc", "other=1"])
    assert browser_binding(event, DEPLOYED) == "abc"
    # AND an unprefixed cookie (which a sibling subdomain could plant) does not count on https
    assert browser_binding(_event(["tracker-oauth-binding=planted"]), DEPLOYED) is None
    assert browser_binding(_event([]), DEPLOYED) is None
    assert browser_binding(_event(["tracker-oauth-binding=local"]), LOCAL) == "local"
