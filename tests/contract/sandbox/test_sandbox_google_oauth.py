"""Contract tests: the sandbox's Google OAuth endpoints behave like Google's, over real HTTP."""

from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import google.auth.transport.requests
import httpx
import pytest
from google.auth.exceptions import RefreshError
from google.oauth2 import id_token as google_id_token
from google.oauth2.credentials import Credentials

from provider_sandbox import OAuthClientRegistration, ProviderSandbox, pkce_s256
from provider_sandbox.testing import approve, deny

CLIENT_ID = "tracker-local.apps.googleusercontent.com"
CLIENT_SECRET = "GOCSPX-local-secret"
CALLBACK = "http://127.0.0.1:3000/api/integrations/google-sheets/callback"
OPENID = "openid"
EMAIL = "https://www.googleapis.com/auth/userinfo.email"
SHEETS = "https://www.googleapis.com/auth/spreadsheets"
GMAIL = "https://www.googleapis.com/auth/gmail.readonly"
# RFC 7636 Appendix B.
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"

TokenBody = dict[str, Any]


class FakeClock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, delta: timedelta) -> None:
        self.now += delta


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sandbox(clock: FakeClock) -> ProviderSandbox:
    sandbox = ProviderSandbox(clock=clock)
    sandbox.register_client(
        OAuthClientRegistration(
            provider="google", client_id=CLIENT_ID, client_secret=CLIENT_SECRET, redirect_uris=[CALLBACK]
        )
    )
    return sandbox


def auth_url(base: str, **overrides: str | None) -> str:
    params: dict[str, str | None] = {
        "client_id": CLIENT_ID,
        "redirect_uri": CALLBACK,
        "response_type": "code",
        "scope": f"openid email {SHEETS}",
        "state": "state-123",
        "access_type": "offline",
        **overrides,
    }
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return f"{base}/accounts.google.com/o/oauth2/v2/auth?{query}"


def query_of(location: str) -> dict[str, str]:
    return dict(parse_qsl(urlsplit(location).query))


def exchange(http: httpx.Client, base: str, code: str, **extra: str) -> httpx.Response:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uri": CALLBACK,
        **extra,
    }
    return http.post(f"{base}/oauth2.googleapis.com/token", data=form)


def refresh(http: httpx.Client, base: str, refresh_token: str) -> httpx.Response:
    form = {
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
    }
    return http.post(f"{base}/oauth2.googleapis.com/token", data=form)


def connect(http: httpx.Client, base: str, **overrides: str | None) -> TokenBody:
    code = query_of(approve(auth_url(base, **overrides), client=http))["code"]
    response = exchange(http, base, code)
    assert response.status_code == 200, response.text
    body: TokenBody = response.json()
    return body


def userinfo(http: httpx.Client, base: str, access_token: str) -> httpx.Response:
    return http.get(
        f"{base}/openidconnect.googleapis.com/v1/userinfo", headers={"Authorization": f"Bearer {access_token}"}
    )


# Consent page --------------------------------------------------------------------------------------


def test_consent_page_renders_form_when_request_is_valid(http: httpx.Client, base: str) -> None:
    # GIVEN a valid authorization request
    # WHEN the browser opens it
    page = http.get(auth_url(base))

    # THEN a POST form with the account, one checkbox per non-sign-in scope and allow/deny buttons is shown
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    html = page.text
    assert "method='post'" in html
    assert "action='/sandbox/accounts.google.com/o/oauth2/v2/auth'" in html
    assert "name='login' value='dan@example.com'" in html
    assert f"name='granted_scope' value='{SHEETS}' checked" in html
    assert "name='decision' value='allow'" in html
    assert "name='decision' value='deny'" in html
    assert "<input type='hidden' name='state' value='state-123'>" in html
    assert "Tracker wants to access your Google account" in html


def test_consent_page_prefills_login_when_login_hint_given(http: httpx.Client, base: str) -> None:
    # GIVEN a request with login_hint
    # WHEN the consent page is opened
    page = http.get(auth_url(base, login_hint="ann@example.com"))

    # THEN the account field holds the hinted login
    assert "name='login' value='ann@example.com'" in page.text


def test_allow_redirects_with_code_state_scope_and_iss_when_form_posted(http: httpx.Client, base: str) -> None:
    # GIVEN the authorize parameters, posted as a plain form with decision=allow (as the headless demo does)
    params = dict(parse_qsl(urlsplit(auth_url(base)).query))

    # WHEN the form is submitted
    response = http.post(f"{base}/accounts.google.com/o/oauth2/v2/auth", data={**params, "decision": "allow"})

    # THEN Google redirects to the exact callback with code, state, the granted scopes (long names) and iss
    assert response.status_code == 302
    location = response.headers["location"]
    assert location.startswith(CALLBACK + "?")
    query = query_of(location)
    assert query["code"].startswith("4/0")
    assert query["state"] == "state-123"
    assert query["scope"].split() == [OPENID, EMAIL, SHEETS]
    assert query["iss"] == "https://accounts.google.com"


def test_deny_redirects_with_access_denied_when_user_cancels(http: httpx.Client, base: str) -> None:
    # GIVEN the consent page
    # WHEN the user clicks Cancel
    location = deny(auth_url(base), client=http)

    # THEN the callback gets error=access_denied with the state and no code
    query = query_of(location)
    assert query == {"error": "access_denied", "state": "state-123"}


def test_consent_shows_error_page_without_redirect_when_redirect_uri_not_registered(
    http: httpx.Client, base: str
) -> None:
    # GIVEN a redirect_uri differing from the registered one by a trailing slash
    url = auth_url(base, redirect_uri=CALLBACK + "/")

    # WHEN the browser opens the authorization URL (GET) or posts the form (POST)
    page = http.get(url)
    posted = http.post(url, data={"decision": "allow"})

    # THEN an HTML error page names redirect_uri_mismatch and nothing redirects
    for response in (page, posted):
        assert response.status_code == 400
        assert "location" not in response.headers
        assert "redirect_uri_mismatch" in response.text


def test_consent_shows_invalid_client_page_when_client_unknown(http: httpx.Client, base: str) -> None:
    # GIVEN an unregistered client_id
    # WHEN the consent page is opened
    page = http.get(auth_url(base, client_id="someone-else"))

    # THEN Google's "Error 401: invalid_client" page is shown
    assert page.status_code == 401
    assert "Error 401: invalid_client" in page.text


def test_consent_shows_invalid_scope_page_when_scope_unknown(http: httpx.Client, base: str) -> None:
    # GIVEN a scope Google does not know
    # WHEN the consent page is opened
    page = http.get(auth_url(base, scope="openid made-up-scope"))

    # THEN an invalid_scope error page is shown, not a redirect
    assert page.status_code == 400
    assert "invalid_scope" in page.text


# Token endpoint -----------------------------------------------------------------------------------


def test_full_flow_issues_tokens_userinfo_and_verifiable_id_token(http: httpx.Client, base: str) -> None:
    # GIVEN a user who allows access with offline access and openid email
    # WHEN the code is exchanged
    tokens = connect(http, base)

    # THEN Google's token response shape comes back
    assert tokens["access_token"].startswith("ya29.")
    assert tokens["refresh_token"].startswith("1//")
    assert tokens["expires_in"] == 3599
    assert tokens["token_type"] == "Bearer"
    assert tokens["scope"].split() == [OPENID, EMAIL, SHEETS]

    # AND userinfo answers for the access token
    info = userinfo(http, base, tokens["access_token"]).json()
    assert info["email"] == "dan@example.com"
    assert info["email_verified"] is True
    assert len(info["sub"]) == 21

    # AND the id_token verifies with google-auth against the sandbox's JWKS
    claims = google_id_token.verify_token(
        tokens["id_token"],
        google.auth.transport.requests.Request(),
        audience=CLIENT_ID,
        certs_url=f"{base}/www.googleapis.com/oauth2/v3/certs",
    )
    assert claims["iss"] == "https://accounts.google.com"
    assert claims["sub"] == info["sub"]
    assert claims["email"] == "dan@example.com"


def test_userinfo_includes_name_only_when_profile_granted(http: httpx.Client, base: str) -> None:
    # GIVEN one token with the profile scope and one without
    with_profile = connect(http, base, scope="openid profile email")
    without_profile = connect(http, base, scope="openid email")

    # WHEN userinfo is read with each
    # THEN only the profile token sees the name
    assert userinfo(http, base, with_profile["access_token"]).json()["name"] == "Dan"
    assert "name" not in userinfo(http, base, without_profile["access_token"]).json()


def test_token_returns_invalid_grant_when_code_reused(http: httpx.Client, base: str) -> None:
    # GIVEN a code that was already exchanged
    code = query_of(approve(auth_url(base), client=http))["code"]
    assert exchange(http, base, code).status_code == 200

    # WHEN it is exchanged again
    second = exchange(http, base, code)

    # THEN Google refuses with invalid_grant
    assert second.status_code == 400
    assert second.json() == {"error": "invalid_grant", "error_description": "Bad Request"}


def test_token_returns_invalid_grant_when_code_older_than_ten_minutes(
    http: httpx.Client, base: str, clock: FakeClock
) -> None:
    # GIVEN a code issued ten minutes and one second ago
    code = query_of(approve(auth_url(base), client=http))["code"]
    clock.advance(timedelta(minutes=10, seconds=1))

    # WHEN it is exchanged
    response = exchange(http, base, code)

    # THEN it has expired
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_token_returns_redirect_uri_mismatch_when_redirect_uri_differs(http: httpx.Client, base: str) -> None:
    # GIVEN a code issued for the registered callback
    code = query_of(approve(auth_url(base), client=http))["code"]

    # WHEN the token request names another redirect_uri
    response = exchange(http, base, code, redirect_uri="http://127.0.0.1:3000/other")

    # THEN Google answers redirect_uri_mismatch
    assert response.status_code == 400
    assert response.json()["error"] == "redirect_uri_mismatch"


def test_pkce_s256_matches_rfc7636_appendix_b_vector() -> None:
    # GIVEN the RFC 7636 Appendix B verifier
    # WHEN it is hashed
    # THEN it gives the RFC's challenge
    assert pkce_s256(VERIFIER) == CHALLENGE


def test_token_accepts_verifier_when_s256_challenge_matches(http: httpx.Client, base: str) -> None:
    # GIVEN an authorization with the RFC 7636 S256 challenge
    code = query_of(approve(auth_url(base, code_challenge=CHALLENGE, code_challenge_method="S256"), client=http))[
        "code"
    ]

    # WHEN the code is exchanged with the matching verifier
    response = exchange(http, base, code, code_verifier=VERIFIER)

    # THEN tokens are issued
    assert response.status_code == 200, response.text


def test_token_returns_invalid_grant_when_pkce_verifier_wrong(http: httpx.Client, base: str) -> None:
    # GIVEN an authorization with an S256 challenge
    code = query_of(approve(auth_url(base, code_challenge=CHALLENGE, code_challenge_method="S256"), client=http))[
        "code"
    ]

    # WHEN the code is exchanged with another verifier
    response = exchange(http, base, code, code_verifier="x" * 43)

    # THEN the exchange fails with invalid_grant
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_grant"


def test_token_returns_401_invalid_client_when_secret_wrong(http: httpx.Client, base: str) -> None:
    # GIVEN a valid code
    code = query_of(approve(auth_url(base), client=http))["code"]

    # WHEN the token request carries the wrong client secret
    response = exchange(http, base, code, client_secret="not-the-secret")

    # THEN the client is refused
    assert response.status_code == 401
    assert response.json()["error"] == "invalid_client"


def test_refresh_token_issued_only_on_first_consent_unless_prompt_consent(http: httpx.Client, base: str) -> None:
    # GIVEN a user who already consented once with offline access
    first = connect(http, base)

    # WHEN they authorize again without and then with prompt=consent
    again = connect(http, base)
    forced = connect(http, base, prompt="consent")

    # THEN only the first and the forced consent return a refresh token
    assert "refresh_token" in first
    assert "refresh_token" not in again
    assert "refresh_token" in forced


def test_refresh_token_absent_when_access_type_online(http: httpx.Client, base: str) -> None:
    # GIVEN a first consent without offline access
    # WHEN the code is exchanged
    tokens = connect(http, base, access_type=None)

    # THEN there is no refresh token
    assert "refresh_token" not in tokens


def test_granular_consent_grants_only_ticked_scopes_when_user_unticks(http: httpx.Client, base: str) -> None:
    # GIVEN a request for Sheets and Gmail
    url = auth_url(base, scope=f"openid email {SHEETS} {GMAIL}")

    # WHEN the user unticks Gmail on the consent page
    location = approve(url, untick=[GMAIL], client=http)

    # THEN the redirect and the token report the granted subset only
    assert query_of(location)["scope"].split() == [OPENID, EMAIL, SHEETS]
    tokens = exchange(http, base, query_of(location)["code"]).json()
    assert GMAIL not in tokens["scope"].split()
    assert SHEETS in tokens["scope"].split()


def test_include_granted_scopes_returns_union_when_incremental(http: httpx.Client, base: str) -> None:
    # GIVEN an earlier grant of Sheets
    connect(http, base, scope=f"openid {SHEETS}")

    # WHEN Gmail is requested with include_granted_scopes=true
    tokens = connect(http, base, scope=GMAIL, include_granted_scopes="true")

    # THEN the new token covers both
    assert set(tokens["scope"].split()) == {OPENID, SHEETS, GMAIL}


def test_refresh_returns_new_access_token_without_refresh_token(http: httpx.Client, base: str) -> None:
    # GIVEN a connected user
    tokens = connect(http, base)

    # WHEN the refresh token is used
    response = refresh(http, base, tokens["refresh_token"])

    # THEN a new access token comes back, and no refresh token
    body = response.json()
    assert response.status_code == 200
    assert body["access_token"] != tokens["access_token"]
    assert "refresh_token" not in body
    assert userinfo(http, base, body["access_token"]).status_code == 200


def test_revoke_kills_refresh_and_access_tokens(http: httpx.Client, base: str, sandbox: ProviderSandbox) -> None:
    # GIVEN a connected user
    tokens = connect(http, base)
    assert sandbox.live_refresh_tokens("google") == 1

    # WHEN the app revokes the refresh token
    revoked = http.post(f"{base}/oauth2.googleapis.com/revoke", data={"token": tokens["refresh_token"]})

    # THEN revoke answers 200 {} and both tokens are dead
    assert revoked.status_code == 200
    assert revoked.json() == {}
    assert refresh(http, base, tokens["refresh_token"]).json() == {
        "error": "invalid_grant",
        "error_description": "Token has been expired or revoked.",
    }
    assert userinfo(http, base, tokens["access_token"]).status_code == 401
    assert sandbox.live_refresh_tokens("google") == 0
    assert sandbox.live_access_tokens("google") == 0


def test_revoke_accepts_token_in_query_string(http: httpx.Client, base: str) -> None:
    # GIVEN a connected user
    tokens = connect(http, base)

    # WHEN the access token is revoked with ?token= (Google's documented form)
    revoked = http.post(f"{base}/oauth2.googleapis.com/revoke", params={"token": tokens["access_token"]})

    # THEN the whole grant dies, refresh token included
    assert revoked.status_code == 200
    assert refresh(http, base, tokens["refresh_token"]).status_code == 400


def test_revoke_returns_invalid_token_when_token_unknown(http: httpx.Client, base: str) -> None:
    # GIVEN a token the sandbox never issued
    # WHEN it is revoked
    response = http.post(f"{base}/oauth2.googleapis.com/revoke", data={"token": "1//never-issued"})

    # THEN Google's invalid_token error comes back
    assert response.status_code == 400
    assert response.json() == {"error": "invalid_token", "error_description": "Token expired or revoked"}


def test_revoke_user_grants_makes_refresh_fail_and_next_consent_first_again(
    http: httpx.Client, base: str, sandbox: ProviderSandbox
) -> None:
    # GIVEN a connected user
    tokens = connect(http, base)

    # WHEN the user removes the app from their Google account
    assert sandbox.revoke_user_grants(provider="google", login="dan@example.com") == 1

    # THEN refresh fails with invalid_grant, the access token gets 401, and reconnecting is a first consent
    assert refresh(http, base, tokens["refresh_token"]).json()["error"] == "invalid_grant"
    assert userinfo(http, base, tokens["access_token"]).status_code == 401
    assert "refresh_token" in connect(http, base)


def test_expire_access_tokens_rejects_access_token_but_refresh_works(
    http: httpx.Client, base: str, sandbox: ProviderSandbox
) -> None:
    # GIVEN a connected user
    tokens = connect(http, base)

    # WHEN access tokens expire
    assert sandbox.expire_access_tokens(provider="google") == 1

    # THEN the old access token is refused and a refresh still gives a working one
    assert userinfo(http, base, tokens["access_token"]).status_code == 401
    fresh = refresh(http, base, tokens["refresh_token"]).json()["access_token"]
    assert userinfo(http, base, fresh).status_code == 200
    assert sandbox.live_access_tokens("google") == 1


# Fidelity with google-auth ------------------------------------------------------------------------


def google_credentials(base: str, refresh_token: str) -> Credentials:
    return Credentials(  # type: ignore[no-untyped-call]
        token=None,
        refresh_token=refresh_token,
        token_uri=f"{base}/oauth2.googleapis.com/token",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
    )


def test_google_auth_credentials_refresh_gets_access_token(http: httpx.Client, base: str) -> None:
    # GIVEN google-auth credentials holding a sandbox refresh token
    credentials = google_credentials(base, connect(http, base)["refresh_token"])

    # WHEN google-auth refreshes them
    credentials.refresh(google.auth.transport.requests.Request())  # type: ignore[no-untyped-call]

    # THEN it holds a working access token and keeps its refresh token
    assert credentials.token is not None
    assert credentials.token.startswith("ya29.")
    assert credentials.refresh_token is not None
    assert userinfo(http, base, credentials.token).status_code == 200


def test_google_auth_refresh_raises_refresh_error_when_grant_revoked(
    http: httpx.Client, base: str, sandbox: ProviderSandbox
) -> None:
    # GIVEN credentials whose grant the user has revoked
    credentials = google_credentials(base, connect(http, base)["refresh_token"])
    sandbox.revoke_user_grants(provider="google", login="dan@example.com")

    # WHEN google-auth refreshes them
    # THEN it raises RefreshError carrying invalid_grant, without retrying
    with pytest.raises(RefreshError, match="invalid_grant"):
        credentials.refresh(google.auth.transport.requests.Request())  # type: ignore[no-untyped-call]
    assert sandbox.count(host="oauth2.googleapis.com", path="/token", method="POST") == 2
