"""classify_raw: bounce first, then auto-reply, then the interest shown in a human reply."""

from __future__ import annotations

from datetime import UTC, datetime

from tracker_integrations.replies.autoreply import detect_auto_reply, has_out_of_office_wording
from tracker_integrations.replies.bounce import detect_bounce
from tracker_integrations.replies.dates import find_return_date
from tracker_integrations.replies.intent import IntentVerdict, classify_intent
from tracker_integrations.replies.mime import ParsedMail, parse
from tracker_integrations.replies.model import ReplyClassification
from tracker_integrations.replies.quotes import reply_text

# The preview is for people; a bounce or a very long reply does not need all of it.
MAX_REPLY_TEXT = 5000


def _reads_as_out_of_office(mail: ParsedMail, bounce_cues: tuple[str, ...], text: str, return_date: object) -> bool:
    """The model's out-of-office needs a person's short message with an absence phrase or a return date:
    anything with a trace of a delivery report (a daemon sender, a failure subject, a quoted original)
    is never called an auto-reply on wording alone."""
    machine_mail = bool(bounce_cues) or mail.has_embedded_original or bool(mail.report_type)
    return not machine_mail and len(text) < 1500 and (return_date is not None or has_out_of_office_wording(text))


def classify_raw(raw: bytes) -> ReplyClassification:
    """Classify one inbound message given as raw RFC 5322 bytes. Never raises on bad input."""
    if not raw or not raw.strip():
        return ReplyClassification(category="replied", confidence=0.1, reasons=("empty_message",))
    return classify_parsed(parse(raw))


def classify_parsed(mail: ParsedMail) -> ReplyClassification:
    text = reply_text(mail.body)[:MAX_REPLY_TEXT]
    extra = ("html_only",) if mail.html_only else ()

    bounce = detect_bounce(mail)
    if bounce.is_bounce:
        return ReplyClassification(
            category="bounce",
            confidence=bounce.confidence,
            bounced_recipient=bounce.recipient,
            bounce_type=bounce.bounce_type,
            reply_text=text,
            reasons=bounce.reasons,
        )

    sent_on = mail.sent_on or datetime.now(UTC).date()
    return_date = find_return_date(f"{mail.subject}\n{text}", sent_on)
    auto = detect_auto_reply(mail, text, states_return=return_date is not None)
    if auto.is_auto_reply:
        reasons = (*bounce.reasons, *auto.reasons, *(("return_date",) if return_date else ()))
        return ReplyClassification(
            category="auto_reply",
            confidence=auto.confidence,
            return_date=return_date,
            reply_text=text,
            reasons=reasons,
        )

    intent = classify_intent(text)
    if intent.intent == "auto_reply" and not _reads_as_out_of_office(mail, bounce.reasons, text, return_date):
        intent = IntentVerdict("replied", min(intent.confidence, 0.4), (*intent.reasons, "ooo_wording_unconfirmed"))
    if intent.intent == "auto_reply":
        return ReplyClassification(
            category="auto_reply",
            confidence=min(intent.confidence, 0.9),
            return_date=return_date,
            reply_text=text,
            reasons=(*bounce.reasons, *intent.reasons, "out_of_office_wording", *extra),
        )
    confidence = intent.confidence
    if not mail.headers:
        confidence = min(confidence, 0.3)  # not a parseable message: whatever was read is a guess
        extra = (*extra, "no_headers")
    return ReplyClassification(
        category=intent.intent,
        confidence=confidence,
        reply_text=text,
        reasons=(*bounce.reasons, *intent.reasons, *extra),
    )
