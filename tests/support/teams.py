"""Signing in as a member of a team account on the local stack, and calling a route as the template names it."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import httpx

from tests.support.api import LocalUser


@dataclass(frozen=True)
class TeamMember(LocalUser):
    team: str = ""
    role: str = ""


def new_team() -> str:
    return f"team-{uuid.uuid4().hex[:10]}"


def sign_in_member(
    http: httpx.Client, team: str, role: str, *, plan: str = "agency", name: str | None = None, operator: bool = False
) -> TeamMember:
    user = name or f"{role}-{uuid.uuid4().hex[:10]}"
    params = {"user": user, "plan": plan, "team": team, "role": role}
    if operator:
        params["operator"] = "1"
    response = http.get("/local/token", params=params)
    response.raise_for_status()
    return TeamMember(name=user, plan=plan, token=str(response.json()["token"]), team=team, role=role)


def sign_in_operator(http: httpx.Client) -> LocalUser:
    user = f"operator-{uuid.uuid4().hex[:10]}"
    response = http.get("/local/token", params={"user": user, "plan": "free", "operator": "1"})
    response.raise_for_status()
    return LocalUser(name=user, plan="free", token=str(response.json()["token"]))


# A value for every path parameter the template's routes take.
SAMPLE_PATH_VALUES = {
    "provider": "google-sheets",
    "campaign_id": "cmp_00000000000000000000000000",
    "pitch_id": "pit_00000000000000000000000000",
    "record_id": "rec_00000000000000000000000000",
    "base_id": "appAAAAAAAAAAAAAA",
}


def concrete_path(template_path: str) -> str:
    path = template_path
    for name, sample in SAMPLE_PATH_VALUES.items():
        path = path.replace("{" + name + "}", sample)
    return path
