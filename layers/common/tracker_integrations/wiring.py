"""Builds the services from settings, once per container (Lambda reuses them across invocations)."""

from __future__ import annotations

from functools import lru_cache
from typing import TYPE_CHECKING

import boto3

from tracker_integrations.config import get_settings
from tracker_integrations.crypto.envelope import TokenCipher
from tracker_integrations.services.campaigns import CampaignsService
from tracker_integrations.services.integrations import IntegrationsService
from tracker_integrations.services.oauth import OAuthService
from tracker_integrations.services.tokens import TokenService
from tracker_integrations.store.integrations import IntegrationsStore
from tracker_integrations.store.tracker import TrackerStore

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_kms import KMSClient


@lru_cache(maxsize=1)
def dynamodb() -> DynamoDBClient:
    return boto3.client("dynamodb", region_name=get_settings().aws_region)


@lru_cache(maxsize=1)
def kms() -> KMSClient:
    return boto3.client("kms", region_name=get_settings().aws_region)


@lru_cache(maxsize=1)
def integrations_store() -> IntegrationsStore:
    return IntegrationsStore(dynamodb(), get_settings().integrations_table)


@lru_cache(maxsize=1)
def tracker_store() -> TrackerStore:
    return TrackerStore(dynamodb(), get_settings().tracker_table)


@lru_cache(maxsize=1)
def token_cipher() -> TokenCipher:
    settings = get_settings()
    return TokenCipher(kms(), settings.tokens_key_id, cache_seconds=settings.data_key_cache_seconds)


def oauth_service() -> OAuthService:
    return OAuthService(integrations_store(), token_cipher(), get_settings())


def token_service() -> TokenService:
    return TokenService(integrations_store(), token_cipher(), get_settings())


def integrations_service() -> IntegrationsService:
    return IntegrationsService(integrations_store(), get_settings())


def campaigns_service() -> CampaignsService:
    return CampaignsService(tracker_store())


def reset() -> None:
    """Forget every built client and setting (tests and the local stack change the environment)."""
    from tracker_integrations.http.client import shared_client

    for cached in (dynamodb, kms, integrations_store, tracker_store, token_cipher, get_settings, shared_client):
        cached.cache_clear()
