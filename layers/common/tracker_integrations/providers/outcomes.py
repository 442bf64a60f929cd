"""What a provider's hooks answer when a user connects (the account) or disconnects (the revocation).

Apart from the specs in `providers.base`, which every function reads: only connecting and disconnecting
build these.
"""

from pydantic import BaseModel, ConfigDict


class AccountInfo(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    label: str  # what the card shows: usually the account's e-mail
    external_id: str
    metadata: dict[str, str] = {}


class RevocationOutcome(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    revoked_at_provider: bool
    message: str
