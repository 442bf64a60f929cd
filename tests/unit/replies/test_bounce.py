"""Bounces: delivery-status reports and the plain-text bounces of common mail servers."""

from __future__ import annotations

from pathlib import Path

import pytest

from tracker_integrations.replies import ReplyClassification, classify_raw

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "replies"


def _classify(name: str) -> ReplyClassification:
    return classify_raw((FIXTURES / name).read_bytes())


def test_a_hard_dsn_is_a_bounce_even_with_auto_submitted_auto_replied() -> None:
    # GIVEN a multipart/report DSN (Status 5.1.1) that also says Auto-Submitted: auto-replied
    # WHEN it is classified
    result = _classify("bounce-dsn-hard.eml")
    # THEN bounce signals win over the auto-reply header, with the failed recipient lower-cased
    assert result.category == "bounce"
    assert result.bounce_type == "hard"
    assert result.bounced_recipient == "presenter@gone-radio.example"
    assert "dsn_failed_recipient" in result.reasons
    assert result.confidence >= 0.95


def test_a_delayed_dsn_is_a_soft_bounce() -> None:
    # GIVEN a DSN with Action: delayed and Status 4.4.1
    result = _classify("bounce-dsn-delayed.eml")
    # THEN it is a soft bounce for that recipient
    assert (result.category, result.bounce_type) == ("bounce", "soft")
    assert result.bounced_recipient == "curator@slow-playlists.example"


@pytest.mark.parametrize(
    ("name", "recipient", "bounce_type"),
    [
        ("bounce-qmail.eml", "dj.nobody@club-radio.example", "hard"),
        ("bounce-exim.eml", "editor@old-magazine.example", "hard"),
        ("bounce-exchange.eml", "music.desk@community-fm.example", "hard"),
        ("bounce-mailbox-full-soft.eml", "host@late-show.example", "soft"),
    ],
)
def test_non_standard_text_bounces_are_recognised(name: str, recipient: str, bounce_type: str) -> None:
    # GIVEN a qmail, Exim, Exchange or Sendmail-style bounce with no delivery-status part
    result = _classify(name)
    # THEN the text and SMTP codes give the bounce, its recipient and whether it is permanent
    assert result.category == "bounce"
    assert result.bounced_recipient == recipient
    assert result.bounce_type == bounce_type


def test_delivery_success_reports_and_feedback_reports_are_not_bounces() -> None:
    # GIVEN a DSN whose only recipient was relayed, and an ARF abuse report
    # THEN neither is a bounce (the success report carries Auto-Submitted, so it is an auto-reply)
    assert _classify("dsn-delivered.eml").category == "auto_reply"
    assert _classify("arf-feedback.eml").category != "bounce"


def test_a_bounce_without_any_code_has_no_bounce_type() -> None:
    # GIVEN a mailer-daemon notice that names neither an SMTP code nor a temporary/permanent failure
    raw = (
        b"From: MAILER-DAEMON@mx.example\r\nTo: sam@plugger.example\r\nSubject: Undeliverable message\r\n"
        b"Date: Tue, 03 Mar 2026 10:00:00 +0000\r\n\r\nYour message to the following recipient could not be "
        b"processed:\r\n\r\n  gone@station.example\r\n"
    )
    result = classify_raw(raw)
    # THEN it is a bounce whose type is unknown
    assert result.category == "bounce"
    assert result.bounce_type is None
    assert result.bounced_recipient == "gone@station.example"


def test_a_human_mentioning_delivery_problems_is_not_a_bounce() -> None:
    # GIVEN a person's reply that talks about a failed delivery
    raw = (
        b"From: Alex <alex@northradio.example>\r\nTo: sam@plugger.example\r\nSubject: Re: single\r\n"
        b"Date: Tue, 03 Mar 2026 10:00:00 +0000\r\n\r\nYour first email was undeliverable to my old address, "
        b"glad this one reached me. Sending it to the music team.\r\n"
    )
    # THEN it is not a bounce
    assert classify_raw(raw).category != "bounce"


def test_reasons_never_carry_addresses_or_text() -> None:
    for name in ("bounce-dsn-hard.eml", "bounce-qmail.eml", "bounce-exchange.eml"):
        for reason in _classify(name).reasons:
            assert "@" not in reason
            assert " " not in reason


def _plain_bounce(subject: str, body: str) -> bytes:
    return (
        f"From: Mail Delivery System <MAILER-DAEMON@relay.example>\nTo: sam@plugger.example\nSubject: {subject}\n"
        f"Date: Tue, 3 Mar 2026 10:00:00 +0000\n\n{body}\n"
    ).encode()


def test_a_server_that_says_it_gave_up_for_good_makes_a_hard_bounce_whatever_the_reason() -> None:
    # GIVEN an Exim-style failure that calls itself permanent although its reason is a full mailbox
    raw = _plain_bounce(
        "Mail delivery failed: returning message to sender",
        "A message that you sent could not be delivered to one or more of its\nrecipients. This is a permanent "
        "error. The following address(es) failed:\n\n  host@late-show.example\n    mailbox is full: retry "
        "timeout exceeded",
    )
    # WHEN it is classified
    result = classify_raw(raw)
    # THEN the server's own "permanent" outranks the full mailbox's usually temporary wording
    assert (result.category, result.bounce_type) == ("bounce", "hard")


def test_a_daemon_saying_mail_failed_and_returning_it_is_a_bounce() -> None:
    # GIVEN a mailer-daemon's plain report whose subject says the mail failed and is being returned
    raw = _plain_bounce(
        "mail failed, returning to sender",
        "no valid recipients were found for this message\n dj@gone-radio.example ... unknown host",
    )
    # WHEN it is classified
    result = classify_raw(raw)
    # THEN it is a bounce for that recipient
    assert result.category == "bounce"
    assert result.bounced_recipient == "dj@gone-radio.example"
