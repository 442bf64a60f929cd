"""The Gmail push webhook: a Pub/Sub push saying a mailbox changed becomes a queued sync job.

Nothing is trusted before the JWT checks out (signature, expiry, audience, issuer, our push service
account): anything else is 401 and nothing is queued. The user comes from our own mapping of
mailbox address to user, never from the payload; an address we do not know is acknowledged (200)
and dropped, because any other answer makes Pub/Sub deliver it again and again. A notification
whose historyId the last run already passed is acknowledged without queuing (a duplicate or a late
delivery). A connection that syncs only when asked (free plan, paused) is acknowledged without
queuing. The webhook reads three items and sends one message: it answers in milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from pydantic import ValidationError

from tracker_integrations.errors import Unauthenticated, ValidationFailed
from tracker_integrations.jobs import SyncJob, SyncJobQueue
from tracker_integrations.models.common import new_id, utcnow
from tracker_integrations.models.gmail import GmailNotification, PubSubPush, PushOutcome
from tracker_integrations.observability import logger, metrics
from tracker_integrations.providers.google.pubsub_push import InvalidPushToken, PushTokenVerifier
from tracker_integrations.store.gmail import GmailStore
from tracker_integrations.store.integrations import IntegrationsStore, schedule_of
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
        notification = _parse(body)
        user_id = self._gmail.user_for_address(notification.email_address)
        if user_id is None:
            metrics.add_metric(name="GmailPushUnknownMailbox", unit="Count", value=1)
            return PushOutcome(status="unknown_mailbox")
        connection = self._integrations.get_connection(user_id, "gmail")
        if connection is None:
            metrics.add_metric(name="GmailPushUnknownMailbox", unit="Count", value=1)
            return PushOutcome(status="unknown_mailbox")
        if schedule_of(connection) is None:
            # The free plan (or a paused connection) syncs only when the user asks: the push is a no-op.
            return PushOutcome(status="manual_only")
        cursor = self._gmail.cursor(user_id)
        if cursor is not None and notification.history_id <= cursor.history_id:
            metrics.add_metric(name="GmailPushAlreadySynced", unit="Count", value=1)
            return PushOutcome(status="up_to_date")
        job = SyncJob(
            job_id=new_id("job"), user_id=user_id, provider="gmail", reason="change", requested_at=self._now()
        )
        self._queue().enqueue(job)
        metrics.add_metric(name="GmailPushQueued", unit="Count", value=1)
        return PushOutcome(status="queued")


def _parse(body: str) -> GmailNotification:
    """The Gmail notification inside a Pub/Sub push body, or a 400 naming what is wrong."""
    if len(body) > _MAX_BODY:
        raise ValidationFailed("push body is too large for a Gmail notification")
    data = parse_json(body) if body.strip() else None
    try:
        push = PubSubPush.model_validate(data)
    except ValidationError as exc:
        message, described = describe(exc.errors())
        raise ValidationFailed(f"not a Pub/Sub push: {message}", details={"errors": described}) from exc
    try:
        return push.notification()
    except ValueError as exc:
        raise ValidationFailed(str(exc)) from exc
