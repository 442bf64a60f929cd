"""Usage analytics for Tracker's operators: per provider, how many accounts use it and how its syncs fare."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from tracker_integrations.models.connection import ProviderKey


class ProviderUsage(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    provider: ProviderKey
    accounts_connected: int
    accounts_synced_7d: int
    sync_runs_7d: int
    failed_runs_7d: int
    error_rate_7d: float  # failed / runs; 0 without runs
    sync_runs_30d: int
    failed_runs_30d: int
    error_rate_30d: float
    records_synced_7d: int
    records_synced_30d: int


class UsageReport(BaseModel):
    """`GET /api/analytics/integrations`: providers ranked by use (accounts connected, then runs)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    generated_at: datetime
    providers: list[ProviderUsage]
