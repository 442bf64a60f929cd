"""Which pitch a Gmail message belongs to.

By thread first: the pitch's own sent e-mail (found in the user's SENT mail by recipient and
subject, and remembered on the pitch) gives a Gmail threadId and an RFC 5322 Message-ID; a reply in
that thread, or one whose In-Reply-To/References name that Message-ID, belongs to it. Failing that,
by the contact's address plus the subject with reply/forward prefixes stripped (in the languages
pitches are answered in), compared without case or extra whitespace. A bounce belongs to the pitch
whose contact is the failed recipient it reports.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from email.message import Message
from email.parser import BytesHeaderParser
from email.policy import default as default_policy
from email.utils import getaddresses
from typing import TYPE_CHECKING

from tracker_integrations.models.campaign import Campaign, Pitch, PitchStatus
from tracker_integrations.models.gmail import normalise_address

if TYPE_CHECKING:
    from tracker_integrations.replies.corrections import CorrectionMemory

# Reply and forward prefixes: English, German (AW, WG, Antw), Nordic (SV, VS, VB, Vid), Dutch
# (Antw, Doorst), French (TR, RE, Réf, Rép, ENC is Portuguese), Spanish/Portuguese (RV, RES, ENC,
# Fwd), Italian (R, Rif, I), Polish (Odp, PD), Turkish (YNT, ILT), Finnish (VS, VL), Greek, Chinese,
# Japanese. Each may carry a counter ("Re[2]:", "Re(3):", "RE^2:") and a full-width colon.
_PREFIX_WORDS = (
    "re|fwd|fw|aw|wg|sv|vs|vb|vl|vid|antw|antwort|doorst|tr|rv|res|r|rif|enc|réf|ref|rép|odp|pd|ynt|ilt"
    "|atb|továbbítás|転送|返信|回复|答复|转发|回覆|轉寄|απ|σχετ|πρθ"
)
_PREFIX = re.compile(
    rf"^\s*(?:{_PREFIX_WORDS})\s*(?:\[\d+\]|\(\d+\)|\^\d+)?\s*[:\uff1a]\s*",
    re.IGNORECASE,
)
_WHITESPACE = re.compile(r"\s+")
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")


def normalise_subject(subject: str) -> str:
    """'RE: Fwd: AW:  New single  from The Lanterns' -> 'new single from the lanterns'."""
    text = subject or ""
    while True:
        stripped = _PREFIX.sub("", text, count=1)
        if stripped == text:
            break
        text = stripped
    return _WHITESPACE.sub(" ", text).strip().casefold()


@dataclass(frozen=True)
class MailHeaders:
    """The headers matching needs, decoded (RFC 2047) and normalised (addresses lower-case)."""

    sender: str
    recipients: tuple[str, ...]
    subject: str
    message_id: str
    references: tuple[str, ...]  # In-Reply-To then References, each an RFC 5322 <msg-id>


def _header(message: Message, name: str) -> list[str]:
    return [str(v) for v in message.get_all(name) or []]


def parse_headers(raw: bytes) -> MailHeaders:
    """The headers of an RFC 822 message (`format=raw`); the body is not parsed."""
    message = BytesHeaderParser(policy=default_policy).parsebytes(raw)
    senders = [a for _, a in getaddresses(_header(message, "From")) if "@" in a]
    recipients = tuple(
        normalise_address(a)
        for _, a in getaddresses(_header(message, "To") + _header(message, "Cc") + _header(message, "Bcc"))
        if "@" in a
    )
    ids = " ".join(_header(message, "In-Reply-To") + _header(message, "References"))
    message_ids = _MESSAGE_ID.findall(" ".join(_header(message, "Message-ID")))
    return MailHeaders(
        sender=normalise_address(senders[0]) if senders else "",
        recipients=recipients,
        subject=" ".join(_header(message, "Subject")),
        message_id=message_ids[0] if message_ids else "",
        references=tuple(dict.fromkeys(_MESSAGE_ID.findall(ids))),
    )


def _subjects(pitch: Pitch, campaign: Campaign | None) -> set[str]:
    candidates = {normalise_subject(pitch.subject)}
    if campaign is not None:
        candidates.add(normalise_subject(campaign.title))
    candidates.discard("")
    return candidates


def _latest_sent(pitches: list[Pitch]) -> Pitch | None:
    """Among several candidates: a pitch waiting for an answer, the most recently sent first."""
    if not pitches:
        return None
    if len(pitches) == 1:
        return pitches[0]
    waiting = [p for p in pitches if p.status in {PitchStatus.SENT, PitchStatus.OPENED}] or pitches
    return max(waiting, key=lambda p: (p.sent_at is not None, p.sent_at or p.created_at, p.created_at))


class PitchIndex:
    """The user's pitches, looked up by thread, Message-ID and contact address; kept current as the
    sync updates pitches (`replace`)."""

    def __init__(self, pitches: Iterable[Pitch], campaigns: dict[str, Campaign]) -> None:
        self._campaigns = campaigns
        self._pitches: dict[str, Pitch] = {}
        self._by_email: dict[str, list[str]] = {}
        for pitch in pitches:
            self._pitches[pitch.pitch_id] = pitch
            self._by_email.setdefault(normalise_address(str(pitch.email)), []).append(pitch.pitch_id)

    def __len__(self) -> int:
        return len(self._pitches)

    def replace(self, pitch: Pitch) -> None:
        self._pitches[pitch.pitch_id] = pitch

    def campaign(self, pitch: Pitch) -> Campaign | None:
        return self._campaigns.get(pitch.campaign_id)

    def _with_email(self, address: str) -> list[Pitch]:
        return [self._pitches[i] for i in self._by_email.get(normalise_address(address), [])]

    def _in_thread(self, thread_id: str, references: tuple[str, ...]) -> list[Pitch]:
        refs = set(references)
        return [
            p
            for p in self._pitches.values()
            if p.sent_thread is not None
            and (
                (thread_id and p.sent_thread.gmail_thread_id == thread_id)
                or (p.sent_thread.message_id and p.sent_thread.message_id in refs)
            )
        ]

    def _by_subject(self, pitches: list[Pitch], subject: str) -> list[Pitch]:
        wanted = normalise_subject(subject)
        return [p for p in pitches if wanted and wanted in _subjects(p, self.campaign(p))]

    def for_reply(self, headers: MailHeaders, thread_id: str) -> Pitch | None:
        """The pitch a contact's message answers, or None (an unknown sender, another subject)."""
        threaded = self._in_thread(thread_id, headers.references)
        if threaded:
            # One e-mail may pitch several contacts (one thread): the sender says which.
            own = [p for p in threaded if normalise_address(str(p.email)) == headers.sender]
            if own or len(threaded) == 1:
                return _latest_sent(own or threaded)
        return _latest_sent(self._by_subject(self._with_email(headers.sender), headers.subject))

    def for_bounce(self, recipient: str | None, headers: MailHeaders, thread_id: str) -> Pitch | None:
        """The pitch whose contact is the failed recipient a bounce reports."""
        if not recipient:
            return None
        candidates = self._with_email(recipient)
        if not candidates:
            return None
        ids = {p.pitch_id for p in candidates}
        threaded = [p for p in self._in_thread(thread_id, headers.references) if p.pitch_id in ids]
        return _latest_sent(threaded or candidates)

    def corrections(self) -> CorrectionMemory:
        """The user's corrected replies (the category they chose, on the pitch) as labelled examples."""
        # Imported here: the classifier package stays out of the cold start of routes that never classify.
        from tracker_integrations.replies.corrections import CorrectionExample, CorrectionMemory, domain_of

        return CorrectionMemory(
            CorrectionExample(domain_of(str(p.email)), p.reply.preview, p.reply.category)
            for p in self._pitches.values()
            if p.reply is not None and p.reply.category_source == "user"
        )

    def for_sent(self, headers: MailHeaders) -> list[Pitch]:
        """Pitches this message the user sent is the pitch e-mail of (a recipient is the contact and
        the subject is the pitch's or its campaign's)."""
        found: dict[str, Pitch] = {}
        for recipient in headers.recipients:
            for pitch in self._by_subject(self._with_email(recipient), headers.subject):
                found[pitch.pitch_id] = pitch
        return list(found.values())
