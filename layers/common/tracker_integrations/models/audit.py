"""Audit entries: who connected or disconnected what, and what the provider said."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from tracker_integrations.models.connection import ProviderKey

AuditAction = Literal["connected", "reconnected", "disconnected", "connect_failed", "token_refresh_failed"]


class AuditEntry(BaseModel):
    model_config = ConfigDict(frozen=True)

    user_id: str
    entry_id: str
    at: datetime
    action: AuditAction
    provider: ProviderKey
    detail: dict[str, str | bool | None] = Field(default_factory=dict)
