"""Contract tests: the sandbox's Airtable OAuth (PKCE, state, rotating refresh tokens) and whoami."""

import base64
import threading
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest
import requests
from pyairtable import Api

from provider_sandbox import OAuthClientRegistration, ProviderSandbox
from provider_sandbox.testing import approve, deny

CLIENT_ID = "airtable-confidential-client"
CLIENT_SECRET = "airtable-secret"
PUBLIC_CLIENT_ID = "airtable-public-client"
CALLBACK = "http://127.0.0.1:3000/api/integrations/airtable/callback"
SCOPES = "data.records:read data.records:write schema.bases:read webhook:manage user.email:read"
# RFC 7636 Appendix B.
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

TokenBody = dict[str, Any]


@pytest.fixture
def sandbox() -> ProviderSandbox:
    sandbox = ProviderSandbox()
    sandbox.register_client(
        OAuthClientRegistration(
            provider="airtable", client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uris=[CALLBACK]
        )
    )
    sandbox.register_client(
        OAuthClientRegistration(provider="airtable", client_id=PUBLIC_CLIENT_ID, redirect_uris=[CALLBACK])
    )
    return sandbox


def auth_url(base: str, **overrides: str | None) -> str:
    params: dict[str, str | None] = {
        "client_id": CLIENT_ID,
        "redirect_uri": CALLBACK,
        "response_type": "code",
        "scope": SCOPES,
        "state": "airtable-state",
        "code_challenge": CHALLENGE,
        "code_challenge_method": "S256",
        **overrides,
    }
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{base}/airtable.com/oauth2/v1/authorize?{query}"


def query_of(location: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(location).query))


def basic(client_id: str = CLIENT_ID, secret: str = CLIENT_SECRET) -> dict[str, str]:
    credentials = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {credentials}"}


def token_call(
    http: httpx.Client, base: str, form: dict[str, str], headers: dict[str, str] | None = None
) -> httpx.Response:
    return http.post(f"{base}/airtable.com/oauth2/v1/token", data=form, headers=basic() if headers is None else headers)


def exchange(http: httpx.Client, base: str, code: str, verifier: str = VERIFIER) -> httpx.Response:
    form = {"grant_type": "authorization_code", "code": code, "code_verifier": verifier, "redirect_uri": CALLBACK}
    return token_call(http, base, form)


def refresh(http: httpx.Client, base: str, refresh_token: str) -> httpx.Response:
    return token_call(http, base, {"grant_type": "refresh_token", "refresh_token": refresh_token})


def connect(http: httpx.Client, base: str, **overrides: str | None) -> TokenBody:
    code = query_of(approve(auth_url(base, **overrides), client=http))["code"]
    response = exchange(http, base, code)
    assert response.status_code == 200, response.text
    body: TokenBody = response.json()
    return body


def whoami(http: httpx.Client, base: str, access_token: str) -> httpx.Response:
    return http.get(f"{base}/api.airtable.com/v0/meta/whoami", headers={"Authorization": f"Bearer {access_token}"})


def test_consent_page_renders_form_when_request_is_valid(http: httpx.Client, base: str) -> None:
    # GIVEN a valid Airtable authorization request
    # WHEN the browser opens it
    page = http.get(auth_url(base))

    # THEN the consent form lists the scopes (no checkboxes) with allow and deny buttons
    assert page.status_code == 200
    assert "data.records:write" in page.text
    assert "granted_scope" not in page.text
    assert "name='decision' value='allow'" in page.text
    assert "name='decision' value='deny'" in page.text


def test_full_flow_issues_rotating_tokens_and_whoami_when_allowed(http: httpx.Client, base: str) -> None:
    # GIVEN the user grants access on the consent page
    location = approve(auth_url(base), client=http)
    query = query_of(location)
    assert query["state"] == "airtable-state"

    # WHEN the code is exchanged with the PKCE verifier and HTTP Basic client auth
    response = exchange(http, base, query["code"])

    # THEN Airtable's token response shape comes back
    tokens = response.json()
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    assert set(tokens) == {"access_token", "refresh_token", "token_type", "scope", "expires_in", "refresh_expires_in"}
    assert tokens["token_type"] == "Bearer"
    assert tokens["expires_in"] == 3600
    assert tokens["refresh_expires_in"] == 5184000
    assert tokens["scope"] == SCOPES

    # AND whoami identifies the user, with email because user.email:read was granted
    me = whoami(http, base, tokens["access_token"]).json()
    assert me["id"].startswith("usr")
    assert me["email"] == "dan@example.com"
    assert "webhook:manage" in me["scopes"]


def test_whoami_omits_email_when_email_scope_not_granted(http: httpx.Client, base: str) -> None:
    # GIVEN a token without user.email:read
    tokens = connect(http, base, scope="data.records:read")

    # WHEN whoami is called
    me = whoami(http, base, tokens["access_token"]).json()

    # THEN there is no email
    assert "email" not in me
    assert me["scopes"] == ["data.records:read"]


def test_whoami_returns_authentication_required_when_token_bad(http: httpx.Client, base: str) -> None:
    # GIVEN a token Airtable never issued
    # WHEN whoami is called with it
    response = whoami(http, base, "oaa-not-a-token")

    # THEN Airtable's error envelope comes back with 401
    assert response.status_code == 401
    assert response.json()["error"]["type"] == "AUTHENTICATION_REQUIRED"


def test_deny_redirects_with_access_denied_and_description(http: httpx.Client, base: str) -> None:
    # GIVEN the consent page
    # WHEN the user cancels
    query = query_of(deny(auth_url(base), client=http))

    # THEN the callback gets access_denied with a description and the state
    assert query["error"] == "access_denied"
    assert query["error_description"]
    assert query["state"] == "airtable-state"


@pytest.mark.parametrize(
    ("overrides", "description"),
    [
        ({"code_challenge": None}, "code_challenge is required"),
        ({"code_challenge_method": "plain"}, "code_challenge_method must be S256"),
        ({"code_challenge_method": None}, "code_challenge_method must be S256"),
    ],
)
def test_authorize_redirects_invalid_request_when_pkce_missing_or_not_s256(
    http: httpx.Client, base: str, overrides: dict[str, str | None], description: str
) -> None:
    # GIVEN an authorization request without a usable PKCE S256 challenge
    # WHEN the browser opens it
    response = http.get(auth_url(base, **overrides))

    # THEN Airtable redirects back with invalid_request (its docs), carrying the state
    assert response.status_code == 302
    query = query_of(response.headers["location"])
    assert query == {"error": "invalid_request", "error_description": description, "state": "airtable-state"}


def test_authorize_redirects_invalid_request_when_state_missing(http: httpx.Client, base: str) -> None:
    # GIVEN an authorization request without state
    # WHEN the browser opens it
    response = http.get(auth_url(base, state=None))

    # THEN Airtable redirects back with invalid_request
    assert response.status_code == 302
    assert query_of(response.headers["location"])["error"] == "invalid_request"


def test_authorize_shows_error_page_without_redirect_when_redirect_uri_not_registered(
    http: httpx.Client, base: str
) -> None:
    # GIVEN a redirect_uri that is not registered
    # WHEN the browser opens the authorization URL
    response = http.get(auth_url(base, redirect_uri="http://127.0.0.1:3000/api/integrations/google-sheets/callback"))

    # THEN an error page is shown and nothing redirects
    assert response.status_code == 400
    assert "location" not in response.headers
    assert "redirect_uri_mismatch" in response.text


def test_token_returns_invalid_grant_when_code_reused(http: httpx.Client, base: str) -> None:
    # GIVEN an exchanged code
    code = query_of(approve(auth_url(base), client=http))["code"]
    assert exchange(http, base, code).status_code == 200

    # WHEN it is exchanged again
    second = exchange(http, base, code)

    # THEN invalid_grant
    assert second.status_code == 400
    assert second.json()["error"] == "invalid_grant"


def test_token_returns_invalid_grant_when_pkce_verifier_wrong(http: httpx.Client, base: str) -> None:
    # GIVEN a code bound to the RFC 7636 challenge
    code = query_of(approve(auth_url(base), client=http))["code"]

    # WHEN it is exchanged with another (well-formed) verifier
    response = exchange(http, base, code, verifier="a" * 64)

    # THEN invalid_grant
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_token_returns_401_invalid_client_when_confidential_client_skips_basic_auth(
    http: httpx.Client, base: str
) -> None:
    # GIVEN a code for the confidential client
    code = query_of(approve(auth_url(base), client=http))["code"]

    # WHEN the token call sends client_id in the body instead of HTTP Basic
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "code_verifier": VERIFIER,
        "redirect_uri": CALLBACK,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    response = token_call(http, base, form, headers={})

    # THEN the client is refused
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_token_accepts_client_id_in_body_when_client_is_public(http: httpx.Client, base: str) -> None:
    # GIVEN a code for a client registered without a secret
    code = query_of(approve(auth_url(base, client_id=PUBLIC_CLIENT_ID), client=http))["code"]

    # WHEN the token call sends client_id in the body and no Authorization header
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "code_verifier": VERIFIER,
        "redirect_uri": CALLBACK,
        "client_id": PUBLIC_CLIENT_ID,
    }
    response = token_call(http, base, form, headers={})

    # THEN tokens are issued
    assert response.status_code == 200, response.text


def test_refresh_rotates_and_old_refresh_token_returns_invalid_grant(
    http: httpx.Client, base: str, sandbox: ProviderSandbox
) -> None:
    # GIVEN a connected user
    tokens = connect(http, base)

    # WHEN the refresh token is used
    first = refresh(http, base, tokens["refresh_token"])

    # THEN a new refresh token replaces it, the old one is dead and the new one works
    rotated = first.json()
    assert first.status_code == 200
    assert rotated["refresh_token"] != tokens["refresh_token"]
    reuse = refresh(http, base, tokens["refresh_token"])
    assert reuse.status_code == 400
    assert reuse.json()["error"] == "invalid_grant"
    assert refresh(http, base, rotated["refresh_token"]).status_code == 200
    assert sandbox.live_refresh_tokens("airtable") == 1


def test_refresh_succeeds_once_when_many_workers_race_with_same_token(http: httpx.Client, base: str) -> None:
    # GIVEN one refresh token and ten workers holding it
    refresh_token = connect(http, base)["refresh_token"]
    statuses: list[int] = []
    lock = threading.Lock()

    def worker() -> None:
        with httpx.Client(timeout=10.0) as own:
            status = refresh(own, base, refresh_token).status_code
        with lock:
            statuses.append(status)

    # WHEN they all refresh at once
    threads = [threading.Thread(target=worker) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # THEN exactly one wins; the rest get invalid_grant (why clients need single-flight refresh)
    assert sorted(statuses) == [200] + [400] * 9


def test_revoke_user_grants_makes_refresh_invalid_grant(
    http: httpx.Client, base: str, sandbox: ProviderSandbox
) -> None:
    # GIVEN a connected user
    tokens = connect(http, base)

    # WHEN they remove the integration in their Airtable account
    sandbox.revoke_user_grants(provider="airtable", login="dan@example.com")

    # THEN refresh gives invalid_grant and whoami 401
    assert refresh(http, base, tokens["refresh_token"]).json()["error"] == "invalid_grant"
    assert whoami(http, base, tokens["access_token"]).status_code == 401


def test_no_revocation_endpoint_is_served(http: httpx.Client, base: str) -> None:
    # GIVEN Airtable publishes no token revocation endpoint
    # WHEN a client tries one anyway
    response = http.post(f"{base}/airtable.com/oauth2/v1/revoke", data={"token": "x"})

    # THEN it does not exist
    assert response.status_code == 404


def test_pyairtable_whoami_works_and_raises_after_revoke(
    http: httpx.Client, base: str, sandbox: ProviderSandbox
) -> None:
    # GIVEN pyairtable pointed at the sandbox with a fresh access token
    tokens = connect(http, base)
    api = Api(tokens["access_token"], endpoint_url=f"{base}/api.airtable.com", retry_strategy=False)

    # WHEN whoami is called before and after the user revokes access
    me = api.whoami()
    sandbox.revoke_user_grants(provider="airtable", login="dan@example.com")

    # THEN it returns the user first, then raises an HTTP 401 error
    assert me["id"].startswith("usr")
    with pytest.raises(requests.HTTPError, match="401"):
        api.whoami()
