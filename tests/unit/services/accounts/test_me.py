"""`GET /api/me`: the member, their team and role, and the account's plan with its limits."""

from __future__ import annotations

from tests.support.fakes import FakeIntegrations
from tracker_integrations.models.account import PLAN_LIMITS, Plan
from tracker_integrations.models.team import Identity, Role
from tracker_integrations.services.accounts.me import Profile


def test_a_team_member_sees_their_role_and_the_teams_plan_not_their_own() -> None:
    # GIVEN an agency team account and a member of it
    store = FakeIntegrations()
    member = Identity(user_id="mia", team_id="t1", role=Role.MEMBER)
    store.plans[member.account_id] = Plan.AGENCY
    # WHEN the member asks who they are
    me = Profile(store).me(member)
    # THEN they see themselves, their team and role, and the team's agency plan and its limits
    assert (me.user_id, me.team_id, me.role, me.plan) == ("mia", "t1", Role.MEMBER, Plan.AGENCY)
    assert me.limits == PLAN_LIMITS[Plan.AGENCY]


def test_a_user_without_a_team_gets_their_own_accounts_plan() -> None:
    # GIVEN a solo user nobody has upgraded
    solo = Identity(user_id="sol", team_id=None, role=Role.OWNER)
    # WHEN they ask THEN they are on the free plan
    me = Profile(FakeIntegrations()).me(solo)
    assert (me.team_id, me.plan) == (None, Plan.FREE)
