"""What a classified message does to its pitch, as a pure function of the pitch and the message.

- A reply moves the pitch to replied, interested or not_interested (a generic "replied" never
  overwrites a more specific interested/not_interested already set).
- A hard bounce marks it bounced; a soft bounce only flags it (the status stays).
- An out-of-office leaves the status, records the return date and sets a follow-up date: the day
  after the return date, or a week after the pitch was sent when no date is given.
- A user's correction of the category is final: no later message changes the reply or the status.

The result depends on the set of messages, not their order: a message replaces the pitch's reply
only when it outranks it (a person's reply over a bounce over an automatic answer, then the newer),
and the same message applied twice changes nothing the second time.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from tracker_integrations.models.campaign import Campaign, Pitch, PitchReply, PitchStatus
from tracker_integrations.models.notification import NotificationKind
from tracker_integrations.models.statuses import BounceType, ReplyCategory

PREVIEW_CHARS = 200
FOLLOW_UP_AFTER = timedelta(days=7)
_HUMAN = frozenset({"replied", "interested", "not_interested"})
_SPECIFIC = frozenset({PitchStatus.INTERESTED, PitchStatus.NOT_INTERESTED})


@dataclass(frozen=True)
class ReplyEvent:
    """A classified message from a contact (or about one, for a bounce)."""

    category: ReplyCategory
    confidence: float
    bounce_type: BounceType | None
    return_date: date | None
    reply_text: str
    received_at: datetime
    gmail_message_id: str
    gmail_thread_id: str
    mailbox: str

    @property
    def open_in_gmail_url(self) -> str:
        return f"https://mail.google.com/mail/u/{self.mailbox}/#all/{self.gmail_message_id}"

    @property
    def hard_bounce(self) -> bool:
        return self.category == "bounce" and self.bounce_type == "hard"


def preview(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= PREVIEW_CHARS else flat[: PREVIEW_CHARS - 1].rstrip() + "…"


def _rank(category: ReplyCategory, bounce_type: BounceType | None, received_at: datetime) -> tuple[int, datetime]:
    if category in _HUMAN:
        tier = 2
    elif category == "bounce" and bounce_type == "hard":
        tier = 1
    else:
        tier = 0  # out-of-office, soft bounce
    return tier, received_at


def status_for(category: ReplyCategory, current: PitchStatus, *, hard_bounce: bool) -> PitchStatus:
    if category == "bounce":
        return PitchStatus.BOUNCED if hard_bounce else current
    if category == "auto_reply":
        return current
    if category == "replied" and current in _SPECIFIC:
        return current
    return PitchStatus(category)


def apply_reply(pitch: Pitch, event: ReplyEvent) -> dict[str, Any] | None:
    """The pitch fields to change for this message, or None when it changes nothing."""
    current = pitch.reply
    if current is not None:
        if current.gmail_message_id == event.gmail_message_id or current.category_source == "user":
            return None
        if _rank(event.category, event.bounce_type, event.received_at) <= _rank(
            current.category, current.bounce_type, current.received_at
        ):
            return None
    reply = PitchReply(
        category=event.category,
        confidence=max(0.0, min(1.0, event.confidence)),
        preview=preview(event.reply_text),
        received_at=event.received_at,
        gmail_message_id=event.gmail_message_id,
        gmail_thread_id=event.gmail_thread_id,
        open_in_gmail_url=event.open_in_gmail_url,
        bounce_type=event.bounce_type if event.category == "bounce" else None,
        return_date=event.return_date if event.category == "auto_reply" else None,
    )
    changes: dict[str, Any] = {
        "reply": reply,
        "status": status_for(event.category, pitch.status, hard_bounce=event.hard_bounce),
    }
    if event.category in _HUMAN:
        changes["soft_bounce"] = False  # it was delivered after all
        changes["follow_up_on"] = None  # they answered: nothing to chase
    elif event.category == "bounce" and not event.hard_bounce:
        changes["soft_bounce"] = True
    elif event.category == "auto_reply":
        changes["follow_up_on"] = follow_up_date(pitch, event)
    return changes


def follow_up_date(pitch: Pitch, event: ReplyEvent) -> date:
    if event.return_date is not None:
        return event.return_date + timedelta(days=1)
    sent = pitch.sent_at or event.received_at
    return (sent + FOLLOW_UP_AFTER).date()


def override(pitch: Pitch, category: ReplyCategory) -> dict[str, Any]:
    """The user's correction: the reply's category, its status, and a mark that it is theirs."""
    if pitch.reply is None:
        raise ValueError("no reply")
    reply = pitch.reply.model_copy(
        update={
            "category": category,
            "category_source": "user",
            "bounce_type": (pitch.reply.bounce_type or "hard") if category == "bounce" else None,
        }
    )
    if category == "auto_reply":
        # An automatic answer is not an answer: back to waiting, unless the user moved it elsewhere.
        in_reply = {PitchStatus.REPLIED, PitchStatus.INTERESTED, PitchStatus.NOT_INTERESTED, PitchStatus.BOUNCED}
        status = PitchStatus.SENT if pitch.status in in_reply else pitch.status
    elif category == "bounce":
        status = PitchStatus.BOUNCED
    else:
        status = PitchStatus(category)
    return {"reply": reply, "status": status}


def notification(pitch: Pitch, campaign: Campaign | None, event: ReplyEvent) -> tuple[NotificationKind, str, str]:
    """The feed entry for a message that changed a pitch: (kind, message, action)."""
    who = pitch.contact_name or str(pitch.email)
    about = f" for '{campaign.title}'" if campaign is not None else ""
    if event.category == "bounce":
        if event.hard_bounce:
            return (
                "bounced",
                f"Your pitch to {who}{about} bounced: the address does not accept mail.",
                "Check the contact's e-mail address; the pitch is marked bounced.",
            )
        return (
            "bounced",
            f"Your pitch to {who}{about} could not be delivered for now (a temporary failure).",
            "Nothing to do yet: the mail server may still deliver it. Resend if it bounces again.",
        )
    if event.category == "auto_reply":
        back = f", back {event.return_date.isoformat()}" if event.return_date else ""
        follow = follow_up_date(pitch, event).isoformat()
        return (
            "out_of_office",
            f"{who} is out of the office{back} (automatic reply to your pitch{about}).",
            f"Follow up on {follow}; the pitch stays sent.",
        )
    words = {"interested": "and sounds interested", "not_interested": "and is not interested"}.get(event.category, "")
    return (
        "reply_received",
        f"{who} replied to your pitch{about} {words}".rstrip() + ".",
        "Read the reply on the pitch or open it in Gmail; correct the category if it is wrong.",
    )
