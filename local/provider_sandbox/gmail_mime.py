"""RFC 822 messages as Gmail presents them: the MIME payload tree, headers, snippet and searchable text.

The raw bytes are kept verbatim (format=raw returns them exactly); everything else is derived from them
with the standard library's parser, which is lenient about the malformed mail real inboxes hold.
"""

import base64
import hashlib
import html
import re
from dataclasses import dataclass
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses

from pydantic import JsonValue

SNIPPET_LENGTH = 200
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_SUBJECT_PREFIX = re.compile(r"^\s*((re|fwd?|aw|wg|sv|vs)\s*(\[\d+\])?\s*:\s*)+", re.IGNORECASE)
_TAGS = re.compile(r"<(script|style)\b.*?</\1\s*>|<[^>]+>", re.IGNORECASE | re.DOTALL)


def parse(raw: bytes) -> Message:
    # compat32 keeps header values as sent; decode_value() decodes RFC 2047 words where Gmail does.
    return BytesParser(policy=policy.compat32).parsebytes(raw)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii")


def decode_value(value: str) -> str:
    """An unfolded header value with RFC 2047 encoded words decoded."""
    unfolded = re.sub(r"\r?\n[ \t]", " ", str(value))
    try:
        return str(make_header(decode_header(unfolded)))
    except (ValueError, LookupError, UnicodeError):
        return unfolded


def headers(part: Message) -> list[tuple[str, str]]:
    return [(name, decode_value(value)) for name, value in part.items()]


def header(message: Message, name: str) -> str:
    value = message.get(name)
    return decode_value(value) if value is not None else ""


def message_ids(value: str) -> list[str]:
    """The `<id@host>` tokens of a Message-ID, In-Reply-To or References header, as written."""
    return _MESSAGE_ID.findall(value)


def normalized_subject(subject: str) -> str:
    """The subject without Re:/Fwd: prefixes, as Gmail compares subjects when threading."""
    return " ".join(_SUBJECT_PREFIX.sub("", subject).split()).casefold()


def addresses(message: Message, *names: str) -> str:
    """Display names and addresses of the given headers, for from:/to: matching."""
    values = [decode_value(v) for name in names for v in message.get_all(name, [])]
    pairs = getaddresses(values)
    return " ".join(f"{display} <{address}>" for display, address in pairs).casefold()


def _decoded(part: Message) -> bytes:
    payload = part.get_payload(decode=True)
    return payload if isinstance(payload, bytes) else b""


def _text(part: Message) -> str:
    charset = part.get_content_charset() or "us-ascii"
    try:
        return _decoded(part).decode(charset, errors="replace")
    except LookupError:
        return _decoded(part).decode("latin-1")


def _filename(part: Message) -> str:
    name = part.get_filename()
    return decode_value(name) if name else ""


def body_text(message: Message) -> str:
    """The message's readable text: its text/plain parts, else its HTML parts without tags."""
    plain: list[str] = []
    rich: list[str] = []
    for part in message.walk():
        if part.is_multipart() or _filename(part):
            continue
        if part.get_content_type() == "text/plain":
            plain.append(_text(part))
        elif part.get_content_type() == "text/html":
            rich.append(html.unescape(_TAGS.sub(" ", _text(part))))
    return "\n".join(plain or rich)


def snippet(message: Message) -> str:
    """Gmail's snippet: the start of the text, whitespace collapsed, HTML-escaped as Gmail does."""
    text = " ".join(body_text(message).split())[:SNIPPET_LENGTH]
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return escaped.replace('"', "&quot;").replace("'", "&#39;")


def has_attachment(message: Message) -> bool:
    return any(_filename(part) for part in message.walk() if not part.is_multipart())


@dataclass(frozen=True)
class Attachment:
    attachment_id: str
    data: bytes


def attachment_id(message_id: str, part_id: str) -> str:
    """Gmail's attachment ids are long opaque strings; these are stable per message part."""
    digest = hashlib.sha256(f"{message_id}:{part_id}".encode()).digest()
    return "ANGjdJ" + base64.urlsafe_b64encode(digest * 3).decode("ascii").rstrip("=")


def payload(message: Message, message_id: str) -> dict[str, JsonValue]:
    """The `MessagePart` tree: partId, mimeType, filename, headers, body and child parts."""
    return _part(message, "", message_id)


def _children(part: Message) -> list[Message]:
    children = part.get_payload()
    assert isinstance(children, list)
    return [child for child in children if isinstance(child, Message)]


def _part(part: Message, part_id: str, message_id: str) -> dict[str, JsonValue]:
    node: dict[str, JsonValue] = {
        "partId": part_id,
        "mimeType": part.get_content_type(),
        "filename": _filename(part),
        "headers": [{"name": name, "value": value} for name, value in headers(part)],
    }
    if part.is_multipart():
        node["body"] = {"size": 0}
        children = _children(part)
        prefix = f"{part_id}." if part_id else ""
        node["parts"] = [_part(child, f"{prefix}{i}", message_id) for i, child in enumerate(children)]
        return node
    data = _decoded(part)
    if node["filename"]:
        node["body"] = {"attachmentId": attachment_id(message_id, part_id), "size": len(data)}
    elif data:
        node["body"] = {"size": len(data), "data": b64url(data)}
    else:
        node["body"] = {"size": 0}
    return node
