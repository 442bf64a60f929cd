"""OAuth flow state: what connect stores and the callback consumes exactly once."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

from tracker_integrations.models.connection import ProviderKey


class OAuthState(BaseModel):
    model_config = ConfigDict(frozen=True)

    state: str
    user_id: str
    provider: ProviderKey
    redirect_uri: str
    code_verifier: str | None  # PKCE; None for providers that do not accept it (Mailchimp)
    created_at: datetime
    expires_at: datetime
