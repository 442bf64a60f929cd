"""Plan changes from billing: the account's plan, then its connections brought within the new plan.

Upgrading resumes the connections a downgrade paused and moves every connection slower than the
new plan's cadence to it, due at once. Downgrading deletes nothing: connections beyond the new
limit are paused, the most recently connected first, each card naming the plan that brings it back;
a cadence the plan no longer includes (real time) falls to the plan's own. The monthly record quota
follows by itself (it reads the plan at each run). A change whose effective time is not later than
the stored one's (a duplicate, or one overtaken by a later change) changes nothing.
"""

from collections.abc import Callable
from datetime import datetime
from functools import partial

from pydantic import BaseModel, ConfigDict

from tracker_integrations.errors import VersionConflict
from tracker_integrations.models.account import PLAN_LIMITS, Account, Plan
from tracker_integrations.models.billing import PlanChange
from tracker_integrations.models.common import utcnow
from tracker_integrations.models.connection import Connection, ConnectionStatus, ProviderKey
from tracker_integrations.services.accounts.audit import AuditLog
from tracker_integrations.services.scheduling.policy import default_frequency, schedule_of
from tracker_integrations.store.changes import ChangeMarkers
from tracker_integrations.store.integrations import IntegrationsStore

_PLAN_ORDER = list(Plan)
# What a connection becomes under the new plan, and what happened to it (paused, resumed, moved, None).
type _Target = Callable[[Connection], tuple[dict[str, object], str | None]]
_FREQUENCY_RANK = {"manual": 0, "every_15_minutes": 1, "real_time": 2}
_WRITE_TRIES = 5  # a sync finishing meanwhile moves the record's version: read again and redo


class PlanChangeOutcome(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    applied: bool  # False: a duplicate or out-of-order event, nothing changed
    plan: Plan
    paused: list[ProviderKey] = []
    resumed: list[ProviderKey] = []
    cadence_changed: list[ProviderKey] = []


def plan_for(count: int) -> Plan:
    """The cheapest plan with room for `count` integrations."""
    for plan in Plan:
        limit = PLAN_LIMITS[plan].max_integrations
        if limit is None or limit >= count:
            return plan
    return _PLAN_ORDER[-1]


class PlanChanges:
    def __init__(
        self,
        store: IntegrationsStore,
        markers: ChangeMarkers,
        audit: AuditLog,
        *,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._store = store
        self._markers = markers
        self._audit = audit
        self._now = now

    def apply(self, change: PlanChange) -> PlanChangeOutcome:
        account_id = change.account_key
        previous = self._store.get_account(account_id).plan
        account = Account(user_id=account_id, plan=change.plan, plan_effective_at=change.effective_at)
        if not self._store.apply_plan(account):
            return PlanChangeOutcome(applied=False, plan=self._store.get_account(account_id).plan)
        paused: list[ProviderKey] = []
        resumed: list[ProviderKey] = []
        moved: list[ProviderKey] = []
        limit = PLAN_LIMITS[change.plan].max_integrations
        ordered = sorted(self._store.list_connections(account_id), key=lambda c: (c.connected_at, c.provider))
        for position, connection in enumerate(ordered):
            within = limit is None or position < limit
            target = partial(_changes, previous=previous, plan=change.plan, within=within, position=position)
            outcome = self._bring_within(account_id, connection.provider, target)
            if outcome == "paused":
                paused.append(connection.provider)
            elif outcome == "resumed":
                resumed.append(connection.provider)
            elif outcome == "moved":
                moved.append(connection.provider)
        self._audit.record(
            account_id,
            actor="billing",
            action="plan_changed",
            detail={
                "from": previous.value,
                "to": change.plan.value,
                "effective_at": change.effective_at.isoformat(),
                "paused": ",".join(paused) or None,
                "resumed": ",".join(resumed) or None,
            },
        )
        return PlanChangeOutcome(applied=True, plan=change.plan, paused=paused, resumed=resumed, cadence_changed=moved)

    def _bring_within(self, account_id: str, provider: ProviderKey, target: _Target) -> str | None:
        for _ in range(_WRITE_TRIES):
            connection = self._store.get_connection(account_id, provider)
            if connection is None:
                return None  # disconnected meanwhile
            changes, outcome = target(connection)
            if not changes:
                return None
            now = self._now()
            updated = connection.model_copy(update=changes | {"updated_at": now, "version": connection.version + 1})
            try:
                self._store.save_connection(updated, expected_version=connection.version)
            except VersionConflict:
                continue
            cadence = schedule_of(updated)
            if outcome in {"resumed", "moved"} and cadence is not None:
                # At once: due at the new cadence's next tick, not after the old wait.
                self._markers.mark(account_id, provider, now, cadence=cadence)
            return outcome
        raise VersionConflict(f"the {provider} connection kept changing while the plan change was applied")


def _changes(
    connection: Connection, *, previous: Plan, plan: Plan, within: bool, position: int
) -> tuple[dict[str, object], str | None]:
    """What the record becomes under `plan`, and what happened to it (paused, resumed, moved)."""
    if not within:
        if connection.paused_for_plan is not None:
            return {}, None  # already paused by an earlier downgrade
        return {
            "status": ConnectionStatus.PAUSED,
            "paused_for_plan": plan_for(position + 1).value,
        }, "paused"
    settings = dict(connection.settings)
    frequency = str(settings.get("sync_frequency", "manual"))
    new_frequency = frequency
    plan_default = default_frequency(plan)
    rank, plan_rank = _FREQUENCY_RANK.get(frequency, 0), _FREQUENCY_RANK[plan_default]
    if rank > plan_rank:
        new_frequency = plan_default  # the plan no longer includes it (real time stops)
    elif rank < plan_rank and _PLAN_ORDER.index(plan) > _PLAN_ORDER.index(previous):
        new_frequency = plan_default  # an upgrade: the new plan's cadence at once
    changes: dict[str, object] = {}
    if new_frequency != frequency:
        settings["sync_frequency"] = new_frequency
        changes["settings"] = settings
        changes["settings_version"] = connection.settings_version + 1
    if connection.paused_for_plan is not None:
        # Back to how the user left it: paused by hand stays paused.
        status = ConnectionStatus.PAUSED if settings.get("paused") else ConnectionStatus.CONNECTED
        changes |= {"status": status, "paused_for_plan": None}
        return changes, "resumed"
    return changes, ("moved" if changes else None)
