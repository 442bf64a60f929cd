"""Monthly record quotas: room until the plan's limit, then words that say when syncing resumes."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.support.fakes import FakeIntegrations
from tracker_integrations.models.account import Plan
from tracker_integrations.services.quotas import Quotas, next_month_start
from tracker_integrations.store.usage import UsageStore

NOW = datetime(2026, 12, 14, 9, 0, tzinfo=UTC)


class FakeUsage(UsageStore):
    def __init__(self) -> None:
        self.used: dict[tuple[str, str], int] = {}

    def records(self, user_id: str, month: str) -> int:
        return self.used.get((user_id, month), 0)

    def add_records(self, user_id: str, month: str, count: int) -> int:
        self.used[(user_id, month)] = self.records(user_id, month) + count
        return self.used[(user_id, month)]


def _quotas(plan: Plan) -> tuple[Quotas, FakeUsage]:
    integrations, usage = FakeIntegrations(), FakeUsage()
    integrations.plans["usr_1"] = plan
    return Quotas(integrations, usage), usage


def test_a_free_plan_has_room_until_its_hundredth_record() -> None:
    # GIVEN a free user who synced 99 records this month
    quotas, _ = _quotas(Plan.FREE)
    quotas.count("usr_1", NOW, 99)
    # WHEN the next run asks THEN there is room; after one more record there is none
    assert quotas.exhausted("usr_1", NOW) is None
    quotas.count("usr_1", NOW, 1)
    exhausted = quotas.exhausted("usr_1", NOW)
    assert exhausted is not None
    assert exhausted.code == "quota_reached"
    assert "01 January 2027" in exhausted.message
    assert "Upgrade to Pro" in exhausted.action


def test_the_agency_plan_is_never_exhausted() -> None:
    # GIVEN an agency user with a huge month WHEN a run asks THEN there is always room
    quotas, _ = _quotas(Plan.AGENCY)
    quotas.count("usr_1", NOW, 10_000_000)
    assert quotas.exhausted("usr_1", NOW) is None


def test_a_run_that_synced_nothing_counts_nothing() -> None:
    # GIVEN a run with no records WHEN it is counted THEN the month's usage is untouched
    quotas, usage = _quotas(Plan.PRO)
    assert quotas.count("usr_1", NOW, 0) == 0
    assert usage.used == {}


def test_december_rolls_over_into_the_next_year() -> None:
    # GIVEN mid-December WHEN the next month's start is asked THEN it is 1 January of the next year
    assert next_month_start(NOW).isoformat() == "2027-01-01"
