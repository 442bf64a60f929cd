"""Every way a connect can fail lands the user on the app with a clear message, and stores nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pytest

from local_stack.server import RunningStack
from provider_sandbox import Fault, ProviderSandbox
from tests.support.api import ConnectOutcome, LocalUser, card, consent, follow_callback, start_connect
from tracker_integrations import wiring
from tracker_integrations.models.common import utcnow


def _nothing_stored(http: httpx.Client, user: LocalUser, provider: str) -> None:
    assert card(http, user, provider)["status"] == "not_connected"
    assert wiring.integrations_store().get_connection(user.name, provider) is None  # type: ignore[arg-type]


def _with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


def _failed(outcome: ConnectOutcome, reason: str) -> str:
    assert outcome.query["status"] == "error"
    assert outcome.query["error"] == reason
    assert urlsplit(outcome.location).path == "/app/integrations"
    return outcome.query["message"]


def test_refused_consent_says_nothing_was_connected(http: httpx.Client, user: LocalUser) -> None:
    # GIVEN a user on Google's consent page WHEN they click Deny
    callback = consent(http, start_connect(http, user, "google-sheets"), decision="deny")
    outcome = follow_callback(http, callback)
    # THEN they are back in the app, told what happened and what to do
    message = _failed(outcome, "access_denied")
    assert "nothing was connected" in message
    assert "Connect again" in message
    _nothing_stored(http, user, "google-sheets")
    # AND the failure is in the audit log
    assert [e.action for e in wiring.activity_store().list_audit_entries(user.name)] == ["connect_failed"]


def test_replayed_callback_is_rejected_without_a_second_token_call(
    http: httpx.Client, user: LocalUser, sandbox: ProviderSandbox
) -> None:
    # GIVEN a completed connect
    callback = consent(http, start_connect(http, user, "airtable"))
    assert follow_callback(http, callback).connected
    token_calls = sandbox.count(host="airtable.com", path="/oauth2/v1/token")
    # WHEN the same callback URL is opened again (back button, leaked URL)
    outcome = follow_callback(http, callback)
    # THEN it is refused and the provider is not asked again
    assert "already been used" in _failed(outcome, "invalid_state")
    assert sandbox.count(host="airtable.com", path="/oauth2/v1/token") == token_calls


def test_expired_state_is_rejected_and_tells_the_user_to_start_again(
    http: httpx.Client, user: LocalUser, sandbox: ProviderSandbox
) -> None:
    # GIVEN a connect started more than ten minutes ago
    url = start_connect(http, user, "mailchimp")
    state = parse_qs(urlsplit(url).query)["state"][0]
    store = wiring.integrations_store()
    stored = store.consume_oauth_state(state)
    assert stored is not None
    store.put_oauth_state(stored.model_copy(update={"expires_at": utcnow() - timedelta(seconds=1)}))
    token_calls = sandbox.count(host="login.mailchimp.com", path="/oauth2/token")
    # WHEN the user finally clicks Allow
    outcome = follow_callback(http, consent(http, url))
    # THEN the sign-in is refused as expired, no code is exchanged, nothing is stored
    assert "expired" in _failed(outcome, "expired_state")
    assert sandbox.count(host="login.mailchimp.com", path="/oauth2/token") == token_calls
    _nothing_stored(http, user, "mailchimp")


def test_unknown_or_missing_state_is_rejected(http: httpx.Client, stack: RunningStack) -> None:
    forged = http.get("/api/integrations/gmail/callback", params={"code": "x", "state": "forged-state"})
    _failed(ConnectOutcome(forged.headers["Location"], _query(forged)), "invalid_state")
    missing = http.get("/api/integrations/gmail/callback", params={"code": "x"})
    _failed(ConnectOutcome(missing.headers["Location"], _query(missing)), "missing_state")


def _query(response: httpx.Response) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(response.headers["Location"]).query).items()}


def test_a_code_delivered_to_another_providers_callback_is_rejected(http: httpx.Client, user: LocalUser) -> None:
    # GIVEN a Google Sheets consent that redirects with a code and state
    callback = consent(http, start_connect(http, user, "google-sheets"))
    # WHEN the code and state are presented at the Gmail callback (mix-up)
    mixed = callback.replace("/google-sheets/callback", "/gmail/callback")
    outcome = follow_callback(http, mixed)
    # THEN it is refused and neither integration is connected
    _failed(outcome, "provider_mismatch")
    _nothing_stored(http, user, "gmail")
    _nothing_stored(http, user, "google-sheets")


def test_a_wrong_issuer_is_rejected(http: httpx.Client, user: LocalUser) -> None:
    callback = consent(http, start_connect(http, user, "gmail"))
    outcome = follow_callback(http, _with_query(callback, iss="https://evil.example"))
    _failed(outcome, "issuer_mismatch")
    _nothing_stored(http, user, "gmail")


@pytest.mark.parametrize(
    ("status", "body", "reason"),
    [
        (400, {"error": "invalid_grant", "error_description": "Bad Request"}, "code_rejected"),
        (503, None, "provider_unavailable"),
        (401, {"error": "invalid_client", "error_description": "Unauthorized"}, "exchange_failed"),
    ],
)
def test_a_failed_code_exchange_stores_nothing(
    http: httpx.Client,
    user: LocalUser,
    sandbox: ProviderSandbox,
    status: int,
    body: dict[str, str] | None,
    reason: str,
) -> None:
    # GIVEN Google's token endpoint failing (every retry included)
    callback = consent(http, start_connect(http, user, "google-drive"))
    sandbox.inject_fault(Fault(host="oauth2.googleapis.com", path="/token", status=status, body=body, times=5))
    # WHEN the callback arrives
    outcome = follow_callback(http, callback)
    # THEN the user gets a reason and a next step, and no connection exists
    message = _failed(outcome, reason)
    assert "Try again" in message or "Connect again" in message
    _nothing_stored(http, user, "google-drive")


def test_a_transient_token_failure_is_retried_to_success(
    http: httpx.Client, user: LocalUser, sandbox: ProviderSandbox
) -> None:
    # GIVEN a token endpoint that fails once with 503
    callback = consent(http, start_connect(http, user, "google-sheets"))
    sandbox.inject_fault(Fault(host="oauth2.googleapis.com", path="/token", status=503, times=1))
    # WHEN the callback arrives THEN the retry succeeds and the user is connected
    assert follow_callback(http, callback).connected


def test_unticked_scope_at_google_is_refused_and_the_grant_given_back(
    http: httpx.Client, user: LocalUser, sandbox: ProviderSandbox
) -> None:
    # GIVEN a user who unticks Gmail read access on Google's consent page
    url = start_connect(http, user, "gmail")
    revokes = sandbox.count(host="oauth2.googleapis.com", path="/revoke")
    outcome = follow_callback(http, consent(http, url, untick=["https://www.googleapis.com/auth/gmail.readonly"]))
    # THEN the connect fails saying which permission is needed, and the partial grant is revoked
    message = _failed(outcome, "scope_not_granted")
    assert "read replies to your pitches" in message
    assert "leave it ticked" in message
    assert sandbox.count(host="oauth2.googleapis.com", path="/revoke") == revokes + 1
    _nothing_stored(http, user, "gmail")


def test_mailchimp_metadata_rejecting_the_token_stores_nothing(
    http: httpx.Client, user: LocalUser, sandbox: ProviderSandbox
) -> None:
    # GIVEN Mailchimp's metadata endpoint answering 200 with an error (as it does for a bad token)
    callback = consent(http, start_connect(http, user, "mailchimp"))
    sandbox.inject_fault(
        Fault(host="login.mailchimp.com", path="/oauth2/metadata", status=200, body={"error": "invalid_token"})
    )
    # WHEN the callback arrives THEN the connect fails cleanly
    _failed(follow_callback(http, callback), "code_rejected")
    _nothing_stored(http, user, "mailchimp")


def test_free_plan_allows_one_integration_and_names_the_plan_that_allows_more(
    http: httpx.Client, user: LocalUser, connect_provider: Callable[[LocalUser, str], ConnectOutcome]
) -> None:
    # GIVEN a free user with Google Sheets connected
    assert connect_provider(user, "google-sheets").connected
    # WHEN they try to connect Gmail
    response = http.post("/api/integrations/gmail/connect", headers=user.headers)
    # THEN 403 says the limit and which plan allows more
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "plan_limit_reached"
    assert "Free plan includes 1 integration" in error["message"]
    assert "Upgrade to Pro" in error["message"]
    # AND reconnecting the integration they already have is still allowed
    assert http.post("/api/integrations/google-sheets/connect", headers=user.headers).status_code == 200


def test_pro_plan_allows_three_and_agency_more(
    http: httpx.Client,
    new_user: Callable[[str], LocalUser],
    connect_provider: Callable[[LocalUser, str], ConnectOutcome],
) -> None:
    pro = new_user("pro")
    for provider in ("google-sheets", "gmail", "airtable"):
        assert connect_provider(pro, provider).connected
    refused = http.post("/api/integrations/mailchimp/connect", headers=pro.headers)
    assert refused.status_code == 403
    assert "Upgrade to Agency for unlimited integrations" in refused.json()["error"]["message"]
    agency = new_user("agency")
    for provider in ("google-sheets", "gmail", "airtable", "mailchimp", "google-drive"):
        assert connect_provider(agency, provider).connected


def test_plan_limit_is_checked_again_at_the_callback(
    http: httpx.Client, user: LocalUser, connect_provider: Callable[[LocalUser, str], ConnectOutcome]
) -> None:
    # GIVEN a free user who started two connects in two tabs
    sheets_url = start_connect(http, user, "google-sheets")
    gmail_url = start_connect(http, user, "gmail")
    # WHEN both are approved
    assert follow_callback(http, consent(http, sheets_url)).connected
    outcome = follow_callback(http, consent(http, gmail_url))
    # THEN the second one is refused with the upgrade message
    assert "Upgrade to Pro" in _failed(outcome, "plan_limit_reached")
    _nothing_stored(http, user, "gmail")


def test_unknown_provider_is_404_naming_the_known_ones(http: httpx.Client, user: LocalUser) -> None:
    response = http.post("/api/integrations/dropbox/connect", headers=user.headers)
    assert response.status_code == 404
    assert "google-sheets" in response.json()["error"]["message"]


ATTACKER_TEXT = "Your account is suspended. Call +1 555 0100 and read out the code we text you"


@pytest.mark.parametrize(
    ("error", "reason", "says"),
    [
        ("access_denied", "access_denied", "chose not to give Tracker access"),
        ("invalid_scope", "provider_refused", "did not accept the permissions"),
        ("temporarily_unavailable", "provider_unavailable", "Try again in a few minutes"),
        ("server_error", "provider_unavailable", "Try again in a few minutes"),
        ("unauthorized_client", "provider_refused", "refused Tracker's sign-in request"),
        (ATTACKER_TEXT, "provider_error", "could not complete the sign-in"),
    ],
)
def test_the_callbacks_error_parameter_picks_one_of_our_messages_and_is_never_shown(
    http: httpx.Client, user: LocalUser, error: str, reason: str, says: str
) -> None:
    # GIVEN a callback whose `error` parameter is whatever the link's author chose
    callback = consent(http, start_connect(http, user, "google-sheets"), decision="deny")
    outcome = follow_callback(http, _with_query(callback, error=error, error_description=ATTACKER_TEXT))
    # THEN the app shows our own message for that code, naming the provider and what to do
    message = _failed(outcome, reason)
    assert says in message
    assert "Google Sheets" in message
    # AND none of the parameter's text reaches the app's URL
    assert ATTACKER_TEXT not in message
    assert "Call +1 555" not in outcome.location
    assert "Call+%2B1+555" not in outcome.location
    _nothing_stored(http, user, "google-sheets")
