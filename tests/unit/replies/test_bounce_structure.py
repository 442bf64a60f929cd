"""Bounces read from their structure first: delivery-status fields wherever they are written, the
words only mail servers write, and notifications that are not failures (complaints, deliveries)."""

from __future__ import annotations

import pytest

from tracker_integrations.replies import classify_raw


def _mail(headers: str, body: str) -> bytes:
    return (headers.strip() + "\r\n\r\n" + body.strip() + "\r\n").replace("\r\n", "\n").replace("\n", "\r\n").encode()


_DSN_REPORT = """
From: Mail Delivery System <MAILER-DAEMON@relay.example>
To: sam@plugger.example
Subject: Returned mail
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="b1"
"""


@pytest.mark.parametrize("dsn_type", ["message/global-delivery-status", "text/delivery-status"])
def test_delivery_status_parts_of_other_types_are_read_structurally(dsn_type: str) -> None:
    # GIVEN a report whose delivery-status part is typed as RFC 6533's international form or as text
    body = f"""
--b1
Content-Type: text/plain

Something went wrong.

--b1
Content-Type: {dsn_type}

Reporting-MTA: dns; relay.example

Final-Recipient: rfc822; presenter@gone-radio.example
Action: failed
Status: 5.1.1

--b1--
"""
    # WHEN it is classified
    result = classify_raw(_mail(_DSN_REPORT, body))
    # THEN the per-recipient fields decide: a hard bounce for that recipient
    assert (result.category, result.bounce_type) == ("bounce", "hard")
    assert result.bounced_recipient == "presenter@gone-radio.example"
    assert "dsn_failed_recipient" in result.reasons


def _relay_notice(body: str) -> bytes:
    """A plain-text message from an unremarkable sender, with an unremarkable subject."""
    return _mail("From: relay@mx.example\nTo: sam@plugger.example\nSubject: Notice\nContent-Type: text/plain", body)


def test_delivery_status_fields_written_into_a_plain_message_are_a_bounce() -> None:
    # GIVEN a plain-text message (no report part, an unremarkable sender and subject) carrying DSN fields
    result = classify_raw(
        _relay_notice(
            "Reporting-MTA: dns; mx.example\n\nFinal-Recipient: rfc822; curator@slow.example\n"
            "Action: delayed\nStatus: 4.4.7\n"
        )
    )
    # THEN the fields are read as a report: a soft bounce (delayed) for that recipient
    assert (result.category, result.bounce_type) == ("bounce", "soft")
    assert result.bounced_recipient == "curator@slow.example"
    assert "dsn_fields_in_text" in result.reasons


def test_delivery_status_fields_saying_delivered_are_not_a_bounce() -> None:
    notice = _relay_notice("Final-Recipient: rfc822; curator@fast.example\nAction: delivered\nStatus: 2.0.0\n")
    assert classify_raw(notice).category != "bounce"


@pytest.mark.parametrize(
    ("headers", "body"),
    [
        (
            "From: Mailer Daemon <MAILER-DAEMON@smtpd.example>\nSubject: Delivery status notification: error",
            "Hi!\n\nThis is the MAILER-DAEMON, please DO NOT REPLY to this e-mail.\n\n"
            "An error has occurred while attempting to deliver a message for\nthe following list of recipients:\n\n"
            "dj@gone.example: 550 5.1.1 unknown user\n",
        ),
        (
            "From: postmaster@james.example\nSubject: Re: New single",
            "Error message below:\n550 - Requested action not taken: no such user here\n\n"
            "Message details:\n  Subject: New single\n  MAIL FROM: sam@plugger.example\n  RCPT TO: dj@gone.example\n",
        ),
        (
            "From: post_master@sms.example\nSubject: Undeliverable Message",
            "Error: No valid recipients for this MM\n",
        ),
        (
            "From: radio-admin@lists.example\nSubject: Loop Alert: Duplicated Message-ID (radio ML)\n"
            "X-MLServer: fml [fml 4.0.3]",
            "Duplicated Message-ID in <radio@lists.example>.\n\nOriginal mail as follows:\n",
        ),
    ],
    ids=["opensmtpd", "apache-james", "mobile-gateway", "fml"],
)
def test_the_words_only_mail_servers_write_are_bounces(headers: str, body: str) -> None:
    raw = _mail(f"{headers}\nTo: sam@plugger.example\nContent-Type: text/plain", body)
    assert classify_raw(raw).category == "bounce"


def _ses(notification: str) -> bytes:
    return _mail(
        "From: AWS Notifications <no-reply@sns.amazonaws.com>\nTo: sam@plugger.example\n"
        "Subject: AWS Notification Message\nContent-Type: text/plain",
        notification,
    )


def test_an_ses_bounce_event_is_a_bounce() -> None:
    result = classify_raw(
        _ses(
            '{"eventType":"Bounce","bounce":{"bounceType":"Permanent","bouncedRecipients":'
            '[{"emailAddress":"dj@gone.example"}]}}'
        )
    )
    assert (result.category, result.bounce_type, result.bounced_recipient) == ("bounce", "hard", "dj@gone.example")


@pytest.mark.parametrize("kind", ["Complaint", "Delivery"])
def test_ses_complaint_and_delivery_notifications_are_not_bounces(kind: str) -> None:
    result = classify_raw(_ses(f'{{"notificationType":"{kind}","mail":{{"destination":["dj@radio.example"]}}}}'))
    assert result.category != "bounce"
