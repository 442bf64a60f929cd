"""Gmail reply tracking: the cursor kept per connection, the Pub/Sub push envelope, and the
classification contract of `tracker_integrations.replies`.

The push body comes from outside and is validated here before anything is looked up or queued;
`historyId` arrives as a uint64 string (or a number) and is kept as an int so cursors compare.
"""

import base64
import binascii
import json
from datetime import date, datetime
from typing import Annotated, Literal, Protocol

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator

# They live in models.statuses: a pitch (its latest reply) and the campaigns service need them without the Gmail models.
from tracker_integrations.models.statuses import BounceType, ReplyCategory


def _uint64(value: object) -> object:
    # Google sends uint64 values as decimal strings; bools are not numbers here.
    if isinstance(value, bool):
        raise ValueError("must be a decimal number")
    if isinstance(value, str):
        if not value.isdigit():
            raise ValueError("must be a decimal number")
        return int(value)
    return value


HistoryId = Annotated[int, BeforeValidator(_uint64), Field(ge=1, lt=2**64)]


def normalise_address(address: str) -> str:
    """E-mail addresses compare case-insensitively here (Gmail ignores case in both parts)."""
    return address.strip().lower()


class GmailCursor(BaseModel):
    """Where the last run stopped: the mailbox's address and the historyId to continue from."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    email_address: str
    history_id: int
    full_sync_at: datetime | None = None  # the last bounded backfill (first sync, or an expired history)


class GmailWatch(BaseModel):
    """The users.watch registration on the Pub/Sub topic; Gmail stops publishing at `expires_at`."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    topic: str
    expires_at: datetime


# -- the Pub/Sub push ---------------------------------------------------------------------------


class PubSubMessage(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True, defer_build=True)

    data: str = Field(min_length=1, max_length=8192)
    message_id: str | None = Field(default=None, alias="messageId", max_length=256)


class PubSubPush(BaseModel):
    """A Pub/Sub push body: `{"message": {"data": <base64 JSON>, ...}, "subscription": ...}`."""

    model_config = ConfigDict(frozen=True, extra="ignore", defer_build=True)

    message: PubSubMessage
    subscription: str = Field(default="", max_length=512)

    def notification(self) -> "GmailNotification":
        """The Gmail notification in `message.data` (base64, standard or URL-safe, padding optional)."""
        text = self.message.data.strip()
        padded = text + "=" * (-len(text) % 4)
        try:
            decoded = base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
            data = json.loads(decoded)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("message.data: not base64-encoded JSON") from exc
        try:
            return GmailNotification.model_validate(data)
        except ValidationError as exc:
            fields = ", ".join(".".join(str(p) for p in e["loc"]) or "data" for e in exc.errors())
            raise ValueError(f"message.data: missing or invalid {fields}") from exc


class GmailNotification(BaseModel):
    """What Gmail publishes on a mailbox change: the address and the mailbox's new historyId."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True, defer_build=True)

    email_address: str = Field(alias="emailAddress", min_length=3, max_length=320)
    history_id: HistoryId = Field(alias="historyId")

    @field_validator("email_address")
    @classmethod
    def _looks_like_an_address(cls, value: str) -> str:
        if "@" not in value or any(c.isspace() for c in value.strip()):
            raise ValueError("not an e-mail address")
        return normalise_address(value)


class PushClaims(BaseModel):
    """The verified claims of a Pub/Sub push JWT that matter to us."""

    model_config = ConfigDict(frozen=True, extra="ignore", defer_build=True)

    iss: str
    aud: str
    email: str
    email_verified: bool
    exp: int
    iat: int | None = None


# `duplicate`: Pub/Sub delivered a message already acted on again (it delivers at least once).
PushStatus = Literal["queued", "up_to_date", "unknown_mailbox", "manual_only", "duplicate"]


class PushOutcome(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    status: PushStatus


# -- the classifier's contract (tracker_integrations.replies) -----------------------------------


class Classification(Protocol):
    """What `tracker_integrations.replies.classify_raw(raw) -> ReplyClassification` returns."""

    @property
    def category(self) -> ReplyCategory: ...
    @property
    def confidence(self) -> float: ...
    @property
    def bounced_recipient(self) -> str | None: ...
    @property
    def bounce_type(self) -> BounceType | None: ...
    @property
    def return_date(self) -> date | None: ...
    @property
    def reply_text(self) -> str: ...
