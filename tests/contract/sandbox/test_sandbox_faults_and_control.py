"""Contract tests: fault injection, request recording and the HTTP control API."""

from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest
from werkzeug.test import Client

from provider_sandbox import Fault, OAuthClientRegistration, ProviderSandbox, serve
from provider_sandbox.testing import approve

GOOGLE_ID = "tracker-local.apps.googleusercontent.com"
GOOGLE_SECRET = "GOCSPX-local-secret"
GOOGLE_CALLBACK = "http://127.0.0.1:3000/api/integrations/google-sheets/callback"
TOKEN_HOST = "oauth2.googleapis.com"


@pytest.fixture
def sandbox() -> ProviderSandbox:
    sandbox = ProviderSandbox()
    sandbox.register_client(
        OAuthClientRegistration(
            provider="google", client_id=GOOGLE_ID, client_secret=GOOGLE_SECRET, redirect_uris=[GOOGLE_CALLBACK]
        )
    )
    return sandbox


def google_refresh_token(http: httpx.Client, base: str) -> str:
    query = urlencode(
        {
            "client_id": GOOGLE_ID,
            "redirect_uri": GOOGLE_CALLBACK,
            "response_type": "code",
            "scope": "openid email",
            "access_type": "offline",
            "state": "s",
        }
    )
    location = approve(f"{base}/accounts.google.com/o/oauth2/v2/auth?{query}", client=http)
    code = dict(parse_qsl(urlsplit(location).query))["code"]
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "client_id": GOOGLE_ID,
        "client_secret": GOOGLE_SECRET,
        "redirect_uri": GOOGLE_CALLBACK,
    }
    refresh_token: str = http.post(f"{base}/{TOKEN_HOST}/token", data=form).json()["refresh_token"]
    return refresh_token


def refresh(http: httpx.Client, base: str, refresh_token: str) -> httpx.Response:
    form = {
        "grant_type": "refresh_token",
        "refresh_token": refresh_token,
        "client_id": GOOGLE_ID,
        "client_secret": GOOGLE_SECRET,
    }
    return http.post(f"{base}/{TOKEN_HOST}/token", data=form)


# Faults ----------------------------------------------------------------------------------------


def test_fault_answers_times_requests_with_retry_after_then_recovers(
    http: httpx.Client, base: str, sandbox: ProviderSandbox
) -> None:
    # GIVEN a refresh token and a 503 fault with Retry-After for the next two token calls
    refresh_token = google_refresh_token(http, base)
    sandbox.inject_fault(Fault(host=TOKEN_HOST, path="/token", method="POST", status=503, retry_after=7, times=2))

    # WHEN the client refreshes three times
    responses = [refresh(http, base, refresh_token) for _ in range(3)]

    # THEN two 503s in Google's token-endpoint shape carry Retry-After, then the call succeeds
    assert [r.status_code for r in responses] == [503, 503, 200]
    assert responses[0].headers["retry-after"] == "7"
    assert responses[0].json()["error"] == "temporarily_unavailable"
    assert "retry-after" not in responses[2].headers
    assert sandbox.faults == []


def test_fault_uses_google_api_error_envelope_on_api_hosts(
    http: httpx.Client, base: str, sandbox: ProviderSandbox
) -> None:
    # GIVEN a 503 fault on Google's userinfo API host
    sandbox.inject_fault(Fault(host="openidconnect.googleapis.com", path="/v1/userinfo", status=503))

    # WHEN the API is called
    response = http.get(f"{base}/openidconnect.googleapis.com/v1/userinfo")

    # THEN the body is Google's error envelope with errors[].reason
    assert response.status_code == 503
    assert response.json() == {
        "error": {
            "code": 503,
            "message": "The service is currently unavailable.",
            "errors": [
                {"message": "The service is currently unavailable.", "domain": "global", "reason": "backendError"}
            ],
            "status": "UNAVAILABLE",
        }
    }


@pytest.mark.parametrize(
    ("url", "status", "expected_key"),
    [
        ("/api.airtable.com/v0/meta/whoami", 429, "error"),
        ("/us19.api.mailchimp.com/3.0/ping", 429, "title"),
        ("/airtable.com/oauth2/v1/token", 500, "error_description"),
    ],
)
def test_fault_uses_provider_error_shape_when_no_body_given(
    *, http: httpx.Client, base: str, sandbox: ProviderSandbox, url: str, status: int, expected_key: str
) -> None:
    # GIVEN a fault without a body on a provider endpoint
    host, _, rest = url.lstrip("/").partition("/")
    sandbox.inject_fault(Fault(host=host, path="/" + rest, status=status))

    # WHEN the endpoint is called
    response = http.request("POST" if "token" in url else "GET", f"{base}{url}")

    # THEN the provider's own error body comes back
    assert response.status_code == status
    assert expected_key in response.json()


def test_fault_sends_custom_json_body_and_bodiless_answers(
    http: httpx.Client, base: str, sandbox: ProviderSandbox
) -> None:
    # GIVEN a 403 rateLimitExceeded body and a bodiless 429 (Mailchimp does that)
    sandbox.inject_fault(
        Fault(
            host="openidconnect.googleapis.com",
            path="/v1/userinfo",
            status=403,
            body={"error": {"code": 403, "errors": [{"reason": "rateLimitExceeded"}]}},
        )
    )
    sandbox.inject_fault(Fault(host="us19.api.mailchimp.com", path="/3.0/*", status=429, body=""))

    # WHEN both endpoints are called
    google = http.get(f"{base}/openidconnect.googleapis.com/v1/userinfo")
    mailchimp = http.get(f"{base}/us19.api.mailchimp.com/3.0/ping")

    # THEN the scripted body, and an empty body, are sent
    assert google.status_code == 403
    assert google.json()["error"]["errors"][0]["reason"] == "rateLimitExceeded"
    assert mailchimp.status_code == 429
    assert mailchimp.content == b""


def test_fault_ignores_requests_when_method_differs(http: httpx.Client, base: str, sandbox: ProviderSandbox) -> None:
    # GIVEN a fault limited to POST
    sandbox.inject_fault(Fault(host="www.googleapis.com", path="/oauth2/v3/certs", method="POST", status=500))

    # WHEN the path is called with GET
    response = http.get(f"{base}/www.googleapis.com/oauth2/v3/certs")

    # THEN the fault does not fire and stays armed
    assert response.status_code == 200
    assert len(sandbox.faults) == 1


def test_fault_delays_then_answers_normally_when_status_none() -> None:
    # GIVEN a sandbox whose waits are recorded rather than slept, and a delay-only fault of 0.2 s
    waits: list[float] = []
    sandbox = ProviderSandbox(sleep=waits.append)
    sandbox.inject_fault(Fault(host="www.googleapis.com", path="/oauth2/v3/certs", status=None, delay_seconds=0.2))

    # WHEN the endpoint is called
    response = Client(sandbox).get("/www.googleapis.com/oauth2/v3/certs")

    # THEN the sandbox waited the fault's delay once, then gave the normal answer
    assert waits == [0.2]
    assert response.status_code == 200
    assert "keys" in response.get_json()


def test_clear_faults_removes_pending_faults(http: httpx.Client, base: str, sandbox: ProviderSandbox) -> None:
    # GIVEN a fault that never runs out
    sandbox.inject_fault(Fault(host="www.googleapis.com", status=500, times=None))
    assert http.get(f"{base}/www.googleapis.com/oauth2/v3/certs").status_code == 500

    # WHEN faults are cleared
    sandbox.clear_faults()

    # THEN requests succeed again
    assert http.get(f"{base}/www.googleapis.com/oauth2/v3/certs").status_code == 200


# Recording -------------------------------------------------------------------------------------


def test_requests_are_recorded_in_order_with_status_and_query(
    http: httpx.Client, base: str, sandbox: ProviderSandbox
) -> None:
    # GIVEN a refresh and a failing refresh
    refresh_token = google_refresh_token(http, base)
    sandbox.reset_requests()
    refresh(http, base, refresh_token)
    refresh(http, base, "1//unknown")
    http.get(f"{base}/www.googleapis.com/oauth2/v3/certs", params={"a": ["1", "2"]})

    # WHEN the log is read
    recorded = sandbox.requests

    # THEN each request appears once, in order, with its method, host, path, query and status
    assert [(r.method, r.host, r.path, r.status) for r in recorded] == [
        ("POST", TOKEN_HOST, "/token", 200),
        ("POST", TOKEN_HOST, "/token", 400),
        ("GET", "www.googleapis.com", "/oauth2/v3/certs", 200),
    ]
    assert recorded[2].query == {"a": ["1", "2"]}
    assert sandbox.count(host=TOKEN_HOST, path="/token", method="POST") == 2
    assert sandbox.count(host=TOKEN_HOST, path="/token") == 2
    assert sandbox.count(host=TOKEN_HOST, path="/revoke") == 0


def test_unknown_paths_are_recorded_as_404(http: httpx.Client, base: str, sandbox: ProviderSandbox) -> None:
    # GIVEN no route for a path
    # WHEN it is called
    response = http.get(f"{base}/sheets.googleapis.com/v4/no-such-collection")

    # THEN 404 is answered and recorded
    assert response.status_code == 404
    assert sandbox.count(host="sheets.googleapis.com", path="/v4/no-such-collection") == 1


def test_serve_mounts_app_so_base_url_plus_mount_is_public_base() -> None:
    # GIVEN a sandbox served at a custom mount
    sandbox = ProviderSandbox()
    with serve(sandbox, port=0, mount="/fake") as running, httpx.Client() as http:
        # WHEN its JWKS is fetched through the public base
        response = http.get(f"{running.base_url}/fake/www.googleapis.com/oauth2/v3/certs")

        # THEN it answers there, and the public base is base_url + mount
        assert response.status_code == 200
        assert running.public_base_url == running.base_url + "/fake"


# Control API over HTTP ----------------------------------------------------------------------------


def test_control_api_registers_clients_without_echoing_secrets(http: httpx.Client, base: str) -> None:
    # GIVEN a client registration body
    body = {
        "provider": "airtable",
        "client_id": "at-client",
        "client_secret": "shh",
        "redirect_uris": ["http://127.0.0.1:3000/api/integrations/airtable/callback"],
    }

    # WHEN it is posted and the clients listed
    created = http.post(f"{base}/_control/clients", json=body)
    listed = http.get(f"{base}/_control/clients").json()

    # THEN the client exists and its secret is never shown
    assert created.status_code == 201
    assert {"provider": "airtable", "client_id": "at-client"}.items() <= listed[-1].items()
    assert listed[-1]["confidential"] is True
    assert "shh" not in str(listed)


def test_control_api_injects_faults_and_filters_requests(
    http: httpx.Client, base: str, sandbox: ProviderSandbox
) -> None:
    # GIVEN a fault posted over HTTP
    fault = {"host": TOKEN_HOST, "path": "/token", "status": 429, "retry_after": 30}
    assert http.post(f"{base}/_control/faults", json=fault).status_code == 201
    assert len(http.get(f"{base}/_control/faults").json()) == 1

    # WHEN the token endpoint is hit
    response = http.post(f"{base}/{TOKEN_HOST}/token", data={})

    # THEN the fault fires, the request is listed (control calls are not), and both lists can be cleared
    assert response.status_code == 429
    assert response.headers["retry-after"] == "30"
    listed = http.get(f"{base}/_control/requests", params={"host": TOKEN_HOST, "path": "/token"}).json()
    assert [(r["method"], r["status"]) for r in listed] == [("POST", 429)]
    assert http.get(f"{base}/_control/requests", params={"host": "nowhere"}).json() == []
    assert http.delete(f"{base}/_control/requests").json() == {"cleared": 1}
    assert http.delete(f"{base}/_control/faults").json() == {"cleared": 0}
    assert sandbox.requests == []


def test_control_api_revokes_user_grants_and_expires_tokens(
    http: httpx.Client, base: str, sandbox: ProviderSandbox
) -> None:
    # GIVEN a connected Google user
    refresh_token = google_refresh_token(http, base)

    # WHEN access tokens are expired, then the user's grants revoked, over HTTP
    expired = http.post(f"{base}/_control/google/expire-access-tokens").json()
    after_expiry = http.get(f"{base}/_control/google/tokens").json()
    revoked = http.post(f"{base}/_control/google/revoke-user-grants", json={"login": "dan@example.com"}).json()

    # THEN the counts follow, and the refresh token is dead
    assert expired == {"provider": "google", "expired": 1}
    assert after_expiry == {"provider": "google", "live_refresh_tokens": 1, "live_access_tokens": 0}
    assert revoked["revoked_grants"] == 1
    assert refresh(http, base, refresh_token).json()["error"] == "invalid_grant"
    assert sandbox.live_refresh_tokens("google") == 0


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/_control/faults", {"host": "x", "status": 99}),
        ("POST", "/_control/faults", {"host": "x", "unexpected": True}),
        ("POST", "/_control/clients", {"provider": "dropbox", "client_id": "a", "redirect_uris": ["http://x/cb"]}),
        ("POST", "/_control/clients", {"provider": "google", "client_id": "a", "redirect_uris": ["not a url"]}),
        ("POST", "/_control/google/revoke-user-grants", {}),
    ],
)
def test_control_api_returns_400_with_details_when_body_invalid(
    http: httpx.Client, base: str, method: str, path: str, body: dict[str, object]
) -> None:
    # GIVEN an invalid control body
    # WHEN it is sent
    response = http.request(method, f"{base}{path}", json=body)

    # THEN 400 explains what is wrong
    assert response.status_code == 400
    assert response.json()["error"].startswith("invalid")
    assert response.json()["details"]


def test_control_api_returns_400_when_body_not_json(http: httpx.Client, base: str) -> None:
    # GIVEN a body that is not JSON
    # WHEN it is posted as a fault
    response = http.post(f"{base}/_control/faults", content=b"host=x")

    # THEN 400
    assert response.status_code == 400


def test_control_api_returns_404_when_provider_unknown(http: httpx.Client, base: str) -> None:
    # GIVEN a provider the sandbox does not imitate
    # WHEN a provider control is called for it
    response = http.post(f"{base}/_control/dropbox/expire-access-tokens")

    # THEN 404 names the known providers
    assert response.status_code == 404
    assert "google" in response.json()["error"]
