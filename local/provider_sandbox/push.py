"""Push notifications the sandbox sends to apps, as Google's servers do: HTTP POSTs from elsewhere.

Drive `files.watch` channels and Pub/Sub push subscriptions (Gmail `users.watch`) both deliver through
the context's one `PushSender`. Deliveries run on a background thread, so the request that caused
them (a cell edit, a delivered e-mail) answers first, as it would at Google; `flush()` lets a test
wait for them. Every attempt is recorded with the app's answer.
"""

import logging
import queue
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

import httpx

from provider_sandbox.routing import SandboxContext

logger = logging.getLogger(__name__)

PUSH_TIMEOUT_SECONDS = 10.0


@dataclass(frozen=True)
class PushDelivery:
    """One notification POSTed to an app, and what the app answered (status None: unreachable)."""

    url: str
    headers: Mapping[str, str]
    body: bytes
    at: datetime
    status: int | None
    error: str | None = None


@dataclass
class _Pending:
    url: str
    headers: dict[str, str]
    body: bytes


@dataclass
class PushSender:
    """Sends notifications in order on one daemon thread; `flush()` waits for those already queued."""

    _queue: "queue.Queue[_Pending]" = field(default_factory=queue.Queue)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _deliveries: list[PushDelivery] = field(default_factory=list)
    _thread: threading.Thread | None = None
    _flush_events: list[threading.Event] = field(default_factory=list)
    # When False, notifications are recorded as undelivered: a test's stand-in for a lost push.
    enabled: bool = True

    @classmethod
    def of(cls, context: SandboxContext) -> "PushSender":
        return context.component(cls, cls)

    def send(self, url: str, headers: Mapping[str, str], body: bytes) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="sandbox-push", daemon=True)
                self._thread.start()
        self._queue.put(_Pending(url, dict(headers), body))

    def flush(self, timeout: float = PUSH_TIMEOUT_SECONDS) -> list[PushDelivery]:
        """Wait until every queued notification has been attempted; returns all deliveries so far."""
        done = threading.Event()
        with self._lock:
            if self._thread is None:
                return list(self._deliveries)
            self._flush_events.append(done)
        self._queue.put(_Pending("", {}, b""))  # the marker: everything before it has been attempted
        done.wait(timeout)
        return self.deliveries

    @property
    def deliveries(self) -> list[PushDelivery]:
        with self._lock:
            return list(self._deliveries)

    def clear(self) -> None:
        with self._lock:
            self._deliveries.clear()

    def _run(self) -> None:
        with httpx.Client(timeout=PUSH_TIMEOUT_SECONDS) as client:
            while True:
                pending = self._queue.get()
                if pending.url == "":
                    with self._lock:
                        events, self._flush_events = self._flush_events, []
                    for event in events:
                        event.set()
                    continue
                self._deliver(client, pending)

    def _deliver(self, client: httpx.Client, pending: _Pending) -> None:
        at = datetime.now(UTC)
        status: int | None = None
        error: str | None = None
        if not self.enabled:
            error = "push disabled by the test"
        else:
            try:
                status = client.post(pending.url, headers=pending.headers, content=pending.body).status_code
            except httpx.HTTPError as exc:
                error = f"{type(exc).__name__}: {exc}"
                logger.warning("push to %s failed: %s", pending.url, error)
        with self._lock:
            self._deliveries.append(
                PushDelivery(
                    url=pending.url, headers=pending.headers, body=pending.body, at=at, status=status, error=error
                )
            )
