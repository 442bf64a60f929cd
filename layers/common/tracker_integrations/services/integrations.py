"""Integration cards, connection settings and sync logs: what the Integrations screen reads and edits."""

from collections.abc import Callable
from datetime import datetime

from pydantic import BaseModel, ConfigDict

from tracker_integrations.config import Settings
from tracker_integrations.errors import NotFound, PlanLimitReached, ValidationFailed, VersionConflict
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
from tracker_integrations.models.tracker_fields import TrackerField, TrackerFieldList
from tracker_integrations.providers.base import ProviderSpec
from tracker_integrations.providers.registry import get_spec
from tracker_integrations.store.integrations import IntegrationsStore
from tracker_integrations.sync.fields import FIELDS
from tracker_integrations.sync.mapping import DEFAULT_ID_HEADER

_FREQUENCY_PLAN: dict[SyncFrequency, Plan] = {
    "manual": Plan.FREE,
    "every_15_minutes": Plan.PRO,
    "real_time": Plan.AGENCY,
}
_PLAN_ORDER = list(Plan)


class IntegrationDetail(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    integration: IntegrationCard
    settings: dict[str, object]
    version: int | None = None  # the settings' version, to send back with a change; None: not connected


# A settings change re-reads and retries when only the record's bookkeeping moved (a sync finished),
# never when the settings themselves did; a few tries cover syncs finishing back to back.
_SETTINGS_WRITE_TRIES = 5

type SettingsChange = Callable[[Connection], dict[str, object]]


class SyncLogPage(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

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
        return self._detail(spec, connection)

    def update_settings(self, user_id: str, provider: str, update: SettingsUpdate) -> IntegrationDetail:
        spec = get_spec(provider)

        def change(connection: Connection) -> dict[str, object]:
            settings, record = self.common_changes(connection, update)
            return record | {"settings": settings}

        return self.change_settings(user_id, spec.key, update.version, change)

    def common_changes(
        self, connection: Connection, update: SettingsUpdate
    ) -> tuple[dict[str, object], dict[str, object]]:
        """The settings every integration shares as `update` changes them on `connection`, and what else
        on the record changes with them (pausing changes the status)."""
        spec = get_spec(connection.provider)
        new_settings = dict(connection.settings)
        record: dict[str, object] = {}
        if update.sync_frequency is not None:
            self._check_frequency_allowed(connection.user_id, update.sync_frequency)
            new_settings["sync_frequency"] = update.sync_frequency
        if update.paused is not None:
            if update.paused is False and connection.paused_for_plan is not None:
                needed = Plan(connection.paused_for_plan)
                raise PlanLimitReached(
                    f"{spec.name} was paused when your plan changed: upgrade to {needed.label} to resume it, "
                    "or disconnect another integration.",
                    details={"upgrade_to": needed.value},
                )
            if connection.status == ConnectionStatus.NEEDS_REAUTH:
                raise ValidationFailed(f"{spec.name} needs to be reconnected before it can be paused or resumed")
            record["status"] = ConnectionStatus.PAUSED if update.paused else ConnectionStatus.CONNECTED
            new_settings["paused"] = update.paused
        return new_settings, record

    def check_version(self, connection: Connection, version: int) -> None:
        """Refuse early (before asking a provider anything) a change to settings that moved on."""
        if connection.settings_version != version:
            raise self._stale(get_spec(connection.provider), connection)

    def change_settings(
        self, user_id: str, provider: str, version: int | None, change: SettingsChange
    ) -> IntegrationDetail:
        """Apply `change` to the connection if its settings are still at `version` (None: Tracker's own
        change, whatever the version). The write is conditional on the record's version, so of two
        clients that read the same settings exactly one wins; the other gets 409 with what won."""
        spec = get_spec(provider)
        for _ in range(_SETTINGS_WRITE_TRIES):
            connection = self._require_connection(user_id, spec)
            if version is not None:
                self.check_version(connection, version)
            updated = connection.model_copy(
                update=change(connection)
                | {
                    "updated_at": self._now(),
                    "version": connection.version + 1,
                    "settings_version": connection.settings_version + 1,
                }
            )
            try:
                self._store.save_connection(updated, expected_version=connection.version)
            except VersionConflict:
                continue  # something wrote the record meanwhile: read again, and check the settings again
            return self._detail(spec, updated)
        raise VersionConflict(f"{spec.name} kept changing while its settings were saved; try again")

    def _stale(self, spec: ProviderSpec, connection: Connection) -> VersionConflict:
        current = self._detail(spec, connection)
        return VersionConflict(
            f"The {spec.name} settings were changed elsewhere since you loaded them (now version "
            f"{connection.settings_version}). Nothing was saved: check the settings shown and apply your change again.",
            details={"current_version": connection.settings_version, "current": current.model_dump(mode="json")},
        )

    def _detail(self, spec: ProviderSpec, connection: Connection | None) -> IntegrationDetail:
        if connection is None:
            return IntegrationDetail(integration=self._card(spec, None), settings={})
        return IntegrationDetail(
            integration=self._card(spec, connection), settings=connection.settings, version=connection.settings_version
        )

    def tracker_fields(self, provider: str) -> TrackerFieldList:
        """The fields a mapping of `provider` may name: only integrations that sync both ways map fields."""
        spec = get_spec(provider)
        if spec.sync.directions != {"to_provider", "from_provider"}:
            raise NotFound(f"{spec.name} has no field mapping: it does not sync records both ways")
        return TrackerFieldList(
            provider=spec.key,
            id_header=DEFAULT_ID_HEADER,
            fields=[
                TrackerField(
                    key=f.key,
                    label=f.label,
                    kind=f.kind,
                    choices=list(f.choices),
                    directions=["both", "to_provider", "from_provider"]
                    if f.writable_from_provider
                    else ["to_provider"],
                    synonyms=list(f.synonyms),
                )
                for f in FIELDS.values()
            ],
        )

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
        status = connection.status
        if status in {ConnectionStatus.CONNECTED, ConnectionStatus.ERROR} and connection.syncing(self._now()):
            status = ConnectionStatus.SYNCING
        return IntegrationCard(
            provider=spec.key,
            name=spec.name,
            description=spec.description,
            status=status,
            configured=configured,
            connected_account=connection.account_label or None,
            connected_at=connection.connected_at,
            connected_by=connection.connected_by,
            paused_for_plan=connection.paused_for_plan,
            last_sync_at=connection.last_sync_at,
            records_synced=connection.records_synced,
            last_error=connection.last_error,
            granted_scopes=connection.granted_scopes,
        )
