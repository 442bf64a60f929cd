"""What every provider declares (a frozen spec) and the hooks it implements.

Specs are plain data, cheap to import; a provider's hook module (and whatever client code it needs)
is imported only when a request actually talks to that provider.
"""

import importlib
from datetime import timedelta
from functools import cache
from typing import TYPE_CHECKING, Final, Literal, Protocol

from tracker_integrations.config import OAuthApp, Settings
from tracker_integrations.models.connection import Connection, ProviderKey, TokenSet
from tracker_integrations.models.settings import ConnectionSettings
from tracker_integrations.records import FrozenRecord

if TYPE_CHECKING:
    # What the hooks answer, in a module of their own: a sync job never connects or disconnects.
    from tracker_integrations.providers.outcomes import AccountInfo, RevocationOutcome

EndpointSetting = Literal[
    "endpoint_google_accounts",
    "endpoint_google_oauth2",
    "endpoint_google_openid",
    "endpoint_airtable_web",
    "endpoint_airtable_api",
    "endpoint_mailchimp_login",
]


class Endpoint(FrozenRecord):
    """A provider URL as a configurable host plus the provider's fixed path."""

    __slots__ = ("host", "path")

    def __init__(self, host: EndpointSetting, path: str) -> None:
        self.host: Final = host
        self.path: Final = path

    def url(self, settings: Settings) -> str:
        return str(getattr(settings, self.host)).rstrip("/") + self.path


class OAuthSpec(FrozenRecord):
    __slots__ = (
        "app",
        "authorize",
        "client_auth",
        "extra_authorize_params",
        "issuer",
        "pkce",
        "required_scopes",
        "scope_purposes",
        "scope_separator",
        "scopes",
        "token",
    )

    def __init__(  # noqa: PLR0913 - one argument a field, by name
        self,
        *,
        app: OAuthApp,
        authorize: Endpoint,
        token: Endpoint,
        scopes: tuple[str, ...],
        pkce: bool,
        client_auth: Literal["body", "basic"],
        required_scopes: tuple[str, ...] = (),
        scope_purposes: tuple[tuple[str, str], ...] = (),
        extra_authorize_params: tuple[tuple[str, str], ...] = (),
        issuer: str | None = None,
        scope_separator: str = " ",
    ) -> None:
        self.app: Final = app  # the OAuth client; Google's products share one
        self.authorize: Final = authorize
        self.token: Final = token
        self.scopes: Final = scopes
        # Scopes the integration cannot work without; Google lets users untick scopes on its consent page.
        self.required_scopes: Final = required_scopes
        # What each required scope lets Tracker do, for the message when a user unticks it at the provider.
        self.scope_purposes: Final = scope_purposes
        self.pkce: Final = pkce
        self.client_auth: Final = client_auth
        self.extra_authorize_params: Final = extra_authorize_params
        self.issuer: Final = issuer  # RFC 9207 `iss` the provider adds to the redirect, when it does
        self.scope_separator: Final = scope_separator

    def purpose_of(self, scope: str) -> str:
        return dict(self.scope_purposes).get(scope, scope)


# Which way records flow: Tracker's campaigns and pitches out to the provider, the provider's side back in.
RecordFlow = Literal["to_provider", "from_provider"]


class SyncPolicy(FrozenRecord):
    """What an integration's sync does and how the platform schedules it."""

    __slots__ = ("available", "directions", "imports", "ready_on_connect", "reconcile_every", "renews_push")

    def __init__(  # noqa: PLR0913 - one argument a field, by name
        self,
        *,
        directions: frozenset[RecordFlow] = frozenset(),
        available: bool = False,
        ready_on_connect: bool = False,
        imports: bool = False,
        reconcile_every: timedelta | None = None,
        renews_push: bool = False,
    ) -> None:
        self.directions: Final = directions
        # Its sync runs in this version; the others connect but have nothing to run yet.
        self.available: Final = available
        # With nothing left to choose after consent, the first sync is queued at once (replies tracked from
        # minute one).
        self.ready_on_connect: Final = ready_on_connect
        # It can bring the provider's existing rows into Tracker (`POST .../import`).
        self.imports: Final = imports
        # Its provider pushes changes to Tracker, so while that push is live a connection may go this long
        # without a full sync; None: due at every tick of its cadence (nothing reports the provider's changes).
        self.reconcile_every: Final = reconcile_every
        # Its push registrations lapse unless renewed by the daily keep-alive (Gmail watches; Drive channels
        # are renewed by the syncs themselves).
        self.renews_push: Final = renews_push

    @property
    def tracker_driven(self) -> bool:
        """A change in Tracker is news to it: its sync carries campaigns and pitches out."""
        return "to_provider" in self.directions

    @property
    def push_watched(self) -> bool:
        return self.reconcile_every is not None


_NO_SYNC = SyncPolicy()


class ProviderSpec(FrozenRecord):
    """One integration the product offers, as data (the registry's rows). Plain records, like the specs
    in it: every one is written in code, so validating them (and building the validators) at each cold
    start checked nothing the type checker had not."""

    __slots__ = (
        "description",
        "hooks_module",
        "integration_module",
        "key",
        "manage_access_hint",
        "name",
        "oauth",
        "settings_model",
        "setup_hint",
        "sync",
    )

    def __init__(  # noqa: PLR0913 - one argument a field, by name
        self,
        *,
        key: ProviderKey,
        name: str,
        description: str,
        oauth: OAuthSpec,
        hooks_module: str,
        manage_access_hint: str,
        sync: SyncPolicy = _NO_SYNC,
        settings_model: str = "tracker_integrations.models.settings.ConnectionSettings",
        setup_hint: str = "",
        integration_module: str | None = None,
    ) -> None:
        self.key: Final = key
        self.name: Final = name
        self.description: Final = description
        self.oauth: Final = oauth
        self.hooks_module: Final = hooks_module
        # Where a user removes the app's access by hand when the provider has no revocation endpoint.
        self.manage_access_hint: Final = manage_access_hint
        self.sync: Final = sync
        # Its typed settings model (a ConnectionSettings subclass) by dotted path, like the modules below:
        # imported at its first use, so a function that never reads this provider's settings never loads it.
        self.settings_model: Final = settings_model
        # What the user must still choose while its settings are not configured (`is_configured`).
        self.setup_hint: Final = setup_hint
        # The module whose `build(root)` returns the integration's hooks into the generic services (sync,
        # push, disconnect, settings); imported only when a request needs them. None: the defaults (nothing
        # to do).
        self.integration_module: Final = integration_module

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


class ProviderHooks(Protocol):
    """What each provider module implements (module-level functions)."""

    def fetch_account(self, spec: ProviderSpec, settings: Settings, tokens: TokenSet) -> "AccountInfo": ...

    def revoke(self, spec: ProviderSpec, settings: Settings, tokens: TokenSet) -> "RevocationOutcome": ...
