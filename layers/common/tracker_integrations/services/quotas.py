"""Plan quotas on records synced per calendar month: checked before a run, counted after it."""

from __future__ import annotations

from datetime import date, datetime

from tracker_integrations.models.account import PLAN_LIMITS, Plan
from tracker_integrations.models.connection import LastError
from tracker_integrations.store.integrations import IntegrationsStore
from tracker_integrations.store.usage import UsageStore


def month_of(moment: datetime) -> str:
    return moment.strftime("%Y-%m")


def next_month_start(moment: datetime) -> date:
    return date(moment.year + (moment.month == 12), moment.month % 12 + 1, 1)


class Quotas:
    def __init__(self, integrations: IntegrationsStore, usage: UsageStore) -> None:
        self._integrations = integrations
        self._usage = usage

    def exhausted(self, user_id: str, now: datetime) -> LastError | None:
        """What to tell the user when this month's records are used up; None while there is room."""
        plan = self._integrations.get_account(user_id).plan
        limit = PLAN_LIMITS[plan].records_per_month
        if limit is None:
            return None
        used = self._usage.records(user_id, month_of(now))
        if used < limit:
            return None
        resumes = next_month_start(now)
        plans = list(Plan)
        upgrade = plans[plans.index(plan) + 1] if plan != plans[-1] else None
        more = ""
        if upgrade is not None:
            upgrade_limit = PLAN_LIMITS[upgrade].records_per_month
            amount = "unlimited records" if upgrade_limit is None else f"{upgrade_limit:,} records a month"
            more = f"Upgrade to {upgrade.label} for {amount}, or wait: "
        return LastError(
            code="quota_reached",
            message=f"Your {plan.label} plan's {limit:,} synced records for this month are used, so syncing is "
            f"paused until {resumes:%d %B %Y}.",
            action=f"{more}syncing resumes by itself on {resumes:%d %B}.",
            at=now,
        )

    def count(self, user_id: str, now: datetime, records: int) -> int:
        return self._usage.add_records(user_id, month_of(now), records) if records > 0 else 0
