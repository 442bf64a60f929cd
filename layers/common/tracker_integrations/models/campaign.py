"""Tracker's own data: campaigns and the pitches (contacts) in them.

The bodies that create and update them are in `models.campaign_inputs`: a sync job that only reads
campaigns and pitches does not build them.
"""

from datetime import date, datetime
from typing import Annotated, Literal, Self

from pydantic import BaseModel, ConfigDict, Field, WithJsonSchema, model_validator

from tracker_integrations.models.common import LongText, ShortText
from tracker_integrations.models.statuses import BounceType, CampaignStatus, CampaignType, PitchStatus, ReplyCategory

# The enums live in models.statuses (light to import) and are still named from here.
__all__ = [
    "Campaign",
    "CampaignStatus",
    "CampaignType",
    "Pitch",
    "PitchReply",
    "PitchStatus",
    "PitchThread",
]


# A pitch's address as Tracker keeps it. Every address reaches a stored pitch through PitchCreate or PitchUpdate
# (API bodies, sheet and Airtable rows), whose EmailStr validates and normalises it; reading the pitch back does
# not validate it again: the e-mail validator's import and regexes were a tenth of a sync job's cold start.
# Documented as an e-mail address all the same.
StoredEmail = Annotated[str, WithJsonSchema({"type": "string", "format": "email"})]


class _Input(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


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


class PitchReply(BaseModel):
    """The latest reply (or bounce, or out-of-office) Gmail reply tracking matched to a pitch."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    category: ReplyCategory
    confidence: float = Field(ge=0, le=1)
    # "user": the user corrected the category; a later sync never changes it back.
    category_source: Literal["classifier", "user"] = "classifier"
    preview: str = ""  # the first ~200 characters of the reply, quotes and signature removed
    received_at: datetime
    gmail_message_id: str
    gmail_thread_id: str
    open_in_gmail_url: str
    bounce_type: BounceType | None = None
    return_date: date | None = None  # out-of-office: when the contact is back, if they said


class PitchThread(BaseModel):
    """The user's sent pitch e-mail in Gmail: replies are matched to it by thread and Message-ID."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    gmail_thread_id: str
    gmail_message_id: str
    message_id: str = ""  # the RFC 5322 Message-ID header, e.g. <abc@mail.gmail.com>


class Pitch(_PitchFields):
    pitch_id: str
    campaign_id: str
    email: StoredEmail
    created_at: datetime
    updated_at: datetime
    version: int = 1
    # Set by Gmail reply tracking only (never by create/update bodies).
    reply: PitchReply | None = None
    sent_thread: PitchThread | None = None
    soft_bounce: bool = False  # a temporary delivery failure was reported; the status is unchanged
    follow_up_on: date | None = None  # out-of-office: when to follow up
