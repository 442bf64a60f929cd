"""Plan tiers: how many integrations each allows and which plan to suggest past the limit."""

from __future__ import annotations

from tracker_integrations.models.account import PLAN_LIMITS, Plan, plan_allowing_more_integrations


def test_plan_limits_follow_the_product_plan() -> None:
    assert PLAN_LIMITS[Plan.FREE].max_integrations == 1
    assert PLAN_LIMITS[Plan.PRO].max_integrations == 3
    assert PLAN_LIMITS[Plan.AGENCY].max_integrations is None
    assert PLAN_LIMITS[Plan.FREE].automatic_sync is False


def test_the_next_plan_up_is_suggested() -> None:
    assert plan_allowing_more_integrations(Plan.FREE) == Plan.PRO
    assert plan_allowing_more_integrations(Plan.PRO) == Plan.AGENCY
    assert plan_allowing_more_integrations(Plan.AGENCY) is None
