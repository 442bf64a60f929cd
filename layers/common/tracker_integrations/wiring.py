"""The composition root: builds the services from settings, with each object's lifetime stated.

Two lifetimes, no others:
- per process: AWS clients, stores, the token cipher and each integration's hooks. They live on one
  `Root`, built on first use; Lambda reuses them across invocations. `reset()` replaces the whole
  root, so no cache can be forgotten (tests and the local stack change the environment).
- per call: services. They hold no state of their own, so building one is a few attribute sets.

Everything is built on first use: a handler module imports this file for free, and each function
pays only for the clients and services its routes touch (the campaigns API never loads httpx, KMS or
a provider module). Integrations plug in through the registry: a spec names the module whose
`build(root)` returns its hooks, so this file lists no providers; the few factories below named after
an integration serve that integration's own handlers.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, cast

from tracker_integrations.config import Settings, get_settings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_kms import KMSClient
    from mypy_boto3_sqs import SQSClient

    from tracker_integrations.crypto.envelope import TokenCipher
    from tracker_integrations.jobs import SyncJobQueue
    from tracker_integrations.models.connection import ProviderKey
    from tracker_integrations.providers.airtable.integration import AirtableIntegration
    from tracker_integrations.providers.airtable.setup import AirtableSetup
    from tracker_integrations.providers.airtable.webhooks import AirtableWebhooks
    from tracker_integrations.providers.google.gmail.integration import GmailIntegration
    from tracker_integrations.providers.google.gmail.push import GmailPushReceiver
    from tracker_integrations.providers.google.gmail.reply_categories import ReplyCategories
    from tracker_integrations.providers.google.gmail.store import GmailStore
    from tracker_integrations.providers.google.sheets.channels import ChannelStore
    from tracker_integrations.providers.google.sheets.drive_watch import DriveWatches
    from tracker_integrations.providers.google.sheets.integration import SheetsIntegration
    from tracker_integrations.providers.google.sheets.setup import SheetsSetup
    from tracker_integrations.providers.google.sheets.sync import SheetsSync
    from tracker_integrations.services.accounts.analytics import Analytics
    from tracker_integrations.services.accounts.audit import AuditLog
    from tracker_integrations.services.accounts.billing import PlanChanges
    from tracker_integrations.services.accounts.history import PitchHistory
    from tracker_integrations.services.accounts.me import Profile
    from tracker_integrations.services.campaigns import CampaignsService
    from tracker_integrations.services.connecting.lifecycle import ConnectionLifecycle
    from tracker_integrations.services.connecting.oauth import OAuthService
    from tracker_integrations.services.connecting.tokens import TokenService
    from tracker_integrations.services.integration_hooks import IntegrationHooks
    from tracker_integrations.services.integrations import IntegrationsService
    from tracker_integrations.services.notifications import Notifier
    from tracker_integrations.services.quotas import Quotas
    from tracker_integrations.services.rate_limits import RateLimits
    from tracker_integrations.services.scheduling.fanout import Fanout
    from tracker_integrations.services.scheduling.keep_alive import KeepAlive
    from tracker_integrations.services.scheduling.realtime import RealTime
    from tracker_integrations.services.settings_updates import SettingsUpdates
    from tracker_integrations.services.syncing.imports import Imports
    from tracker_integrations.services.syncing.sync_frame import RunServices
    from tracker_integrations.services.syncing.sync_requests import DeletionApprovals, SyncRequests
    from tracker_integrations.services.syncing.sync_runner import SyncRunner
    from tracker_integrations.store.activity import ActivityStore
    from tracker_integrations.store.changes import ChangeMarkers
    from tracker_integrations.store.integrations import IntegrationsStore
    from tracker_integrations.store.leases import LeaseStore
    from tracker_integrations.store.rate_limits import RateCounterStore
    from tracker_integrations.store.sync_state import SyncStateStore
    from tracker_integrations.store.tracker import TrackerStore


class Root:
    """Every per-process object of one configuration (cached properties), and the per-call builders."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._hooks: dict[ProviderKey, IntegrationHooks] = {}

    # -- per process: AWS clients -----------------------------------------------------------------

    @cached_property
    def _botocore_session(self) -> object:
        # botocore directly: boto3 adds its resource layer and s3transfer, which no function uses.
        import botocore
        import botocore.loaders
        import botocore.session

        from tracker_integrations import botocore_data

        session = botocore.session.get_session()
        path = botocore_data.data_path(botocore.__version__)
        if path is not None:  # the cut data of the services we call, and nothing else (see botocore_data)
            loader = botocore.loaders.Loader(extra_search_paths=[path], include_default_search_paths=False)
            session.register_component("data_loader", loader)
        return session

    def _client(self, service: str) -> object:
        import botocore.session

        from tracker_integrations import botocore_data

        if service not in botocore_data.SERVICES:
            # Its endpoints would not be in the cut data: add it there (and rebuild) first.
            raise ValueError(f"no client for {service!r}: add it to botocore_data.SERVICES")
        session = cast(botocore.session.Session, self._botocore_session)
        return session.create_client(service, region_name=self.settings.aws_region)

    @cached_property
    def dynamodb(self) -> DynamoDBClient:
        return cast("DynamoDBClient", self._client("dynamodb"))

    @cached_property
    def kms(self) -> KMSClient:
        return cast("KMSClient", self._client("kms"))

    @cached_property
    def sqs(self) -> SQSClient:
        return cast("SQSClient", self._client("sqs"))

    # -- per process: stores and the token cipher -------------------------------------------------

    @cached_property
    def integrations_store(self) -> IntegrationsStore:
        from tracker_integrations.services.scheduling.policy import schedule_entry
        from tracker_integrations.store.integrations import IntegrationsStore

        return IntegrationsStore(self.dynamodb, self.settings.integrations_table, schedule_entry)

    @cached_property
    def tracker_store(self) -> TrackerStore:
        from tracker_integrations.store.tracker import TrackerStore

        return TrackerStore(self.dynamodb, self.settings.tracker_table)

    @cached_property
    def token_cipher(self) -> TokenCipher:
        from tracker_integrations.crypto.envelope import TokenCipher

        settings = self.settings
        return TokenCipher(self.kms, settings.tokens_key_id, cache_seconds=settings.data_key_cache_seconds)

    def cipher_on_use(self) -> TokenCipher:
        # Services take the cipher as a callable: a request that never opens tokens (a callback with a
        # spent state, a keep-alive with nothing idle) creates no KMS client.
        return self.token_cipher

    def activity_on_use(self) -> ActivityStore:
        # The token service writes the audit log only when a provider refuses a refresh: a sync that finds
        # its token fresh does not load the activity store (its models).
        return self.activity_store

    @cached_property
    def lease_store(self) -> LeaseStore:
        from tracker_integrations.store.leases import LeaseStore

        return LeaseStore(self.dynamodb, self.settings.integrations_table)

    @cached_property
    def sync_state_store(self) -> SyncStateStore:
        from tracker_integrations.store.sync_state import SyncStateStore

        return SyncStateStore(self.dynamodb, self.settings.integrations_table)

    @cached_property
    def change_markers(self) -> ChangeMarkers:
        from tracker_integrations.store.changes import ChangeMarkers

        return ChangeMarkers(self.dynamodb, self.settings.integrations_table)

    @cached_property
    def rate_counter_store(self) -> RateCounterStore:
        from tracker_integrations.config import ConfigurationError
        from tracker_integrations.store.rate_limits import RateCounterStore

        table = self.settings.rate_limits_table
        if not table:
            raise ConfigurationError("RATE_LIMITS_TABLE is not set: the API's per-user rate limits need it")
        return RateCounterStore(self.dynamodb, table)

    @cached_property
    def activity_store(self) -> ActivityStore:
        from tracker_integrations.config import ConfigurationError
        from tracker_integrations.store.activity import ActivityStore

        if not self.settings.activity_table:
            raise ConfigurationError("ACTIVITY_TABLE is not set: the audit log and pitch histories need it")
        return ActivityStore(self.dynamodb, self.settings.activity_table)

    # -- per process: each integration's hooks ----------------------------------------------------

    def hooks(self, provider: ProviderKey) -> IntegrationHooks:
        """The integration's hooks, built by the module its spec names (the defaults when it names none)."""
        built = self._hooks.get(provider)
        if built is None:
            from tracker_integrations.providers.registry import get_spec
            from tracker_integrations.services.integration_hooks import IntegrationHooks

            module = get_spec(provider).integration_module
            if module is None:
                built = IntegrationHooks()
            else:
                build = cast(Callable[[Root], IntegrationHooks], importlib.import_module(module).build)
                built = build(self)
            self._hooks[provider] = built
        return built

    # -- per call: services -----------------------------------------------------------------------

    def sync_queue(self) -> SyncJobQueue:
        from tracker_integrations.jobs import SyncJobQueue

        return SyncJobQueue(self.sqs, self.settings.sync_queue_url)

    def run_services(self) -> RunServices:
        from tracker_integrations.services.syncing.sync_frame import RunServices

        return RunServices(
            integrations=self.integrations_store,
            tracker=self.tracker_store,
            tokens=self.token_service(),
            leases=self.lease_store,
            quotas=self.quotas(),
            notifier=self.notifier(),
            settings=self.settings,
            usage=self.usage_counters(),
        )

    def oauth_service(self) -> OAuthService:
        from tracker_integrations.services.connecting.oauth import OAuthService

        return OAuthService(
            self.integrations_store, self.cipher_on_use, self.settings, self.connection_lifecycle, self.activity_store
        )

    def connection_lifecycle(self) -> ConnectionLifecycle:
        from tracker_integrations.services.connecting.lifecycle import ConnectionLifecycle

        return ConnectionLifecycle(self.sync_queue, self.change_markers, self.hooks, usage=self.usage_counters)

    def token_service(self) -> TokenService:
        from tracker_integrations.services.connecting.tokens import TokenService

        return TokenService(
            self.integrations_store, self.cipher_on_use, self.settings, self.lease_store, self.activity_on_use
        )

    def integrations_service(self) -> IntegrationsService:
        from tracker_integrations.services.integrations import IntegrationsService

        return IntegrationsService(self.integrations_store, self.settings)

    def campaigns_service(self) -> CampaignsService:
        from tracker_integrations.services.campaigns import CampaignsService

        return CampaignsService(self.tracker_store)

    def realtime(self) -> RealTime:
        from tracker_integrations.services.scheduling.realtime import RealTime

        return RealTime(self.integrations_store, self.change_markers, self.hooks, self.sync_queue)

    def settings_updates(self) -> SettingsUpdates:
        from tracker_integrations.services.settings_updates import SettingsUpdates

        return SettingsUpdates(self.integrations_service(), self.hooks, self.realtime)

    def sync_requests(self) -> SyncRequests:
        from tracker_integrations.services.syncing.sync_requests import SyncRequests

        return SyncRequests(self.integrations_store, self.sync_queue, self.quotas())

    def deletion_approvals(self) -> DeletionApprovals:
        from tracker_integrations.services.syncing.sync_requests import DeletionApprovals

        return DeletionApprovals(self.tracker_store, self.sync_state_store)

    def quotas(self) -> Quotas:
        from tracker_integrations.services.quotas import Quotas
        from tracker_integrations.store.usage import UsageStore

        return Quotas(self.integrations_store, UsageStore(self.dynamodb, self.settings.integrations_table))

    def fanout(self) -> Fanout:
        from tracker_integrations.services.scheduling.fanout import Fanout

        return Fanout(self.integrations_store, self.sync_queue())

    def keep_alive(self) -> KeepAlive:
        from tracker_integrations.services.scheduling.keep_alive import KeepAlive

        return KeepAlive(self.integrations_store, self.token_service, hooks=self.hooks)

    def notifier(self) -> Notifier:
        from tracker_integrations.services.notifications import Notifier

        return Notifier(self.integrations_store)

    def sync_runner(self) -> SyncRunner:
        from tracker_integrations.services.syncing.sync_runner import SyncRunner

        return SyncRunner(
            self.integrations_store, self.hooks, self.sync_queue, self.lease_store, realtime=self.realtime
        )

    def imports(self) -> Imports:
        from tracker_integrations.services.syncing.imports import Imports

        return Imports(self.hooks)

    def rate_limits(self) -> RateLimits:
        from tracker_integrations.services.rate_limits import Limit, RateLimits, RequestClass

        settings = self.settings
        return RateLimits(
            self.rate_counter_store,
            {
                RequestClass.CONNECT: Limit(requests=settings.rate_limit_connect_per_minute),
                RequestClass.SYNC_NOW: Limit(requests=settings.rate_limit_sync_now_per_minute),
                RequestClass.WRITE: Limit(requests=settings.rate_limit_writes_per_minute),
                RequestClass.READ: Limit(requests=settings.rate_limit_reads_per_minute),
            },
        )

    # -- per call: accounts (teams, plans, audit, analytics) --------------------------------------

    def profile(self) -> Profile:
        from tracker_integrations.services.accounts.me import Profile

        return Profile(self.integrations_store)

    def audit_log(self) -> AuditLog:
        from tracker_integrations.services.accounts.audit import AuditLog

        return AuditLog(self.activity_store)

    def analytics(self) -> Analytics:
        from tracker_integrations.config import ConfigurationError
        from tracker_integrations.services.accounts.analytics import Analytics
        from tracker_integrations.store.analytics import AnalyticsStore

        if not self.settings.analytics_table:
            raise ConfigurationError("ANALYTICS_TABLE is not set: the usage analytics need it")
        return Analytics(AnalyticsStore(self.dynamodb, self.settings.analytics_table))

    def usage_counters(self) -> Analytics | None:
        """What keeps the usage counters (None where ANALYTICS_TABLE is not set: nothing is counted)."""
        return self.analytics() if self.settings.analytics_table else None

    def pitch_history(self) -> PitchHistory:
        from tracker_integrations.services.accounts.history import PitchHistory

        return PitchHistory(self.activity_store, lambda: self.tracker_store)

    def plan_changes(self) -> PlanChanges:
        from tracker_integrations.services.accounts.billing import PlanChanges

        return PlanChanges(self.integrations_store, self.change_markers, self.audit_log())


_root: Root | None = None


def root() -> Root:
    global _root  # noqa: PLW0603  # the one per-process root, replaced whole by reset()
    if _root is None:
        _root = Root(get_settings())
    return _root


def reset() -> None:
    """Forget every built client and setting (tests and the local stack change the environment).

    Per-process objects all live on the root, so dropping it drops them all; the settings and the shared
    HTTP client are the two caches below the root (every layer reads them), cleared with it."""
    from tracker_integrations.http.client import shared_client

    global _root  # noqa: PLW0603
    _root = None
    get_settings.cache_clear()
    shared_client.cache_clear()


# -- what handlers, tests and the local stack call: the root's objects by name ---------------------


def dynamodb() -> DynamoDBClient:
    return root().dynamodb


def kms() -> KMSClient:
    return root().kms


def sqs() -> SQSClient:
    return root().sqs


def integrations_store() -> IntegrationsStore:
    return root().integrations_store


def tracker_store() -> TrackerStore:
    return root().tracker_store


def token_cipher() -> TokenCipher:
    return root().token_cipher


def lease_store() -> LeaseStore:
    return root().lease_store


def sync_state_store() -> SyncStateStore:
    return root().sync_state_store


def change_markers() -> ChangeMarkers:
    return root().change_markers


def rate_counter_store() -> RateCounterStore:
    return root().rate_counter_store


def sync_queue() -> SyncJobQueue:
    return root().sync_queue()


def oauth_service() -> OAuthService:
    return root().oauth_service()


def connection_lifecycle() -> ConnectionLifecycle:
    return root().connection_lifecycle()


def token_service() -> TokenService:
    return root().token_service()


def integrations_service() -> IntegrationsService:
    return root().integrations_service()


def campaigns_service() -> CampaignsService:
    return root().campaigns_service()


def realtime() -> RealTime:
    return root().realtime()


def settings_updates() -> SettingsUpdates:
    return root().settings_updates()


def sync_requests() -> SyncRequests:
    return root().sync_requests()


def deletion_approvals() -> DeletionApprovals:
    return root().deletion_approvals()


def quotas() -> Quotas:
    return root().quotas()


def fanout() -> Fanout:
    return root().fanout()


def keep_alive() -> KeepAlive:
    return root().keep_alive()


def notifier() -> Notifier:
    return root().notifier()


def sync_runner() -> SyncRunner:
    return root().sync_runner()


def imports() -> Imports:
    return root().imports()


def rate_limits() -> RateLimits:
    return root().rate_limits()


def profile() -> Profile:
    return root().profile()


def audit_log() -> AuditLog:
    return root().audit_log()


def analytics() -> Analytics:
    return root().analytics()


def pitch_history() -> PitchHistory:
    return root().pitch_history()


def plan_changes() -> PlanChanges:
    return root().plan_changes()


def activity_store() -> ActivityStore:
    return root().activity_store


# -- an integration's own services, for its own handlers and tests ---------------------------------


def _sheets() -> SheetsIntegration:
    return cast("SheetsIntegration", root().hooks("google-sheets"))


def _gmail() -> GmailIntegration:
    return cast("GmailIntegration", root().hooks("gmail"))


def sheets_sync() -> SheetsSync:
    return _sheets().sync()


def sheets_setup() -> SheetsSetup:
    return _sheets().setup()


def channel_store() -> ChannelStore:
    return _sheets().channels


def drive_watches() -> DriveWatches:
    return _sheets().drive_watches()


def gmail_store() -> GmailStore:
    return _gmail().store


def gmail_push_receiver() -> GmailPushReceiver:
    return _gmail().push_receiver()


def reply_categories() -> ReplyCategories:
    return _gmail().reply_categories()


def _airtable() -> AirtableIntegration:
    return cast("AirtableIntegration", root().hooks("airtable"))


def airtable_setup() -> AirtableSetup:
    return _airtable().setup()


def airtable_webhooks() -> AirtableWebhooks:
    return _airtable().webhooks()
