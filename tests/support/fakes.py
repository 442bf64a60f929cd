"""In-memory fakes of the stores and queue the services are wired with.

They subclass the real classes (without their DynamoDB or SQS client), so mypy checks them against the
real signatures; each keeps what it was told in plain attributes for the test to read.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from tracker_integrations.errors import VersionConflict
from tracker_integrations.jobs import SyncJob, SyncJobQueue
from tracker_integrations.models.connection import Connection, ProviderKey
from tracker_integrations.models.sync_log import SyncLog
from tracker_integrations.store.integrations import IntegrationsStore
from tracker_integrations.store.leases import Lease, LeaseStore
from tracker_integrations.store.tracker import TrackerStore


class FakeIntegrations(IntegrationsStore):
    def __init__(self) -> None:
        self.connections: dict[tuple[str, ProviderKey], Connection] = {}
        self.logs: list[SyncLog] = []

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


class FakeLeases(LeaseStore):
    def __init__(self) -> None:
        self.held: set[str] = set()
        self.reruns: dict[str, str] = {}

    def acquire(self, user_id: str, name: str, *, owner: str, ttl: timedelta, now: datetime) -> Lease | None:
        if name in self.held:
            return None
        self.held.add(name)
        return Lease(name=name, owner=owner, fence=1, expires_at=now + ttl)

    def release(self, user_id: str, lease: Lease) -> None:
        self.held.discard(lease.name)

    def request_rerun(self, user_id: str, name: str, request: str, *, now: datetime) -> bool:
        if name not in self.held:
            return False
        self.reruns[name] = request
        return True

    def take_rerun(self, user_id: str, name: str) -> str | None:
        return self.reruns.pop(name, None)


class UnusedTracker(TrackerStore):
    """A place holder where a collaborator is wired but the code under test never reads Tracker's data."""

    def __init__(self) -> None:
        pass


class FakeQueue(SyncJobQueue):
    def __init__(self) -> None:
        self.sent: list[tuple[SyncJob, int]] = []

    def enqueue(self, job: SyncJob, *, delay_seconds: int = 0) -> None:
        self.sent.append((job, delay_seconds))

    def enqueue_many(self, jobs: list[tuple[SyncJob, int]]) -> int:
        self.sent.extend(jobs)
        return (len(jobs) + self.BATCH - 1) // self.BATCH
