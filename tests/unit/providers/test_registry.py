"""Each spec names its settings model by path; the path resolves to a ConnectionSettings model."""

from __future__ import annotations

import pytest

from tracker_integrations.models.airtable import AirtableConnectionSettings
from tracker_integrations.models.settings import ConnectionSettings
from tracker_integrations.models.sheets import SheetsConnectionSettings
from tracker_integrations.providers.base import settings_class
from tracker_integrations.providers.registry import PROVIDERS, get_spec


@pytest.mark.parametrize("provider", sorted(PROVIDERS))
def test_every_spec_names_a_settings_model(provider: str) -> None:
    assert issubclass(settings_class(get_spec(provider).settings_model), ConnectionSettings)


def test_the_providers_with_settings_of_their_own_name_them() -> None:
    assert settings_class(get_spec("google-sheets").settings_model) is SheetsConnectionSettings
    assert settings_class(get_spec("airtable").settings_model) is AirtableConnectionSettings
    assert settings_class(get_spec("gmail").settings_model) is ConnectionSettings


def test_a_path_to_something_else_is_refused() -> None:
    with pytest.raises(TypeError, match="not a ConnectionSettings model"):
        settings_class("tracker_integrations.models.settings.SettingsUpdate")
