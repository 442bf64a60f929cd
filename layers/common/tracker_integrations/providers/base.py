"""What every provider declares (a frozen spec) and the hooks it implements.

Specs are plain data, cheap to import; a provider's hook module (and whatever client code it needs)
is imported only when a request actually talks to that provider.
"""

from __future__ import annotations

from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict

from tracker_integrations.config import OAuthApp, Settings
from tracker_integrations.models.connection import ProviderKey, TokenSet

EndpointSetting = Literal[
    "endpoint_google_accounts",
    "endpoint_google_oauth2",
    "endpoint_google_openid",
    "endpoint_airtable_web",
    "endpoint_airtable_api",
    "endpoint_mailchimp_login",
]


class Endpoint(BaseModel):
    """A provider URL as a configurable host plus the provider's fixed path."""

    model_config = ConfigDict(frozen=True)

    host: EndpointSetting
    path: str

    def url(self, settings: Settings) -> str:
        return str(getattr(settings, self.host)).rstrip("/") + self.path


class OAuthSpec(BaseModel):
    model_config = ConfigDict(frozen=True)

    app: OAuthApp  # the OAuth client; Google's products share one
    authorize: Endpoint
    token: Endpoint
    scopes: tuple[str, ...]
    # Scopes the integration cannot work without; Google lets users untick scopes on its consent page.
    required_scopes: tuple[str, ...] = ()
    pkce: bool
    client_auth: Literal["body", "basic"]
    extra_authorize_params: tuple[tuple[str, str], ...] = ()
    issuer: str | None = None  # RFC 9207 `iss` the provider adds to the redirect, when it does
    scope_separator: str = " "


class ProviderSpec(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: ProviderKey
    name: str
    description: str
    oauth: OAuthSpec
    hooks_module: str
    # Where a user removes the app's access by hand when the provider has no revocation endpoint.
    manage_access_hint: str


class AccountInfo(BaseModel):
    model_config = ConfigDict(frozen=True)

    label: str  # what the card shows: usually the account's e-mail
    external_id: str
    metadata: dict[str, str] = {}


class RevocationOutcome(BaseModel):
    model_config = ConfigDict(frozen=True)

    revoked_at_provider: bool
    message: str


class ProviderHooks(Protocol):
    """What each provider module implements (module-level functions)."""

    def fetch_account(self, spec: ProviderSpec, settings: Settings, tokens: TokenSet) -> AccountInfo: ...

    def revoke(self, spec: ProviderSpec, settings: Settings, tokens: TokenSet) -> RevocationOutcome: ...
