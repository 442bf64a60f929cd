"""What "Sync now" and the deletion approvals take and answer (kept apart from the service, so a handler
parsing a request does not load the sync engine and the stores)."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict


class QueuedSync(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    status: str = "queued"
    job_id: str
    message: str


class PendingDeletionView(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    record_id: str
    values: dict[str, str]
    detected_at: datetime


class PendingDeletionList(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    pending_deletions: list[PendingDeletionView]


class DeletionDecision(BaseModel):
    """'approve' deletes the pitch in Tracker; 'reject' puts the row back in the sheet."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    decision: Literal["approve", "reject"]
