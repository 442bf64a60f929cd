"""`PUT /api/integrations/{provider}/settings`: each provider's settings model, then its service."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tracker_integrations.models.settings import SettingsUpdate
from tracker_integrations.models.sheets import SheetsSettingsUpdate
from tracker_integrations.providers.registry import get_spec
from tracker_integrations.services.integrations import IntegrationDetail, IntegrationsService
from tracker_integrations.services.realtime import RealTime
from tracker_integrations.services.sheets_setup import SheetsSetup
from tracker_integrations.validation import parse_model

_COMMON = set(SettingsUpdate.model_fields)


class SettingsUpdates:
    def __init__(
        self,
        cards: IntegrationsService,
        sheets: Callable[[], SheetsSetup],
        realtime: Callable[[], RealTime],
    ) -> None:
        self._cards = cards
        self._sheets = sheets
        self._realtime = realtime

    def apply(self, user_id: str, provider: str, body: dict[str, Any]) -> IntegrationDetail:
        spec = get_spec(provider)
        if spec.key == "google-sheets" and not set(body) <= _COMMON:
            detail = self._sheets().configure(user_id, parse_model(SheetsSettingsUpdate, body))
        else:
            detail = self._cards.update_settings(user_id, spec.key, parse_model(SettingsUpdate, body))
        # New settings (another sheet, a mapping, a resumed connection) are a change the next tick must sync.
        self._realtime().provider_changed(user_id, spec.key)
        return detail
