"""Sync runs as the logs route shows them."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tracker_integrations.models.connection import ProviderKey

SyncDirection = Literal["to_provider", "from_provider", "both"]
SyncOutcome = Literal["success", "partial", "failed"]


class SyncLogError(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    code: str
    message: str
    where: str | None = None  # e.g. a cell reference "Pitches!D7"


class ConflictDetail(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    record_id: str
    field: str
    winner: str
    losing_value: str
    where: str | None = None  # the provider's cell, when it matters (a formula there was kept)
    note: str | None = None


class SyncLog(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    user_id: str
    provider: ProviderKey
    run_id: str
    started_at: datetime
    finished_at: datetime | None = None
    direction: SyncDirection
    outcome: SyncOutcome
    records_read: int = 0
    records_created: int = 0
    records_updated: int = 0
    records_unchanged: int = 0
    conflicts: int = 0
    conflict_details: list[ConflictDetail] = Field(default_factory=list)
    errors: list[SyncLogError] = Field(default_factory=list)
    pending_deletions: int = 0
    records_synced: int = 0
    provider_calls: int = 0
    duration_ms: int = 0
