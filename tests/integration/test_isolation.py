"""Identity comes only from the verified JWT: no route lets one user see or change another's data."""

from __future__ import annotations

import time
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from local_stack.auth import LOCAL_AUDIENCE
from local_stack.server import RunningStack
from local_stack.template import Route, routes
from provider_sandbox.airtable_workspace import FieldSpec, TableSpec
from tests.support.api import LocalUser, connect, sign_in

AUTHORIZED_ROUTES = [r for r in routes() if r.authorized]


class Victim:
    """User A with connected integrations (Sheets, and Airtable with a base of theirs), a campaign and a pitch."""

    def __init__(self, http: httpx.Client, stack: RunningStack) -> None:
        self.user = sign_in(http, plan="agency")
        assert connect(http, self.user, "google-sheets", login="victim@example.com").connected
        base = stack.stack.sandbox.airtable.create_base(
            "victim@example.com", "Victim base", [TableSpec(name="Secret table", fields=[FieldSpec(name="Contact")])]
        )
        self.base_id = base.id
        assert connect(http, self.user, "airtable", login="victim@example.com").connected
        self.campaign = http.post(
            "/api/campaigns", headers=self.user.headers, json={"title": "Secret release", "artist": "A"}
        ).json()
        self.pitch = http.post(
            f"/api/campaigns/{self.campaign['campaign_id']}/pitches",
            headers=self.user.headers,
            json={"email": "contact-of-a@example.com"},
        ).json()

    def path(self, route: Route) -> str:
        return (
            route.path.replace("{provider}", "google-sheets")
            .replace("{campaign_id}", self.campaign["campaign_id"])
            .replace("{pitch_id}", self.pitch["pitch_id"])
            .replace("{record_id}", self.pitch["pitch_id"])
            .replace("{base_id}", self.base_id)
        )

    def snapshot(self, http: httpx.Client) -> dict[str, Any]:
        cid = self.campaign["campaign_id"]
        return {
            "cards": http.get("/api/integrations", headers=self.user.headers).json(),
            "campaign": http.get(f"/api/campaigns/{cid}", headers=self.user.headers).json(),
            "pitch": http.get(
                f"/api/campaigns/{cid}/pitches/{self.pitch['pitch_id']}", headers=self.user.headers
            ).json(),
        }


# A valid body for each writing route, so the answer is about ownership, not validation.
_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("PUT", "/api/integrations/{provider}/settings"): {"version": 1, "sync_frequency": "manual", "paused": True},
    ("POST", "/api/campaigns"): {"title": "Planted"},
    ("PATCH", "/api/campaigns/{campaign_id}"): {"version": 1, "title": "Hijacked"},
    ("POST", "/api/campaigns/{campaign_id}/pitches"): {"email": "attacker@example.com"},
    ("PATCH", "/api/campaigns/{campaign_id}/pitches/{pitch_id}"): {"version": 1, "email": "attacker@example.com"},
    ("PUT", "/api/campaigns/{campaign_id}/pitches/{pitch_id}/reply-category"): {"version": 1, "category": "interested"},
    ("POST", "/api/integrations/{provider}/pending-deletions/{record_id}"): {"decision": "approve"},
    ("POST", "/api/integrations/google-sheets/spreadsheets"): {"title": "Planted"},
}


@pytest.fixture(scope="module")
def victim(stack: RunningStack) -> Victim:
    with httpx.Client(base_url=stack.base_url) as http:
        return Victim(http, stack)


@pytest.mark.parametrize("route", AUTHORIZED_ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_another_user_cannot_read_or_change_a_users_data(http: httpx.Client, victim: Victim, route: Route) -> None:
    # GIVEN user A's data, and user B signed in
    before = victim.snapshot(http)
    attacker = sign_in(http, plan="agency")
    # WHEN B calls the route with A's ids (and a valid body where one is taken)
    body = _BODIES.get((route.method, route.path))
    params = {"version": "1"} if route.method == "DELETE" else None
    response = http.request(route.method, victim.path(route), headers=attacker.headers, json=body, params=params)
    # THEN B gets 404, or only B's own (empty) data
    assert response.status_code in {200, 201, 404}, response.text
    text = response.text
    for secret in ("victim@example.com", "Secret release", "contact-of-a@example.com", "Victim base", "Secret table"):
        assert secret not in text
    owned = ("{campaign_id}", "/disconnect", "/settings", "/sync", "/spreadsheets", "{record_id}", "{base_id}")
    if any(part in route.path for part in owned):
        assert response.status_code == 404
    # AND A's data is exactly as it was
    assert victim.snapshot(http) == before


def test_another_users_airtable_base_is_not_found_even_with_airtable_connected(
    http: httpx.Client, victim: Victim
) -> None:
    # GIVEN user B with Airtable connected to their own account
    attacker = sign_in(http, plan="agency")
    assert connect(http, attacker, "airtable", login="attacker@example.com").connected
    # WHEN B asks for the tables of A's base
    response = http.get(f"/api/integrations/airtable/bases/{victim.base_id}/tables", headers=attacker.headers)
    # THEN Airtable does not let B's grant read it, and nothing of A's base is shown
    assert response.status_code == 404, response.text
    assert "Secret table" not in response.text


@pytest.mark.parametrize("route", AUTHORIZED_ROUTES, ids=lambda r: f"{r.method} {r.path}")
def test_requests_without_a_valid_token_are_refused_before_any_handler_runs(
    http: httpx.Client, victim: Victim, route: Route
) -> None:
    now = int(time.time())
    other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    claims = {"iss": "http://elsewhere", "aud": LOCAL_AUDIENCE, "sub": victim.user.name, "iat": now, "exp": now + 60}
    forged = jwt.encode(claims, other_key, algorithm="RS256")
    for headers in ({}, {"Authorization": f"Bearer {forged}"}, {"Authorization": "Basic abc"}):
        response = http.request(route.method, victim.path(route), headers=headers)
        assert response.status_code == 401
        assert response.json() == {"message": "Unauthorized"}


def test_an_expired_token_is_refused(http: httpx.Client, stack: RunningStack) -> None:
    expired = stack.stack.issuer.mint("someone", "free", lifetime_seconds=-10)
    assert http.get("/api/integrations", headers={"Authorization": f"Bearer {expired}"}).status_code == 401


def test_the_user_comes_from_the_token_not_the_body(http: httpx.Client, victim: Victim) -> None:
    attacker = sign_in(http)
    response = http.post(
        "/api/campaigns", headers=attacker.headers, json={"title": "Mine", "user_id": victim.user.name}
    )
    assert response.status_code == 400  # unknown fields are refused outright
    assert "user_id" in response.json()["error"]["message"]


def test_local_token_validates_its_input(http: httpx.Client) -> None:
    assert http.get("/local/token", params={"user": "dan", "plan": "platinum"}).status_code == 400
    assert http.get("/local/token", params={"user": "", "plan": "pro"}).status_code == 400
    assert http.get("/local/token", params={"user": "a b/c", "plan": "pro"}).status_code == 400


def test_users_see_only_their_own_cards(http: httpx.Client, victim: Victim) -> None:
    other: LocalUser = sign_in(http)
    cards = http.get("/api/integrations", headers=other.headers).json()["integrations"]
    assert {c["status"] for c in cards} == {"not_connected"}
    assert len(cards) == 5
