"""Connection settings every integration shares; provider-specific settings extend them."""

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

SyncFrequency = Literal["manual", "every_15_minutes", "real_time"]


class ConnectionSettings(BaseModel):
    """A connection's stored settings, read through its provider's model (`ProviderSpec.settings_model`).

    Extra keys are kept: a provider's own settings ride along when a generic service reads the shared ones."""

    model_config = ConfigDict(extra="allow", frozen=True, defer_build=True)

    sync_frequency: SyncFrequency | None = None
    paused: bool = False

    def is_configured(self) -> bool:
        """Everything a sync needs is chosen. The default: nothing to choose beyond connecting."""
        return True


class SettingsUpdate(BaseModel):
    """`PUT /api/integrations/{provider}/settings`: only the fields given change.

    `version` is the settings' version the client read (`GET /api/integrations/{provider}`); a change
    made since gets 409 with the current settings instead of being overwritten."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    version: int = Field(ge=1, le=2**53)
    sync_frequency: SyncFrequency | None = None
    paused: bool | None = None
