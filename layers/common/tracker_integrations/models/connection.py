"""Connections: one user's link to one provider, its encrypted credentials and its card."""

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

ProviderKey = Literal["google-sheets", "gmail", "airtable", "mailchimp", "google-drive"]
PROVIDER_KEYS: tuple[ProviderKey, ...] = ("google-sheets", "gmail", "airtable", "mailchimp", "google-drive")

# The longest a sync run may hold its connection: longer than the worker's timeout (120 s), so a run whose
# worker was killed stops counting as under way before its job is delivered again.
SYNC_RUN_LIMIT = timedelta(seconds=180)


class ConnectionStatus(StrEnum):
    NOT_CONNECTED = "not_connected"
    CONNECTED = "connected"
    SYNCING = "syncing"
    NEEDS_REAUTH = "needs_reauth"
    ERROR = "error"
    PAUSED = "paused"


class LastError(BaseModel):
    """A failure as the integration card shows it: what happened and what to do."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    code: str
    message: str
    action: str
    at: datetime


class EncryptedBlob(BaseModel):
    """AES-256-GCM ciphertext under a KMS data key; useless without KMS and the same context."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    key_ciphertext: str  # base64 of the KMS-encrypted data key
    nonce: str  # base64, 96 bits
    ciphertext: str  # base64, includes the GCM tag


class TokenSet(BaseModel):
    """OAuth tokens in plaintext: only ever in memory, never stored or logged as such."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    access_token: SecretStr
    refresh_token: SecretStr | None = None
    token_type: str = "Bearer"  # noqa: S105  # a scheme name, not a secret
    expires_at: datetime | None = None  # None: does not expire (Mailchimp)
    scopes: tuple[str, ...] = ()


class Connection(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    user_id: str
    provider: ProviderKey
    connection_id: str
    status: ConnectionStatus
    account_label: str = ""  # e.g. the Google account's e-mail, shown on the card
    external_account_id: str = ""
    granted_scopes: tuple[str, ...] = ()
    provider_metadata: dict[str, str] = Field(default_factory=dict)  # e.g. Mailchimp's data centre
    credentials: EncryptedBlob | None = None
    token_expires_at: datetime | None = None
    settings: dict[str, object] = Field(default_factory=dict)
    connected_at: datetime
    connected_by: str | None = None  # the member who connected it (None: connected before teams)
    paused_for_plan: str | None = None  # paused by a downgrade: the plan that brings it back
    updated_at: datetime
    last_sync_at: datetime | None = None
    records_synced: int = 0
    last_error: LastError | None = None
    # When the run under way started; None when none is. A mark older than SYNC_RUN_LIMIT is a dead worker's.
    sync_started_at: datetime | None = None
    version: int = 1  # of the whole record: every write (a sync's bookkeeping too) moves it
    settings_version: int = 1  # of `settings` alone: what a client read and must name to change them

    def syncing(self, now: datetime) -> bool:
        """A run is under way: started, not finished, and not past the longest a run may take."""
        return self.sync_started_at is not None and now - self.sync_started_at < SYNC_RUN_LIMIT


class IntegrationCard(BaseModel):
    """What `GET /api/integrations` returns per provider."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    provider: ProviderKey
    name: str
    description: str
    status: ConnectionStatus
    configured: bool  # the provider's OAuth client is set up in this deployment
    connected_account: str | None = None
    connected_at: datetime | None = None
    connected_by: str | None = None
    # Paused because the plan no longer covers it: which plan brings it back.
    paused_for_plan: str | None = None
    last_sync_at: datetime | None = None
    records_synced: int = 0
    last_error: LastError | None = None
    granted_scopes: tuple[str, ...] = ()
