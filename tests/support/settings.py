"""Settings for unit tests: the required fields filled in, plus what the test is about."""

from __future__ import annotations

from tracker_integrations.config import Settings


def unit_settings(**overrides: str) -> Settings:
    required = {
        "integrations_table": "t",
        "tracker_table": "t",
        "tokens_key_id": "k",
        "app_base_url": "https://app.example",
        "api_base_url": "https://api.example",
    }
    return Settings.model_validate(required | overrides)
