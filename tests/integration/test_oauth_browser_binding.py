"""Every OAuth flow is bound to the browser that started it (RFC 6749 §10.12).

The attack: user M starts "Connect" and sends the consent link to V; V clicks Allow. Without the
binding, V's account would be stored under M's and M would read V's data.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from local_stack.server import RunningStack
from provider_sandbox import ProviderSandbox
from provider_sandbox.testing import read_consent_form
from tests.support.api import ConnectOutcome, LocalUser, card, consent, follow_callback, start_connect
from tracker_integrations import wiring

ALL_PROVIDERS = ["google-sheets", "gmail", "google-drive", "airtable", "mailchimp"]
TOKEN_ENDPOINT = {
    "google-sheets": ("oauth2.googleapis.com", "/token"),
    "gmail": ("oauth2.googleapis.com", "/token"),
    "google-drive": ("oauth2.googleapis.com", "/token"),
    "airtable": ("airtable.com", "/oauth2/v1/token"),
    "mailchimp": ("login.mailchimp.com", "/oauth2/token"),
}
COOKIE = "tracker-oauth-binding"  # http locally; `__Host-` prefixed on https


@pytest.fixture
def other_browser(stack: RunningStack) -> Iterator[httpx.Client]:
    """A second browser: its own cookie jar."""
    with httpx.Client(base_url=stack.base_url, follow_redirects=False, timeout=30) as client:
        yield client


def _token_calls(sandbox: ProviderSandbox, provider: str) -> int:
    host, path = TOKEN_ENDPOINT[provider]
    return sandbox.count(host=host, path=path)


def _refused_as_another_browser(outcome: ConnectOutcome) -> None:
    assert urlsplit(outcome.location).path == "/app/integrations"
    assert outcome.query["status"] == "error"
    assert outcome.query["error"] == "browser_mismatch"
    message = outcome.query["message"]
    assert "not started in this browser" in message
    assert "nothing was connected" in message
    assert "Connect again there" in message


@pytest.mark.parametrize("provider", ALL_PROVIDERS)
def test_consent_completed_in_another_browser_links_nothing(
    http: httpx.Client,
    other_browser: httpx.Client,
    new_user: type[LocalUser],
    sandbox: ProviderSandbox,
    provider: str,
) -> None:
    # GIVEN user M starts connecting in their browser and sends the consent link to V
    mallory = new_user("agency")  # type: ignore[call-arg]
    victim = new_user("agency")  # type: ignore[call-arg]
    link = start_connect(http, mallory, provider)
    # AND V (signed in to Tracker in their own browser) has a binding cookie of their own
    start_connect(other_browser, victim, provider)
    token_calls = _token_calls(sandbox, provider)
    # WHEN V clicks Allow on the provider's page in V's browser
    callback = consent(other_browser, link, login="victim@example.com")
    outcome = follow_callback(other_browser, callback)
    # THEN V lands on the app told the link was not started there, and to start Connect again there
    _refused_as_another_browser(outcome)
    # AND no code was exchanged and nothing is linked to M (nor to V)
    assert _token_calls(sandbox, provider) == token_calls
    assert card(http, mallory, provider)["status"] == "not_connected"
    assert wiring.integrations_store().get_connection(mallory.name, provider) is None  # type: ignore[arg-type]
    assert card(other_browser, victim, provider)["status"] == "not_connected"
    # AND the state is spent: M replaying the callback in M's own browser gets nothing either
    replay = follow_callback(http, callback)
    assert replay.query["error"] == "invalid_state"
    assert card(http, mallory, provider)["status"] == "not_connected"
    assert _token_calls(sandbox, provider) == token_calls


def test_a_callback_without_the_cookie_links_nothing(
    http: httpx.Client, other_browser: httpx.Client, user: LocalUser, sandbox: ProviderSandbox
) -> None:
    # GIVEN a consent approved for a flow this (fresh, cookieless) browser never started
    callback = consent(http, start_connect(http, user, "gmail"))
    token_calls = _token_calls(sandbox, "gmail")
    # WHEN the callback arrives in a browser with no cookies at all
    outcome = follow_callback(other_browser, callback)
    # THEN nothing is linked
    _refused_as_another_browser(outcome)
    assert _token_calls(sandbox, "gmail") == token_calls
    assert card(http, user, "gmail")["status"] == "not_connected"
    # AND the refusal is in M's audit log
    entries = wiring.activity_store().list_audit_entries(user.name)
    assert [(e.action, e.detail.get("reason")) for e in entries] == [("connect_failed", "browser_mismatch")]


def test_connect_sets_an_http_only_lax_cookie_whose_value_is_never_stored(http: httpx.Client, user: LocalUser) -> None:
    # WHEN a browser starts a connect
    response = http.post("/api/integrations/airtable/connect", headers=user.headers)
    assert response.status_code == 200, response.text
    # THEN it gets a random binding cookie that scripts cannot read, sent on the provider's redirect
    set_cookie = response.headers["set-cookie"]
    attributes = {part.strip().split("=", 1)[0].lower() for part in set_cookie.split(";")[1:]}
    assert {"httponly", "path", "max-age", "samesite"} <= attributes
    assert "samesite=lax" in set_cookie.lower()
    assert "path=/;" in set_cookie.lower() or set_cookie.lower().endswith("path=/")
    assert "secure" not in attributes  # the local stack is plain http; https sets Secure (unit tests)
    value = http.cookies[COOKIE]
    assert len(value) == 43
    # AND the stored state keeps only the value's hash
    state = parse_qs(urlsplit(response.json()["authorization_url"]).query)["state"][0]
    item = wiring.dynamodb().get_item(
        TableName=wiring.integrations_store()._table, Key={"pk": {"S": f"STATE#{state}"}, "sk": {"S": "STATE"}}
    )["Item"]
    assert value not in json.dumps(item)
    assert len(item["oauth_state"]["M"]["browser_binding_hash"]["S"]) == 64


def test_two_connects_in_two_tabs_of_one_browser_both_complete(http: httpx.Client, new_user: type[LocalUser]) -> None:
    # GIVEN a user who opens Connect for Gmail and for Airtable in two tabs before finishing either
    user = new_user("agency")  # type: ignore[call-arg]
    gmail = start_connect(http, user, "gmail")
    airtable = start_connect(http, user, "airtable")
    # WHEN both consents are approved in that browser
    first = follow_callback(http, consent(http, gmail))
    second = follow_callback(http, consent(http, airtable))
    # THEN both connect (the second connect kept the browser's cookie instead of replacing it)
    assert first.connected
    assert second.connected


@pytest.mark.parametrize("provider", ALL_PROVIDERS)
def test_a_browser_that_keeps_cookies_and_follows_redirects_connects(
    stack: RunningStack, new_user: type[LocalUser], provider: str
) -> None:
    # GIVEN a browser-like client: a cookie jar, following every redirect
    user = new_user("agency")  # type: ignore[call-arg]
    with httpx.Client(base_url=stack.base_url, follow_redirects=True, timeout=30) as browser:
        # WHEN it clicks Connect, opens the consent page and clicks Allow
        url = start_connect(browser, user, provider)
        page = browser.get(url)
        assert page.status_code == 200
        form = consent_form_data(page.text)
        landed = browser.post(page.url.join(form.pop("__action__")[0]), data=form)
        # THEN the redirects end on the app's configure screen for that provider
        assert landed.status_code == 200
        assert landed.url.path == f"/app/integrations/{provider}/configure"
        assert landed.url.params["status"] == "connected"
        assert [r.status_code for r in landed.history] == [302, 302]
        assert card(browser, user, provider)["status"] == "connected"


def consent_form_data(html: str) -> dict[str, list[str]]:
    """The consent form as a browser submits it with Allow (everything ticked)."""
    form = read_consent_form(html)
    data: dict[str, list[str]] = {"__action__": [form.action]}
    for name, value in [*form.fields, ("login", form.login), ("decision", "allow")]:
        data.setdefault(name, []).append(value)
    data["granted_scope"] = list(form.scope_checkboxes)
    return data


def test_the_web_pages_api_calls_carry_credentials_so_the_binding_cookie_is_kept(http: httpx.Client) -> None:
    # GIVEN the local web page (the app), whose Connect button POSTs to connect through `api()` (in its module)
    page = http.get("/app/static/app.js")
    assert page.status_code == 200
    calls = re.findall(r"fetch\(API \+ path, \{(.*?)\}\);", page.text, flags=re.DOTALL)
    # THEN that fetch sends and keeps cookies even when the API is on another origin of the site
    assert calls, "the page's api() helper was not found"
    assert all('credentials: "include"' in options for options in calls)
    assert 'api("POST", `/api/integrations/${provider}/connect`)' in page.text
