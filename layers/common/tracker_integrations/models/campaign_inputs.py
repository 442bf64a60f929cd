"""The bodies that create and update campaigns and pitches (API requests, sheet and Airtable rows).

Apart from the campaign models: a sync job reads campaigns and pitches on every run and writes them only
when a row changed, so it builds these models (and e-mail validation) only then.
"""

from datetime import date, datetime

from pydantic import EmailStr, Field

from tracker_integrations.models.campaign import _CampaignFields, _Input, _PitchFields
from tracker_integrations.models.common import LongText, ShortText
from tracker_integrations.models.statuses import CampaignStatus, CampaignType, PitchStatus, ReplyCategory


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


class UserReplyCategory(_Input):
    """`PUT .../pitches/{pitch_id}/reply-category`: the user's correction of a reply's category."""

    version: int = Field(ge=1)
    category: ReplyCategory
