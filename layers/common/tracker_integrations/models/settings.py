"""Connection settings every integration shares; provider-specific settings extend them."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

SyncFrequency = Literal["manual", "every_15_minutes", "real_time"]


class SettingsUpdate(BaseModel):
    """`PUT /api/integrations/{provider}/settings`: only the fields given change."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    sync_frequency: SyncFrequency | None = None
    paused: bool | None = None
