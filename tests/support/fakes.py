"""In-memory fakes of the stores and queue the services are wired with.

They subclass the real classes (without their DynamoDB or SQS client), so mypy checks them against the
real signatures; each keeps what it was told in plain attributes for the test to read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import httpx

from tracker_integrations.errors import NotFound, SyncInProgress, VersionConflict
from tracker_integrations.jobs import SyncJob, SyncJobQueue
from tracker_integrations.models.account import Account, Plan
from tracker_integrations.models.campaign import Campaign, Pitch
from tracker_integrations.models.connection import Connection, ConnectionStatus, LastError, ProviderKey
from tracker_integrations.models.notification import Notification
from tracker_integrations.models.oauth import OAuthState
from tracker_integrations.models.sync_log import SyncLog, SyncOutcome
from tracker_integrations.services.integration_hooks import IntegrationHooks, SyncService
from tracker_integrations.services.quotas import Quotas
from tracker_integrations.store.changes import ChangeMarkers
from tracker_integrations.store.integrations import IntegrationsStore
from tracker_integrations.store.leases import Lease, LeaseStore
from tracker_integrations.store.tracker import TrackerStore


class FakeIntegrations(IntegrationsStore):
    def __init__(self) -> None:
        self.connections: dict[tuple[str, ProviderKey], Connection] = {}
        self.logs: list[SyncLog] = []
        self.due_pages: list[list[tuple[str, str]]] = []  # what the schedule index answers, page by page
        self.idle: list[tuple[str, str]] = []  # what the refresh index answers
        self.alerts: dict[tuple[str, ProviderKey], str] = {}
        self.notifications: list[tuple[str, Notification]] = []
        self.plans: dict[str, Plan] = {}
        self.oauth_states: dict[str, OAuthState] = {}

    def get_account(self, user_id: str) -> Account:
        return Account(user_id=user_id, plan=self.plans.get(user_id, Plan.FREE))

    def scheduled(self, cadence: str, now: datetime) -> Iterator[list[tuple[str, str]]]:
        yield from self.due_pages

    def idle_since(self, cutoff: datetime) -> Iterator[tuple[str, str]]:
        yield from self.idle

    def alert_state(self, user_id: str, provider: ProviderKey) -> str | None:
        return self.alerts.get((user_id, provider))

    def set_alert_state(self, user_id: str, provider: ProviderKey, kind: str | None) -> None:
        if kind is None:
            self.alerts.pop((user_id, provider), None)
        else:
            self.alerts[(user_id, provider)] = kind

    def add_notification(self, user_id: str, notification: Notification) -> None:
        self.notifications.append((user_id, notification))

    def get_connection(self, user_id: str, provider: ProviderKey) -> Connection | None:
        return self.connections.get((user_id, provider))

    def list_connections(self, user_id: str) -> list[Connection]:
        return [c for (user, _), c in self.connections.items() if user == user_id]

    def save_connection(self, connection: Connection, *, expected_version: int | None) -> None:
        current = self.connections.get((connection.user_id, connection.provider))
        if (current.version if current else None) != expected_version:
            raise VersionConflict("the connection changed")
        self.connections[(connection.user_id, connection.provider)] = connection

    def add_sync_log(self, log: SyncLog) -> None:
        self.logs.append(log)

    def delete_connection(self, user_id: str, provider: ProviderKey) -> None:
        self.connections.pop((user_id, provider), None)

    def put_oauth_state(self, state: OAuthState) -> None:
        self.oauth_states[state.state] = state

    def consume_oauth_state(self, state: str) -> OAuthState | None:
        return self.oauth_states.pop(state, None)


class FakeLeases(LeaseStore):
    def __init__(self) -> None:
        self.held: set[str] = set()
        self.reruns: dict[str, str] = {}

    def acquire(self, user_id: str, name: str, *, owner: str, ttl: timedelta, now: datetime) -> Lease | None:
        if name in self.held:
            return None
        self.held.add(name)
        return Lease(name=name, owner=owner, fence=1, expires_at=now + ttl)

    def release(self, user_id: str, lease: Lease, *, take_rerun: bool = False) -> str | None:
        self.held.discard(lease.name)
        return self.reruns.pop(lease.name, None) if take_rerun else None

    def request_rerun(self, user_id: str, name: str, request: str, *, now: datetime) -> bool:
        if name not in self.held:
            return False
        self.reruns[name] = request
        return True


class UnusedTracker(TrackerStore):
    """A place holder where a collaborator is wired but the code under test never reads Tracker's data."""

    def __init__(self) -> None:
        pass


class FakeTracker(TrackerStore):
    """Campaigns and pitches in dicts, with the store's version checks; records who wrote each pitch."""

    def __init__(self) -> None:
        self.campaigns: dict[tuple[str, str], Campaign] = {}
        self.pitches: dict[tuple[str, str, str], Pitch] = {}
        self.pitch_writers: list[str] = []

    def get_campaign(self, user_id: str, campaign_id: str) -> Campaign | None:
        return self.campaigns.get((user_id, campaign_id))

    def list_campaigns(self, user_id: str, *, limit: int, cursor: str | None) -> tuple[list[Campaign], str | None]:
        mine = sorted((c for (u, _), c in self.campaigns.items() if u == user_id), key=lambda c: c.campaign_id)
        start = int(cursor or 0)
        return mine[start : start + limit], str(start + limit) if start + limit < len(mine) else None

    def put_campaign(
        self, user_id: str, campaign: Campaign, *, expected_version: int | None, written_by: str = "user"
    ) -> None:
        current = self.campaigns.get((user_id, campaign.campaign_id))
        if (current.version if current else None) != expected_version:
            raise VersionConflict("the campaign changed")
        self.campaigns[(user_id, campaign.campaign_id)] = campaign

    def delete_campaign(self, user_id: str, campaign_id: str, *, expected_version: int) -> int:
        current = self.campaigns.get((user_id, campaign_id))
        if current is None or current.version != expected_version:
            raise VersionConflict("the campaign changed")
        del self.campaigns[(user_id, campaign_id)]
        gone = [key for key in self.pitches if key[:2] == (user_id, campaign_id)]
        for key in gone:
            del self.pitches[key]
        return len(gone)

    def get_pitch(self, user_id: str, campaign_id: str, pitch_id: str) -> Pitch | None:
        return self.pitches.get((user_id, campaign_id, pitch_id))

    def all_pitches(self, user_id: str) -> list[Pitch]:
        return [p for (u, _, _), p in sorted(self.pitches.items()) if u == user_id]

    def campaigns_and_pitches(self, user_id: str) -> tuple[list[Campaign], list[Pitch]]:
        return [c for (u, _), c in sorted(self.campaigns.items()) if u == user_id], self.all_pitches(user_id)

    def list_pitches(
        self, user_id: str, campaign_id: str, *, limit: int, cursor: str | None
    ) -> tuple[list[Pitch], str | None]:
        mine = [p for (u, c, _), p in sorted(self.pitches.items()) if (u, c) == (user_id, campaign_id)]
        return mine[:limit], None

    def put_pitch(self, user_id: str, pitch: Pitch, *, expected_version: int | None, written_by: str = "user") -> None:
        if (user_id, pitch.campaign_id) not in self.campaigns:
            raise NotFound("campaign not found")
        current = self.pitches.get((user_id, pitch.campaign_id, pitch.pitch_id))
        if (current.version if current else None) != expected_version:
            raise VersionConflict("the pitch changed")
        self.pitches[(user_id, pitch.campaign_id, pitch.pitch_id)] = pitch
        self.pitch_writers.append(written_by)

    def put_new_pitches(self, user_id: str, campaign_id: str, pitches: list[Pitch], *, written_by: str) -> None:
        for pitch in pitches:
            self.put_pitch(user_id, pitch, expected_version=None, written_by=written_by)

    def delete_pitch(self, user_id: str, campaign_id: str, pitch_id: str, *, expected_version: int) -> None:
        current = self.pitches.get((user_id, campaign_id, pitch_id))
        if current is None or current.version != expected_version:
            raise VersionConflict("the pitch changed")
        del self.pitches[(user_id, campaign_id, pitch_id)]


class FakeQueue(SyncJobQueue):
    def __init__(self) -> None:
        self.sent: list[tuple[SyncJob, int]] = []

    def enqueue(self, job: SyncJob, *, delay_seconds: int = 0) -> None:
        self.sent.append((job, delay_seconds))

    def enqueue_many(self, jobs: list[tuple[SyncJob, int]]) -> int:
        self.sent.extend(jobs)
        return (len(jobs) + self.BATCH - 1) // self.BATCH


class FakeMarkers(ChangeMarkers):
    """Change markers as (user, provider) -> (when, cadence); one real-time slot per connection until freed."""

    def __init__(self) -> None:
        self.marked: dict[tuple[str, ProviderKey], tuple[datetime, str | None]] = {}
        self.settled: dict[tuple[str, ProviderKey], datetime] = {}
        self.slots: set[tuple[str, ProviderKey]] = set()
        self.forgotten: list[tuple[str, ProviderKey]] = []

    def mark(self, user_id: str, provider: ProviderKey, at: datetime, *, cadence: str | None) -> None:
        self.marked[(user_id, provider)] = (at, cadence)

    def settle(self, user_id: str, provider: ProviderKey, *, synced_from: datetime) -> None:
        self.settled[(user_id, provider)] = synced_from

    def claim_slot(self, user_id: str, provider: ProviderKey, *, now: datetime, window: timedelta) -> bool:
        if (user_id, provider) in self.slots:
            return False
        self.slots.add((user_id, provider))
        return True

    def forget(self, user_id: str, provider: ProviderKey) -> None:
        self.forgotten.append((user_id, provider))


@dataclass
class RecordingHooks(IntegrationHooks):
    """An integration's hooks that answer as set up and record what the platform asked of them."""

    live_until: datetime | None = None
    shared: bool = False
    renewed: int = 0
    disconnected: list[tuple[str, str | None]] = field(default_factory=list)

    def push_live_until(self, connection: Connection, *, run_started: datetime | None = None) -> datetime | None:
        return self.live_until

    def shares_account(self, connection: Connection) -> bool:
        return self.shared

    def disconnecting(self, connection: Connection, access_token: str | None) -> None:
        self.disconnected.append((connection.user_id, access_token))

    def renew_push(self) -> int:
        return self.renewed


class FakeQuotas(Quotas):
    def __init__(self) -> None:
        self.full: LastError | None = None
        self.counted = 0

    def exhausted(self, user_id: str, now: datetime) -> LastError | None:
        return self.full

    def count(self, user_id: str, now: datetime, records: int) -> int:
        self.counted += records
        return self.counted


@dataclass
class TokenEndpoint:
    """A provider's OAuth endpoints as the shared HTTP client meets them (token, then userinfo or revoke):
    each request gets the next scripted response, and is kept for the test to read."""

    answers: list[httpx.Response] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)

    def answer(self, status: int = 200, **body: object) -> None:
        self.answer_json(body, status=status)

    def answer_json(self, body: dict[str, object], *, status: int = 200) -> None:
        self.answers.append(httpx.Response(status, json=body))

    def forms(self) -> list[dict[str, str]]:
        return [{k: v[0] for k, v in parse_qs(r.content.decode()).items()} for r in self.requests]

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self.answers:
            return httpx.Response(500, json={"error": "server_error", "error_description": "nothing scripted"})
        return self.answers.pop(0)


CONNECTED_AT = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def connection(
    provider: ProviderKey,
    *,
    user_id: str = "usr_1",
    status: ConnectionStatus = ConnectionStatus.CONNECTED,
    **extra: object,
) -> Connection:
    """A connection as the store would hold it; `extra` sets any other field (settings, last_sync_at, ...)."""
    return Connection.model_validate(
        {
            "user_id": user_id,
            "provider": provider,
            "connection_id": f"con_{provider}",
            "status": status,
            "connected_at": CONNECTED_AT,
            "updated_at": CONNECTED_AT,
            **extra,
        }
    )


@dataclass
class ScriptedSync:
    """A provider's sync run that fails as told, or ends with a log of this outcome; counts its runs.

    Given `leases`, a run that got its lease (any but one meeting a run already going) hands the request
    left on it to `on_rerun` when it ends, as the frame's release does."""

    failure: Exception | None = None
    outcome: SyncOutcome = "success"
    started_at: datetime = CONNECTED_AT
    runs: int = 0
    leases: FakeLeases | None = None
    lease: str = "sync#google-sheets"

    def run(
        self, user_id: str, *, read: Connection | None = None, on_rerun: Callable[[str], None] | None = None
    ) -> SyncLog:
        self.runs += 1
        if isinstance(self.failure, SyncInProgress):
            raise self.failure  # another run holds the lease
        try:
            return self._run(user_id)
        finally:
            waiting = None if self.leases is None else self.leases.reruns.pop(self.lease, None)
            if waiting is not None and on_rerun is not None:
                on_rerun(waiting)

    def _run(self, user_id: str) -> SyncLog:
        if self.failure is not None:
            raise self.failure
        return SyncLog(
            user_id=user_id,
            provider="google-sheets",
            run_id="run_1",
            started_at=self.started_at,
            direction="both",
            outcome=self.outcome,
        )


@dataclass
class SyncingHooks(RecordingHooks):
    """Recording hooks whose integration has a sync: the scripted one."""

    scripted: ScriptedSync = field(default_factory=ScriptedSync)

    def sync(self) -> SyncService:
        return self.scripted
