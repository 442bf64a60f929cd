"""Accounts and the plan tiers that decide how many integrations and how much sync a user gets."""

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class Plan(StrEnum):
    FREE = "free"
    PRO = "pro"
    AGENCY = "agency"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class PlanLimits(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    max_integrations: int | None  # None: unlimited
    records_per_month: int | None
    automatic_sync: bool
    sync_interval_minutes: int | None  # None: manual only (free) ; agency adds real time


PLAN_LIMITS: dict[Plan, PlanLimits] = {
    Plan.FREE: PlanLimits(max_integrations=1, records_per_month=100, automatic_sync=False, sync_interval_minutes=None),
    Plan.PRO: PlanLimits(max_integrations=3, records_per_month=1000, automatic_sync=True, sync_interval_minutes=15),
    Plan.AGENCY: PlanLimits(
        max_integrations=None, records_per_month=None, automatic_sync=True, sync_interval_minutes=5
    ),
}


class Account(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    user_id: str  # the account id: a team's (`team:<id>`) or a user's own
    plan: Plan = Plan.FREE
    # When billing's plan change took effect: an older or equal event changes nothing.
    plan_effective_at: datetime | None = None

    @property
    def limits(self) -> PlanLimits:
        return PLAN_LIMITS[self.plan]


def plan_allowing_more_integrations(current: Plan) -> Plan | None:
    """The cheapest plan with room for more integrations than `current`."""
    current_max = PLAN_LIMITS[current].max_integrations
    for plan in Plan:
        limit = PLAN_LIMITS[plan].max_integrations
        if current_max is not None and (limit is None or limit > current_max):
            return plan
    return None
