"""Audit entries: who did what to an account's integrations, when, and what changed."""

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tracker_integrations.models.connection import ProviderKey

AuditAction = Literal[
    "connected",
    "reconnected",
    "disconnected",
    "connect_failed",
    "token_refresh_failed",
    "settings_changed",
    "sync_requested",
    "deletion_approved",
    "deletion_rejected",
    "category_corrected",
    "plan_changed",
]


class AuditEntry(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    user_id: str  # the account the entry belongs to (a team's, or the user's own)
    entry_id: str  # time-ordered: the log reads newest first straight from the key
    at: datetime
    # Who did it: a member's user id, "billing" for a plan change, None for the system (a token refresh).
    actor: str | None = None
    action: AuditAction
    provider: ProviderKey | None = None  # None: not about one integration (a plan change)
    detail: dict[str, str | bool | None] = Field(default_factory=dict)


class AuditPage(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    entries: list[AuditEntry]
    next_cursor: str | None
