"""The web app may call the API from its own origin, with credentials; no other origin may; no JSON is cached."""

from __future__ import annotations

import re
import tomllib
from typing import Any

import httpx

from local_stack.server import RunningStack
from local_stack.template import REPO_ROOT, load_template, resources, routes
from tests.support.api import LocalUser

EVIL = "https://evil.example"


def _cors() -> dict[str, Any]:
    (api,) = resources("AWS::Serverless::HttpApi").values()
    config: dict[str, Any] = api["Properties"]["CorsConfiguration"]
    return config


def test_the_template_allows_exactly_the_apps_origin_with_credentials_and_the_methods_used() -> None:
    config = _cors()
    # THEN one origin, the app's, credentials allowed (the OAuth binding cookie), no wildcard anywhere
    assert config["AllowOrigins"] == [{"Ref": "AppBaseUrl"}]
    assert config["AllowCredentials"] is True
    # AND exactly the methods the routes use and the headers the app sends
    assert set(config["AllowMethods"]) == {route.method for route in routes()}
    assert {h.lower() for h in config["AllowHeaders"]} == {"authorization", "content-type"}
    assert "*" not in str(config)


def test_app_base_url_must_be_an_origin() -> None:
    # GIVEN the parameter CORS takes its one origin from
    pattern = re.compile(load_template()["Parameters"]["AppBaseUrl"]["AllowedPattern"])
    deployed = tomllib.loads((REPO_ROOT / "samconfig.toml").read_text())
    values = [
        override.split("=", 1)[1]
        for env in deployed.values()
        if isinstance(env, dict)
        for override in env.get("deploy", {}).get("parameters", {}).get("parameter_overrides", [])
        if override.startswith("AppBaseUrl=")
    ]
    # THEN every deployed value is an origin, and paths, slashes and wildcards are refused
    assert values
    assert all(pattern.fullmatch(v) for v in values)
    for bad in ("https://app.tracker.example/", "https://app.tracker.example/app", "*", "https://*.tracker.example"):
        assert not pattern.fullmatch(bad), bad


def test_a_preflight_from_the_app_is_allowed_with_credentials(http: httpx.Client, stack: RunningStack) -> None:
    # WHEN the app's page asks whether it may POST to connect with its token
    response = http.options(
        "/api/integrations/gmail/connect",
        headers={
            "Origin": stack.base_url,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "authorization,content-type",
        },
    )
    # THEN it may, credentials included
    assert response.status_code == 204
    assert response.headers["access-control-allow-origin"] == stack.base_url
    assert response.headers["access-control-allow-credentials"] == "true"
    assert "POST" in response.headers["access-control-allow-methods"].split(",")
    assert {"authorization", "content-type"} <= set(response.headers["access-control-allow-headers"].split(","))


def test_another_origin_gets_no_cors_permission(http: httpx.Client, user: LocalUser) -> None:
    # WHEN a page on another site asks, or simply calls with the user's token
    preflight = http.options(
        "/api/integrations/gmail/connect", headers={"Origin": EVIL, "Access-Control-Request-Method": "POST"}
    )
    call = http.get("/api/integrations", headers={**user.headers, "Origin": EVIL})
    # THEN no answer carries CORS permission, so the browser keeps both from that page
    assert "access-control-allow-origin" not in preflight.headers
    assert "access-control-allow-origin" not in call.headers
    assert "access-control-allow-credentials" not in call.headers


def test_the_apps_connect_call_may_read_the_answer_and_keep_the_cookie(
    http: httpx.Client, user: LocalUser, stack: RunningStack
) -> None:
    response = http.post("/api/integrations/airtable/connect", headers={**user.headers, "Origin": stack.base_url})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == stack.base_url
    assert response.headers["access-control-allow-credentials"] == "true"
    assert "set-cookie" in response.headers


def test_api_json_is_never_cached(http: httpx.Client, user: LocalUser) -> None:
    # WHEN the API answers with data, and with an error
    cards = http.get("/api/integrations", headers=user.headers)
    missing = http.get("/api/integrations/no-such-provider", headers=user.headers)
    # THEN neither may be stored by a browser or a proxy
    assert cards.status_code == 200
    assert missing.status_code == 404
    for response in (cards, missing):
        assert response.headers["content-type"].startswith("application/json")
        assert response.headers["cache-control"] == "no-store"
