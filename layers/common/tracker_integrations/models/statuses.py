"""Campaign types and the statuses of campaigns and pitches: plain enums, in a module of their own so
the sync engine's field table can name them without building the campaign models (and importing an
e-mail validator) in every function that only reads a connection's settings."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal

# What Gmail reply tracking found on a pitch (models.gmail names them too).
ReplyCategory = Literal["bounce", "auto_reply", "interested", "not_interested", "replied"]
BounceType = Literal["hard", "soft"]


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
