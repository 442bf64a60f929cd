"""What a classified message does to a pitch: statuses, flags, follow-ups, order independence, overrides."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from tracker_integrations.models.campaign import Pitch, PitchStatus
from tracker_integrations.models.statuses import BounceType, ReplyCategory
from tracker_integrations.providers.google.gmail.effects import PREVIEW_CHARS, ReplyEvent, apply_reply, override

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


def _pitch(**extra: Any) -> Pitch:
    fields: dict[str, Any] = {
        "pitch_id": "p1",
        "campaign_id": "c1",
        "email": "annie@radio.example",
        "status": PitchStatus.SENT,
        "sent_at": NOW - timedelta(days=3),
        "created_at": NOW,
        "updated_at": NOW,
    }
    return Pitch.model_validate(fields | extra)


def _event(
    category: ReplyCategory,
    message_id: str = "m1",
    *,
    at: datetime = NOW,
    bounce_type: BounceType | None = None,
    return_date: date | None = None,
    text: str = "Thanks!",
) -> ReplyEvent:
    return ReplyEvent(
        category=category,
        confidence=0.9,
        bounce_type=bounce_type,
        return_date=return_date,
        reply_text=text,
        received_at=at,
        gmail_message_id=message_id,
        gmail_thread_id="t1",
        mailbox="dan@example.com",
    )


def _applied(pitch: Pitch, event: ReplyEvent) -> Pitch:
    changes = apply_reply(pitch, event)
    return pitch if changes is None else Pitch.model_validate(pitch.model_dump() | changes)


@pytest.mark.parametrize(
    ("category", "status"),
    [("replied", "replied"), ("interested", "interested"), ("not_interested", "not_interested")],
)
def test_a_reply_moves_the_pitch_to_its_category(category: ReplyCategory, status: str) -> None:
    pitch = _applied(_pitch(), _event(category, text="Sounds great " * 40))
    assert pitch.status == status
    assert pitch.reply is not None
    assert pitch.reply.open_in_gmail_url == "https://mail.google.com/mail/u/dan@example.com/#all/m1"
    assert len(pitch.reply.preview) <= PREVIEW_CHARS


def test_a_generic_reply_does_not_overwrite_a_more_specific_status() -> None:
    assert _applied(_pitch(status=PitchStatus.INTERESTED), _event("replied")).status == PitchStatus.INTERESTED


def test_a_hard_bounce_marks_bounced_and_a_soft_one_only_flags() -> None:
    hard = _applied(_pitch(), _event("bounce", bounce_type="hard"))
    assert (hard.status, hard.soft_bounce) == (PitchStatus.BOUNCED, False)
    soft = _applied(_pitch(), _event("bounce", bounce_type="soft"))
    assert (soft.status, soft.soft_bounce) == (PitchStatus.SENT, True)


def test_an_out_of_office_sets_a_follow_up_after_the_return_date_or_a_week_after_sending() -> None:
    dated = _applied(_pitch(), _event("auto_reply", return_date=date(2026, 12, 1)))
    assert (dated.status, dated.follow_up_on) == (PitchStatus.SENT, date(2026, 12, 2))
    assert dated.reply is not None
    assert dated.reply.return_date == date(2026, 12, 1)
    undated = _applied(_pitch(), _event("auto_reply"))
    assert undated.follow_up_on == (NOW - timedelta(days=3) + timedelta(days=7)).date()


def test_the_same_message_twice_changes_nothing_the_second_time() -> None:
    once = _applied(_pitch(), _event("replied"))
    assert apply_reply(once, _event("replied")) is None


def test_the_outcome_does_not_depend_on_the_order_messages_arrive_in() -> None:
    events = [
        _event("auto_reply", "m1", at=NOW),
        _event("replied", "m2", at=NOW + timedelta(hours=1)),
        _event("bounce", "m3", at=NOW + timedelta(hours=2), bounce_type="soft"),
        _event("interested", "m4", at=NOW + timedelta(hours=3)),
    ]
    outcomes = set()
    for order in itertools.permutations(events):
        pitch = _pitch()
        for event in order:
            pitch = _applied(pitch, event)
        assert pitch.reply is not None
        outcomes.add((pitch.status, pitch.reply.gmail_message_id))
    assert outcomes == {(PitchStatus.INTERESTED, "m4")}


def test_a_users_category_is_never_undone_by_a_later_message() -> None:
    replied = _applied(_pitch(), _event("replied"))
    corrected = Pitch.model_validate(replied.model_dump() | override(replied, "not_interested"))
    assert corrected.reply is not None
    assert corrected.reply.category_source == "user"
    assert corrected.status == PitchStatus.NOT_INTERESTED
    assert apply_reply(corrected, _event("interested", "m9", at=NOW + timedelta(days=1))) is None


def test_marking_a_reply_automatic_puts_the_pitch_back_to_sent() -> None:
    replied = _applied(_pitch(), _event("replied"))
    changes = override(replied, "auto_reply")
    assert changes["status"] == PitchStatus.SENT
