"""Settings fail loudly, naming what is missing, and read client secrets from the right place."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import TYPE_CHECKING

import boto3
import pytest
from moto import mock_aws

from tracker_integrations.config import ConfigurationError, Settings, get_settings

if TYPE_CHECKING:
    from mypy_boto3_secretsmanager import SecretsManagerClient

REQUIRED = {
    "INTEGRATIONS_TABLE": "IntegrationsTable",
    "TRACKER_TABLE": "TrackerTable",
    "TOKENS_KEY_ID": "arn:aws:kms:eu-west-2:123456789012:key/abc",
    "APP_BASE_URL": "https://app.tracker.example",
    "API_BASE_URL": "https://integrations.tracker.example/",
}


@pytest.fixture
def clean_settings() -> Iterator[None]:
    get_settings.cache_clear()
    yield None
    get_settings.cache_clear()


def test_missing_variables_are_named(monkeypatch: pytest.MonkeyPatch, clean_settings: None) -> None:
    # GIVEN an environment without the tables and the key
    for name in ("INTEGRATIONS_TABLE", "TRACKER_TABLE", "TOKENS_KEY_ID"):
        monkeypatch.delenv(name, raising=False)
    # WHEN settings are read THEN the error names each missing variable
    with pytest.raises(ConfigurationError) as caught:
        get_settings()
    for name in ("INTEGRATIONS_TABLE", "TRACKER_TABLE", "TOKENS_KEY_ID"):
        assert name in str(caught.value)


def test_malformed_url_is_refused(monkeypatch: pytest.MonkeyPatch, clean_settings: None) -> None:
    for name, value in REQUIRED.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("APP_BASE_URL", "not a url")
    with pytest.raises(ConfigurationError, match="APP_BASE_URL"):
        get_settings()


def test_base_urls_lose_their_trailing_slash_and_secrets_stay_hidden() -> None:
    settings = Settings.model_validate({k.lower(): v for k, v in REQUIRED.items()} | {"google_client_secret": "s3cret"})
    assert settings.base(settings.api_base_url) == "https://integrations.tracker.example"
    assert "s3cret" not in repr(settings)
    assert settings.client_secret("google") == "s3cret"
    assert settings.client_secret("airtable") == ""


@pytest.fixture
def secrets_manager(monkeypatch: pytest.MonkeyPatch) -> Iterator[SecretsManagerClient]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-2")  # as Lambda sets it; Powertools builds its own client
    with mock_aws():
        yield boto3.client("secretsmanager", region_name="eu-west-2")


def _secret_holding(secrets_manager: SecretsManagerClient, value: str) -> str:
    return secrets_manager.create_secret(Name=f"provider-secrets-{uuid.uuid4().hex}", SecretString=value)["ARN"]


def _deployed_settings(secret_arn: str, max_age_seconds: int) -> Settings:
    return Settings.model_validate(
        {k.lower(): v for k, v in REQUIRED.items()}
        | {"provider_secrets_arn": secret_arn, "provider_secrets_max_age_seconds": max_age_seconds}
    )


def test_a_rotated_client_secret_is_picked_up_once_the_cached_one_is_too_old(
    secrets_manager: SecretsManagerClient,
) -> None:
    # GIVEN a deployed stack reading client secrets from Secrets Manager, trusting a fetch for 0 seconds
    arn = _secret_holding(secrets_manager, '{"google": "old"}')
    settings = _deployed_settings(arn, max_age_seconds=0)
    assert settings.client_secret("google") == "old"
    # WHEN the secret is rotated
    secrets_manager.put_secret_value(SecretId=arn, SecretString='{"google": "new"}')
    # THEN the next read uses the new secret (an unbounded cache kept "old" for the container's life)
    assert settings.client_secret("google") == "new"


def test_a_client_secret_is_fetched_once_within_its_max_age(secrets_manager: SecretsManagerClient) -> None:
    # GIVEN a secret trusted for five minutes, read once
    arn = _secret_holding(secrets_manager, '{"google": "old"}')
    settings = _deployed_settings(arn, max_age_seconds=300)
    assert settings.client_secret("google") == "old"
    # WHEN it is rotated and read again within the five minutes
    secrets_manager.put_secret_value(SecretId=arn, SecretString='{"google": "new"}')
    # THEN the cached value serves the request: no Secrets Manager call per OAuth request
    assert settings.client_secret("google") == "old"


def test_a_secrets_max_age_out_of_range_is_named(monkeypatch: pytest.MonkeyPatch, clean_settings: None) -> None:
    # GIVEN a deployment asking to trust a fetched secret for a day (a rotation would go unseen that long)
    for name, value in REQUIRED.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PROVIDER_SECRETS_MAX_AGE_SECONDS", "86400")
    # WHEN settings are read THEN the error names the variable
    with pytest.raises(ConfigurationError, match="PROVIDER_SECRETS_MAX_AGE_SECONDS"):
        get_settings()
