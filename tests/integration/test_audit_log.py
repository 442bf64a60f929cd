"""The audit log: every action on a team's integrations with who, when and what changed."""

from __future__ import annotations

import httpx

from tests.support.api import connect
from tests.support.teams import new_team, sign_in_member


def test_the_log_names_who_connected_changed_synced_and_disconnected_newest_first(http: httpx.Client) -> None:
    # GIVEN an agency team: the owner connects Gmail and changes its frequency, a member presses Sync now,
    # and an admin disconnects it
    team = new_team()
    owner = sign_in_member(http, team, "owner")
    member = sign_in_member(http, team, "member")
    admin = sign_in_member(http, team, "admin")
    assert connect(http, owner, "gmail").connected
    version = http.get("/api/integrations/gmail", headers=owner.headers).json()["version"]
    changed = http.put(
        "/api/integrations/gmail/settings",
        headers=owner.headers,
        json={"version": version, "sync_frequency": "every_15_minutes"},
    )
    assert changed.status_code == 200, changed.text
    assert http.post("/api/integrations/gmail/sync", headers=member.headers).status_code == 202
    assert http.delete("/api/integrations/gmail/disconnect", headers=admin.headers).status_code == 200

    # WHEN the admin reads the audit log
    response = http.get("/api/audit", headers=admin.headers)

    # THEN each action is there, newest first, with who did it and what changed
    assert response.status_code == 200
    entries = response.json()["entries"]
    assert [(e["action"], e["actor"]) for e in entries] == [
        ("disconnected", admin.name),
        ("sync_requested", member.name),
        ("settings_changed", owner.name),
        ("connected", owner.name),
        ("plan_changed", "billing"),  # the owner's sign-in put the new team on agency
    ]
    assert entries[2]["provider"] == "gmail"
    assert entries[2]["detail"]["sync_frequency"] == "every_15_minutes"


def test_the_log_pages_with_a_cursor(http: httpx.Client) -> None:
    team = new_team()
    owner = sign_in_member(http, team, "owner")
    assert connect(http, owner, "gmail").connected
    for _ in range(2):
        assert http.post("/api/integrations/gmail/sync", headers=owner.headers).status_code in {202, 409}

    first = http.get("/api/audit", headers=owner.headers, params={"limit": 2}).json()
    rest = http.get("/api/audit", headers=owner.headers, params={"limit": 2, "cursor": first["next_cursor"]}).json()

    assert len(first["entries"]) == 2
    assert first["next_cursor"]
    ids = [e["entry_id"] for e in first["entries"] + rest["entries"]]
    assert len(ids) == len(set(ids)) >= 3


def test_members_may_not_read_it_and_other_teams_see_none_of_it(http: httpx.Client) -> None:
    team = new_team()
    owner = sign_in_member(http, team, "owner")
    assert connect(http, owner, "gmail").connected

    as_member = http.get("/api/audit", headers=sign_in_member(http, team, "member").headers)
    other = sign_in_member(http, new_team(), "owner")
    other_team = http.get("/api/audit", headers=other.headers)

    assert as_member.status_code == 403
    assert as_member.json()["error"]["message"].startswith("Only an owner or admin of this team may read the audit")
    # (the other team's log holds only its own plan being set at its first sign-in)
    assert {e["user_id"] for e in other_team.json()["entries"]} == {f"team:{other.team}"}
