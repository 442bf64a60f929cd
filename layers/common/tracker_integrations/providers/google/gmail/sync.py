"""One Gmail reply-tracking run: read what is new in the mailbox, match it to pitches, update them.

Provider calls per run: one users.history.list from the stored historyId when nothing is new (and
one more page per 500 changes), plus one messages.get (format=raw) per new message not handled
before. The first run records the mailbox's historyId (users.getProfile), sets up users.watch and
backfills recent mail with a bounded messages.list (`newer_than:30d`, at most 500 messages), so
replies to pitches sent before connecting are found. A historyId Gmail no longer knows (404) gets
the same bounded resync, then incremental runs resume: never a stuck error state.

Each message is handled once whatever the order or duplication of pushes and runs: a processed
marker per Gmail message id (conditional put, swept by TTL) is checked before reading it, and a
pitch that already shows the message is left alone. Pitches are written with the versioned
update (a concurrent edit makes the write retry on the fresh pitch, never overwrite it).
Failures are data, handled by the shared `SyncFrame` as for Sheets: a 401 refreshes the token
once, a refused refresh turns the card to needs_reauth (settings kept), rate limits and outages
fail the run for the queue to retry, and every run leaves a sync log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tracker_integrations.errors import NotFound, TransientProviderError, VersionConflict
from tracker_integrations.models.campaign import Pitch, PitchThread
from tracker_integrations.models.common import utcnow
from tracker_integrations.models.connection import Connection, ProviderKey
from tracker_integrations.models.gmail import Classification, GmailCursor, GmailWatch, normalise_address
from tracker_integrations.models.sync_log import SyncLog, SyncLogError
from tracker_integrations.observability import logger, metrics
from tracker_integrations.providers.google.gmail.client import GmailClient, HistoryExpired, MessageGone, RawMessage
from tracker_integrations.providers.google.gmail.effects import ReplyEvent, apply_reply, notification
from tracker_integrations.providers.google.gmail.matching import MailHeaders, PitchIndex, parse_headers
from tracker_integrations.providers.google.gmail.store import GmailStore
from tracker_integrations.services.notifications import Draft
from tracker_integrations.services.scheduling.policy import schedule_of
from tracker_integrations.services.syncing.sync_frame import Notice, ProviderRun, RunServices, SyncFrame, SyncProfile

PROVIDER: ProviderKey = "gmail"
BACKFILL_QUERY = "newer_than:30d"  # the bounded full sync: recent mail only ...
BACKFILL_PAGE_SIZE = 100
BACKFILL_PAGES = 5  # ... and at most 500 messages
HISTORY_PAGES = 40  # 20,000 changes; more than that in one run continues next run
_PITCH_WRITE_ATTEMPTS = 3

Classifier = Callable[[bytes], Classification]

PROFILE = SyncProfile(
    provider=PROVIDER,
    direction="from_provider",
    label="gmail sync",
    metric="GmailSync",
    in_progress="a Gmail check of this connection is already running",
    not_connected="Gmail is not connected",
    reauth=Notice(
        "Google stopped accepting Tracker's access to your Gmail, so replies are not tracked.",
        "Reconnect Gmail: your settings are kept.",
    ),
    unavailable=Notice(
        "Gmail is busy or unavailable, so this check for replies did not finish.",
        "Nothing to do: Tracker tries again automatically.",
    ),
    # A request Gmail rejects for good ends the check with an ERROR card, not retried by the queue.
    refused=Notice(
        "Gmail refused a request, so this check for replies did not finish.",
        "Try again later; if it keeps happening, reconnect Gmail or contact support.",
    ),
    # The card counts the replies recorded since connecting: each run adds its own.
    card_records=lambda card, log: card.records_synced + log.records_updated,
    # No partial_error: a partial run leaves the card clean; the unreadable messages are in the sync log.
    # The token service may mark needs_reauth during a run (another caller's refresh was refused);
    # a run that did not see it must not undo it.
    keeps_reauth_mark=True,
)


@dataclass
class _Run:
    """What one run found and did, for its log."""

    mailbox: str
    read: int = 0
    skipped: int = 0  # already handled (a duplicate push, an overlapping resync)
    updated: int = 0
    unmatched: int = 0
    errors: list[SyncLogError] = field(default_factory=list)


class GmailReplySync:
    def __init__(
        self,
        services: RunServices,
        gmail: GmailStore,
        classify: Classifier,
        *,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._frame = SyncFrame(PROFILE, services, now=now)
        self._integrations = services.integrations
        self._tracker = services.tracker
        self._gmail = gmail
        self._tokens = services.tokens
        self._notifier = services.notifier
        self._settings = services.settings
        self._classify = classify
        self._now = now

    def run(
        self, user_id: str, *, read: Connection | None = None, on_rerun: Callable[[str], None] | None = None
    ) -> SyncLog:
        """Check the mailbox now. Raises only what a queue should retry (rate limits, outages, a run
        already going)."""
        return self._frame.run(user_id, self._run, read=read, on_rerun=on_rerun)

    def _run(self, run: ProviderRun) -> SyncLog:
        client = GmailClient(self._settings, self._tokens.auth(run.connection))
        run.calls = client.calls
        # Push only serves connections that sync on their own; a manual (free) one is checked when asked.
        automatic = schedule_of(run.connection) is not None
        return self._sync(run.user_id, client, run.log, automatic=automatic)

    # -- the run ----------------------------------------------------------------------------------

    def _sync(self, user_id: str, client: GmailClient, log: SyncLog, *, automatic: bool) -> SyncLog:
        cursor = self._gmail.cursor(user_id)
        if cursor is None:
            new_cursor, ids = self._full_sync(user_id, client)
            if automatic:
                self._ensure_watch(user_id, client, force=True)
        else:
            try:
                latest, ids = self._history(client, cursor.history_id)
                new_cursor = cursor.model_copy(update={"history_id": max(latest, cursor.history_id)})
            except HistoryExpired:
                logger.info("gmail history expired; bounded full resync")
                metrics.add_metric(name="GmailHistoryExpired", unit="Count", value=1)
                new_cursor, ids = self._full_sync(user_id, client)
            if automatic:
                self._ensure_watch(user_id, client, force=False)
        run = _Run(mailbox=new_cursor.email_address)
        self._handle_all(user_id, client, ids, run)
        # Only after every message is handled: a failed run resumes from the old cursor, and the
        # processed markers make the messages it already did cost nothing.
        self._gmail.save_cursor(user_id, new_cursor)
        return log.model_copy(
            update={
                "outcome": "partial" if run.errors else "success",
                "records_read": run.read,
                "records_updated": run.updated,
                "records_unchanged": run.skipped + run.unmatched,
                "errors": run.errors,
            }
        )

    def _full_sync(self, user_id: str, client: GmailClient) -> tuple[GmailCursor, list[str]]:
        """The mailbox's current historyId, then recent messages (bounded in time and count)."""
        profile = client.profile()
        self._gmail.link_address(profile.email_address, user_id)
        ids: list[str] = []
        page_token: str | None = None
        for _ in range(BACKFILL_PAGES):
            page = client.list_messages(BACKFILL_QUERY, page_token=page_token, max_results=BACKFILL_PAGE_SIZE)
            ids.extend(m.id for m in page.messages)
            page_token = page.next_page_token
            if not page_token:
                break
        cursor = GmailCursor(
            email_address=normalise_address(profile.email_address),
            history_id=profile.history_id,
            full_sync_at=self._now(),
        )
        # messages.list is newest first; handle oldest first, like history.
        return cursor, list(dict.fromkeys(reversed(ids)))

    def _history(self, client: GmailClient, start: int) -> tuple[int, list[str]]:
        ids: list[str] = []
        latest = start
        page_token: str | None = None
        for _ in range(HISTORY_PAGES):
            history = client.history(start, page_token=page_token)
            ids.extend(m.id for m in history.added)
            latest = max(latest, history.history_id)
            page_token = history.next_page_token
            if not page_token:
                break
        return latest, list(dict.fromkeys(ids))

    def _ensure_watch(self, user_id: str, client: GmailClient, *, force: bool) -> None:
        """Register users.watch on the first run, and again if it lapsed (the daily renewal missed it)."""
        topic = self._settings.gmail_pubsub_topic
        if not topic:
            return
        current = self._gmail.watch(user_id)
        if not force and current is not None and current.topic == topic and current.expires_at > self._now():
            return
        result = client.watch(topic)
        self._gmail.save_watch(user_id, GmailWatch(topic=topic, expires_at=result.expires_at))

    # -- messages ---------------------------------------------------------------------------------

    def _handle_all(self, user_id: str, client: GmailClient, ids: list[str], run: _Run) -> None:
        fresh = [i for i in ids if not self._gmail.is_processed(user_id, i)]
        run.skipped += len(ids) - len(fresh)
        if not fresh:
            return
        messages: list[RawMessage] = []
        for message_id in fresh:
            try:
                messages.append(client.raw_message(message_id))
            except MessageGone:
                self._gmail.mark_processed(user_id, message_id, now=self._now())
        run.read += len(messages)
        campaigns, pitches = self._tracker.campaigns_and_pitches(user_id)
        index = PitchIndex(pitches, {c.campaign_id: c for c in campaigns})
        # The user's own messages first: they tell which thread each pitch lives in.
        messages.sort(key=lambda m: (not self._is_own(m, None, run.mailbox), m.internal_date))
        for message in messages:
            try:
                self._handle(user_id, message, index, run)
            except (ValueError, UnicodeError, LookupError) as exc:
                # A message we cannot read is reported, and not tried again forever.
                logger.warning("gmail message could not be read", extra={"error": type(exc).__name__})
                run.errors.append(
                    SyncLogError(
                        code="unreadable_message",
                        message="A message could not be read, so it was skipped.",
                        where=f"gmail:{message.id}",
                    )
                )
            self._gmail.mark_processed(user_id, message.id, now=self._now())

    @staticmethod
    def _is_own(message: RawMessage, headers: MailHeaders | None, mailbox: str) -> bool:
        return "SENT" in message.label_ids or (headers is not None and headers.sender == mailbox)

    def _handle(self, user_id: str, message: RawMessage, index: PitchIndex, run: _Run) -> None:
        if "DRAFT" in message.label_ids or not index:
            run.unmatched += 1
            return
        raw = message.raw_bytes()
        headers = parse_headers(raw)
        if self._is_own(message, headers, run.mailbox):
            # The user's own mail changes no status; a pitch e-mail only tells us its thread.
            for pitched in index.for_sent(headers):
                self._remember_thread(user_id, pitched, message, headers, index)
            run.unmatched += 1
            return
        verdict = self._classify(raw)
        if verdict.category == "bounce":
            pitch = index.for_bounce(verdict.bounced_recipient, headers, message.thread_id)
        else:
            pitch = index.for_reply(headers, message.thread_id)
        if pitch is None:
            run.unmatched += 1  # an unknown sender, or a subject no pitch has
            return
        # A message like one the user corrected (same domain, close wording) takes the user's category.
        learned = index.corrections().reconsider(
            verdict.category, verdict.confidence, verdict.reply_text, headers.sender
        )
        event = ReplyEvent(
            category=learned.category if learned else verdict.category,
            confidence=learned.confidence if learned else verdict.confidence,
            bounce_type=verdict.bounce_type,
            return_date=verdict.return_date,
            reply_text=verdict.reply_text,
            received_at=message.received_at,
            gmail_message_id=message.id,
            gmail_thread_id=message.thread_id,
            mailbox=run.mailbox,
        )
        updated = self._write(user_id, pitch, lambda p: apply_reply(p, event))
        if updated is None:
            run.unmatched += 1
            return
        index.replace(updated)
        run.updated += 1
        metrics.add_metric(name=f"GmailReply_{event.category}", unit="Count", value=1)
        kind, text, action = notification(updated, index.campaign(updated), event)
        draft = Draft(kind, text, action, campaign_id=updated.campaign_id, pitch_id=updated.pitch_id)
        self._notifier.pitch_event(user_id, PROVIDER, draft)

    def _remember_thread(
        self, user_id: str, pitch: Pitch, message: RawMessage, headers: MailHeaders, index: PitchIndex
    ) -> None:
        thread = PitchThread(
            gmail_thread_id=message.thread_id, gmail_message_id=message.id, message_id=headers.message_id
        )

        def changes(current: Pitch) -> dict[str, Any] | None:
            return None if current.sent_thread is not None else {"sent_thread": thread}

        updated = self._write(user_id, pitch, changes)
        if updated is not None:
            index.replace(updated)

    def _write(self, user_id: str, pitch: Pitch, changes_for: Callable[[Pitch], dict[str, Any] | None]) -> Pitch | None:
        """A versioned pitch update; on a concurrent edit, recompute on the fresh pitch and try again."""
        current: Pitch | None = pitch
        for _ in range(_PITCH_WRITE_ATTEMPTS):
            if current is None:
                return None
            changes = changes_for(current)
            if changes is None:
                return None
            updated = Pitch.model_validate(
                current.model_dump() | changes | {"updated_at": self._now(), "version": current.version + 1}
            )
            try:
                self._tracker.put_pitch(user_id, updated, expected_version=current.version, written_by=PROVIDER)
            except VersionConflict:
                current = self._tracker.get_pitch(user_id, current.campaign_id, current.pitch_id)
                continue
            except NotFound:
                return None
            return updated
        raise TransientProviderError("a pitch kept changing while its reply was recorded", provider=PROVIDER)
