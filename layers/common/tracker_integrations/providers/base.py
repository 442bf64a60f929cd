"""What every provider declares (a frozen spec) and the hooks it implements.

Specs are plain data, cheap to import; a provider's hook module (and whatever client code it needs)
is imported only when a request actually talks to that provider.
"""

import importlib
from datetime import timedelta
from functools import cache
from typing import Literal, Protocol

from pydantic import BaseModel, ConfigDict

from tracker_integrations.config import OAuthApp, Settings
from tracker_integrations.models.connection import Connection, ProviderKey, TokenSet
from tracker_integrations.models.settings import ConnectionSettings

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

    model_config = ConfigDict(frozen=True, defer_build=True)

    host: EndpointSetting
    path: str

    def url(self, settings: Settings) -> str:
        return str(getattr(settings, self.host)).rstrip("/") + self.path


class OAuthSpec(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    app: OAuthApp  # the OAuth client; Google's products share one
    authorize: Endpoint
    token: Endpoint
    scopes: tuple[str, ...]
    # Scopes the integration cannot work without; Google lets users untick scopes on its consent page.
    required_scopes: tuple[str, ...] = ()
    # What each required scope lets Tracker do, for the message when a user unticks it at the provider.
    scope_purposes: tuple[tuple[str, str], ...] = ()
    pkce: bool
    client_auth: Literal["body", "basic"]
    extra_authorize_params: tuple[tuple[str, str], ...] = ()
    issuer: str | None = None  # RFC 9207 `iss` the provider adds to the redirect, when it does
    scope_separator: str = " "

    def purpose_of(self, scope: str) -> str:
        return dict(self.scope_purposes).get(scope, scope)


# Which way records flow: Tracker's campaigns and pitches out to the provider, the provider's side back in.
RecordFlow = Literal["to_provider", "from_provider"]


class SyncPolicy(BaseModel):
    """What an integration's sync does and how the platform schedules it."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    directions: frozenset[RecordFlow] = frozenset()
    # Its sync runs in this version; the others connect but have nothing to run yet.
    available: bool = False
    # With nothing left to choose after consent, the first sync is queued at once (replies tracked from minute one).
    ready_on_connect: bool = False
    # It can bring the provider's existing rows into Tracker (`POST .../import`).
    imports: bool = False
    # Its provider pushes changes to Tracker, so while that push is live a connection may go this long
    # without a full sync; None: due at every tick of its cadence (nothing reports the provider's changes).
    reconcile_every: timedelta | None = None
    # Its push registrations lapse unless renewed by the daily keep-alive (Gmail watches; Drive channels are
    # renewed by the syncs themselves).
    renews_push: bool = False

    @property
    def tracker_driven(self) -> bool:
        """A change in Tracker is news to it: its sync carries campaigns and pitches out."""
        return "to_provider" in self.directions

    @property
    def push_watched(self) -> bool:
        return self.reconcile_every is not None


class ProviderSpec(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    key: ProviderKey
    name: str
    description: str
    oauth: OAuthSpec
    hooks_module: str
    # Where a user removes the app's access by hand when the provider has no revocation endpoint.
    manage_access_hint: str
    sync: SyncPolicy = SyncPolicy()
    # Its typed settings model (a ConnectionSettings subclass) by dotted path, like the modules below:
    # imported at its first use, so a function that never reads this provider's settings never loads it.
    settings_model: str = "tracker_integrations.models.settings.ConnectionSettings"
    # What the user must still choose while its settings are not configured (`is_configured`).
    setup_hint: str = ""
    # The module whose `build(root)` returns the integration's hooks into the generic services (sync, push,
    # disconnect, settings); imported only when a request needs them. None: the defaults (nothing to do).
    integration_module: str | None = None

    def settings_of(self, connection: Connection) -> ConnectionSettings:
        """The connection's stored settings as this provider's typed model."""
        return settings_class(self.settings_model).model_validate(connection.settings)


@cache
def settings_class(path: str) -> type[ConnectionSettings]:
    """The settings model a spec names (checked: a spec naming anything else fails at its first use)."""
    module, _, name = path.rpartition(".")
    found: object = getattr(importlib.import_module(module), name)
    if not (isinstance(found, type) and issubclass(found, ConnectionSettings)):
        raise TypeError(f"{path} is not a ConnectionSettings model")
    return found


class AccountInfo(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    label: str  # what the card shows: usually the account's e-mail
    external_id: str
    metadata: dict[str, str] = {}


class RevocationOutcome(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    revoked_at_provider: bool
    message: str


class ProviderHooks(Protocol):
    """What each provider module implements (module-level functions)."""

    def fetch_account(self, spec: ProviderSpec, settings: Settings, tokens: TokenSet) -> AccountInfo: ...

    def revoke(self, spec: ProviderSpec, settings: Settings, tokens: TokenSet) -> RevocationOutcome: ...
