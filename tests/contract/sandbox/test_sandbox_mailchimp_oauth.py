"""Contract tests: the sandbox's Mailchimp OAuth (no scopes, no refresh), metadata and ping."""

from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import mailchimp_marketing
import pytest
from mailchimp_marketing.api_client import ApiClientError

from provider_sandbox import OAuthClientRegistration, ProviderSandbox
from provider_sandbox.testing import approve, deny

CLIENT_ID = "123456789012"
CLIENT_SECRET = "mailchimp-secret"
CALLBACK = "http://127.0.0.1:3000/api/integrations/mailchimp/callback"


@pytest.fixture
def sandbox() -> ProviderSandbox:
    sandbox = ProviderSandbox()
    sandbox.register_client(
        OAuthClientRegistration(
            provider="mailchimp", client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uris=[CALLBACK]
        )
    )
    return sandbox


def auth_url(base: str, **overrides: str | None) -> str:
    params: dict[str, str | None] = {
        "response_type": "code",
        "client_id": CLIENT_ID,
        "redirect_uri": CALLBACK,
        "state": "mc-state",
        **overrides,
    }
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{base}/login.mailchimp.com/oauth2/authorize?{query}"


def query_of(location: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(location).query))


def exchange(http: httpx.Client, base: str, code: str, **extra: str) -> httpx.Response:
    form = {
        "grant_type": "authorization_code",
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uri": CALLBACK,
        "code": code,
        **extra,
    }
    return http.post(f"{base}/login.mailchimp.com/oauth2/token", data=form)


def connect(http: httpx.Client, base: str) -> str:
    code = query_of(approve(auth_url(base), client=http))["code"]
    response = exchange(http, base, code)
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token


def metadata(http: httpx.Client, base: str, token: str) -> dict[str, Any]:
    response = http.get(f"{base}/login.mailchimp.com/oauth2/metadata", headers={"Authorization": f"OAuth {token}"})
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


def marketing_client(base: str, token: str, dc: str = "us19") -> Any:
    client = mailchimp_marketing.Client()
    client.set_config({"access_token": token, "server": dc})
    # The library hardcodes https://{server}.api.mailchimp.com/3.0; its host attribute is the only seam.
    client.api_client.host = f"{base}/{dc}.api.mailchimp.com/3.0"
    return client


def test_full_flow_issues_never_expiring_token_and_metadata(http: httpx.Client, base: str) -> None:
    # GIVEN the consent page (no scopes on Mailchimp)
    page = http.get(auth_url(base))
    assert page.status_code == 200
    assert "granted_scope" not in page.text

    # WHEN the user allows and the code is exchanged
    query = query_of(approve(auth_url(base), client=http))
    assert query["state"] == "mc-state"
    response = exchange(http, base, query["code"])

    # THEN Mailchimp's token body comes back: no refresh token, expires_in 0, scope null
    tokens = response.json()
    assert response.status_code == 200
    assert set(tokens) == {"access_token", "expires_in", "scope"}
    assert tokens["expires_in"] == 0
    assert tokens["scope"] is None

    # AND metadata names the data centre and a sandbox api_endpoint
    meta = metadata(http, base, tokens["access_token"])
    assert meta["dc"] == "us19"
    assert meta["api_endpoint"] == f"{base}/us19.api.mailchimp.com"
    assert meta["login"]["email"] == "dan@example.com"
    assert {"role", "accountname", "user_id", "login_url"} <= set(meta)


def test_metadata_returns_200_invalid_token_when_token_bad(http: httpx.Client, base: str) -> None:
    # GIVEN a token Mailchimp never issued
    # WHEN metadata is read with it
    body = metadata(http, base, "not-a-token")

    # THEN Mailchimp answers 200 with an error body, as the real one does
    assert body == {"error": "invalid_token"}


def test_metadata_returns_invalid_token_when_user_revoked_access(
    http: httpx.Client, base: str, sandbox: ProviderSandbox
) -> None:
    # GIVEN a connected user
    token = connect(http, base)

    # WHEN they revoke the app in Mailchimp
    sandbox.revoke_user_grants(provider="mailchimp", login="dan@example.com")

    # THEN metadata says invalid_token and ping 401s
    assert metadata(http, base, token) == {"error": "invalid_token"}
    ping = http.get(f"{base}/us19.api.mailchimp.com/3.0/ping", headers={"Authorization": f"Bearer {token}"})
    assert ping.status_code == 401


def test_token_returns_unsupported_grant_type_when_refresh_attempted(http: httpx.Client, base: str) -> None:
    # GIVEN Mailchimp tokens never expire and have no refresh grant
    # WHEN a client tries one
    response = http.post(
        f"{base}/login.mailchimp.com/oauth2/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": "x",
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
        },
    )

    # THEN unsupported_grant_type
    assert response.status_code == 400
    assert response.json()["error"] == "unsupported_grant_type"


def test_token_returns_invalid_grant_when_code_reused(http: httpx.Client, base: str) -> None:
    # GIVEN an exchanged code
    code = query_of(approve(auth_url(base), client=http))["code"]
    assert exchange(http, base, code).status_code == 200

    # WHEN it is exchanged again
    # THEN invalid_grant
    assert exchange(http, base, code).json()["error"] == "invalid_grant"


def test_token_returns_401_invalid_client_when_secret_wrong(http: httpx.Client, base: str) -> None:
    # GIVEN a valid code
    code = query_of(approve(auth_url(base), client=http))["code"]

    # WHEN it is exchanged with the wrong secret
    response = exchange(http, base, code, client_secret="wrong")

    # THEN invalid_client
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_deny_redirects_with_access_denied(http: httpx.Client, base: str) -> None:
    # GIVEN the consent page
    # WHEN the user denies
    query = query_of(deny(auth_url(base), client=http))

    # THEN access_denied reaches the callback with the state
    assert query == {"error": "access_denied", "state": "mc-state"}


def test_authorize_shows_error_page_when_redirect_uri_not_registered(http: httpx.Client, base: str) -> None:
    # GIVEN an unregistered redirect_uri
    # WHEN the browser opens the authorization URL
    response = http.get(auth_url(base, redirect_uri="https://evil.example/callback"))

    # THEN an error page, no redirect
    assert response.status_code == 400
    assert "location" not in response.headers


def test_ping_returns_problem_json_401_when_token_bad(http: httpx.Client, base: str) -> None:
    # GIVEN a bad token
    # WHEN ping is called
    response = http.get(f"{base}/us19.api.mailchimp.com/3.0/ping", headers={"Authorization": "Bearer nope"})

    # THEN Mailchimp's problem+json error comes back
    assert response.status_code == 401
    assert response.headers["content-type"].startswith("application/problem+json")
    assert set(response.json()) == {"type", "title", "status", "detail", "instance"}


def test_mailchimp_marketing_client_pings_sandbox_with_oauth_token(http: httpx.Client, base: str) -> None:
    # GIVEN the official client configured with a sandbox token and host
    client = marketing_client(base, connect(http, base))

    # WHEN it pings
    # THEN Mailchimp's health message comes back
    assert client.ping.get() == {"health_status": "Everything's Chimpy!"}


def test_mailchimp_marketing_client_raises_api_client_error_when_token_bad(base: str) -> None:
    # GIVEN the official client with a bad token
    client = marketing_client(base, "bad-token")

    # WHEN it pings
    # THEN it raises ApiClientError with status 401
    with pytest.raises(ApiClientError) as raised:
        client.ping.get()
    assert raised.value.status_code == 401
