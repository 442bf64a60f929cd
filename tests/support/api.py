"""Acting as Tracker's UI and as the user's browser against the local stack."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from provider_sandbox.testing import submit_consent


@dataclass(frozen=True)
class LocalUser:
    name: str
    plan: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def sign_in(
    http: httpx.Client, *, plan: str = "free", name: str | None = None, team: str | None = None, role: str = "owner"
) -> LocalUser:
    """A token for `name` (or a fresh user); with `team`, as a member of that team account in `role`."""
    user = name or f"user-{uuid.uuid4().hex[:12]}"
    params = {"user": user, "plan": plan} | ({"team": team, "role": role} if team else {})
    response = http.get("/local/token", params=params)
    response.raise_for_status()
    return LocalUser(name=user, plan=plan, token=str(response.json()["token"]))


@dataclass(frozen=True)
class ConnectOutcome:
    """Where the browser lands in the app after the callback, with its query string."""

    location: str
    query: dict[str, str]

    @property
    def connected(self) -> bool:
        return self.query.get("status") == "connected"


def landing(response: httpx.Response) -> ConnectOutcome:
    assert response.status_code == 302, f"callback did not redirect: {response.status_code} {response.text[:300]}"
    location = response.headers["Location"]
    query = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
    return ConnectOutcome(location=location, query=query)


def start_connect(http: httpx.Client, user: LocalUser, provider: str) -> str:
    response = http.post(f"/api/integrations/{provider}/connect", headers=user.headers)
    assert response.status_code == 200, response.text
    return str(response.json()["authorization_url"])


def consent(http: httpx.Client, authorization_url: str, **kwargs: Any) -> str:
    """Click Allow/Deny on the sandbox consent page; returns the callback URL it redirects to."""
    response = submit_consent(authorization_url, client=http, **kwargs)
    assert response.status_code == 302, response.text[:300]
    return response.headers["Location"]


def follow_callback(http: httpx.Client, callback_url: str) -> ConnectOutcome:
    return landing(http.get(callback_url))


def connect(http: httpx.Client, user: LocalUser, provider: str, **consent_kwargs: Any) -> ConnectOutcome:
    """The whole one-click flow: Connect, the provider's consent page, the callback, back to the app."""
    url = start_connect(http, user, provider)
    return follow_callback(http, consent(http, url, **consent_kwargs))


def card(http: httpx.Client, user: LocalUser, provider: str) -> dict[str, Any]:
    response = http.get("/api/integrations", headers=user.headers)
    assert response.status_code == 200, response.text
    cards = {c["provider"]: c for c in response.json()["integrations"]}
    return dict(cards[provider])


def put_settings(http: httpx.Client, user: LocalUser, provider: str, body: dict[str, Any]) -> httpx.Response:
    """Change settings as the Integrations screen does: name the settings' version it just read."""
    detail = http.get(f"/api/integrations/{provider}", headers=user.headers)
    assert detail.status_code == 200, detail.text
    body = {"version": detail.json()["version"], **body}
    return http.put(f"/api/integrations/{provider}/settings", headers=user.headers, json=body)
