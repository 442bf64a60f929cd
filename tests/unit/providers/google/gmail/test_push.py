"""The Gmail push receiver: what a verified push queues, per connection of the mailbox, once per message.

The stores, queue and token check are in-memory fakes subclassing the real classes (no client set up);
the integration tests in tests/integration/test_gmail_replies.py drive the same code through the stack.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest

from tracker_integrations.jobs import SyncJob, SyncJobQueue
from tracker_integrations.models.connection import Connection, ConnectionStatus, ProviderKey
from tracker_integrations.models.gmail import GmailCursor, PushClaims
from tracker_integrations.providers.google.gmail.pubsub_push import PushTokenVerifier
from tracker_integrations.providers.google.gmail.push import GmailPushReceiver
from tracker_integrations.providers.google.gmail.store import GmailStore
from tracker_integrations.store.integrations import IntegrationsStore

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MAILBOX = "shared@example.com"


class FakeGmail(GmailStore):
    def __init__(self) -> None:
        self.links: dict[str, list[str]] = {}
        self.cursors: dict[str, GmailCursor] = {}
        self.claimed: set[str] = set()

    def users_for_address(self, address: str) -> list[str]:
        return list(self.links.get(address, []))

    def cursor(self, user_id: str) -> GmailCursor | None:
        return self.cursors.get(user_id)

    def claim_push(self, message_id: str, *, now: datetime) -> bool:
        if message_id in self.claimed:
            return False
        self.claimed.add(message_id)
        return True

    def release_push(self, message_id: str) -> None:
        self.claimed.discard(message_id)


class FakeIntegrations(IntegrationsStore):
    def __init__(self) -> None:
        self.connections: dict[tuple[str, ProviderKey], Connection] = {}

    def get_connection(self, user_id: str, provider: ProviderKey) -> Connection | None:
        return self.connections.get((user_id, provider))


class FakeQueue(SyncJobQueue):
    def __init__(self) -> None:
        self.jobs: list[SyncJob] = []
        self.failures = 0

    def enqueue(self, job: SyncJob, *, delay_seconds: int = 0) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("SQS is unreachable")
        self.jobs.append(job)


class TrustingVerifier(PushTokenVerifier):
    """The token check passes (its own tests are in tests/unit/providers/test_pubsub_push.py)."""

    def __init__(self) -> None:
        pass

    def verify(self, authorization: str | None) -> PushClaims:
        return PushClaims(iss="https://accounts.google.com", aud="a", email="e", email_verified=True, exp=1)


class Webhook:
    def __init__(self) -> None:
        self.gmail = FakeGmail()
        self.integrations = FakeIntegrations()
        self.queue = FakeQueue()
        self.receiver = GmailPushReceiver(
            self.gmail, self.integrations, lambda: self.queue, TrustingVerifier(), now=lambda: NOW
        )

    def connect(self, user_id: str, *, frequency: str = "every_15_minutes", history_id: int | None = None) -> None:
        self.gmail.links.setdefault(MAILBOX, []).append(user_id)
        self.integrations.connections[(user_id, "gmail")] = Connection(
            user_id=user_id,
            provider="gmail",
            connection_id=f"con_{user_id}",
            status=ConnectionStatus.CONNECTED,
            connected_at=NOW - timedelta(days=1),
            updated_at=NOW,
            settings={"sync_frequency": frequency},
        )
        if history_id is not None:
            self.gmail.cursors[user_id] = GmailCursor(email_address=MAILBOX, history_id=history_id)

    def push(self, message_id: str, history_id: int = 100) -> str:
        data = base64.b64encode(json.dumps({"emailAddress": MAILBOX, "historyId": str(history_id)}).encode())
        body = json.dumps({"message": {"data": data.decode(), "messageId": message_id}, "subscription": "s"})
        return self.receiver.receive("Bearer t", body).status


def test_a_push_queues_a_check_for_every_connection_of_the_mailbox_that_syncs_on_its_own() -> None:
    # GIVEN three users on one mailbox: two that sync by themselves, one on the free plan's manual sync
    webhook = Webhook()
    webhook.connect("usr_a")
    webhook.connect("usr_b", frequency="real_time")
    webhook.connect("usr_free", frequency="manual")
    # WHEN Gmail pushes a change
    status = webhook.push("m-1")
    # THEN each of the two gets a check, the manual one none
    assert status == "queued"
    assert sorted(job.user_id for job in webhook.queue.jobs) == ["usr_a", "usr_b"]


def test_a_connection_already_past_the_history_gets_nothing_and_the_push_claims_nothing() -> None:
    # GIVEN the only connection has synced past the pushed historyId
    webhook = Webhook()
    webhook.connect("usr_a", history_id=500)
    # WHEN the push arrives twice
    first, second = webhook.push("m-1", history_id=400), webhook.push("m-1", history_id=400)
    # THEN both are answered up to date, nothing is queued and no claim is written (it costs a write)
    assert (first, second) == ("up_to_date", "up_to_date")
    assert webhook.queue.jobs == []
    assert webhook.gmail.claimed == set()


def test_a_push_whose_queuing_failed_is_acted_on_when_pub_sub_redelivers_it() -> None:
    # GIVEN a connected mailbox and a queue that fails once
    webhook = Webhook()
    webhook.connect("usr_a")
    webhook.queue.failures = 1
    # WHEN the push fails (Pub/Sub then redelivers it), and is redelivered twice
    with pytest.raises(ConnectionError):
        webhook.push("m-1")
    redelivered, again = webhook.push("m-1"), webhook.push("m-1")
    # THEN the first redelivery queues the check, the next one nothing
    assert (redelivered, again) == ("queued", "duplicate")
    assert [job.user_id for job in webhook.queue.jobs] == ["usr_a"]


def test_a_mailbox_whose_only_link_outlived_its_connection_is_unknown() -> None:
    webhook = Webhook()
    webhook.gmail.links[MAILBOX] = ["usr_gone"]
    assert webhook.push("m-1") == "unknown_mailbox"
    assert webhook.queue.jobs == []
