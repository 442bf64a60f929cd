"""Bounce detection: delivery-status reports (RFC 3464) and the non-standard texts of common MTAs.

Checked before auto-reply headers, because many real bounces also carry ``Auto-Submitted:
auto-replied``. Feedback reports (ARF, RFC 5965) and successful delivery reports are not bounces.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from tracker_integrations.replies.mime import ParsedMail, fields_from_text
from tracker_integrations.replies.model import BounceType

_FLAGS = re.IGNORECASE | re.MULTILINE

_DAEMON_LOCAL = re.compile(r"^(?:mailer[-_]?daemon|mail[-_]?daemon|post_?master|mail-?delivery|mailer|mdaemon)$", re.I)
_DAEMON_NAME = re.compile(
    r"mailer-?daemon|mail delivery (?:sub)?system|mail delivery (?:service|subsystem)|internet mail delivery|"
    r"mail deliver system|mail administrator|postmaster|mail system error",
    re.I,
)

_SUBJECT_FAILURE = re.compile(
    r"undeliver(?:able|ed)|returned mail|mail delivery (?:failed|failure|problem)|delivery (?:status )?failure|"
    r"delivery status notification \((?:failure|delay)\)|delivery notification: delivery has (?:failed|been delayed)|"
    r"delivery status notification: (?:error|delayed|failed)|failure notice|failed delivery|failure delivery|"
    r"delivery failed|mail failed|returning (?:message )?to sender|could not (?:be )?deliver|couldn't be delivered|"
    r"non-?delivery|nondeliverable|not delivered|"
    r"mail system error|returned to sender|warning: could not send|could not send (?:mail|message)|"
    r"cannot send message|delayed mail|delivery (?:has been )?delayed|delivery delay|mail failure|error sending|"
    r"loop alert|mail loop|message delivery has failed|\bbounced? (?:mail|message|notification)|delivery status\s*$|"
    r"unzustellbar|nicht zustellbar|non remis|non distribu|[ée]chec de (?:la )?(?:remise|distribution)|"
    r"no se (?:pudo|puede) entregar|no entregad|non recapitabil|mancato recapito|n[ãa]o (?:foi )?entregue|"
    r"falha na entrega|onbestelbaar|niet afgeleverd",
    re.I,
)

# Texts that only mail delivery software writes: any one of them is a bounce.
_BODY_STRONG = re.compile(
    r"this is the qmail-send program|"
    r"this message was created automatically by mail delivery software|"
    r"delivery has failed to these recipients or (?:groups|distribution lists)|"
    r"your message (?:wasn't|was not|could not be|couldn't be|cannot be) delivered|"
    r"delivery to the following recipients? (?:failed|has been delayed|was aborted)|"
    r"message (?:could not|couldn't|was unable to) be delivered|"
    r"could not be delivered to (?:one or more|any|all) (?:of (?:its|the) )?recipients|"
    r"i'm sorry to have to inform you that (?:your|the) message|"
    r"i'm afraid i (?:wasn't|was not) able to deliver|"
    r"the following address\(es\) failed|"
    r"unable to deliver (?:your )?(?:message|mail) to the following|"
    r"the following addresses had permanent fatal errors|"
    r"transcript of session follows|"
    r"an error occurred while trying to deliver the mail to the following recipients|"
    r"this is the mail system at host|"
    r"your message did not reach some or all of the intended recipients|"
    r"the following recipient\(s\) could not be reached|"
    r"message delivery (?:has )?failed|"
    r"i'm not going to try again|"
    r"(?:could not|couldn't|unable to) deliver (?:your |the )?(?:mail|message)|"
    r"there was an error sending your mail|"
    r"(?:your )?message (?:has not yet been|could not yet be) delivered|"
    r"(?:is|are) still being retried|"
    r"delivery attempts will continue to be made|"
    r"mail delivery failed: returning message to sender|"
    r"sorry, we were unable to deliver your message|"
    r"could not deliver mail to|"
    r"a message that you sent (?:could not|has not yet been|was not) (?:be )?delivered|"
    r"permanent error\. the following address|"
    # OpenSMTPD, Apache James, Verizon, fml and sendmail's own words.
    r"this is the mailer-daemon, please do not reply|"
    r"an error has occurred while attempting to deliver a message|"
    r"this is the james mail server|error message below:[\s\S]{0,400}message details:|"
    r"no valid recipients for this mm|message could not be delivered to mobile|"
    r"duplicated message-id in <|"
    r"the original message was received at .{0,80}\bfrom\b|"
    r"this is an automatically generated delivery status notification|"
    r"delivery to the following recipients? failed permanently|"
    r"the following message to <[^>]+> was undeliverable|"
    r"your message to .{1,200} couldn't be delivered",
    re.I,
)
# A mailing-list manager (fml) refusing a post: a policy bounce, told by its header and wording.
_LIST_MANAGER = re.compile(r"\bfml\b", re.I)
_LIST_REFUSAL = re.compile(
    r"not (?:a )?member|members only|rejected|denied|not allowed|loop alert|duplicated message-id", re.I
)

# Reasons that point at a delivery failure but could, rarely, be quoted in a human message.
_BODY_WEAK = re.compile(
    r"\b(?:mailbox (?:is )?(?:full|unavailable|not found|disabled)|user unknown|unknown user|no such (?:user|"
    r"mailbox|recipient|address)|recipient address rejected|address rejected|does not exist|"
    r"host (?:not found|unknown)|over quota|quota exceeded|relay(?:ing)? denied|message rejected|"
    r"connection timed out|temporary failure|permanent (?:failure|error)|delivery (?:failed|failure)|"
    r"not delivered|could not be delivered|undeliverable|rejected your message|was rejected|"
    r"duplicated message-id|mail loop|too many hops|returned mail)\b",
    re.I,
)

_SMTP_IN_TEXT = re.compile(
    r"(?:^|said:|error:?|replied:?|response:?|reason:?|\]:|\bcode:?|<<<|smtp;)\s*[(<]?([45][0-5][0-9])(?:[ -]|$)",
    _FLAGS,
)
_ENHANCED = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?!\.?\d)")
_STATUS_LINE = re.compile(r"^\s*Status:\s*([245])\.\d{1,3}\.\d{1,3}", _FLAGS)
_ACTION_LINE = re.compile(r"^\s*Action:\s*([a-z]+)", _FLAGS)
_RECIPIENT_LINE = re.compile(
    r"^\s*(?:Final|Original)-Recipient:\s*(?:rfc822;)?\s*<?([^\s<>;]+@[^\s<>;]+?)>?\s*$", _FLAGS
)
# qmail writes "<address>:", Exim and others put the failed address alone on a line.
_ADDRESS_LINE = re.compile(r"^[ \t]*<?([^\s<>:]+@[^\s<>:]+?)>?:?[ \t]*$", _FLAGS)
_ADDRESS = re.compile(r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")

# Where a non-MIME bounce starts quoting the original message: codes and addresses after this are not its own.
_ORIGINAL_MARKER = re.compile(
    r"^.*(?:original message follows|this is a copy of the message|below this line is a copy of the message|"
    r"original mail as follows|returned message follows|original message header|"
    r"^-+ ?(?:original|returned) message|^-+ ?the header of the original message)",
    _FLAGS,
)
# SES notifications arrive as JSON, often itself escaped inside the SNS envelope's "Message" string.
_SES_BOUNCE = re.compile(r'\\?"(?:notificationType|eventType)\\?"\s*:\s*\\?"Bounce\\?"')
_SES_TYPE = re.compile(r'\\?"bounceType\\?"\s*:\s*\\?"(Permanent|Transient|Undetermined)')
_SES_TYPES: dict[str, BounceType] = {"Permanent": "hard", "Transient": "soft"}
_SES_RECIPIENT = re.compile(r'\\?"bouncedRecipients\\?"\s*:\s*\[\s*\{[^}]*?\\?"emailAddress\\?"\s*:\s*\\?"([^"\\]+)')

_SOFT_WORDS = re.compile(
    r"\bdelayed\b|\bdelay\)|temporar(?:y|ily)|will be retried|still being retried|will (?:continue to )?retry|"
    r"try again later|\bdeferred\b|could not send (?:mail|message) for past|mailbox (?:is )?full|over quota",
    re.I,
)
_HARD_WORDS = re.compile(
    r"failed permanently|permanent (?:delivery )?(?:errors?|failures?)|permanently|fatal errors?", re.I
)

_SUCCESS_ACTIONS = frozenset({"delivered", "relayed", "expanded", "deliverable"})
_FAILURE_ACTIONS = frozenset({"failed", "delayed", "failure"})
_DAEMON_ADDRESS_LOCAL = re.compile(r"^(?:mailer-?daemon|postmaster|mail-?daemon|no-?reply|root|abuse)$", re.I)


@dataclass(frozen=True, slots=True)
class BounceVerdict:
    is_bounce: bool
    reasons: tuple[str, ...]
    confidence: float = 0.0
    recipient: str | None = None
    bounce_type: BounceType | None = None


_NOT_BOUNCE = BounceVerdict(False, ())


def _own_text(mail: ParsedMail) -> str:
    """The bounce's own words: diagnostic text up to where a quoted original message begins."""
    text = mail.diagnostic
    marker = _ORIGINAL_MARKER.search(text)
    return text[: marker.start()] if marker else text


def _clean_address(value: str) -> str | None:
    match = _ADDRESS.search(value)
    return match.group(0).lower().rstrip(".") if match else None


def _is_daemon(mail: ParsedMail) -> bool:
    local = mail.sender.split("@", 1)[0]
    return bool(
        _DAEMON_LOCAL.match(local)
        or _DAEMON_NAME.search(mail.sender_name)
        or (not mail.sender and _DAEMON_NAME.search(mail.header("from")))
    )


def _action(block: dict[str, str] | object) -> str:
    value = block.get("action", "") if isinstance(block, dict) else ""
    return (str(value).split() or [""])[0].lower()


def _failed_dsn_recipients(mail: ParsedMail) -> list[dict[str, str]]:
    failed = []
    for block in mail.dsn_recipients:
        fields = dict(block)
        action = _action(fields)
        status_failed = fields.get("status", "")[:1] in {"4", "5"} and action not in _SUCCESS_ACTIONS
        if action in _FAILURE_ACTIONS or status_failed:
            failed.append(fields)
    return failed


def _type_from_status(status: str, action: str) -> BounceType | None:
    if status[:1] == "5":
        return "hard"
    if status[:1] == "4" or action.lower().startswith("delayed"):
        return "soft"
    return None


def _type_from_text(text: str) -> tuple[BounceType | None, str]:
    status = _STATUS_LINE.search(text)
    if status:
        return ("hard" if status.group(1) == "5" else "soft"), "status_line"
    action = _ACTION_LINE.search(text)
    if action and action.group(1).lower() == "delayed":
        return "soft", "action_delayed"
    for code in _ENHANCED.finditer(text):
        if code.group(1) in {"4", "5"}:
            return ("hard" if code.group(1) == "5" else "soft"), "enhanced_code"
    smtp = _SMTP_IN_TEXT.search(text)
    if smtp:
        return ("hard" if smtp.group(1)[0] == "5" else "soft"), "smtp_code"
    # The server saying it gave up for good outranks the reason's wording: Exim's "This is a permanent
    # error" over a full mailbox whose retry time ran out is a hard bounce.
    if _HARD_WORDS.search(text):
        return "hard", "permanent_wording"
    if _SOFT_WORDS.search(text):
        return "soft", "temporary_wording"
    return None, "no_code"


def _recipient_from_text(mail: ParsedMail, own: str) -> str | None:
    found = _RECIPIENT_LINE.search(own) or _ADDRESS_LINE.search(own)
    if found:
        return _clean_address(found.group(1))
    excluded = {mail.sender, *mail.to}
    for match in _ADDRESS.finditer(own):
        address = match.group(0).lower().rstrip(".")
        if address not in excluded and not _DAEMON_ADDRESS_LOCAL.match(address.split("@", 1)[0]):
            return address
    return mail.embedded_to[0] if mail.embedded_to else None


@dataclass(slots=True)
class _Evidence:
    reasons: list[str] = field(default_factory=list)
    confidence: float = 0.0
    recipient: str | None = None
    bounce_type: BounceType | None = None

    def add(self, reason: str, confidence: float) -> None:
        self.reasons.append(reason)
        self.confidence = max(self.confidence, confidence)


def _structured_evidence(mail: ParsedMail, found: _Evidence) -> None:
    """Machine-readable failure reports: DSN parts, X-Failed-Recipients, SES notifications."""
    failed = _failed_dsn_recipients(mail)
    if failed:
        found.add("dsn_failed_recipient", 0.99)
        first = failed[0]
        found.recipient = _clean_address(first.get("final-recipient", "") or first.get("original-recipient", ""))
        found.bounce_type = _type_from_status(first.get("status", ""), first.get("action", ""))
        if found.bounce_type:
            found.reasons.append(f"dsn_status_{found.bounce_type}")
    failed_header = mail.header("x-failed-recipients")
    if failed_header:
        found.add("x_failed_recipients", 0.97)
        found.recipient = found.recipient or _clean_address(failed_header)
    if _SES_BOUNCE.search(mail.diagnostic):
        found.add("ses_bounce_notification", 0.97)
        ses_recipient = _SES_RECIPIENT.search(mail.diagnostic)
        if ses_recipient and not found.recipient:
            found.recipient = _clean_address(ses_recipient.group(1))
        ses_type = _SES_TYPE.search(mail.diagnostic)
        if ses_type and not found.bounce_type:
            found.bounce_type = _SES_TYPES.get(ses_type.group(1))


def _dsn_fields_in_text(mail: ParsedMail, own: str, found: _Evidence) -> None:
    """RFC 3464 per-recipient fields written into a text part (no message/delivery-status part)."""
    if mail.dsn_recipients or "recipient:" not in own.lower():
        return
    for fields in fields_from_text(own):
        has_recipient = "final-recipient" in fields or "original-recipient" in fields
        action = _action(fields)
        status = fields.get("status", "")
        failed = action in _FAILURE_ACTIONS or (status[:1] in {"4", "5"} and action not in _SUCCESS_ACTIONS)
        if has_recipient and failed:
            found.add("dsn_fields_in_text", 0.95)
            found.recipient = found.recipient or _clean_address(
                fields.get("final-recipient", "") or fields.get("original-recipient", "")
            )
            found.bounce_type = found.bounce_type or _type_from_status(status, action)
            return


def _list_manager_refusal(mail: ParsedMail, own: str, found: _Evidence) -> None:
    software = f"{mail.header('x-mlserver')} {mail.header('list-software')} {mail.header('x-ml-server')}"
    if _LIST_MANAGER.search(software) and (_LIST_REFUSAL.search(mail.subject) or _LIST_REFUSAL.search(own[:2000])):
        found.add("list_manager_refusal", 0.9)


def _text_evidence(mail: ParsedMail, own: str, found: _Evidence) -> None:
    """The texts and senders of non-standard bounces; weak cues only count together."""
    if _BODY_STRONG.search(own):
        found.add("mta_bounce_text", 0.95)
    cues = {
        "sender_mailer_daemon": _is_daemon(mail),
        "subject_delivery_failure": bool(_SUBJECT_FAILURE.search(mail.subject)),
        "failure_reason_text": bool(_BODY_WEAK.search(own)),
        "smtp_status_code": bool(_SMTP_IN_TEXT.search(own) or _STATUS_LINE.search(own)),
    }
    found.reasons.extend(name for name, present in cues.items() if present)
    if found.confidence:
        return
    daemon, subject, reason, code = cues.values()
    supporting = sum((subject, reason, code, mail.has_embedded_original))
    if daemon and supporting:
        found.confidence = 0.85 + 0.04 * min(supporting, 3)
    elif (subject and (reason or code)) or (mail.report_type == "delivery-status" and (subject or daemon or reason)):
        found.confidence = 0.85
    elif mail.has_embedded_original and reason:
        found.confidence = 0.75


_SES_NOT_FAILURE = re.compile(r'\\?"(?:notificationType|eventType)\\?"\s*:\s*\\?"(Complaint|Delivery)\\?"')


def detect_bounce(mail: ParsedMail) -> BounceVerdict:
    if mail.report_type == "feedback-report" or mail.has_feedback_report:
        return BounceVerdict(False, ("feedback_report",))
    ses_other = _SES_NOT_FAILURE.search(mail.diagnostic[:2000])
    if ses_other and not _SES_BOUNCE.search(mail.diagnostic):
        return BounceVerdict(False, (f"ses_{ses_other.group(1).lower()}_notification",))
    if mail.dsn_recipients and not _failed_dsn_recipients(mail):
        actions = {_action(dict(block)) for block in mail.dsn_recipients}
        if actions and actions <= _SUCCESS_ACTIONS:
            return BounceVerdict(False, ("delivery_success_report",))

    own = _own_text(mail)
    found = _Evidence()
    _structured_evidence(mail, found)
    _dsn_fields_in_text(mail, own, found)
    _list_manager_refusal(mail, own, found)
    _text_evidence(mail, own, found)
    if not found.confidence:
        return _NOT_BOUNCE
    if found.bounce_type is None:
        found.bounce_type, source = _type_from_text(own)
        found.reasons.append(f"type_from_{source}")
    if found.recipient is None:
        found.recipient = _recipient_from_text(mail, own)
    return BounceVerdict(True, tuple(found.reasons), round(found.confidence, 2), found.recipient, found.bounce_type)
