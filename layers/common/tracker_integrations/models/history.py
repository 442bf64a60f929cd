"""A pitch's change history: each change with its source (a person, or an integration's sync), the old
and new value of every field it changed, and when. Kept 90 days."""

from datetime import datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from tracker_integrations.models.connection import ProviderKey

HISTORY_KEPT = timedelta(days=90)
MEMBER_WRITER = "member:"  # `written_by` of a person's write through the API: member:<user id>


def member_writer(user_id: str) -> str:
    return f"{MEMBER_WRITER}{user_id}"


PitchAction = Literal["created", "changed", "deleted"]


class ChangeSource(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    kind: Literal["person", "integration"]
    member: str | None = None  # the member who made it (None: a person before members were recorded)
    provider: ProviderKey | None = None  # the integration whose sync made it


class FieldChange(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    field: str
    old: Any = None
    new: Any = None


class PitchHistoryEntry(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    entry_id: str  # time-ordered
    campaign_id: str
    pitch_id: str
    at: datetime
    action: PitchAction
    source: ChangeSource
    changes: list[FieldChange]


class PitchHistoryPage(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    history: list[PitchHistoryEntry]
    next_cursor: str | None


class PitchWrite(BaseModel):
    """One write of a pitch as the Tracker table's stream reports it (images as plain values)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    account_id: str
    campaign_id: str
    pitch_id: str
    written_by: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None
