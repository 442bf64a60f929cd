"""In-memory fakes for the accounts services (audit log, pitch history)."""

from __future__ import annotations

from tracker_integrations.models.audit import AuditEntry
from tracker_integrations.store.activity import ActivityStore


class FakeActivity(ActivityStore):
    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []

    def add_audit_entry(self, entry: AuditEntry) -> None:
        self.entries.append(entry)
