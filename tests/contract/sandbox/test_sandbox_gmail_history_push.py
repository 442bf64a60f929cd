"""Contract tests: Gmail history.list, users.watch/stop, and Pub/Sub push with Google-signed JWTs."""

import base64
import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import google.auth.transport.requests
import httpx
import pytest
from google.oauth2 import id_token

from provider_sandbox import ProviderSandbox
from provider_sandbox.pubsub import PUSH_SERVICE_ACCOUNT
from tests.contract.sandbox.gmail_support import LOGIN, TOPIC, PushReceiver, email, fail, gmail, push_receiver, run

if TYPE_CHECKING:
    from tests.contract.sandbox.conftest import GoogleApis


class ShiftedClock:
    """The real time plus an offset: push JWTs verify with google-auth, and tests can still jump ahead."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset

    def advance(self, delta: timedelta) -> None:
        self.offset += delta


@pytest.fixture
def clock() -> ShiftedClock:
    return ShiftedClock()


@pytest.fixture
def sandbox(google_sandbox: ProviderSandbox, clock: ShiftedClock) -> ProviderSandbox:
    # The shared fixture's clients, on a clock near real time (google-auth checks iat/exp against it).
    fresh = ProviderSandbox(clock=clock)
    for client in google_sandbox.clients:
        fresh.register_client(client)
    return fresh


@pytest.fixture
def api(google: "GoogleApis", base: str) -> Any:
    return gmail(base, google.token("gmail.readonly"))


@pytest.fixture
def receiver(sandbox: ProviderSandbox) -> Iterator[PushReceiver]:
    with push_receiver() as receiver:
        sandbox.gmail.create_topic(TOPIC)
        sandbox.gmail.create_push_subscription(TOPIC, receiver.url)
        yield receiver


def notification(push: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(base64.b64decode(push["message"]["data"]))
    return data


def history_ids(body: dict[str, Any]) -> list[str]:
    return [record["id"] for record in body.get("history", [])]


# history.list ------------------------------------------------------------------------------------------


def test_history_lists_changes_after_the_start_id(sandbox: ProviderSandbox, api: Any) -> None:
    # GIVEN the history id the app stored at its last sync, then a delivery, a read and a deletion
    start = run(api.users().getProfile(userId="me"))["historyId"]
    reply = sandbox.gmail.deliver(LOGIN, email("Re: Pitch"))
    sandbox.gmail.mark_read(LOGIN, reply)
    gone = sandbox.gmail.deliver(LOGIN, email("Spam-ish"))
    sandbox.gmail.delete_message(LOGIN, gone)

    # WHEN the app lists history from there, all of it and only messageAdded
    everything = run(api.users().history().list(userId="me", startHistoryId=start))
    added = run(api.users().history().list(userId="me", startHistoryId=start, historyTypes=["messageAdded"]))

    # THEN records come oldest first with increasing ids, in Gmail's shapes, plus the current history id
    records = everything["history"]
    assert [next(k for k in r if k not in {"id", "messages"}) for r in records] == [
        "messagesAdded",
        "labelsRemoved",
        "messagesAdded",
        "messagesDeleted",
    ]
    numbers = [int(r["id"]) for r in records]
    assert numbers == sorted(numbers)
    assert numbers[0] > int(start)
    assert records[0]["messagesAdded"] == [
        {"message": {"id": reply, "threadId": reply, "labelIds": ["INBOX", "UNREAD"]}}
    ]
    assert records[1]["labelsRemoved"] == [
        {"message": {"id": reply, "threadId": reply, "labelIds": ["INBOX"]}, "labelIds": ["UNREAD"]}
    ]
    assert records[0]["messages"] == [{"id": reply, "threadId": reply}]
    assert everything["historyId"] == str(sandbox.gmail.history_id(LOGIN)) == records[-1]["id"]
    assert [r["messagesAdded"][0]["message"]["id"] for r in added["history"]] == [reply, gone]

    # AND from the current id there is nothing new
    assert run(api.users().history().list(userId="me", startHistoryId=everything["historyId"])) == {
        "historyId": everything["historyId"]
    }


def test_history_pages_and_filters_by_label(sandbox: ProviderSandbox, api: Any) -> None:
    # GIVEN five deliveries, one of them sent by Dan
    start = run(api.users().getProfile(userId="me"))["historyId"]
    for n in range(4):
        sandbox.gmail.deliver(LOGIN, email(f"Reply {n}"))
    sent = sandbox.gmail.send_as_user(LOGIN, email("Pitch", sender=LOGIN, to="ann@radio.example"))

    # WHEN the app pages two records at a time, and asks for SENT only
    pages: list[list[str]] = []
    token: str | None = None
    while True:
        body = run(api.users().history().list(userId="me", startHistoryId=start, maxResults=2, pageToken=token))
        pages.append(history_ids(body))
        token = body.get("nextPageToken")
        if token is None:
            break
    only_sent = run(api.users().history().list(userId="me", startHistoryId=start, labelId="SENT"))

    # THEN pages partition the five records in order, and the label filter keeps the sent one
    assert [len(p) for p in pages] == [2, 2, 1]
    flat = [int(i) for page in pages for i in page]
    assert flat == sorted(flat)
    assert [r["messages"][0]["id"] for r in only_sent["history"]] == [sent]


def test_too_old_start_id_is_404_and_a_future_one_is_empty(
    sandbox: ProviderSandbox, api: Any, clock: ShiftedClock, google: "GoogleApis", base: str
) -> None:
    # GIVEN a stored history id, then the mailbox's history is expired
    stored = run(api.users().getProfile(userId="me"))["historyId"]
    sandbox.gmail.deliver(LOGIN, email("Reply"))
    sandbox.gmail.expire_history(LOGIN)

    # WHEN the app resumes from the stored id, and from an id in the future
    stale = fail(api.users().history().list(userId="me", startHistoryId=stored))
    current = sandbox.gmail.history_id(LOGIN)
    future = run(api.users().history().list(userId="me", startHistoryId=str(current + 1000)))

    # THEN 404 notFound (a full sync is due); the future id gives no records and the current id
    assert (stale.status, stale.reason, stale.message) == (404, "notFound", "Requested entity was not found.")
    assert stale.body["error"]["status"] == "NOT_FOUND"
    assert future == {"historyId": str(current)}

    # AND history older than the retention (a week) drops off by itself
    fresh = run(api.users().getProfile(userId="me"))["historyId"]
    sandbox.gmail.deliver(LOGIN, email("Another"))
    clock.advance(timedelta(days=8))
    sandbox.gmail.deliver(LOGIN, email("Much later"))
    later = gmail(base, google.token("gmail.readonly"))
    assert fail(later.users().history().list(userId="me", startHistoryId=fresh)).status == 404


def test_history_needs_a_valid_start_id(api: Any) -> None:
    # WHEN the start id is not a number
    failure = fail(api.users().history().list(userId="me", startHistoryId="abc"))

    # THEN 400
    assert (failure.status, failure.reason) == (400, "invalidArgument")


# users.watch and Pub/Sub push -------------------------------------------------------------------------------


def test_watch_pushes_a_google_signed_notification_per_change(
    sandbox: ProviderSandbox, api: Any, base: str, receiver: PushReceiver
) -> None:
    # GIVEN the app watches the inbox
    before = datetime.now(UTC)
    watch = run(api.users().watch(userId="me", body={"topicName": TOPIC, "labelIds": ["INBOX"]}))

    # WHEN a reply arrives
    sandbox.gmail.deliver(LOGIN, email("Re: Pitch"))
    deliveries = sandbox.gmail.flush_push()

    # THEN watch answered the history id and an expiry seven days ahead (ms strings)
    expiry = datetime.fromtimestamp(int(watch["expiration"]) / 1000, UTC)
    assert timedelta(days=7) - timedelta(seconds=5) < expiry - before < timedelta(days=7, seconds=5)
    # AND one push came, in Pub/Sub's envelope, carrying the address and the new history id
    assert [d.status for d in deliveries] == [204]
    (push,) = receiver.received
    body = push.body
    assert set(body) == {"message", "subscription"}
    assert body["subscription"] == "projects/tracker-local/subscriptions/gmail-push"
    message = body["message"]
    assert set(message) == {"attributes", "data", "messageId", "message_id", "publishTime", "publish_time"}
    assert message["messageId"] == message["message_id"]
    assert message["messageId"].isdigit()
    assert message["publishTime"] == message["publish_time"]
    assert message["publishTime"].endswith("Z")
    assert notification(body) == {"emailAddress": LOGIN, "historyId": sandbox.gmail.history_id(LOGIN)}
    assert int(notification(body)["historyId"]) > int(watch["historyId"])
    assert push.headers["content-type"] == "application/json"

    # AND the bearer JWT verifies with google-auth against the sandbox's certificates, both formats
    scheme, _, token = push.headers["authorization"].partition(" ")
    assert scheme == "Bearer"
    request = google.auth.transport.requests.Request()
    for certs in ("/oauth2/v1/certs", "/oauth2/v3/certs"):
        claims = id_token.verify_token(
            token, request, audience=receiver.url, certs_url=f"{base}/www.googleapis.com{certs}"
        )
        assert claims["iss"] == "https://accounts.google.com"
        assert claims["email"] == PUSH_SERVICE_ACCOUNT
        assert claims["email_verified"] is True
        assert claims["sub"] == claims["azp"]
        assert claims["sub"].isdigit()
        assert claims["exp"] - claims["iat"] == 3600
    assert "kid" in __import__("jwt").get_unverified_header(token)


def test_subscription_audience_and_unauthenticated_push(sandbox: ProviderSandbox, api: Any, base: str) -> None:
    # GIVEN two subscriptions on one topic: one with its own audience, one without authentication
    with push_receiver() as audience_receiver, push_receiver() as plain_receiver:
        sandbox.gmail.create_topic(TOPIC)
        sandbox.gmail.create_push_subscription(TOPIC, audience_receiver.url, audience="tracker-gmail-push")
        sandbox.gmail.create_push_subscription(TOPIC, plain_receiver.url, service_account_email=None)
        run(api.users().watch(userId="me", body={"topicName": TOPIC}))

        # WHEN mail arrives
        sandbox.gmail.deliver(LOGIN, email("Hello"))
        sandbox.gmail.flush_push()

    # THEN the first token is for the configured audience; the second push has no Authorization
    token = audience_receiver.received[0].headers["authorization"].split(" ", 1)[1]
    request = google.auth.transport.requests.Request()
    certs = f"{base}/www.googleapis.com/oauth2/v1/certs"
    assert id_token.verify_token(token, request, audience="tracker-gmail-push", certs_url=certs)["aud"] == (
        "tracker-gmail-push"
    )
    assert "authorization" not in plain_receiver.received[0].headers
    assert audience_receiver.received[0].body["subscription"] != plain_receiver.received[0].body["subscription"]


def test_label_filters_choose_which_changes_push(sandbox: ProviderSandbox, api: Any, receiver: PushReceiver) -> None:
    # GIVEN a watch on INBOX only
    run(
        api.users().watch(
            userId="me", body={"topicName": TOPIC, "labelIds": ["INBOX"], "labelFilterBehavior": "include"}
        )
    )

    # WHEN Dan sends a message (SENT) and then a reply arrives (INBOX)
    sandbox.gmail.send_as_user(LOGIN, email("Pitch", sender=LOGIN, to="ann@radio.example"))
    sandbox.gmail.deliver(LOGIN, email("Re: Pitch"))
    sandbox.gmail.flush_push()

    # THEN only the inbox change pushed
    assert len(receiver.received) == 1

    # AND with the legacy labelFilterAction=exclude, INBOX changes are the ones left out
    run(
        api.users().watch(userId="me", body={"topicName": TOPIC, "labelIds": ["INBOX"], "labelFilterAction": "exclude"})
    )
    sandbox.gmail.deliver(LOGIN, email("Another reply"))
    sandbox.gmail.send_as_user(LOGIN, email("Follow-up", sender=LOGIN, to="ann@radio.example"))
    sandbox.gmail.flush_push()
    assert len(receiver.received) == 2


def test_stop_and_expiry_end_pushes(
    sandbox: ProviderSandbox, api: Any, receiver: PushReceiver, clock: ShiftedClock, google: "GoogleApis", base: str
) -> None:
    # GIVEN a watch, then users.stop
    run(api.users().watch(userId="me", body={"topicName": TOPIC}))
    assert api.users().stop(userId="me").execute() == ""  # 204 No Content

    # WHEN mail arrives THEN nothing is pushed
    sandbox.gmail.deliver(LOGIN, email("After stop"))
    assert sandbox.gmail.flush_push() == []

    # GIVEN a new watch that is not renewed for more than seven days
    run(api.users().watch(userId="me", body={"topicName": TOPIC}))
    clock.advance(timedelta(days=7, minutes=1))

    # WHEN mail arrives THEN nothing is pushed either; renewing brings pushes back
    sandbox.gmail.deliver(LOGIN, email("After expiry"))
    assert sandbox.gmail.flush_push() == []
    renewed = gmail(base, google.token("gmail.readonly"))
    run(renewed.users().watch(userId="me", body={"topicName": TOPIC}))
    sandbox.gmail.deliver(LOGIN, email("After renewal"))
    assert len(sandbox.gmail.flush_push()) == 1
    assert len(receiver.received) == 1


def test_watch_checks_the_topic(sandbox: ProviderSandbox, api: Any) -> None:
    # GIVEN a topic Gmail may not publish to (and no quota in the way: watch costs 100 units)
    sandbox.gmail.user_units_per_second = None
    sandbox.gmail.create_topic("projects/tracker-local/topics/locked", gmail_can_publish=False)

    def watch(body: dict[str, Any]) -> Any:
        return fail(api.users().watch(userId="me", body=body))

    # WHEN the app watches with a missing, malformed, unknown or locked topic, or a bad filter
    missing = watch({})
    malformed = watch({"topicName": "gmail-topic"})
    unknown = watch({"topicName": "projects/tracker-local/topics/nope"})
    locked = watch({"topicName": "projects/tracker-local/topics/locked"})
    bad_filter = watch({"topicName": TOPIC, "labelIds": ["INBOX"], "labelFilterBehavior": "sometimes"})

    # THEN Google's errors
    assert (missing.status, missing.message) == (400, "topicName required")
    assert (malformed.status, malformed.reason) == (400, "invalidArgument")
    assert malformed.message.startswith("Invalid topicName does not match projects/")
    assert (unknown.status, unknown.reason) == (404, "notFound")
    assert (locked.status, locked.reason) == (403, "forbidden")
    assert (bad_filter.status, bad_filter.reason) == (400, "invalidArgument")


def test_http_controls_deliver_eml_and_manage_pubsub(sandbox: ProviderSandbox, base: str, api: Any) -> None:
    control = f"{base}/_control/gmail"
    raw = email("Replayed .eml", message_id="<eml@x>")
    with httpx.Client(timeout=10.0) as http, push_receiver() as receiver:
        # GIVEN a topic and a push subscription made over HTTP, and a watch
        assert http.post(f"{control}/topics", json={"name": TOPIC}).status_code == 201
        created = http.post(f"{control}/subscriptions", json={"topic": TOPIC, "endpoint": receiver.url})
        assert created.json()["audience"] == receiver.url
        run(api.users().watch(userId="me", body={"topicName": TOPIC}))

        # WHEN an .eml is posted as message/rfc822, and a JSON message is sent as the user
        delivered = http.post(
            f"{control}/deliver", params={"login": LOGIN}, content=raw, headers={"Content-Type": "message/rfc822"}
        )
        sent = http.post(f"{control}/send", json={"login": LOGIN, "raw": "Subject: Pitch\r\n\r\nHi"})
        deliveries = http.get(f"{control}/deliveries", params={"flush": "true"}).json()
        mailbox = http.get(f"{control}/mailboxes/{LOGIN}").json()
        expired = http.post(f"{control}/mailboxes/{LOGIN}/expire-history")
        bad = http.post(f"{control}/deliver", json={"login": LOGIN})

    # THEN the bytes are stored verbatim, both changes pushed, and the mailbox reports its watch
    assert delivered.status_code == 201
    assert delivered.json()["label_ids"] == ["INBOX", "UNREAD"]
    assert sandbox.gmail.raw(LOGIN, delivered.json()["id"]) == raw
    assert sent.json()["label_ids"] == ["SENT"]
    assert len(deliveries) == 2
    assert {d["status"] for d in deliveries} == {204}
    assert mailbox["messages_total"] == 2
    assert mailbox["watches"][0]["topic"] == TOPIC
    assert expired.status_code == 201
    assert bad.status_code == 400
    message = run(api.users().messages().get(userId="me", id=delivered.json()["id"], format="raw"))
    assert base64.urlsafe_b64decode(message["raw"]) == raw
