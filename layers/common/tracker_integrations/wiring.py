"""Builds the services from settings, once per container (Lambda reuses them across invocations).

Everything is built on first use: a handler module imports this file for free, and each function
pays only for the clients and services its routes touch (the campaigns API never loads httpx,
KMS or a provider module).
"""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING, cast

from tracker_integrations.config import get_settings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_kms import KMSClient
    from mypy_boto3_sqs import SQSClient

    from tracker_integrations.crypto.envelope import TokenCipher
    from tracker_integrations.jobs import SyncJobQueue
    from tracker_integrations.services.campaigns import CampaignsService
    from tracker_integrations.services.drive_watch import DriveWatches
    from tracker_integrations.services.fanout import Fanout
    from tracker_integrations.services.gmail_push import GmailPushReceiver
    from tracker_integrations.services.gmail_reply_categories import ReplyCategories
    from tracker_integrations.services.gmail_sync import GmailReplySync
    from tracker_integrations.services.gmail_watch import GmailWatchRenewal
    from tracker_integrations.services.imports import Imports
    from tracker_integrations.services.integrations import IntegrationsService
    from tracker_integrations.services.keep_alive import KeepAlive
    from tracker_integrations.services.lifecycle import ConnectionLifecycle
    from tracker_integrations.services.notifications import Notifier
    from tracker_integrations.services.oauth import OAuthService
    from tracker_integrations.services.quotas import Quotas
    from tracker_integrations.services.rate_limits import RateLimits
    from tracker_integrations.services.realtime import RealTime
    from tracker_integrations.services.settings_updates import SettingsUpdates
    from tracker_integrations.services.sheets_setup import SheetsSetup
    from tracker_integrations.services.sheets_sync import SheetsSync
    from tracker_integrations.services.sync_requests import SyncRequests
    from tracker_integrations.services.sync_runner import SyncRunner
    from tracker_integrations.services.tokens import TokenService
    from tracker_integrations.store.changes import ChangeMarkers
    from tracker_integrations.store.channels import ChannelStore
    from tracker_integrations.store.gmail import GmailStore
    from tracker_integrations.store.integrations import IntegrationsStore
    from tracker_integrations.store.leases import LeaseStore
    from tracker_integrations.store.rate_limits import RateCounterStore
    from tracker_integrations.store.sync_state import SyncStateStore
    from tracker_integrations.store.tracker import TrackerStore


@lru_cache(maxsize=1)
def _botocore_session() -> object:
    # botocore directly: boto3 adds its resource layer and s3transfer, which no function uses.
    import botocore.session

    return botocore.session.get_session()


def _client(service: str) -> object:
    import botocore.session

    session = cast(botocore.session.Session, _botocore_session())
    return session.create_client(service, region_name=get_settings().aws_region)


@lru_cache(maxsize=1)
def dynamodb() -> DynamoDBClient:
    return cast("DynamoDBClient", _client("dynamodb"))


@lru_cache(maxsize=1)
def kms() -> KMSClient:
    return cast("KMSClient", _client("kms"))


@lru_cache(maxsize=1)
def sqs() -> SQSClient:
    return cast("SQSClient", _client("sqs"))


@lru_cache(maxsize=1)
def integrations_store() -> IntegrationsStore:
    from tracker_integrations.store.integrations import IntegrationsStore

    return IntegrationsStore(dynamodb(), get_settings().integrations_table)


@lru_cache(maxsize=1)
def tracker_store() -> TrackerStore:
    from tracker_integrations.store.tracker import TrackerStore

    return TrackerStore(dynamodb(), get_settings().tracker_table)


@lru_cache(maxsize=1)
def token_cipher() -> TokenCipher:
    from tracker_integrations.crypto.envelope import TokenCipher

    settings = get_settings()
    return TokenCipher(kms(), settings.tokens_key_id, cache_seconds=settings.data_key_cache_seconds)


def oauth_service() -> OAuthService:
    from tracker_integrations.services.oauth import OAuthService

    return OAuthService(integrations_store(), token_cipher(), get_settings(), connection_lifecycle)


def connection_lifecycle() -> ConnectionLifecycle:
    from tracker_integrations.services.lifecycle import ConnectionLifecycle

    return ConnectionLifecycle(sync_queue, change_markers(), drive_watches, gmail_store(), get_settings())


def token_service() -> TokenService:
    from tracker_integrations.services.tokens import TokenService

    return TokenService(integrations_store(), token_cipher(), get_settings(), lease_store())


def integrations_service() -> IntegrationsService:
    from tracker_integrations.services.integrations import IntegrationsService

    return IntegrationsService(integrations_store(), get_settings())


def campaigns_service() -> CampaignsService:
    from tracker_integrations.services.campaigns import CampaignsService

    return CampaignsService(tracker_store())


@lru_cache(maxsize=1)
def lease_store() -> LeaseStore:
    from tracker_integrations.store.leases import LeaseStore

    return LeaseStore(dynamodb(), get_settings().integrations_table)


@lru_cache(maxsize=1)
def sync_state_store() -> SyncStateStore:
    from tracker_integrations.store.sync_state import SyncStateStore

    return SyncStateStore(dynamodb(), get_settings().integrations_table)


def sync_queue() -> SyncJobQueue:
    from tracker_integrations.jobs import SyncJobQueue

    return SyncJobQueue(sqs(), get_settings().sync_queue_url)


def sheets_sync() -> SheetsSync:
    from tracker_integrations.services.sheets_sync import SheetsSync
    from tracker_integrations.store.journal import CreationJournal

    return SheetsSync(
        integrations_store(),
        tracker_store(),
        campaigns_service(),
        sync_state_store(),
        token_service(),
        lease_store(),
        quotas(),
        notifier(),
        get_settings(),
        CreationJournal(dynamodb(), get_settings().integrations_table),
        drive_watches(),
    )


@lru_cache(maxsize=1)
def change_markers() -> ChangeMarkers:
    from tracker_integrations.store.changes import ChangeMarkers

    return ChangeMarkers(dynamodb(), get_settings().integrations_table)


@lru_cache(maxsize=1)
def channel_store() -> ChannelStore:
    from tracker_integrations.store.channels import ChannelStore

    return ChannelStore(dynamodb(), get_settings().integrations_table)


def realtime() -> RealTime:
    from tracker_integrations.services.realtime import RealTime

    return RealTime(integrations_store(), change_markers(), channel_store(), gmail_store(), sync_queue)


def drive_watches() -> DriveWatches:
    from tracker_integrations.services.drive_watch import DriveWatches

    return DriveWatches(channel_store(), realtime, get_settings())


def sheets_setup() -> SheetsSetup:
    from tracker_integrations.services.sheets_setup import SheetsSetup

    return SheetsSetup(integrations_store(), token_service(), integrations_service(), get_settings())


def settings_updates() -> SettingsUpdates:
    from tracker_integrations.services.settings_updates import SettingsUpdates

    return SettingsUpdates(integrations_service(), sheets_setup, realtime)


def sync_requests() -> SyncRequests:
    from tracker_integrations.services.sync_requests import SyncRequests

    return SyncRequests(integrations_store(), tracker_store(), sync_state_store(), sync_queue, quotas())


def quotas() -> Quotas:
    from tracker_integrations.services.quotas import Quotas
    from tracker_integrations.store.usage import UsageStore

    return Quotas(integrations_store(), UsageStore(dynamodb(), get_settings().integrations_table))


def fanout() -> Fanout:
    from tracker_integrations.services.fanout import Fanout

    return Fanout(integrations_store(), sync_queue())


def keep_alive() -> KeepAlive:
    from tracker_integrations.services.keep_alive import KeepAlive

    return KeepAlive(integrations_store(), token_service(), renewals=(lambda: gmail_watch_renewal().run(),))


def notifier() -> Notifier:
    from tracker_integrations.services.notifications import Notifier

    return Notifier(integrations_store())


def sync_runner() -> SyncRunner:
    from tracker_integrations.services.sync_runner import SyncRunner

    return SyncRunner(
        integrations_store(),
        {"google-sheets": sheets_sync, "gmail": gmail_reply_sync},
        sync_queue,
        lease_store(),
        realtime=realtime,
    )


# -- Gmail reply tracking -------------------------------------------------------------------------


@lru_cache(maxsize=1)
def gmail_store() -> GmailStore:
    from tracker_integrations.store.gmail import GmailStore

    return GmailStore(dynamodb(), get_settings().integrations_table)


def gmail_reply_sync() -> GmailReplySync:
    from tracker_integrations.replies import classify_raw
    from tracker_integrations.services.gmail_sync import GmailReplySync

    return GmailReplySync(
        integrations_store(),
        tracker_store(),
        gmail_store(),
        token_service(),
        lease_store(),
        quotas(),
        notifier(),
        get_settings(),
        classify_raw,
    )


def gmail_push_receiver() -> GmailPushReceiver:
    from tracker_integrations.providers.google.pubsub_push import PushTokenVerifier
    from tracker_integrations.services.gmail_push import GmailPushReceiver

    return GmailPushReceiver(gmail_store(), integrations_store(), sync_queue, PushTokenVerifier(get_settings()))


def gmail_watch_renewal() -> GmailWatchRenewal:
    from tracker_integrations.services.gmail_watch import GmailWatchRenewal

    return GmailWatchRenewal(integrations_store(), gmail_store(), token_service(), get_settings())


def reply_categories() -> ReplyCategories:
    from tracker_integrations.services.gmail_reply_categories import ReplyCategories

    return ReplyCategories(tracker_store())


@lru_cache(maxsize=1)
def rate_counter_store() -> RateCounterStore:
    from tracker_integrations.config import ConfigurationError
    from tracker_integrations.store.rate_limits import RateCounterStore

    table = get_settings().rate_limits_table
    if not table:
        raise ConfigurationError("RATE_LIMITS_TABLE is not set: the API's per-user rate limits need it")
    return RateCounterStore(dynamodb(), table)


def rate_limits() -> RateLimits:
    from tracker_integrations.services.rate_limits import Limit, RateLimits, RequestClass

    settings = get_settings()
    return RateLimits(
        rate_counter_store(),
        {
            RequestClass.CONNECT: Limit(requests=settings.rate_limit_connect_per_minute),
            RequestClass.SYNC_NOW: Limit(requests=settings.rate_limit_sync_now_per_minute),
            RequestClass.WRITE: Limit(requests=settings.rate_limit_writes_per_minute),
            RequestClass.READ: Limit(requests=settings.rate_limit_reads_per_minute),
        },
    )


def reset() -> None:
    """Forget every built client and setting (tests and the local stack change the environment)."""
    from tracker_integrations.http.client import shared_client

    cached_builders = (
        _botocore_session,
        dynamodb,
        kms,
        sqs,
        integrations_store,
        tracker_store,
        sync_state_store,
        lease_store,
        token_cipher,
        change_markers,
        channel_store,
        gmail_store,
        rate_counter_store,
        get_settings,
    )
    for cached in cached_builders:
        cached.cache_clear()
    shared_client.cache_clear()


def imports() -> Imports:
    from tracker_integrations.services.imports import Imports

    return Imports({"google-sheets": sheets_sync})
