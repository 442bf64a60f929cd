"""Per-pitch history: every write of a pitch, from the Tracker table's stream, as the fields it changed.

The stream carries each write's old and new image and who wrote it (`written_by`: `member:<id>` for a
person through the API, an integration's key for its sync), so every writer, present or future, is
recorded without being asked to. Entries expire after 90 days (DynamoDB TTL; expired but not yet
swept entries are left out when read).
"""

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict

from tracker_integrations.errors import NotFound
from tracker_integrations.models.common import new_id, utcnow
from tracker_integrations.models.connection import PROVIDER_KEYS
from tracker_integrations.models.history import (
    HISTORY_KEPT,
    MEMBER_WRITER,
    ChangeSource,
    FieldChange,
    PitchAction,
    PitchHistoryEntry,
    PitchHistoryPage,
    PitchWrite,
)
from tracker_integrations.store.activity import ActivityStore, pitch_writes
from tracker_integrations.store.tracker import TrackerStore

# Bookkeeping every write moves; not a change anyone made.
_IGNORED = frozenset({"version", "updated_at", "created_at", "pitch_id", "campaign_id"})


class RecordedHistory(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    recorded: int


def source_of(written_by: str) -> ChangeSource:
    if written_by.startswith(MEMBER_WRITER):
        return ChangeSource(kind="person", member=written_by.removeprefix(MEMBER_WRITER))
    for provider in PROVIDER_KEYS:
        if written_by == provider:
            return ChangeSource(kind="integration", provider=provider)
    return ChangeSource(kind="person")


def _diff(old: Mapping[str, Any] | None, new: Mapping[str, Any] | None) -> list[FieldChange]:
    before, after = old or {}, new or {}
    fields = sorted((set(before) | set(after)) - _IGNORED)
    return [
        FieldChange(field=name, old=before.get(name), new=after.get(name))
        for name in fields
        if before.get(name) != after.get(name)
    ]


class PitchHistory:
    def __init__(
        self,
        activity: ActivityStore,
        tracker: Callable[[], TrackerStore],
        *,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._activity = activity
        self._tracker = tracker
        self._now = now

    def record_stream(self, records: Iterable[Mapping[str, Any]]) -> RecordedHistory:
        recorded = 0
        for write in pitch_writes(records):
            entry = self._entry(write)
            if entry is not None:
                self._activity.add_history(write.account_id, entry)
                recorded += 1
        return RecordedHistory(recorded=recorded)

    def page(
        self, account_id: str, campaign_id: str, pitch_id: str, *, limit: int, cursor: str | None
    ) -> PitchHistoryPage:
        entries, next_cursor = self._activity.history_page(
            account_id, campaign_id, pitch_id, limit=limit, cursor=cursor
        )
        if not entries and cursor is None and self._tracker().get_pitch(account_id, campaign_id, pitch_id) is None:
            raise NotFound("no such pitch")
        cutoff = self._now() - HISTORY_KEPT
        return PitchHistoryPage(history=[e for e in entries if e.at >= cutoff], next_cursor=next_cursor)

    def _entry(self, write: PitchWrite) -> PitchHistoryEntry | None:
        changes = _diff(write.old, write.new)
        if not changes:
            return None  # a write that changed nothing a person sees (a sync's bookkeeping)
        action: PitchAction = "created" if write.old is None else "deleted" if write.new is None else "changed"
        return PitchHistoryEntry(
            entry_id=new_id("his"),
            campaign_id=write.campaign_id,
            pitch_id=write.pitch_id,
            at=self._now(),
            action=action,
            source=source_of(write.written_by),
            changes=changes,
        )
