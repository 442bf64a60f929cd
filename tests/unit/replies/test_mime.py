"""Reading messages: HTML-only mail, broken MIME and garbage never raise."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker_integrations.replies import classify_raw
from tracker_integrations.replies.mime import html_to_text, parse

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "replies"


def test_an_html_only_reply_is_converted_and_its_blockquote_dropped() -> None:
    # GIVEN an HTML-only reply with a script, entities and a quoted pitch in a blockquote
    result = classify_raw((FIXTURES / "html-only-reply.eml").read_bytes())
    # THEN the reply text is the visible new text only, and it is read for intent
    assert result.reply_text == "Hi Sam,\n\nWe'll play it on Saturday\u2019s show & add it to the playlist."
    assert result.category == "interested"
    assert "html_only" in result.reasons


def test_html_to_text_keeps_blocks_apart_and_skips_styles() -> None:
    text = html_to_text("<style>p{}</style><p>One</p><div>Two<br>Three</div><blockquote>Old</blockquote>")
    assert text == "One\n\nTwo\nThree\n\n> Old"


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"   \r\n",
        b"\x00\xff\xfe garbage \x80\x81",
        b"not an email at all",
        b'Content-Type: multipart/mixed; boundary="x"\r\n\r\n--x\r\n'
        b"Content-Type: text/plain; charset=bogus-8\r\n\r\n\xff",
        b"From: <<<@@@>>>\r\nDate: yesterday-ish\r\nSubject: =?utf-8?q?broken\r\n\r\nbody",
        b"Content-Type: message/delivery-status\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!!",
        b"Content-Type: multipart/report; report-type=delivery-status\r\n\r\nno boundary at all",
    ],
)
def test_malformed_input_never_raises_and_is_a_low_confidence_reply(raw: bytes) -> None:
    # WHEN malformed bytes are classified THEN a verdict comes back, not an exception
    result = classify_raw(raw)
    assert result.category in {"replied", "interested", "not_interested", "bounce", "auto_reply"}
    if result.category == "replied":
        assert result.confidence <= 0.6


def test_empty_bytes_are_a_replied_with_very_low_confidence() -> None:
    result = classify_raw(b"")
    assert (result.category, result.confidence, result.reply_text) == ("replied", 0.1, "")


def test_an_unknown_charset_is_decoded_leniently() -> None:
    raw = b"From: a@b.example\r\nContent-Type: text/plain; charset=x-unknown\r\n\r\nWe'll play it on Friday!"
    assert parse(raw).body.strip() == "We'll play it on Friday!"
    assert classify_raw(raw).category == "interested"
