"""Integration cards, connection settings and sync logs: what the Integrations screen reads and edits."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from tracker_integrations.config import Settings
from tracker_integrations.errors import NotFound, PlanLimitReached, ValidationFailed
from tracker_integrations.models.account import Plan
from tracker_integrations.models.common import utcnow
from tracker_integrations.models.connection import (
    PROVIDER_KEYS,
    Connection,
    ConnectionStatus,
    IntegrationCard,
)
from tracker_integrations.models.settings import SettingsUpdate, SyncFrequency
from tracker_integrations.models.sync_log import SyncLog
from tracker_integrations.providers.base import ProviderSpec
from tracker_integrations.providers.registry import get_spec
from tracker_integrations.store.integrations import IntegrationsStore

_FREQUENCY_PLAN: dict[SyncFrequency, Plan] = {
    "manual": Plan.FREE,
    "every_15_minutes": Plan.PRO,
    "real_time": Plan.AGENCY,
}
_PLAN_ORDER = list(Plan)


class IntegrationDetail(BaseModel):
    model_config = ConfigDict(frozen=True)

    integration: IntegrationCard
    settings: dict[str, object]


class SyncLogPage(BaseModel):
    model_config = ConfigDict(frozen=True)

    logs: list[SyncLog]
    next_cursor: str | None


class IntegrationsService:
    def __init__(self, store: IntegrationsStore, settings: Settings, *, now: Callable[[], datetime] = utcnow) -> None:
        self._store = store
        self._settings = settings
        self._now = now

    def cards(self, user_id: str) -> list[IntegrationCard]:
        connections = {c.provider: c for c in self._store.list_connections(user_id)}
        return [self._card(get_spec(key), connections.get(key)) for key in PROVIDER_KEYS]

    def detail(self, user_id: str, provider: str) -> IntegrationDetail:
        spec = get_spec(provider)
        connection = self._store.get_connection(user_id, spec.key)
        return IntegrationDetail(
            integration=self._card(spec, connection), settings=connection.settings if connection else {}
        )

    def update_settings(self, user_id: str, provider: str, update: SettingsUpdate) -> IntegrationDetail:
        spec = get_spec(provider)
        connection = self._require_connection(user_id, spec)
        changes: dict[str, object] = {}
        new_settings = dict(connection.settings)
        if update.sync_frequency is not None:
            self._check_frequency_allowed(user_id, update.sync_frequency)
            new_settings["sync_frequency"] = update.sync_frequency
        if update.paused is not None:
            if connection.status == ConnectionStatus.NEEDS_REAUTH:
                raise ValidationFailed(f"{spec.name} needs to be reconnected before it can be paused or resumed")
            changes["status"] = ConnectionStatus.PAUSED if update.paused else ConnectionStatus.CONNECTED
            new_settings["paused"] = update.paused
        changes.update(settings=new_settings, updated_at=self._now(), version=connection.version + 1)
        updated = connection.model_copy(update=changes)
        self._store.save_connection(updated, expected_version=connection.version)
        return IntegrationDetail(integration=self._card(spec, updated), settings=updated.settings)

    def sync_logs(self, user_id: str, provider: str, *, limit: int, cursor: str | None) -> SyncLogPage:
        spec = get_spec(provider)
        logs, next_cursor = self._store.list_sync_logs(user_id, spec.key, limit=limit, cursor=cursor)
        return SyncLogPage(logs=logs, next_cursor=next_cursor)

    def _check_frequency_allowed(self, user_id: str, frequency: SyncFrequency) -> None:
        plan = self._store.get_account(user_id).plan
        needed = _FREQUENCY_PLAN[frequency]
        if _PLAN_ORDER.index(plan) < _PLAN_ORDER.index(needed):
            label = frequency.replace("_", " ")
            raise PlanLimitReached(
                f"Sync '{label}' needs the {needed.label} plan and you are on {plan.label}. "
                f"Upgrade to {needed.label} to use it, or choose a frequency your plan includes.",
                details={"plan": plan.value, "upgrade_to": needed.value},
            )

    def _require_connection(self, user_id: str, spec: ProviderSpec) -> Connection:
        connection = self._store.get_connection(user_id, spec.key)
        if connection is None:
            raise NotFound(f"{spec.name} is not connected: connect it first")
        return connection

    def _card(self, spec: ProviderSpec, connection: Connection | None) -> IntegrationCard:
        configured = bool(self._settings.client_id(spec.oauth.app))
        if connection is None:
            return IntegrationCard(
                provider=spec.key,
                name=spec.name,
                description=spec.description,
                status=ConnectionStatus.NOT_CONNECTED,
                configured=configured,
            )
        return IntegrationCard(
            provider=spec.key,
            name=spec.name,
            description=spec.description,
            status=connection.status,
            configured=configured,
            connected_account=connection.account_label or None,
            connected_at=connection.connected_at,
            last_sync_at=connection.last_sync_at,
            records_synced=connection.records_synced,
            last_error=connection.last_error,
            granted_scopes=connection.granted_scopes,
        )
