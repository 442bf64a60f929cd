"""Usage analytics: counters kept by atomic updates as syncs finish, and the operator's report from them."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import pytest

from tests.support.analytics import analytics_in_moto
from tests.support.fakes import connection
from tests.support.rate_limits import DynamoCallCounter
from tracker_integrations.errors import NotFound
from tracker_integrations.models.sync_log import SyncLog, SyncOutcome
from tracker_integrations.models.team import Identity
from tracker_integrations.services.accounts.analytics import ALL_PROVIDERS, Analytics
from tracker_integrations.store.analytics import AnalyticsStore

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient

DAY1 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
OPERATOR = Identity(user_id="ops", operator=True)


class Clock:
    def __init__(self, at: datetime) -> None:
        self.at = at

    def __call__(self) -> datetime:
        return self.at


@pytest.fixture
def moto_store() -> Iterator[tuple[AnalyticsStore, DynamoDBClient]]:
    yield from analytics_in_moto()


def _run(account: str, provider: str = "google-sheets", outcome: SyncOutcome = "success", records: int = 5) -> SyncLog:
    return SyncLog(
        user_id=account,
        provider=provider,  # type: ignore[arg-type]  # the providers used below are registered keys
        run_id="run_1",
        started_at=DAY1,
        direction="both",
        outcome=outcome,
        records_synced=records,
    )


def test_accounts_synced_in_the_last_7_days_count_each_account_once(
    moto_store: tuple[AnalyticsStore, DynamoDBClient],
) -> None:
    # GIVEN two accounts syncing Sheets on day 1, one of them again (twice) on day 3, and one failed run
    store, _ = moto_store
    clock = Clock(DAY1)
    analytics = Analytics(store, now=clock)
    analytics.sync_finished(_run("acc-a"))
    analytics.sync_finished(_run("acc-b"))
    clock.at = DAY1 + timedelta(days=2)
    analytics.sync_finished(_run("acc-a"))
    analytics.sync_finished(_run("acc-a", outcome="failed", records=0))

    # WHEN the operator reads the report on day 3
    sheets = next(p for p in analytics.report(OPERATOR).providers if p.provider == "google-sheets")

    # THEN two accounts synced, four runs of which one failed, twenty records
    assert (sheets.accounts_synced_7d, sheets.sync_runs_7d, sheets.failed_runs_7d) == (2, 4, 1)
    assert sheets.error_rate_7d == 0.25
    assert sheets.records_synced_30d == 15


def test_a_run_older_than_7_days_counts_for_30_days_only(moto_store: tuple[AnalyticsStore, DynamoDBClient]) -> None:
    store, _ = moto_store
    clock = Clock(DAY1)
    analytics = Analytics(store, now=clock)
    analytics.sync_finished(_run("acc-a", provider="gmail"))
    clock.at = DAY1 + timedelta(days=10)

    gmail = next(p for p in analytics.report(OPERATOR).providers if p.provider == "gmail")

    assert (gmail.accounts_synced_7d, gmail.sync_runs_7d, gmail.sync_runs_30d) == (0, 0, 1)


def test_providers_are_ranked_by_accounts_connected(moto_store: tuple[AnalyticsStore, DynamoDBClient]) -> None:
    store, _ = moto_store
    analytics = Analytics(store, now=Clock(DAY1))
    for account in ("a", "b"):
        analytics.connected(connection("gmail", user_id=account, version=1))
    analytics.connected(connection("google-sheets", user_id="a", version=1))
    analytics.connected(connection("google-sheets", user_id="a", version=4))  # a reconnect: not another account
    analytics.disconnected(connection("airtable", user_id="c"))
    analytics.connected(connection("airtable", user_id="c", version=1))

    ranked = [(p.provider, p.accounts_connected) for p in analytics.report(OPERATOR).providers]

    assert ranked[:3] == [("gmail", 2), ("google-sheets", 1), ("airtable", 0)]


def test_the_report_reads_one_query_however_many_accounts(moto_store: tuple[AnalyticsStore, DynamoDBClient]) -> None:
    store, client = moto_store
    analytics = Analytics(store, now=Clock(DAY1))
    for account in range(200):
        analytics.sync_finished(_run(f"acc-{account}"))
    counter = DynamoCallCounter(client)

    analytics.report(OPERATOR)

    assert counter.calls == ["Query"]


def test_anyone_but_an_operator_is_told_there_is_no_such_route(
    moto_store: tuple[AnalyticsStore, DynamoDBClient],
) -> None:
    store, _ = moto_store
    with pytest.raises(NotFound):
        Analytics(store).report(Identity(user_id="owner-of-everything"))


def test_each_run_goes_to_cloudwatch_per_provider_and_in_the_total_the_alarm_reads(
    moto_store: tuple[AnalyticsStore, DynamoDBClient],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # GIVEN metrics on (the local stack turns them off for the session) and a failed Gmail run WHEN it finishes
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    store, _ = moto_store
    Analytics(store, now=Clock(DAY1)).sync_finished(_run("acc-a", provider="gmail", outcome="failed"))

    # THEN two metric documents (EMF): one for Gmail, one for all providers, each with the dimensions
    # the dashboard's and the alarm's queries name (provider, service)
    documents = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line.startswith('{"_aws"')]
    assert [d["provider"] for d in documents] == ["gmail", ALL_PROVIDERS]
    for document in documents:
        (directive,) = document["_aws"]["CloudWatchMetrics"]
        assert directive["Dimensions"] == [["provider", "service"]]
        assert [m["Name"] for m in directive["Metrics"]] == ["SyncRuns", "SyncFailures", "SyncDuration"]
        assert document["SyncFailures"] == [1.0]
