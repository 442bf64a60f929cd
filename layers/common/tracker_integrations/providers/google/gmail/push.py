"""The Gmail push webhook: a Pub/Sub push saying a mailbox changed becomes a queued sync job per connection.

Nothing is trusted before the JWT checks out (signature, expiry, audience, issuer, our push service
account): anything else is 401 and nothing is queued. The users come from our own mapping of
mailbox address to connections, never from the payload: two Tracker users may connect the same
mailbox, and each gets a sync. An address we do not know is acknowledged (200) and dropped, because
any other answer makes Pub/Sub deliver it again and again. A connection whose last run already passed
the notification's historyId (a late delivery), or that syncs only when asked (free plan, paused),
gets nothing queued.

Pub/Sub delivers at least once: a push that would queue work first claims its message id (one
conditional write, kept 7 days by TTL), so a redelivery of it queues nothing. A push that queues
nothing writes nothing. If queuing fails the claim is released and the error makes Pub/Sub redeliver.
Cost per push: one query for the mailbox's connections, two reads per connection, and, when work is
queued, one conditional write and one message per connection. The webhook answers in milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pydantic import ValidationError

from tracker_integrations.errors import Unauthenticated, ValidationFailed
from tracker_integrations.jobs import SyncJob, SyncJobQueue
from tracker_integrations.models.common import new_id, utcnow
from tracker_integrations.models.gmail import GmailNotification, PubSubPush, PushOutcome, PushStatus
from tracker_integrations.observability import logger, metrics
from tracker_integrations.providers.google.gmail.pubsub_push import InvalidPushToken, PushTokenVerifier
from tracker_integrations.providers.google.gmail.store import GmailStore
from tracker_integrations.services.scheduling.policy import schedule_of
from tracker_integrations.store.integrations import IntegrationsStore
from tracker_integrations.validation import describe, parse_json

_MAX_BODY = 16 * 1024


class GmailPushReceiver:
    def __init__(
        self,
        gmail: GmailStore,
        integrations: IntegrationsStore,
        queue: Callable[[], SyncJobQueue],
        verifier: PushTokenVerifier,
        *,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._gmail = gmail
        self._integrations = integrations
        self._queue = queue
        self._verifier = verifier
        self._now = now

    def receive(self, authorization: str | None, body: str) -> PushOutcome:
        try:
            self._verifier.verify(authorization)
        except InvalidPushToken as exc:
            # The reason goes to the log only: a caller probing the webhook learns nothing.
            logger.warning("gmail push refused", extra={"reason": str(exc)})
            metrics.add_metric(name="GmailPushRefused", unit="Count", value=1)
            raise Unauthenticated("the push notification's token is missing or not valid") from exc
        push = _parse(body)
        notification = _notification(push)
        jobs: list[SyncJob] = []
        outcome: PushStatus = "unknown_mailbox"
        for user_id in self._gmail.users_for_address(notification.email_address):
            status = self._status(user_id, notification.history_id)
            outcome = max(outcome, status, key=_PRECEDENCE.index)
            if status == "queued":
                jobs.append(
                    SyncJob(
                        job_id=new_id("job"),
                        user_id=user_id,
                        provider="gmail",
                        reason="change",
                        requested_at=self._now(),
                    )
                )
        if not jobs:
            metrics.add_metric(name=_METRICS[outcome], unit="Count", value=1)
            return PushOutcome(status=outcome)
        message_id = push.message.message_id
        if message_id and not self._gmail.claim_push(message_id, now=self._now()):
            metrics.add_metric(name="GmailPushRedelivered", unit="Count", value=1)
            return PushOutcome(status="duplicate")
        try:
            for job in jobs:
                self._queue().enqueue(job)
        except Exception:
            if message_id:
                self._gmail.release_push(message_id)  # Pub/Sub redelivers it: let that one through
            raise
        metrics.add_metric(name="GmailPushQueued", unit="Count", value=len(jobs))
        return PushOutcome(status="queued")

    def _status(self, user_id: str, history_id: int) -> PushStatus:
        """What a push for this mailbox means to one of its connections."""
        connection = self._integrations.get_connection(user_id, "gmail")
        if connection is None:
            return "unknown_mailbox"  # a link outliving its connection: nobody to sync
        if schedule_of(connection) is None:
            # The free plan (or a paused connection) syncs only when the user asks: the push is a no-op.
            return "manual_only"
        cursor = self._gmail.cursor(user_id)
        if cursor is not None and history_id <= cursor.history_id:
            return "up_to_date"
        return "queued"


# When a mailbox has several connections, the push's answer is the most telling of theirs.
_PRECEDENCE: tuple[PushStatus, ...] = ("unknown_mailbox", "manual_only", "up_to_date", "queued")
_METRICS: dict[PushStatus, str] = {
    "unknown_mailbox": "GmailPushUnknownMailbox",
    "manual_only": "GmailPushManualOnly",
    "up_to_date": "GmailPushAlreadySynced",
    "queued": "GmailPushQueued",
    "duplicate": "GmailPushRedelivered",
}


def _parse(body: str) -> PubSubPush:
    """The Pub/Sub push body, or a 400 naming what is wrong."""
    if len(body) > _MAX_BODY:
        raise ValidationFailed("push body is too large for a Gmail notification")
    data = parse_json(body) if body.strip() else None
    try:
        push = PubSubPush.model_validate(data)
    except ValidationError as exc:
        message, described = describe(exc.errors())
        raise ValidationFailed(f"not a Pub/Sub push: {message}", details={"errors": described}) from exc
    return push


def _notification(push: PubSubPush) -> GmailNotification:
    """The Gmail notification inside the push, or a 400 naming what is wrong."""
    try:
        return push.notification()
    except ValueError as exc:
        raise ValidationFailed(str(exc)) from exc
