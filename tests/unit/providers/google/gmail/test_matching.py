"""Matching Gmail messages to pitches: subject normalisation, header parsing, thread then address+subject."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import pytest

from tracker_integrations.models.campaign import Campaign, Pitch, PitchStatus, PitchThread
from tracker_integrations.providers.google.gmail.matching import PitchIndex, normalise_subject, parse_headers

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("subject", "expected"),
    [
        ("New single", "new single"),
        ("Re: New single", "new single"),
        ("RE: RE: Fwd: New single", "new single"),
        ("FW: new single", "new single"),
        ("AW: WG: New Single", "new single"),
        ("SV: VS: New single", "new single"),
        ("Antw: New single", "new single"),
        ("TR: New single", "new single"),
        ("RV: New single", "new single"),
        ("R: Rif: New single", "new single"),
        ("ENC: New single", "new single"),
        ("Re[2]: New single", "new single"),
        ("Re(3): New single", "new single"),
        ("Re : New single", "new single"),  # French spacing
        ("Re\uff1a New single", "new single"),  # full-width colon
        ("  re:   New    SINGLE  ", "new single"),
        ("Fwd:Re:New single", "new single"),
        ("Release: New single", "release: new single"),  # a word, not a prefix
        ("Rework: New single", "rework: new single"),
        ("", ""),
    ],
)
def test_reply_and_forward_prefixes_are_stripped_and_text_normalised(subject: str, expected: str) -> None:
    assert normalise_subject(subject) == expected


def _raw(**headers: str) -> bytes:
    message = EmailMessage()
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("body")
    return message.as_bytes()


def test_headers_are_parsed_decoded_and_lower_cased() -> None:
    raw = _raw(
        From="Annie Mac <Annie@Radio.Example>",
        To="dan@example.com, Other <o@x.example>",
        Cc="cc@x.example",
        Subject="=?utf-8?q?Re=3A_Caf=C3=A9_session?=",
        Message_ID="<reply-1@radio.example>",
        In_Reply_To="<pitch-1@mail.example>",
        References="<pitch-0@mail.example> <pitch-1@mail.example>",
    )
    headers = parse_headers(raw)
    assert headers.sender == "annie@radio.example"
    assert headers.recipients == ("dan@example.com", "o@x.example", "cc@x.example")
    assert headers.subject == "Re: Café session"
    assert headers.message_id == "<reply-1@radio.example>"
    assert headers.references == ("<pitch-1@mail.example>", "<pitch-0@mail.example>")


def _campaign(title: str = "Autumn radio push") -> Campaign:
    return Campaign(campaign_id="cmp_1", title=title, created_at=NOW, updated_at=NOW)


def _pitch(pitch_id: str, email: str, subject: str = "", **extra: object) -> Pitch:
    fields: dict[str, object] = {
        "pitch_id": pitch_id,
        "campaign_id": "cmp_1",
        "email": email,
        "subject": subject,
        "status": PitchStatus.SENT,
        "created_at": NOW,
        "updated_at": NOW,
    }
    fields.update(extra)
    return Pitch.model_validate(fields)


def _index(*pitches: Pitch) -> PitchIndex:
    return PitchIndex(pitches, {"cmp_1": _campaign()})


def test_a_reply_in_the_pitch_thread_matches_by_thread_id() -> None:
    thread = PitchThread(gmail_thread_id="t1", gmail_message_id="m1", message_id="<p@x>")
    pitch = _pitch("p1", "annie@radio.example", sent_thread=thread)
    headers = parse_headers(_raw(From="annie@radio.example", Subject="totally different"))
    assert _index(pitch).for_reply(headers, "t1") == pitch


def test_a_reply_naming_the_pitch_message_id_matches_outside_the_thread() -> None:
    thread = PitchThread(gmail_thread_id="t1", gmail_message_id="m1", message_id="<p@x>")
    pitch = _pitch("p1", "annie@radio.example", sent_thread=thread)
    headers = parse_headers(_raw(From="annie@radio.example", Subject="hello", In_Reply_To="<p@x>"))
    assert _index(pitch).for_reply(headers, "other-thread") == pitch


def test_one_e_mail_to_several_contacts_is_told_apart_by_the_sender() -> None:
    thread = PitchThread(gmail_thread_id="t1", gmail_message_id="m1", message_id="<p@x>")
    annie = _pitch("p1", "annie@radio.example", sent_thread=thread)
    bob = _pitch("p2", "bob@blog.example", sent_thread=thread)
    headers = parse_headers(_raw(From="Bob <bob@blog.example>", Subject="Re: x"))
    assert _index(annie, bob).for_reply(headers, "t1") == bob


def test_without_a_thread_the_address_and_normalised_subject_must_both_match() -> None:
    pitch = _pitch("p1", "annie@radio.example", subject="Northern Lights")
    index = _index(pitch)
    assert (
        index.for_reply(parse_headers(_raw(From="ANNIE@radio.example", Subject="AW: northern  lights")), "t9") == pitch
    )
    # the campaign's title is a pitch subject too
    assert (
        index.for_reply(parse_headers(_raw(From="annie@radio.example", Subject="Re: Autumn radio push")), "t9") == pitch
    )
    # another subject, or another sender: no match
    assert index.for_reply(parse_headers(_raw(From="annie@radio.example", Subject="Lunch?")), "t9") is None
    assert index.for_reply(parse_headers(_raw(From="eve@x.example", Subject="Re: Northern Lights")), "t9") is None


def test_of_two_pitches_to_one_contact_the_one_waiting_and_sent_last_wins() -> None:
    older = _pitch("p1", "annie@radio.example", subject="Single", sent_at=NOW - timedelta(days=30))
    newer = _pitch("p2", "annie@radio.example", subject="Single", sent_at=NOW - timedelta(days=2))
    replied = _pitch("p3", "annie@radio.example", subject="Single", sent_at=NOW, status=PitchStatus.REPLIED)
    headers = parse_headers(_raw(From="annie@radio.example", Subject="Re: Single"))
    assert _index(older, newer, replied).for_reply(headers, "t") == newer


def test_a_bounce_matches_the_failed_recipient() -> None:
    annie = _pitch("p1", "annie@radio.example")
    bob = _pitch("p2", "bob@blog.example")
    headers = parse_headers(_raw(From="mailer-daemon@googlemail.com", Subject="Delivery Status Notification"))
    index = _index(annie, bob)
    assert index.for_bounce("Bob@Blog.example", headers, "t") == bob
    assert index.for_bounce("nobody@x.example", headers, "t") is None
    assert index.for_bounce(None, headers, "t") is None


def test_the_users_sent_pitch_is_found_by_recipient_and_subject() -> None:
    pitch = _pitch("p1", "annie@radio.example", subject="Northern Lights")
    other = _pitch("p2", "bob@blog.example", subject="Something else")
    headers = parse_headers(
        _raw(From="dan@example.com", To="Annie <annie@radio.example>, bob@blog.example", Subject="Northern Lights")
    )
    assert _index(pitch, other).for_sent(headers) == [pitch]
