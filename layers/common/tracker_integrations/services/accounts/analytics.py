"""Usage analytics: counters kept current as connections come and go and syncs finish, and the
operator's report read from them (never by scanning connections or logs).

Each finished sync also goes to CloudWatch with a `provider` dimension (runs, failures, duration),
which the dashboard and the error-rate alarm in template.yaml read.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from aws_lambda_powertools.metrics import EphemeralMetrics, MetricUnit

from tracker_integrations.errors import NotFound
from tracker_integrations.models.common import utcnow
from tracker_integrations.models.connection import PROVIDER_KEYS, Connection, ProviderKey
from tracker_integrations.models.sync_log import SyncLog
from tracker_integrations.observability import logger, metrics
from tracker_integrations.store.analytics import AnalyticsStore, DayCounts

if TYPE_CHECKING:
    # The operator's report only: a sync, which counts its run here, never builds these models.
    from tracker_integrations.models.analytics import ProviderUsage, UsageReport
    from tracker_integrations.models.team import Identity


def _rate(failed: int, runs: int) -> float:
    return round(failed / runs, 4) if runs else 0.0


class Analytics:
    def __init__(self, store: AnalyticsStore, *, now: Callable[[], datetime] = utcnow) -> None:
        self._store = store
        self._now = now

    # -- counting, as things happen ---------------------------------------------------------------

    def connected(self, connection: Connection) -> None:
        if connection.version == 1:  # a first connect; a reconnect keeps the record (and the count)
            self._store.add_connected(connection.provider, 1)

    def disconnected(self, connection: Connection) -> None:
        self._store.add_connected(connection.provider, -1)

    def sync_finished(self, log: SyncLog) -> None:
        failed = log.outcome == "failed"
        _emit_run(log.provider, failed=failed, duration_ms=log.duration_ms)
        try:
            self._store.add_run(
                log.provider, log.user_id, self._now().date(), failed=failed, records=log.records_synced
            )
        except Exception:  # a counter must never fail the sync it counts
            logger.exception("usage counters not updated")

    # -- the operator's report --------------------------------------------------------------------

    def report(self, identity: Identity) -> UsageReport:
        from tracker_integrations.models.analytics import UsageReport

        if not identity.operator:
            raise NotFound("no such route")  # the route does not exist for anyone else
        counters = self._store.read()
        today = self._now().date()
        week = [d for d in counters.days if today - d.day < timedelta(days=7)]
        month = [d for d in counters.days if today - d.day < timedelta(days=30)]
        providers = [_usage(provider, counters.connected.get(provider, 0), week, month) for provider in PROVIDER_KEYS]
        providers.sort(key=lambda p: (-p.accounts_connected, -p.sync_runs_30d, PROVIDER_KEYS.index(p.provider)))
        return UsageReport(generated_at=self._now(), providers=providers)


def _usage(provider: ProviderKey, connected: int, week: list[DayCounts], month: list[DayCounts]) -> ProviderUsage:
    from tracker_integrations.models.analytics import ProviderUsage

    week_days = [d for d in week if d.provider == provider]
    month_days = [d for d in month if d.provider == provider]
    runs_7d, failed_7d = sum(d.runs for d in week_days), sum(d.failed for d in week_days)
    runs_30d, failed_30d = sum(d.runs for d in month_days), sum(d.failed for d in month_days)
    return ProviderUsage(
        provider=provider,
        accounts_connected=max(connected, 0),
        accounts_synced_7d=max(sum(d.accounts_synced for d in week_days), 0),
        sync_runs_7d=runs_7d,
        failed_runs_7d=failed_7d,
        error_rate_7d=_rate(failed_7d, runs_7d),
        sync_runs_30d=runs_30d,
        failed_runs_30d=failed_30d,
        error_rate_30d=_rate(failed_30d, runs_30d),
        records_synced_7d=sum(d.records for d in week_days),
        records_synced_30d=sum(d.records for d in month_days),
    )


ALL_PROVIDERS = "all"  # the dimension value of the totals the error-rate alarm reads


def _emit_run(provider: str, *, failed: bool, duration_ms: int) -> None:
    # Its own metrics object per dimension value: a worker's batch mixes providers, and the shared
    # Metrics object holds one dimension set per flush. The total goes out as provider=all, so the
    # alarm reads one metric however many integrations there are (an alarm's math takes at most 10).
    for value in (provider, ALL_PROVIDERS):
        # Dimensions: provider and service (always both, as the dashboard's and alarm's queries name them).
        run = EphemeralMetrics(namespace=metrics.namespace, service=metrics.service)
        run.add_dimension(name="provider", value=value)
        run.add_metric(name="SyncRuns", unit=MetricUnit.Count, value=1)
        run.add_metric(name="SyncFailures", unit=MetricUnit.Count, value=int(failed))
        run.add_metric(name="SyncDuration", unit=MetricUnit.Milliseconds, value=duration_ms)
        run.flush_metrics()
