"""Settings fail loudly, naming what is missing, and read client secrets from the right place."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tracker_integrations.config import ConfigurationError, Settings, get_settings

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
