"""In-memory fakes for the accounts services (audit log, pitch history)."""

from __future__ import annotations

from tracker_integrations.models.audit import AuditEntry
from tracker_integrations.models.history import PitchHistoryEntry
from tracker_integrations.store.activity import ActivityStore


class FakeActivity(ActivityStore):
    def __init__(self) -> None:
        self.entries: list[AuditEntry] = []
        self.history: dict[tuple[str, str, str], list[PitchHistoryEntry]] = {}

    def add_audit_entry(self, entry: AuditEntry) -> None:
        self.entries.append(entry)

    def add_history(self, account_id: str, entry: PitchHistoryEntry) -> None:
        self.history.setdefault((account_id, entry.campaign_id, entry.pitch_id), []).append(entry)

    def history_page(
        self, account_id: str, campaign_id: str, pitch_id: str, *, limit: int, cursor: str | None
    ) -> tuple[list[PitchHistoryEntry], str | None]:
        """Newest first, as the store's query reads them; the cursor is the offset of the next page."""
        newest_first = list(reversed(self.history.get((account_id, campaign_id, pitch_id), [])))
        start = int(cursor or 0)
        more = start + limit < len(newest_first)
        return newest_first[start : start + limit], str(start + limit) if more else None
