"""Tracker's own data: campaigns and the pitches (contacts) in them."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Self

from pydantic import BaseModel, ConfigDict, EmailStr, Field, model_validator

from tracker_integrations.models.common import LongText, ShortText


class CampaignType(StrEnum):
    RADIO = "radio"
    PLAYLIST = "playlist"
    PRESS = "press"


class CampaignStatus(StrEnum):
    DRAFT = "draft"
    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"
    ARCHIVED = "archived"


class PitchStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    OPENED = "opened"
    REPLIED = "replied"
    INTERESTED = "interested"
    NOT_INTERESTED = "not_interested"
    BOUNCED = "bounced"


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _CampaignFields(_Input):
    artist: ShortText = ""
    release: ShortText = ""
    type: CampaignType = CampaignType.RADIO
    status: CampaignStatus = CampaignStatus.DRAFT
    start_date: date | None = None
    end_date: date | None = None
    notes: LongText = ""

    @model_validator(mode="after")
    def _dates_in_order(self) -> Self:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValueError("end_date must not be before start_date")
        return self


class CampaignCreate(_CampaignFields):
    title: ShortText = Field(min_length=1)


class CampaignUpdate(_Input):
    """A partial update; `version` is the one the client last read (optimistic concurrency)."""

    version: int = Field(ge=1)
    title: ShortText | None = Field(default=None, min_length=1)
    artist: ShortText | None = None
    release: ShortText | None = None
    type: CampaignType | None = None
    status: CampaignStatus | None = None
    start_date: date | None = None
    end_date: date | None = None
    notes: LongText | None = None


class Campaign(_CampaignFields):
    campaign_id: str
    title: ShortText
    created_at: datetime
    updated_at: datetime
    version: int = 1


class _PitchFields(_Input):
    contact_name: ShortText = ""
    outlet: ShortText = ""
    role: ShortText = ""
    region: ShortText = ""
    status: PitchStatus = PitchStatus.PENDING
    sent_at: datetime | None = None
    subject: ShortText = ""
    notes: LongText = ""


class PitchCreate(_PitchFields):
    email: EmailStr


class PitchUpdate(_Input):
    version: int = Field(ge=1)
    contact_name: ShortText | None = None
    email: EmailStr | None = None
    outlet: ShortText | None = None
    role: ShortText | None = None
    region: ShortText | None = None
    status: PitchStatus | None = None
    sent_at: datetime | None = None
    subject: ShortText | None = None
    notes: LongText | None = None


class Pitch(_PitchFields):
    pitch_id: str
    campaign_id: str
    email: EmailStr
    created_at: datetime
    updated_at: datetime
    version: int = 1
