"""Helpers for the Gmail contract tests: the real Gmail client pointed at the sandbox, mail, a push receiver."""

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from googleapiclient.discovery import build

from tests.contract.sandbox.conftest import BearerHttp, google_failure, run_checked

LOGIN = "dan@example.com"
TRACKER = "tracker-sheets.apps.googleusercontent.com"
TOPIC = "projects/tracker-local/topics/gmail"


def gmail(base: str, token: str | None, host: str = "gmail.googleapis.com") -> Any:
    """google-api-python-client's Gmail v1, from its bundled discovery document, against the sandbox."""
    options = {"api_endpoint": f"{base}/{host}/"}
    return build("gmail", "v1", http=BearerHttp(token), client_options=options, static_discovery=True)


def run(request: Any) -> dict[str, Any]:
    return run_checked(request)


@dataclass
class Failure:
    status: int
    body: dict[str, Any]
    headers: dict[str, str]

    @property
    def message(self) -> str:
        text: str = self.body["error"]["message"]
        return text

    @property
    def reason(self) -> str:
        text: str = self.body["error"]["errors"][0]["reason"]
        return text


def fail(request: Any) -> Failure:
    """Execute a request that must fail; Google's error envelope is schema-checked."""
    return Failure(*google_failure(request))


def email(
    subject: str,
    *,
    sender: str = "Ann Radio <ann@radio.example>",
    to: str = LOGIN,
    body: str = "Hello",
    message_id: str | None = None,
    in_reply_to: str | None = None,
    date: str = "Mon, 02 Mar 2026 09:00:00 +0000",
) -> bytes:
    """A small text/plain RFC 822 message with CRLF line ends."""
    lines = [f"From: {sender}", f"To: {to}", f"Subject: {subject}", f"Date: {date}"]
    if message_id:
        lines.append(f"Message-ID: {message_id}")
    if in_reply_to:
        lines += [f"In-Reply-To: {in_reply_to}", f"References: {in_reply_to}"]
    lines += ["MIME-Version: 1.0", "Content-Type: text/plain; charset=utf-8", "", body, ""]
    return "\r\n".join(lines).encode()


@dataclass
class ReceivedPush:
    path: str
    headers: dict[str, str]
    body: dict[str, Any]


@dataclass
class PushReceiver:
    """An HTTP endpoint standing in for the app's /api/webhooks/gmail: records pushes, answers 204."""

    url: str
    received: list[ReceivedPush] = field(default_factory=list)
    status: int = 204


@contextmanager
def push_receiver() -> Iterator[PushReceiver]:
    receiver = PushReceiver(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            payload = json.loads(self.rfile.read(length))
            receiver.received.append(ReceivedPush(self.path, {k.lower(): v for k, v in self.headers.items()}, payload))
            self.send_response(receiver.status)
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/api/webhooks/gmail"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()
