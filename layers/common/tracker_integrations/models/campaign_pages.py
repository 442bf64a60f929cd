"""The pages the campaigns API answers with: campaigns, pitches, and the replies Gmail matched to pitches.

Apart from the campaign models: a sync job creates and updates campaigns and pitches through the same
service and never lists them, so it does not build these models.
"""

from pydantic import BaseModel, ConfigDict

from tracker_integrations.models.campaign import Campaign, Pitch, PitchReply, PitchStatus


class CampaignPage(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    campaigns: list[Campaign]
    next_cursor: str | None


class PitchPage(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    pitches: list[Pitch]
    next_cursor: str | None


class DetectedReply(BaseModel):
    """A reply (or bounce, or out-of-office) Gmail matched to a pitch, with what the Activity screen names it by."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    campaign_id: str
    campaign_title: str
    pitch_id: str
    pitch_version: int  # to name when correcting the category (`PUT .../reply-category`)
    pitch_status: PitchStatus
    contact_name: str
    email: str
    reply: PitchReply


class ReplyPage(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    replies: list[DetectedReply]  # newest first
