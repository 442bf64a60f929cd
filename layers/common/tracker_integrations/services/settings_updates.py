"""`PUT /api/integrations/{provider}/settings`: the integration's own settings, or the shared ones."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tracker_integrations.models.settings import SettingsUpdate
from tracker_integrations.providers.registry import get_spec
from tracker_integrations.services.integration_hooks import HooksOf
from tracker_integrations.services.integrations import IntegrationDetail, IntegrationsService
from tracker_integrations.services.scheduling.realtime import RealTime
from tracker_integrations.validation import parse_model

_COMMON = set(SettingsUpdate.model_fields)


class SettingsUpdates:
    def __init__(self, cards: IntegrationsService, hooks: HooksOf, realtime: Callable[[], RealTime]) -> None:
        self._cards = cards
        self._hooks = hooks
        self._realtime = realtime

    def apply(self, user_id: str, provider: str, body: dict[str, Any]) -> IntegrationDetail:
        spec = get_spec(provider)
        detail = None
        if not set(body) <= _COMMON:
            # Fields of its own: the integration checks them (an unknown one is refused by the shared model).
            detail = self._hooks(spec.key).configure(user_id, body)
        if detail is None:
            detail = self._cards.update_settings(user_id, spec.key, parse_model(SettingsUpdate, body))
        # New settings (another sheet, a mapping, a resumed connection) are a change the next tick must sync.
        self._realtime().provider_changed(user_id, spec.key)
        return detail
