"""Which plan brings a paused connection back: the cheapest with room for it."""

from __future__ import annotations

import pytest

from tracker_integrations.models.account import Plan
from tracker_integrations.services.accounts.billing import plan_for


@pytest.mark.parametrize(("count", "plan"), [(1, Plan.FREE), (2, Plan.PRO), (3, Plan.PRO), (4, Plan.AGENCY)])
def test_the_cheapest_plan_with_room_for_that_many_integrations(count: int, plan: Plan) -> None:
    assert plan_for(count) is plan
