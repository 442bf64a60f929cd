"""`PUT /api/integrations/{provider}/settings`: each provider's settings model, then its service."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from tracker_integrations.models.common import utcnow
from tracker_integrations.models.settings import SettingsUpdate
from tracker_integrations.models.sheets import SheetsSettingsUpdate
from tracker_integrations.providers.registry import get_spec
from tracker_integrations.services.integrations import IntegrationDetail, IntegrationsService
from tracker_integrations.services.sheets_setup import SheetsSetup
from tracker_integrations.store.changes import ChangeMarkers
from tracker_integrations.validation import parse_model

_COMMON = set(SettingsUpdate.model_fields)
Clock = Callable[[], datetime]


class SettingsUpdates:
    def __init__(
        self,
        cards: IntegrationsService,
        sheets: Callable[[], SheetsSetup],
        markers: ChangeMarkers,
        *,
        now: Clock = utcnow,
    ) -> None:
        self._cards = cards
        self._sheets = sheets
        self._markers = markers
        self._now = now

    def apply(self, user_id: str, provider: str, body: dict[str, Any]) -> IntegrationDetail:
        spec = get_spec(provider)
        if spec.key == "google-sheets" and not set(body) <= _COMMON:
            detail = self._sheets().configure(user_id, parse_model(SheetsSettingsUpdate, body))
        else:
            detail = self._cards.update_settings(user_id, spec.key, parse_model(SettingsUpdate, body))
        # New settings (another sheet, a mapping, a resumed connection) are a change the next tick must sync.
        self._markers.mark(user_id, spec.key, self._now())
        return detail
