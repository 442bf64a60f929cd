"""Contract tests: Gmail v1 profile and messages through google-api-python-client.

Every response body is checked against the bundled discovery document's schema (no extra properties).
"""

import base64
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import pytest

from provider_sandbox import ProviderSandbox
from tests.contract.sandbox.gmail_support import LOGIN, email, fail, gmail, run

if TYPE_CHECKING:
    from tests.contract.sandbox.conftest import FakeClock, GoogleApis

MULTIPART = (
    b"From: Ann Radio <ann@radio.example>\r\n"
    b"To: dan@example.com\r\n"
    b"Subject: =?utf-8?q?Caf=C3=A9_session?=\r\n"
    b"Message-ID: <cafe-1@radio.example>\r\n"
    b"MIME-Version: 1.0\r\n"
    b'Content-Type: multipart/mixed; boundary="outer"\r\n'
    b"\r\n"
    b"--outer\r\n"
    b'Content-Type: multipart/alternative; boundary="inner"\r\n'
    b"\r\n"
    b"--inner\r\n"
    b"Content-Type: text/plain; charset=utf-8\r\n"
    b"Content-Transfer-Encoding: quoted-printable\r\n"
    b"\r\n"
    b"We'd love to play it =E2=80=94 send the WAV?\r\n"
    b"--inner\r\n"
    b"Content-Type: text/html; charset=utf-8\r\n"
    b"\r\n"
    b"<p>We'd love to play it</p>\r\n"
    b"--inner--\r\n"
    b"--outer\r\n"
    b'Content-Type: application/pdf; name="rider.pdf"\r\n'
    b'Content-Disposition: attachment; filename="rider.pdf"\r\n'
    b"Content-Transfer-Encoding: base64\r\n"
    b"\r\n"
    b"JVBERi0xLjQK\r\n"
    b"--outer--\r\n"
)


@pytest.fixture
def sandbox(google_sandbox: ProviderSandbox) -> ProviderSandbox:
    return google_sandbox


@pytest.fixture
def token(google: "GoogleApis") -> str:
    return google.token("gmail.readonly")


@pytest.fixture
def api(base: str, token: str) -> Any:
    return gmail(base, token)


def ids(body: dict[str, Any]) -> list[str]:
    return [m["id"] for m in body.get("messages", [])]


def decode(data: str) -> bytes:
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


def test_profile_reports_the_users_address_totals_and_history_id(
    sandbox: ProviderSandbox, api: Any, base: str, token: str
) -> None:
    # GIVEN two messages delivered to Dan, one a reply in the other's thread
    sandbox.gmail.send_as_user(LOGIN, email("New single", sender=LOGIN, to="ann@radio.example", message_id="<p@x>"))
    sandbox.gmail.deliver(LOGIN, email("Re: New single", message_id="<r@x>", in_reply_to="<p@x>"))

    # WHEN the app reads the profile on both hosts
    profile = run(api.users().getProfile(userId="me"))
    www = run(gmail(base, token, host="www.googleapis.com").users().getProfile(userId=LOGIN))

    # THEN it names Dan's address, two messages in one thread and the mailbox's current history id
    assert profile["emailAddress"] == LOGIN
    assert (profile["messagesTotal"], profile["threadsTotal"]) == (2, 1)
    assert profile["historyId"] == str(sandbox.gmail.history_id(LOGIN))
    assert www == profile


def test_a_delivered_message_is_listed_and_read_in_full_format(sandbox: ProviderSandbox, api: Any) -> None:
    # GIVEN a multipart reply with an HTML alternative and a PDF attachment
    message_id = sandbox.gmail.deliver(LOGIN, MULTIPART)

    # WHEN the app lists the inbox and fetches the message (format defaults to full)
    listed = run(api.users().messages().list(userId="me", labelIds=["INBOX"]))
    message = run(api.users().messages().get(userId="me", id=message_id))

    # THEN the list has ids only; the message has Gmail's fields and the MIME tree
    assert listed == {"messages": [{"id": message_id, "threadId": message_id}], "resultSizeEstimate": 1}
    assert len(message_id) == 16
    assert int(message_id, 16) >= 0
    assert message["labelIds"] == ["INBOX", "UNREAD"]
    assert message["snippet"] == "We&#39;d love to play it — send the WAV?"
    assert message["sizeEstimate"] == len(MULTIPART)
    assert message["internalDate"] == str(int(datetime(2026, 3, 2, 9, tzinfo=UTC).timestamp() * 1000))
    payload = message["payload"]
    assert (payload["partId"], payload["mimeType"], payload["filename"]) == ("", "multipart/mixed", "")
    assert {"name": "Subject", "value": "Café session"} in payload["headers"]
    alternative, attachment = payload["parts"]
    assert [p["partId"] for p in alternative["parts"]] == ["0.0", "0.1"]
    plain = alternative["parts"][0]
    assert decode(plain["body"]["data"]) == "We'd love to play it — send the WAV?".encode()
    assert plain["body"]["size"] == len(decode(plain["body"]["data"]))
    assert (attachment["partId"], attachment["filename"], attachment["body"]["size"]) == ("1", "rider.pdf", 9)
    assert "data" not in attachment["body"]


def test_raw_format_returns_the_delivered_bytes_exactly(sandbox: ProviderSandbox, api: Any) -> None:
    # GIVEN an .eml with LF line ends, 8-bit Latin-1 text and no final newline
    raw = (
        b"From: x@y.example\nTo: dan@example.com\nSubject: caf\xe9\nContent-Type: text/plain; charset=latin-1\n\nol\xe9"
    )
    message_id = sandbox.gmail.deliver(LOGIN, raw)

    # WHEN the app fetches it raw
    message = run(api.users().messages().get(userId="me", id=message_id, format="raw"))

    # THEN base64url of the stored bytes comes back, byte for byte, without a payload
    assert decode(message["raw"]) == raw
    assert "payload" not in message
    assert set(message) == {"id", "threadId", "labelIds", "snippet", "sizeEstimate", "raw", "historyId", "internalDate"}


def test_minimal_and_metadata_formats(sandbox: ProviderSandbox, api: Any) -> None:
    # GIVEN a delivered message
    message_id = sandbox.gmail.deliver(LOGIN, email("Pitch", message_id="<m@x>"))

    # WHEN the app fetches it minimal, and as metadata with two headers
    minimal = run(api.users().messages().get(userId="me", id=message_id, format="minimal"))
    metadata = run(
        api.users().messages().get(userId="me", id=message_id, format="metadata", metadataHeaders=["subject", "From"])
    )

    # THEN minimal has no payload; metadata has only the asked headers
    assert set(minimal) == {"id", "threadId", "labelIds", "snippet", "sizeEstimate", "historyId", "internalDate"}
    assert metadata["payload"]["headers"] == [
        {"name": "From", "value": "Ann Radio <ann@radio.example>"},
        {"name": "Subject", "value": "Pitch"},
    ]
    assert "parts" not in metadata["payload"]


def test_query_operators(sandbox: ProviderSandbox, google: "GoogleApis", base: str, fake_clock: "FakeClock") -> None:
    # GIVEN mail from two senders over three days, one read, one in spam, one sent by Dan
    deliver = sandbox.gmail.deliver
    first = deliver(LOGIN, email("Radio add: Night Drive", body="Added to the playlist", message_id="<a@r>"))
    fake_clock.advance(timedelta(days=1))
    second = deliver(LOGIN, email("Out of office", sender="Bob <bob@press.example>", body="Back on Monday"))
    sandbox.gmail.mark_read(LOGIN, second)
    fake_clock.advance(timedelta(days=1))
    third = deliver(LOGIN, email("Quick question", sender="bob@press.example", body="Is the radio edit ready"))
    spam = deliver(LOGIN, email("Radio prize", body="You won"), label_ids=("SPAM",))
    sent = sandbox.gmail.send_as_user(LOGIN, email("Pitch: Night Drive", sender=LOGIN, to="ann@radio.example"))
    fake_clock.advance(timedelta(hours=1))
    api = gmail(base, google.token("gmail.readonly"))  # after the clock moved: a live token

    def search(q: str, **extra: Any) -> list[str]:
        return ids(run(api.users().messages().list(userId="me", q=q, **extra)))

    # WHEN the app searches THEN each operator narrows as in Gmail (newest first, spam left out)
    assert search("from:ann@radio.example") == [first]
    assert search("from:bob") == [third, second]
    assert search("to:ann@radio.example") == [sent]
    assert search('subject:"night drive"') == [sent, first]
    assert search("radio") == [third, first]
    assert search("radio -from:bob") == [first]
    assert search('"radio edit"') == [third]
    assert search("{monday playlist}") == [second, first]
    assert search("monday OR playlist") == [second, first]
    assert search("is:unread in:inbox") == [third, first]
    assert search("in:sent") == [sent]
    assert search("in:spam") == [spam]
    assert search("radio", includeSpamTrash=True) == [spam, third, first]
    assert search("in:anywhere radio") == [spam, third, first]
    assert search("rfc822msgid:<a@r>") == [first]
    assert search("rfc822msgid:a@r") == [first]
    assert search("label:unread -label:sent") == [third, first]
    assert search("newer_than:1d") == [sent, third]
    assert search("older_than:1d") == [second, first]
    # 2026-03-03 00:00 Pacific = 08:00 UTC: the first (09:00 UTC on the 2nd) is before, the second after.
    assert search("after:2026/03/03") == [sent, third, second]
    assert search("before:2026/03/03") == [first]
    epoch = int(datetime(2026, 3, 4, 9, tzinfo=UTC).timestamp())
    assert search(f"after:{epoch}") == [sent, third]
    assert search(f"before:{epoch}") == [second, first]
    assert search("label:no-such-label") == []


def test_list_pages_newest_first_and_reports_the_estimate(
    sandbox: ProviderSandbox, api: Any, fake_clock: "FakeClock"
) -> None:
    # GIVEN five messages a minute apart
    delivered = []
    for n in range(5):
        delivered.append(sandbox.gmail.deliver(LOGIN, email(f"Message {n}")))
        fake_clock.advance(timedelta(minutes=1))

    # WHEN the app pages two at a time, and a message arrives between pages
    pages: list[list[str]] = []
    page_token: str | None = None
    while True:
        body = run(api.users().messages().list(userId="me", maxResults=2, pageToken=page_token))
        assert body["resultSizeEstimate"] == 5 + (1 if pages else 0)
        pages.append(ids(body))
        if len(pages) == 1:
            sandbox.gmail.deliver(LOGIN, email("Late arrival"))
        page_token = body.get("nextPageToken")
        if page_token is None:
            break

    # THEN every earlier message comes once, newest first; the last page has no token
    assert pages == [delivered[4:2:-1], delivered[2:0:-1], delivered[:1]]
    assert run(api.users().messages().list(userId="me", q="subject:nothing")) == {"resultSizeEstimate": 0}
    assert fail(api.users().messages().list(userId="me", pageToken="garbage")).status == 400


def test_threads_follow_gmails_rules(sandbox: ProviderSandbox, api: Any) -> None:
    # GIVEN Dan's pitch, a reply to it, a reply with another subject, and an unrelated same-subject mail
    pitch = sandbox.gmail.send_as_user(
        LOGIN, email("New single: Night Drive", sender=LOGIN, to="ann@radio.example", message_id="<pitch@t>")
    )
    reply = sandbox.gmail.deliver(
        LOGIN, email("RE: Fwd: New single:  Night Drive", message_id="<reply@t>", in_reply_to="<pitch@t>")
    )
    renamed = sandbox.gmail.deliver(LOGIN, email("Another topic", in_reply_to="<pitch@t>"))
    lookalike = sandbox.gmail.deliver(LOGIN, email("Re: New single: Night Drive"))

    # WHEN the app reads each message's thread id (threads.* is not imitated: the product never calls it)
    thread_of = {
        m: run(api.users().messages().get(userId="me", id=m, format="minimal"))["threadId"]
        for m in (pitch, reply, renamed, lookalike)
    }

    # THEN only the matching reply joined; the thread id is the pitch's id; the others started their own
    assert thread_of == {pitch: pitch, reply: pitch, renamed: renamed, lookalike: lookalike}


def test_a_user_label_can_be_searched_by_its_hyphenated_name(sandbox: ProviderSandbox, api: Any) -> None:
    # GIVEN a message carrying a user label
    label = sandbox.gmail.create_label(LOGIN, "Promo/Radio")
    tagged = sandbox.gmail.deliver(LOGIN, email("Tagged"), label_ids=("INBOX", "UNREAD", label))
    # WHEN the app searches with Gmail's label: syntax THEN the message is found, with the label
    assert ids(run(api.users().messages().list(userId="me", q="label:promo-radio"))) == [tagged]
    assert label in run(api.users().messages().get(userId="me", id=tagged, format="minimal"))["labelIds"]


def test_unknown_and_malformed_message_ids(api: Any) -> None:
    # WHEN the app asks for a message that does not exist, and for a malformed id
    missing = fail(api.users().messages().get(userId="me", id="18f0000000000000"))
    malformed = fail(api.users().messages().get(userId="me", id="not-an-id"))

    # THEN 404 notFound in Google's words, and 400
    assert (missing.status, missing.reason, missing.message) == (404, "notFound", "Requested entity was not found.")
    assert missing.body["error"]["status"] == "NOT_FOUND"
    assert (malformed.status, malformed.reason) == (400, "invalidArgument")


def test_another_users_mailbox_is_denied(api: Any) -> None:
    # WHEN the app names another address as userId
    failure = fail(api.users().messages().list(userId="ann@radio.example"))

    # THEN Gmail refuses with 403 "Delegation denied"; the user's own address (any case) works
    assert (failure.status, failure.reason) == (403, "forbidden")
    assert failure.message == f"Delegation denied for {LOGIN}"
    assert run(api.users().getProfile(userId="DAN@example.com"))["emailAddress"] == LOGIN


def test_scopes_are_enforced(sandbox: ProviderSandbox, google: "GoogleApis", base: str) -> None:
    # GIVEN a message, a Drive-only token and a gmail.metadata token
    message_id = sandbox.gmail.deliver(LOGIN, email("Pitch"))
    drive_only = gmail(base, google.token("drive.file"))
    metadata = gmail(base, google.token("gmail.metadata"))

    # WHEN each reads mail
    no_scope = fail(drive_only.users().messages().list(userId="me"))
    query = fail(metadata.users().messages().list(userId="me", q="from:ann"))
    full = fail(metadata.users().messages().get(userId="me", id=message_id))
    raw = fail(metadata.users().messages().get(userId="me", id=message_id, format="raw"))
    headers = run(metadata.users().messages().get(userId="me", id=message_id, format="metadata"))

    # THEN no Gmail scope is 403 insufficientPermissions; metadata forbids q and full/raw but reads headers
    assert (no_scope.status, no_scope.reason) == (403, "insufficientPermissions")
    assert no_scope.body["error"]["details"][0]["reason"] == "ACCESS_TOKEN_SCOPE_INSUFFICIENT"
    assert (query.status, query.message) == (403, "Metadata scope does not support 'q' parameter")
    assert (full.status, full.message) == (403, "Metadata scope doesn't allow format FULL")
    assert raw.message == "Metadata scope doesn't allow format RAW"
    assert {"name": "Subject", "value": "Pitch"} in headers["payload"]["headers"]
    assert ids(run(metadata.users().messages().list(userId="me"))) == [message_id]


def test_missing_token_is_unauthenticated(base: str) -> None:
    # WHEN the app calls without a token
    failure = fail(gmail(base, None).users().getProfile(userId="me"))

    # THEN 401 UNAUTHENTICATED
    assert (failure.status, failure.body["error"]["status"]) == (401, "UNAUTHENTICATED")


def test_per_user_quota_answers_429_with_retry_after(
    sandbox: ProviderSandbox, api: Any, fake_clock: "FakeClock"
) -> None:
    # GIVEN a limit of 20 units per second and a message (messages.get costs 5)
    sandbox.gmail.user_units_per_second = 20
    message_id = sandbox.gmail.deliver(LOGIN, email("Pitch"))
    for _ in range(4):
        run(api.users().messages().get(userId="me", id=message_id, format="minimal"))

    # WHEN a fifth get comes in the same second
    failure = fail(api.users().messages().get(userId="me", id=message_id, format="minimal"))

    # THEN 429 rateLimitExceeded "User-rate limit exceeded" with Retry-After; a second later it works
    assert (failure.status, failure.reason, failure.body["error"]["status"]) == (
        429,
        "rateLimitExceeded",
        "RESOURCE_EXHAUSTED",
    )
    assert failure.message.startswith("User-rate limit exceeded")
    assert failure.headers["retry-after"] == "1"
    fake_clock.advance(timedelta(seconds=1))
    assert run(api.users().messages().get(userId="me", id=message_id, format="minimal"))["id"] == message_id
