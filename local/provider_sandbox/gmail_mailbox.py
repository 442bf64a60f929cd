"""Gmail mailboxes: messages, threads, labels, the history log, watches, the per-user quota and controls.

One `GmailService` per sandbox (`sandbox.gmail`). A mailbox exists for every sandbox Google user: its
address is the login the user signed in with on the consent page (the id_token `email`). Control methods
act as the mail system and the user (mail arrives, the user sends, reads or deletes): they use no app
quota and are not recorded as app requests.

- Message and thread ids are 16 hex digits; a thread's id is the id of its first message.
- History ids increase, with gaps, per mailbox. Each change is one history record (messageAdded,
  messageDeleted, labelAdded, labelRemoved). A start id older than the retained history gets 404.
- Threading as Gmail does it: a message joins the thread of a message of this mailbox whose Message-ID is
  in its In-Reply-To or References, if their subjects match once Re:/Fwd: prefixes are stripped.
- A watch publishes `{"emailAddress", "historyId"}` to its Pub/Sub topic for every matching change.
"""

import json
import math
import secrets
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import Message
from typing import Literal

from provider_sandbox import gmail_mime
from provider_sandbox.gmail_query import Searchable, words
from provider_sandbox.google_api import GoogleApiError
from provider_sandbox.identity import stable_digits
from provider_sandbox.oauth import AccessToken
from provider_sandbox.pubsub import PUSH_SERVICE_ACCOUNT, PubSub, PubSubError, PushSubscription, Topic, rfc3339_ms
from provider_sandbox.push import PushDelivery
from provider_sandbox.routing import SandboxContext

HistoryType = Literal["messageAdded", "messageDeleted", "labelAdded", "labelRemoved"]
HISTORY_TYPES: tuple[HistoryType, ...] = ("messageAdded", "messageDeleted", "labelAdded", "labelRemoved")
FilterBehavior = Literal["include", "exclude"]

WATCH_LIFETIME = timedelta(days=7)
QUOTA_WINDOW = timedelta(seconds=1)
DEFAULT_RECEIVED_LABELS = ("INBOX", "UNREAD")

# (id, name, type, messageListVisibility, labelListVisibility); None leaves the field out, as Gmail does.
SYSTEM_LABELS: tuple[tuple[str, str | None, str | None], ...] = (
    ("CHAT", "hide", "labelHide"),
    ("SENT", None, None),
    ("INBOX", None, None),
    ("IMPORTANT", "hide", "labelHide"),
    ("TRASH", "hide", "labelHide"),
    ("DRAFT", None, None),
    ("SPAM", "hide", "labelHide"),
    ("CATEGORY_FORUMS", "hide", "labelHide"),
    ("CATEGORY_UPDATES", "hide", "labelHide"),
    ("CATEGORY_PERSONAL", "hide", "labelHide"),
    ("CATEGORY_PROMOTIONS", "hide", "labelHide"),
    ("CATEGORY_SOCIAL", "hide", "labelHide"),
    ("STARRED", None, None),
    ("UNREAD", None, None),
)
SYSTEM_LABEL_IDS = frozenset(label for label, _, _ in SYSTEM_LABELS)


class MailboxError(ValueError):
    """A control call that cannot be done (unknown message or label, bad topic)."""


@dataclass
class StoredMessage:
    message_id: str
    thread_id: str
    raw: bytes
    parsed: Message
    labels: list[str]
    internal_date_ms: int
    # The last history record that touched the message.
    history_id: int

    @property
    def rfc_message_id(self) -> str:
        ids = gmail_mime.message_ids(self.parsed.get("Message-ID", ""))
        return ids[0] if ids else ""

    @property
    def subject(self) -> str:
        return gmail_mime.header(self.parsed, "Subject")

    def searchable(self, owner: str) -> Searchable:
        return Searchable(
            owner=owner,
            from_text=gmail_mime.addresses(self.parsed, "From"),
            to_text=gmail_mime.addresses(self.parsed, "To"),
            cc_text=gmail_mime.addresses(self.parsed, "Cc"),
            bcc_text=gmail_mime.addresses(self.parsed, "Bcc"),
            subject_words=tuple(words(self.subject)),
            text_words=tuple(words(gmail_mime.body_text(self.parsed))),
            labels=frozenset(self.labels),
            internal_date_ms=self.internal_date_ms,
            message_id=self.rfc_message_id,
            has_attachment=gmail_mime.has_attachment(self.parsed),
        )


@dataclass(frozen=True)
class HistoryRecord:
    history_id: int
    kind: HistoryType
    message_id: str
    thread_id: str
    # The message's labels right after the change, and the labels added or removed.
    labels: tuple[str, ...]
    changed_labels: tuple[str, ...]
    at: datetime


@dataclass
class Watch:
    client_id: str
    topic: str
    label_ids: tuple[str, ...]
    behavior: FilterBehavior
    expiration: datetime

    def wants(self, record: HistoryRecord) -> bool:
        if not self.label_ids:
            return True
        related = bool(set(self.label_ids) & (set(record.labels) | set(record.changed_labels)))
        return related if self.behavior == "include" else not related


@dataclass
class Mailbox:
    address: str
    history_id: int
    # Start ids below this are older than the retained history: history.list answers 404.
    history_floor: int
    messages: dict[str, StoredMessage] = field(default_factory=dict)
    history: list[HistoryRecord] = field(default_factory=list)
    watches: dict[str, Watch] = field(default_factory=dict)
    user_labels: dict[str, str] = field(default_factory=dict)
    # Low bits of message ids; starts anywhere so ids differ between mailboxes and runs.
    sequence: int = field(default_factory=lambda: secrets.randbelow(2**19))

    def label_id(self, name: str) -> str | None:
        """A label id from what a user types after label: (case-insensitive; '-' for spaces or '/')."""
        wanted = name.casefold().replace("-", " ").replace("/", " ")
        for label in SYSTEM_LABEL_IDS:
            if label.casefold() == name.casefold() or label.casefold().replace("_", " ") == wanted:
                return label
        for label_id, label_name in self.user_labels.items():
            if label_id.casefold() == name.casefold():
                return label_id
            if label_name.casefold().replace("-", " ").replace("/", " ") == wanted:
                return label_id
        return None


@dataclass(frozen=True)
class MessageInfo:
    """What the control API reports about a message."""

    id: str
    thread_id: str
    subject: str
    labels: list[str]
    history_id: int
    internal_date_ms: int
    rfc822_message_id: str


def _message_info(message: StoredMessage) -> MessageInfo:
    return MessageInfo(
        id=message.message_id,
        thread_id=message.thread_id,
        subject=message.subject,
        labels=list(message.labels),
        history_id=message.history_id,
        internal_date_ms=message.internal_date_ms,
        rfc822_message_id=message.rfc_message_id,
    )


class GmailService:
    """Mailboxes, the Gmail per-user quota, watches and the controls tests and the local stack use."""

    def __init__(self, ctx: SandboxContext) -> None:
        self.ctx = ctx
        self._lock = ctx.lock
        self._mailboxes: dict[str, Mailbox] = {}
        self._usage: dict[tuple[str, str], deque[tuple[datetime, int]]] = {}
        self.pubsub = PubSub.of(ctx)
        # Gmail's per-user rate limit in quota units per second (None = unlimited).
        self.user_units_per_second: int | None = 250
        # History older than this (sandbox clock) is dropped; None keeps it forever.
        self.history_retention: timedelta | None = timedelta(days=7)

    @classmethod
    def of(cls, ctx: SandboxContext) -> "GmailService":
        return ctx.component(cls, lambda: cls(ctx))

    # Mailboxes -------------------------------------------------------------------------------------

    def mailbox(self, login: str) -> Mailbox:
        """The user's mailbox, created empty on first use."""
        key = login.strip().casefold()
        with self._lock:
            if key not in self._mailboxes:
                start = int(stable_digits(key, "gmail-history", 7))
                self._mailboxes[key] = Mailbox(address=login.strip(), history_id=start, history_floor=start)
            return self._mailboxes[key]

    def _now_ms(self) -> int:
        return int(self.ctx.clock().timestamp() * 1000)

    @staticmethod
    def _new_message_id(mailbox: Mailbox, internal_date_ms: int) -> str:
        """The time in the high bits and a per-mailbox sequence in the low ones: later mail, higher id."""
        while True:
            mailbox.sequence += 1
            candidate = f"{(internal_date_ms << 20 | mailbox.sequence % 2**20) % 2**64:016x}"
            if candidate not in mailbox.messages:
                return candidate

    def _record(
        self, mailbox: Mailbox, kind: HistoryType, message: StoredMessage, changed: Iterable[str] = ()
    ) -> HistoryRecord:
        mailbox.history_id += 1 + secrets.randbelow(8)
        message.history_id = mailbox.history_id
        record = HistoryRecord(
            mailbox.history_id,
            kind,
            message.message_id,
            message.thread_id,
            tuple(message.labels),
            tuple(changed),
            self.ctx.clock(),
        )
        mailbox.history.append(record)
        self._notify(mailbox, record)
        return record

    def _thread_for(self, mailbox: Mailbox, parsed: Message) -> str | None:
        referenced = gmail_mime.message_ids(parsed.get("In-Reply-To", "")) + gmail_mime.message_ids(
            parsed.get("References", "")
        )
        subject = gmail_mime.normalized_subject(gmail_mime.header(parsed, "Subject"))
        wanted = {ref.casefold() for ref in referenced}
        for message in reversed(list(mailbox.messages.values())):
            if (
                message.rfc_message_id.casefold() in wanted
                and gmail_mime.normalized_subject(message.subject) == subject
            ):
                return message.thread_id
        return None

    def _add(self, login: str, raw: bytes, labels: Sequence[str], received_at: datetime | None) -> str:
        if not isinstance(raw, bytes):
            raise MailboxError("raw must be the message's bytes")
        with self._lock:
            mailbox = self.mailbox(login)
            unknown = [label for label in labels if label not in SYSTEM_LABEL_IDS and label not in mailbox.user_labels]
            if unknown:
                raise MailboxError(f"unknown label ids: {', '.join(unknown)}")
            parsed = gmail_mime.parse(raw)
            internal = int(received_at.timestamp() * 1000) if received_at is not None else self._now_ms()
            message_id = self._new_message_id(mailbox, internal)
            thread_id = self._thread_for(mailbox, parsed) or message_id
            message = StoredMessage(message_id, thread_id, raw, parsed, list(dict.fromkeys(labels)), internal, 0)
            mailbox.messages[message_id] = message
            self._record(mailbox, "messageAdded", message)
            return message_id

    # Controls: the mail system and the user ----------------------------------------------------------

    def deliver(
        self,
        login_or_email: str,
        raw: bytes,
        label_ids: Sequence[str] = DEFAULT_RECEIVED_LABELS,
        *,
        received_at: datetime | None = None,
    ) -> str:
        """Mail arrives: `raw` (RFC 822 bytes, stored verbatim) lands with `label_ids`; returns the id."""
        return self._add(login_or_email, raw, label_ids, received_at)

    def send_as_user(self, login: str, raw: bytes, *, sent_at: datetime | None = None) -> str:
        """The user sends `raw` from their own mailbox (label SENT), e.g. the pitch; returns the id."""
        return self._add(login, raw, ("SENT",), sent_at)

    def _message(self, mailbox: Mailbox, message_id: str) -> StoredMessage:
        message = mailbox.messages.get(message_id)
        if message is None:
            raise MailboxError(f"no message {message_id} in {mailbox.address}")
        return message

    def modify_labels(
        self, login: str, message_id: str, *, add: Sequence[str] = (), remove: Sequence[str] = ()
    ) -> list[str]:
        """The user labels a message (e.g. reads it: remove UNREAD); returns its labels."""
        with self._lock:
            mailbox = self.mailbox(login)
            message = self._message(mailbox, message_id)
            unknown = [x for x in add if x not in SYSTEM_LABEL_IDS and x not in mailbox.user_labels]
            if unknown:
                raise MailboxError(f"unknown label ids: {', '.join(unknown)}")
            added = [x for x in dict.fromkeys(add) if x not in message.labels]
            removed = [x for x in dict.fromkeys(remove) if x in message.labels and x not in added]
            if added:
                message.labels.extend(added)
                self._record(mailbox, "labelAdded", message, added)
            if removed:
                message.labels = [x for x in message.labels if x not in removed]
                self._record(mailbox, "labelRemoved", message, removed)
            return list(message.labels)

    def mark_read(self, login: str, message_id: str) -> list[str]:
        return self.modify_labels(login, message_id, remove=("UNREAD",))

    def delete_message(self, login: str, message_id: str) -> None:
        """The user deletes a message for good (not trash): a messageDeleted record."""
        with self._lock:
            mailbox = self.mailbox(login)
            message = self._message(mailbox, message_id)
            self._record(mailbox, "messageDeleted", message)
            del mailbox.messages[message_id]

    def create_label(self, login: str, name: str) -> str:
        """A user label; returns its id (Label_N)."""
        with self._lock:
            mailbox = self.mailbox(login)
            for label_id, existing in mailbox.user_labels.items():
                if existing == name:
                    return label_id
            label_id = f"Label_{len(mailbox.user_labels) + 1}"
            mailbox.user_labels[label_id] = name
            return label_id

    def expire_history(self, login: str) -> int:
        """History before now becomes too old: an older startHistoryId gets 404. Returns the floor."""
        with self._lock:
            mailbox = self.mailbox(login)
            mailbox.history.clear()
            mailbox.history_floor = mailbox.history_id
            return mailbox.history_floor

    def messages(self, login: str) -> list[MessageInfo]:
        """The mailbox's messages, oldest first."""
        with self._lock:
            mailbox = self.mailbox(login)
            ordered = sorted(mailbox.messages.values(), key=lambda m: (m.internal_date_ms, m.message_id))
            return [_message_info(m) for m in ordered]

    def raw(self, login: str, message_id: str) -> bytes:
        with self._lock:
            return self._message(self.mailbox(login), message_id).raw

    def history_id(self, login: str) -> int:
        with self._lock:
            return self.mailbox(login).history_id

    def watches(self, login: str) -> list[Watch]:
        with self._lock:
            return list(self.mailbox(login).watches.values())

    def expire_watches(self, login: str) -> int:
        """Every watch of the mailbox expires now (pushes stop until the app calls watch again)."""
        with self._lock:
            watches = self.mailbox(login).watches.values()
            for watch in watches:
                watch.expiration = self.ctx.clock()
            return len(watches)

    # Pub/Sub ---------------------------------------------------------------------------------------------

    def create_topic(self, name: str, *, gmail_can_publish: bool = True) -> Topic:
        """`projects/{project}/topics/{topic}`; gmail_can_publish=False: Gmail lacks the Publisher role."""
        try:
            return self.pubsub.create_topic(name, gmail_can_publish=gmail_can_publish)
        except PubSubError as exc:
            raise MailboxError(str(exc)) from exc

    def create_push_subscription(
        self,
        topic: str,
        endpoint: str,
        audience: str | None = None,
        service_account_email: str | None = PUSH_SERVICE_ACCOUNT,
        *,
        name: str | None = None,
    ) -> PushSubscription:
        try:
            return self.pubsub.create_push_subscription(
                topic, endpoint, name=name, audience=audience, service_account_email=service_account_email
            )
        except PubSubError as exc:
            raise MailboxError(str(exc)) from exc

    def push_deliveries(self) -> list[PushDelivery]:
        return self.pubsub.deliveries()

    def flush_push(self, timeout: float = 10.0) -> list[PushDelivery]:
        return self.pubsub.flush(timeout)

    def _notify(self, mailbox: Mailbox, record: HistoryRecord) -> None:
        now = self.ctx.clock()
        for watch in mailbox.watches.values():
            if now >= watch.expiration or not watch.wants(record):
                continue
            topic = self.pubsub.topic(watch.topic)
            if topic is None or not topic.gmail_can_publish:
                continue
            # Real Gmail sends historyId as a JSON number here (the docs' example shows a string).
            data = json.dumps({"emailAddress": mailbox.address, "historyId": record.history_id}).encode()
            self.pubsub.publish(watch.topic, data)

    # History ---------------------------------------------------------------------------------------------

    def retained_history(self, mailbox: Mailbox) -> list[HistoryRecord]:
        """Drop records past the retention; the floor rises to the newest dropped one."""
        if self.history_retention is not None:
            cutoff = self.ctx.clock() - self.history_retention
            while mailbox.history and mailbox.history[0].at < cutoff:
                dropped = mailbox.history.pop(0)
                mailbox.history_floor = max(mailbox.history_floor, dropped.history_id)
        return mailbox.history

    # Quota ------------------------------------------------------------------------------------------------

    def reset_quotas(self) -> None:
        with self._lock:
            self._usage.clear()

    def charge(self, access: AccessToken, units: int) -> None:
        """Count `units` against the user's per-second quota (per app); 429 with Retry-After when over."""
        limit = self.user_units_per_second
        with self._lock:
            now = self.ctx.clock()
            log = self._usage.setdefault((access.client_id, access.login.casefold()), deque())
            while log and now - log[0][0] >= QUOTA_WINDOW:
                log.popleft()
            used = sum(spent for _, spent in log)
            if limit is not None and used + units > limit:
                raise _rate_limited(now, self._retry_after(log, used + units - limit, now))
            log.append((now, units))

    @staticmethod
    def _retry_after(log: deque[tuple[datetime, int]], excess: int, now: datetime) -> datetime:
        freed = 0
        for at, spent in log:
            freed += spent
            if freed >= excess:
                return at + QUOTA_WINDOW
        return now + QUOTA_WINDOW


def _rate_limited(now: datetime, retry_at: datetime) -> GoogleApiError:
    seconds = max(1, math.ceil((retry_at - now).total_seconds()))
    return GoogleApiError(
        429,
        f"User-rate limit exceeded.  Retry after {rfc3339_ms(retry_at)}",
        reason="rateLimitExceeded",
        api_status="RESOURCE_EXHAUSTED",
        headers={"Retry-After": str(seconds)},
    )
