"""Raw bytes to the few views of a message the classifier needs, without ever raising.

Real mail is often malformed (bad charsets, broken boundaries, unparseable headers), so every step
here degrades to "less information" rather than an exception.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from email.message import Message
from email.utils import getaddresses, parseaddr, parsedate_to_datetime
from html.parser import HTMLParser

# Enough to hold any real diagnostic text; caps the regex work on huge messages.
MAX_TEXT = 200_000
_MAX_DEPTH = 8

# RFC 3464 delivery reports, RFC 6533's international form, and a type some MTAs write for the same fields.
_DSN_TYPES = frozenset({"message/delivery-status", "message/global-delivery-status", "text/delivery-status"})
_EMBEDDED_TYPES = frozenset({"message/rfc822", "message/global", "text/rfc822-headers", "message/rfc822-headers"})
_BLOCK_TAGS = frozenset(
    {"p", "div", "br", "li", "tr", "table", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "ul", "ol", "pre", "section"}
)
_SKIP_TAGS = frozenset({"script", "style", "head", "title"})


@dataclass(frozen=True, slots=True)
class ParsedMail:
    headers: Mapping[str, tuple[str, ...]]
    subject: str = ""
    sender: str = ""  # lower-cased address from From
    sender_name: str = ""
    to: tuple[str, ...] = ()
    sent_on: date | None = None
    content_type: str = "text/plain"
    report_type: str = ""
    body: str = ""  # the main human-readable text (plain preferred, else HTML converted)
    diagnostic: str = ""  # every text part outside embedded original messages
    dsn_message: Mapping[str, str] = field(default_factory=dict)
    dsn_recipients: tuple[Mapping[str, str], ...] = ()
    has_feedback_report: bool = False
    has_embedded_original: bool = False
    embedded_to: tuple[str, ...] = ()
    html_only: bool = False

    def header(self, name: str) -> str:
        values = self.headers.get(name.lower())
        return values[0] if values else ""


class _HtmlToText(HTMLParser):
    """HTML to plain text; text inside <blockquote> comes out as "> " lines so quote stripping sees it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self._lines: list[str] = []
        self._current: list[str] = []
        self._skip = 0
        self._quote = 0

    def _break(self) -> None:
        text = re.sub(r"[ \t\r\n\xa0]+", " ", "".join(self._current)).strip()
        self._current = []
        if text:
            self._lines.append(("> " * self._quote) + text)
        elif self._lines and self._lines[-1] != "":
            self._lines.append("")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self._skip += 1
        elif tag == "blockquote":
            self._break()
            self._quote += 1
        elif tag in _BLOCK_TAGS:
            self._break()

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self._skip = max(0, self._skip - 1)
        elif tag == "blockquote":
            self._break()
            self._quote = max(0, self._quote - 1)
        elif tag in _BLOCK_TAGS:
            self._break()

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self._current.append(data)

    def text(self) -> str:
        self._break()
        return "\n".join(self._lines).strip()


def html_to_text(html: str) -> str:
    parser = _HtmlToText()
    try:
        parser.feed(html[:MAX_TEXT])
        parser.close()
    except Exception:  # html.parser is lenient; this guards against the odd assertion in its internals
        return re.sub(r"<[^>]*>", " ", html[:MAX_TEXT])
    return parser.text()


# Headers read as text need decoding (encoded words); the rest are kept raw, as parsing every
# Received header through the policy is most of the cost of reading a message.
_DECODED = frozenset({"from", "to", "subject", "thread-topic", "x-failed-recipients"})


def _decoded_headers(msg: Message) -> dict[str, tuple[str, ...]]:
    headers: dict[str, list[str]] = {}
    for name, raw in msg.raw_items():
        key = name.lower()
        value = str(raw)
        if key in _DECODED:
            try:
                value = str(msg.policy.header_fetch_parse(name, raw))
            except Exception:  # a header the policy cannot parse: keep its raw text
                value = str(raw)
        headers.setdefault(key, []).append(re.sub(r"\r?\n[ \t]+", " ", value).strip())
    return {name: tuple(values) for name, values in headers.items()}


def _text_of(part: Message) -> str:
    # An unknown charset or broken transfer encoding makes get_content raise: decode leniently instead.
    with contextlib.suppress(Exception):
        content = part.get_content()  # type: ignore[attr-defined]
        if isinstance(content, str):
            return content[:MAX_TEXT]
    try:
        payload = part.get_payload(decode=True)
    except Exception:
        return ""
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload[:MAX_TEXT].decode(charset, errors="replace")
    except LookupError:
        return payload[:MAX_TEXT].decode("utf-8", errors="replace")


def _fields_of(block: Message) -> dict[str, str]:
    fields: dict[str, str] = {}
    for name, raw in block.raw_items():
        fields.setdefault(name.lower(), re.sub(r"\s+", " ", str(raw)).strip())
    return fields


_FIELD_LINE = re.compile(r"^([A-Za-z][A-Za-z0-9-]*):[ \t]*(.*)$")


def fields_from_text(text: str) -> list[dict[str, str]]:
    """A delivery-status body the parser left as text: blank-line separated blocks of fields."""
    blocks: list[dict[str, str]] = []
    for chunk in re.split(r"\n\s*\n", text.replace("\r\n", "\n")):
        fields: dict[str, str] = {}
        last = ""
        for line in chunk.split("\n"):
            if line[:1] in {" ", "\t"} and last:
                fields[last] += " " + line.strip()
                continue
            match = _FIELD_LINE.match(line)
            if match:
                last = match.group(1).lower()
                fields.setdefault(last, match.group(2).strip())
        if fields:
            blocks.append(fields)
    return blocks


@dataclass(slots=True)
class _Walk:
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    diagnostic: list[str] = field(default_factory=list)
    dsn_blocks: list[dict[str, str]] = field(default_factory=list)
    feedback: bool = False
    embedded: bool = False
    embedded_to: list[str] = field(default_factory=list)


def _embedded_to(part: Message, ctype: str) -> list[str]:
    if ctype in {"message/rfc822", "message/global"}:
        inner = part.get_payload()
        if isinstance(inner, list) and inner and isinstance(inner[0], Message):
            return [str(v) for v in inner[0].get_all("to", []) or []]
        return []
    text = _text_of(part)
    return re.findall(r"(?im)^to:[ \t]*(.+)$", text)[:1]


def _dsn_blocks(part: Message) -> list[dict[str, str]]:
    payload = part.get_payload()
    if not isinstance(payload, list):
        return fields_from_text(_text_of(part))
    blocks: list[dict[str, str]] = []
    for block in payload:
        if not isinstance(block, Message):
            continue
        blocks.append(_fields_of(block))
        rest = block.get_payload()
        # Types the parser does not know as DSNs come as one block: its body holds the rest.
        if isinstance(rest, str) and rest.strip():
            blocks.extend(fields_from_text(rest))
    return blocks


def _visit(part: Message, walk: _Walk, depth: int) -> None:
    if depth > _MAX_DEPTH:
        return
    ctype = part.get_content_type()
    maintype = ctype.split("/", 1)[0]
    if ctype in _DSN_TYPES:
        payload = part.get_payload()
        walk.dsn_blocks.extend(_dsn_blocks(part))
    elif ctype == "message/feedback-report":
        walk.feedback = True
    elif ctype in _EMBEDDED_TYPES:
        walk.embedded = True
        walk.embedded_to.extend(_embedded_to(part, ctype))
    elif part.is_multipart():
        # A multipart whose boundary never appears leaves the whole body in the preamble.
        if part.preamble and part.preamble.strip():
            walk.diagnostic.append(part.preamble[:MAX_TEXT])
        payload = part.get_payload()
        if isinstance(payload, list):
            for sub in payload:
                if isinstance(sub, Message):
                    _visit(sub, walk, depth + 1)
    elif ctype == "text/html":
        text = html_to_text(_text_of(part))
        walk.html.append(text)
        walk.diagnostic.append(text)
    elif maintype in {"text", "multipart"}:
        # A multipart whose boundary never appears is left as one text payload: read it as text.
        text = _text_of(part)
        readable = ctype == "text/plain" or maintype == "multipart"
        if readable and part.get_content_disposition() != "attachment":
            walk.plain.append(text)
        walk.diagnostic.append(text)


def _addresses(values: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    try:
        pairs = getaddresses(list(values))
    except Exception:
        return ()
    return tuple(addr.strip().lower() for _, addr in pairs if "@" in addr)


def _sent_on(value: str) -> date | None:
    if not value:
        return None
    try:
        return parsedate_to_datetime(value).date()
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def parse(raw: bytes) -> ParsedMail:
    """Parse raw RFC 5322 bytes; never raises (an unusable message gives an almost empty view)."""
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception:
        text = raw[:MAX_TEXT].decode("utf-8", errors="replace")
        return ParsedMail(headers={}, body=text, diagnostic=text)
    headers = _decoded_headers(msg)
    walk = _Walk()
    with contextlib.suppress(Exception):  # a part tree the parser built but cannot walk: keep what was gathered
        _visit(msg, walk, 0)
    from_value = headers.get("from", ("",))[0]
    try:
        sender_name, sender = parseaddr(from_value)
    except Exception:
        sender_name, sender = "", ""
    try:
        report_type = str(msg.get_param("report-type", "") or "").lower()
    except Exception:
        report_type = ""
    blocks = walk.dsn_blocks
    first_is_message = bool(blocks) and not any(k in blocks[0] for k in ("final-recipient", "original-recipient"))
    plain = "\n".join(t for t in walk.plain if t.strip())
    html = "\n".join(t for t in walk.html if t.strip())
    return ParsedMail(
        headers=headers,
        subject=headers.get("subject", ("",))[0],
        sender=sender.strip().lower(),
        sender_name=sender_name.strip(),
        to=_addresses(headers.get("to", ())),
        sent_on=_sent_on(headers.get("date", ("",))[0]),
        content_type=msg.get_content_type(),
        report_type=report_type,
        body=plain or html or ("\n".join(walk.diagnostic) if not walk.dsn_blocks else ""),
        diagnostic="\n".join(walk.diagnostic)[:MAX_TEXT],
        dsn_message=blocks[0] if first_is_message else {},
        dsn_recipients=tuple(blocks[1:] if first_is_message else blocks),
        has_feedback_report=walk.feedback,
        has_embedded_original=walk.embedded,
        embedded_to=_addresses(walk.embedded_to),
        html_only=not plain and bool(html),
    )
