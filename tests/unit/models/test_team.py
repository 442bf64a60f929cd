"""Identity and roles: whose account a request acts on, and which role may what."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tracker_integrations.access import refusal, required_role
from tracker_integrations.models.team import Identity, Role


def test_a_team_member_acts_on_the_team_account_and_a_user_alone_on_their_own() -> None:
    assert Identity(user_id="ana", team_id="t1", role=Role.MEMBER).account_id == "team:t1"
    assert Identity(user_id="ana").account_id == "ana"


def test_a_user_id_cannot_pose_as_a_team_account() -> None:
    with pytest.raises(ValidationError):
        Identity(user_id="team:t1")


@pytest.mark.parametrize(
    ("role", "needed", "allowed"),
    [
        (Role.OWNER, Role.ADMIN, True),
        (Role.ADMIN, Role.ADMIN, True),
        (Role.MEMBER, Role.ADMIN, False),
        (Role.MEMBER, Role.MEMBER, True),
        (Role.ADMIN, Role.OWNER, False),
    ],
)
def test_roles_rank_owner_over_admin_over_member(role: Role, needed: Role, allowed: bool) -> None:
    assert role.allows(needed) is allowed


def test_a_route_not_in_the_table_needs_a_member_to_read_and_an_admin_to_change() -> None:
    assert required_role("GET /api/integrations/{provider}/brand-new") is Role.MEMBER
    assert required_role("POST /api/integrations/{provider}/brand-new") is Role.ADMIN
    assert required_role("POST /api/integrations/{provider}/sync") is Role.MEMBER
    assert required_role("GET /api/audit") is Role.ADMIN


def test_the_refusal_names_the_roles_that_may_and_the_callers() -> None:
    message = refusal("POST /api/integrations/{provider}/connect", Role.MEMBER)
    assert message == (
        "Only an owner or admin of this team may connect integrations; you are a member. Ask an owner or admin."
    )
