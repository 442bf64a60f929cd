"""Helpers for the Airtable contract tests: a campaign base, pyairtable pointed at the sandbox, OAuth tokens."""

from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import httpx
import pytest
import requests
from pyairtable import Api

from provider_sandbox import OAuthClientRegistration, ProviderSandbox
from provider_sandbox.airtable_store import Base
from provider_sandbox.airtable_workspace import FieldSpec, TableSpec, ViewSpec
from provider_sandbox.testing import approve
from tests.contract.sandbox.conftest import FakeClock

LOGIN = "dan@example.com"
OTHER_LOGIN = "eve@example.com"
STATUSES = ["Pitched", "Replied", "Placed"]


def campaign_tables(pitches: list[dict[str, Any]] | None = None) -> list[TableSpec]:
    """Campaigns, and Pitches linking to them: the field types a two-way sync maps."""
    return [
        TableSpec(name="Campaigns", fields=[FieldSpec(name="Name")], records=[{"Name": "Spring launch"}]),
        TableSpec(
            name="Pitches",
            fields=[
                FieldSpec(name="Name"),
                FieldSpec(name="Email", type="email"),
                FieldSpec(name="Status", type="singleSelect", choices=STATUSES),
                FieldSpec(name="Budget", type="number", precision=2),
                FieldSpec(name="Sent", type="date"),
                FieldSpec(name="Done", type="checkbox"),
                FieldSpec(name="Notes", type="multilineText"),
                FieldSpec(name="Campaign", type="multipleRecordLinks", linked_table="Campaigns"),
                FieldSpec(name="Updated", type="lastModifiedTime"),
            ],
            views=[ViewSpec(name="Open", formula="NOT({Done})")],
            records=pitches or [],
        ),
    ]


def campaign_base(sandbox: ProviderSandbox, *, login: str = LOGIN, pitches: list[dict[str, Any]] | None = None) -> Base:
    return sandbox.airtable.create_base(login, "Agency", campaign_tables(pitches))


def pyairtable_api(base_url: str, token: str) -> Api:
    """The official client against the sandbox; no retries, so a 429 reaches the test."""
    return Api(token, endpoint_url=f"{base_url}/api.airtable.com", retry_strategy=None)


def airtable_failure(call: Callable[[], object]) -> tuple[int, str, str]:
    """Make a pyairtable call that must fail: its status, and Airtable's error type and message."""
    with pytest.raises(requests.HTTPError) as raised:
        call()
    status, body = airtable_error(raised)
    return status, body["error"]["type"], body["error"]["message"]


def airtable_error(raised: pytest.ExceptionInfo[requests.HTTPError]) -> tuple[int, dict[str, Any]]:
    """The status and Airtable's error body of a failed pyairtable call."""
    response = raised.value.response
    assert response is not None
    body: dict[str, Any] = response.json()
    return response.status_code, body


CLIENT_ID = "tracker-airtable"
CALLBACK = "http://127.0.0.1:3000/api/integrations/airtable/callback"
# RFC 7636 Appendix B.
VERIFIER = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
CHALLENGE = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM"


def airtable_sandbox(clock: FakeClock) -> ProviderSandbox:
    """A sandbox on a fake clock with Tracker's public Airtable client; the rate limit is off (tests about
    it switch it on), since a fake clock puts every call in the same second."""
    sandbox = ProviderSandbox(clock=clock)
    sandbox.register_client(OAuthClientRegistration(provider="airtable", client_id=CLIENT_ID, redirect_uris=[CALLBACK]))
    sandbox.airtable.rate_limit = None
    return sandbox


def oauth_token(base_url: str, http: httpx.Client, scopes: str, *, login: str = LOGIN) -> str:
    """An access token from the sandbox's consent page and token endpoint, for `scopes` only."""
    query = urlencode(
        {
            "client_id": CLIENT_ID,
            "redirect_uri": CALLBACK,
            "response_type": "code",
            "scope": scopes,
            "state": "s",
            "code_challenge": CHALLENGE,
            "code_challenge_method": "S256",
        }
    )
    location = approve(f"{base_url}/airtable.com/oauth2/v1/authorize?{query}", login=login, client=http)
    form = {
        "grant_type": "authorization_code",
        "code": dict(parse_qsl(urlsplit(location).query))["code"],
        "client_id": CLIENT_ID,
        "code_verifier": VERIFIER,
        "redirect_uri": CALLBACK,
    }
    response = http.post(f"{base_url}/airtable.com/oauth2/v1/token", data=form)
    assert response.status_code == 200, response.text
    token: str = response.json()["access_token"]
    return token
