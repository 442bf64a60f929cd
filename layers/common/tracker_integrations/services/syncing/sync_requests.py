"""Sync now (`SyncRequests`), and the deletions a sync is waiting for the user to approve (`DeletionApprovals`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from tracker_integrations.errors import NotFound, PlanLimitReached, ValidationFailed, VersionConflict
from tracker_integrations.jobs import SyncJob, SyncJobQueue
from tracker_integrations.models.common import new_id, utcnow
from tracker_integrations.models.connection import ConnectionStatus
from tracker_integrations.models.sync_requests import (
    DeletionDecision,
    PendingDeletionList,
    PendingDeletionView,
    QueuedSync,
)
from tracker_integrations.providers.registry import get_spec
from tracker_integrations.services.quotas import Quotas
from tracker_integrations.store.integrations import IntegrationsStore
from tracker_integrations.store.sync_state import SyncStateStore
from tracker_integrations.store.tracker import TrackerStore
from tracker_integrations.sync.codec import decode_state, encode_state, stored_fields


class SyncRequests:
    def __init__(
        self,
        integrations: IntegrationsStore,
        queue: Callable[[], SyncJobQueue],
        quotas: Quotas,
        *,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._integrations = integrations
        self._queue = queue
        self._quotas = quotas
        self._now = now

    def sync_now(self, user_id: str, provider: str) -> QueuedSync:
        spec = get_spec(provider)
        connection = self._integrations.get_connection(user_id, spec.key)
        if connection is None:
            raise NotFound(f"{spec.name} is not connected: connect it first")
        if not spec.sync.available:
            raise ValidationFailed(f"{spec.name} has nothing to sync yet: its sync is not available in this version")
        if connection.status == ConnectionStatus.NEEDS_REAUTH:
            raise VersionConflict(f"{spec.name} needs to be reconnected before it can sync: reconnect it first")
        settings = spec.settings_of(connection)
        if settings.paused:
            raise VersionConflict(f"{spec.name} sync is paused: resume it in its settings first")
        exhausted = self._quotas.exhausted(user_id, self._now())
        if exhausted is not None:
            raise PlanLimitReached(f"{exhausted.message} {exhausted.action}")
        if not settings.is_configured():
            raise ValidationFailed(f"{spec.name}: {spec.setup_hint}")
        job = SyncJob(
            job_id=new_id("job"), user_id=user_id, provider=spec.key, reason="manual", requested_at=self._now()
        )
        self._queue().enqueue(job)
        return QueuedSync(job_id=job.job_id, message=f"{spec.name} sync is queued and starts within seconds.")


class DeletionApprovals:
    """Rows that disappeared from the provider's side wait here for the user: delete in Tracker, or put back."""

    def __init__(self, tracker: TrackerStore, states: SyncStateStore) -> None:
        self._tracker = tracker
        self._states = states

    def pending_deletions(self, user_id: str, provider: str) -> PendingDeletionList:
        spec = get_spec(provider)
        stored = self._states.load(user_id, spec.key)
        state = decode_state(stored.blob) if stored.blob else None
        items = [] if state is None else sorted(state.pending_deletions.values(), key=lambda p: p.detected_at)
        return PendingDeletionList(
            pending_deletions=[
                PendingDeletionView(record_id=p.record_id, values=p.values, detected_at=p.detected_at) for p in items
            ]
        )

    def decide(self, user_id: str, provider: str, record_id: str, decision: DeletionDecision) -> PendingDeletionList:
        spec = get_spec(provider)
        approve = decision.decision == "approve"
        stored = self._states.load(user_id, spec.key)
        state = decode_state(stored.blob) if stored.blob else None
        if state is None or record_id not in state.pending_deletions:
            raise NotFound("no deletion of that record is waiting for approval")
        fields = stored_fields(stored.blob) if stored.blob else []
        del state.pending_deletions[record_id]
        if approve:
            pitch = next((p for p in self._tracker.all_pitches(user_id) if p.pitch_id == record_id), None)
            if pitch is not None:
                self._tracker.delete_pitch(user_id, pitch.campaign_id, record_id, expected_version=pitch.version)
            state.records.pop(record_id, None)
            state.tombstones.add(record_id)
        else:
            # Forget it was ever synced: the next sync writes the row back.
            state.records.pop(record_id, None)
        self._states.save(user_id, spec.key, encode_state(state, fields), expected_generation=stored.generation)
        return self.pending_deletions(user_id, provider)
