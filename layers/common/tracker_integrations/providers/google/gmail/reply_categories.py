"""The user's correction of a reply's category (`PUT .../pitches/{pitch_id}/reply-category`).

The correction sets the category and the status that goes with it, and marks the category as the
user's: no later Gmail sync changes it back. It is a versioned update like any pitch edit (a stale
version gets 409 with the current pitch).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from tracker_integrations.errors import NotFound, ValidationFailed
from tracker_integrations.models.campaign import Pitch
from tracker_integrations.models.campaign_inputs import UserReplyCategory
from tracker_integrations.models.common import utcnow
from tracker_integrations.providers.google.gmail.effects import override
from tracker_integrations.store.tracker import TrackerStore


class ReplyCategories:
    def __init__(self, store: TrackerStore, *, now: Callable[[], datetime] = utcnow) -> None:
        self._store = store
        self._now = now

    def set_category(
        self, user_id: str, campaign_id: str, pitch_id: str, body: UserReplyCategory, *, written_by: str = "user"
    ) -> Pitch:
        """`written_by` names the member who corrected it, for the pitch's history."""
        pitch = self._store.get_pitch(user_id, campaign_id, pitch_id)
        if pitch is None:
            raise NotFound("pitch not found")
        if pitch.reply is None:
            raise ValidationFailed(
                "this pitch has no reply to categorise: a category can be set once Gmail has matched a reply to it",
                details={"field": "category"},
            )
        changes = override(pitch, body.category)
        updated = Pitch.model_validate(
            pitch.model_dump() | changes | {"updated_at": self._now(), "version": pitch.version + 1}
        )
        # The version the client read, not the one just loaded: a stale client gets 409.
        self._store.put_pitch(user_id, updated, expected_version=body.version, written_by=written_by)
        return updated
