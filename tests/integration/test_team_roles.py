"""Teams: every role on every signed-in route of template.yaml, and what members of one team share.

Owners and admins connect, configure, disconnect and approve deletions; members read everything and
may press Sync now and correct a reply's category; a user outside the team finds nothing (404).
"""

from __future__ import annotations

import re

import httpx
import pytest

from local_stack.template import Route, routes
from tests.support.api import connect, sign_in
from tests.support.teams import concrete_path, new_team, sign_in_member
from tracker_integrations.access import required_role
from tracker_integrations.models.team import Role

SIGNED_IN_ROUTES = sorted(
    (route for route in routes() if route.authorized), key=lambda route: (route.path, route.method)
)


def _route_id(route: Route) -> str:
    return f"{route.method} {route.path}"


@pytest.mark.parametrize("role", [role.value for role in Role])
@pytest.mark.parametrize("route", SIGNED_IN_ROUTES, ids=_route_id)
def test_every_role_on_every_route_is_let_through_or_refused_by_name(
    http: httpx.Client, route: Route, role: str
) -> None:
    # GIVEN a member of a team with `role`
    member = sign_in_member(http, new_team(), role)
    needed = required_role(f"{route.method} {route.path}")

    # WHEN they call the route
    response = http.request(route.method, concrete_path(route.path), headers=member.headers, json={})

    # THEN a role below the route's is refused with 403 naming the role that may; any other role passes
    is_json = response.headers.get("content-type", "").startswith("application/json")
    error = response.json().get("error", {}) if is_json else {}
    if Role(role).allows(needed):
        assert error.get("code") != "role_required", response.text
        assert response.status_code < 500, response.text
    else:
        assert response.status_code == 403, response.text
        assert error["code"] == "role_required"
        assert re.search(rf"Only an? {'owner or admin' if needed is Role.ADMIN else 'owner'}\b", error["message"])
        assert "you are a member" in error["message"]


def test_an_owner_and_a_member_share_the_team_integrations_and_campaigns(http: httpx.Client) -> None:
    # GIVEN an agency team whose owner connects Google Sheets and creates a campaign
    team = new_team()
    owner = sign_in_member(http, team, "owner")
    member = sign_in_member(http, team, "member")
    assert connect(http, owner, "google-sheets").connected
    created = http.post("/api/campaigns", headers=owner.headers, json={"title": "Spring single"})
    assert created.status_code == 201, created.text
    campaign_id = created.json()["campaign_id"]

    # WHEN the member reads the cards and the campaign
    cards = http.get("/api/integrations", headers=member.headers).json()["integrations"]
    campaign = http.get(f"/api/campaigns/{campaign_id}", headers=member.headers)

    # THEN they see the team's connection, with who connected it, and the campaign
    sheets = next(card for card in cards if card["provider"] == "google-sheets")
    assert sheets["status"] == "connected"
    assert sheets["connected_by"] == owner.name
    assert campaign.status_code == 200


def test_a_member_may_sync_now_but_not_disconnect(http: httpx.Client) -> None:
    team = new_team()
    owner = sign_in_member(http, team, "owner")
    member = sign_in_member(http, team, "member")
    assert connect(http, owner, "google-sheets").connected

    refused = http.delete("/api/integrations/google-sheets/disconnect", headers=member.headers)
    sync = http.post("/api/integrations/google-sheets/sync", headers=member.headers)

    assert refused.status_code == 403
    assert refused.json()["error"]["message"].startswith("Only an owner or admin of this team may disconnect")
    assert sync.status_code != 403, sync.text


def test_a_user_outside_the_team_gets_404_on_its_campaign(http: httpx.Client) -> None:
    # GIVEN a team's campaign
    owner = sign_in_member(http, new_team(), "owner")
    campaign_id = http.post("/api/campaigns", headers=owner.headers, json={"title": "Team only"}).json()["campaign_id"]

    # WHEN the owner of another team, and a user on their own who shares the owner's name, ask for it
    other_team_owner = sign_in_member(http, new_team(), "owner")
    same_name_alone = sign_in(http, plan="agency", name=owner.name)

    # THEN neither finds it
    for outsider in (other_team_owner, same_name_alone):
        response = http.get(f"/api/campaigns/{campaign_id}", headers=outsider.headers)
        assert response.status_code == 404, response.text


def test_me_names_the_member_team_role_and_plan_with_its_limits(http: httpx.Client) -> None:
    team = new_team()
    admin = sign_in_member(http, team, "admin", plan="pro")

    me = http.get("/api/me", headers=admin.headers)

    assert me.status_code == 200
    assert me.json() == {
        "user_id": admin.name,
        "team_id": team,
        "role": "admin",
        "plan": "pro",
        "limits": {
            "max_integrations": 3,
            "records_per_month": 1000,
            "automatic_sync": True,
            "sync_interval_minutes": 15,
        },
    }


def test_me_for_a_user_on_their_own_is_the_owner_of_their_account(http: httpx.Client) -> None:
    alone = sign_in(http, plan="free")

    body = http.get("/api/me", headers=alone.headers).json()

    assert (body["user_id"], body["team_id"], body["role"], body["plan"]) == (alone.name, None, "owner", "free")
