"""What the reply classifier says about one inbound message."""

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ReplyCategory = Literal["bounce", "auto_reply", "interested", "not_interested", "replied"]
BounceType = Literal["hard", "soft"]


class ReplyClassification(BaseModel):
    """The verdict on one inbound message, with the signals that decided it.

    ``reasons`` holds short machine-readable signal names only (never text or addresses from the
    message), so it can be logged and stored freely.
    """

    model_config = ConfigDict(frozen=True, defer_build=True)

    category: ReplyCategory
    confidence: float = Field(ge=0.0, le=1.0)
    bounced_recipient: str | None = None
    bounce_type: BounceType | None = None
    return_date: date | None = None
    reply_text: str = ""
    reasons: tuple[str, ...] = ()
