"""OAuth flow state: what connect stores and the callback consumes exactly once."""

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from tracker_integrations.models.connection import EncryptedBlob, ProviderKey


class OAuthState(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    state: str
    # Names the flow in the verifier's encryption context (not secret, unlike `state`).
    flow_id: str
    user_id: str  # the account the connection will belong to (a team's, or the user's own)
    started_by: str | None = None  # the member who pressed Connect (None: states made before teams)
    provider: ProviderKey
    redirect_uri: str
    # SHA-256 (hex) of the random value in the HttpOnly cookie of the browser that started the flow;
    # the callback must come from that browser (RFC 6749 §10.12). The value itself is never stored.
    browser_binding_hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    # PKCE verifier sealed under a KMS data key like the tokens; None for providers without PKCE (Mailchimp).
    code_verifier: EncryptedBlob | None
    created_at: datetime
    expires_at: datetime
