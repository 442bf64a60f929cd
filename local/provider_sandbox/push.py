"""Push notifications the sandbox sends to apps, as Google's servers do: HTTP POSTs from elsewhere.

Drive `files.watch` channels and Pub/Sub push subscriptions (Gmail `users.watch`) both deliver through
the context's one `PushSender`. Deliveries run on a background thread, so the request that caused
them (a cell edit, a delivered e-mail) answers first, as it would at Google; `flush()` lets a test
wait for them. Every attempt is recorded with the app's answer.

Neither service promises more than that. Pub/Sub delivers at least once (a redelivery carries the
same message id) and not necessarily in order; Drive says notifications may be lost and apps must
reconcile. Push faults (`add_fault`) make the next pushes do just that: arrive late, arrive more than
once, or not at all; `counts` says how many were delayed, duplicated and dropped.
"""

import logging
import queue
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal, Self

import httpx
from pydantic import BaseModel, ConfigDict, Field, model_validator
from werkzeug.wrappers import Request, Response

from provider_sandbox.responses import json_response
from provider_sandbox.routing import Router, SandboxContext, parse_control_body

logger = logging.getLogger(__name__)

PUSH_TIMEOUT_SECONDS = 10.0

PushKind = Literal["drive", "pubsub"]


class PushFault(BaseModel):
    """What happens to the next `times` pushes of a kind (None: every kind; `times` None: until cleared)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    action: Literal["delay", "duplicate", "drop"]
    kind: PushKind | None = None
    delay_seconds: float = Field(default=0.0, ge=0.0, le=300.0)  # "delay": how late it arrives
    copies: int = Field(default=2, ge=2, le=10)  # "duplicate": how many times it arrives in all
    times: int | None = Field(default=1, ge=1)

    @model_validator(mode="after")
    def _delay_has_seconds(self) -> Self:
        if self.action == "delay" and self.delay_seconds <= 0:
            raise ValueError("a delay fault needs delay_seconds > 0")
        return self


class PushCounts(BaseModel):
    """Pushes sent (each POST), and what the faults did: pushes held back, extra copies sent, pushes lost."""

    delivered: int = 0
    delayed: int = 0
    duplicated: int = 0
    dropped: int = 0


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
class _ActivePushFault:
    fault: PushFault
    remaining: int | None

    def spend(self) -> bool:
        """Count one use; True when it was the last."""
        if self.remaining is None:
            return False
        self.remaining -= 1
        return self.remaining <= 0


@dataclass
class PushSender:
    """Sends notifications on one daemon thread; `flush()` waits for those queued or held back."""

    _queue: "queue.Queue[_Pending]" = field(default_factory=queue.Queue)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _settled: threading.Condition = field(init=False)
    _outstanding: int = 0
    _deliveries: list[PushDelivery] = field(default_factory=list)
    _thread: threading.Thread | None = None
    _faults: list[_ActivePushFault] = field(default_factory=list)
    _counts: PushCounts = field(default_factory=PushCounts)
    # When False, notifications are recorded as undelivered: a test's stand-in for a lost push.
    enabled: bool = True

    def __post_init__(self) -> None:
        self._settled = threading.Condition(self._lock)

    @classmethod
    def of(cls, context: SandboxContext) -> "PushSender":
        return context.component(cls, cls)

    def send(self, url: str, headers: Mapping[str, str], body: bytes, *, kind: PushKind) -> None:
        pending = _Pending(url, dict(headers), body)
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(target=self._run, name="sandbox-push", daemon=True)
                self._thread.start()
            fault = self._take_fault(kind)
            if fault is not None and fault.action == "drop":
                self._counts.dropped += 1
                self._record(pending, datetime.now(UTC), None, "dropped by a push fault")
                return
            copies = fault.copies if fault is not None and fault.action == "duplicate" else 1
            self._counts.duplicated += copies - 1
            self._outstanding += copies
        if fault is not None and fault.action == "delay":
            with self._lock:
                self._counts.delayed += 1
            timer = threading.Timer(fault.delay_seconds, self._queue.put, args=(pending,))
            timer.daemon = True
            timer.start()
            return
        for _ in range(copies):
            self._queue.put(pending)

    def flush(self, timeout: float = PUSH_TIMEOUT_SECONDS) -> list[PushDelivery]:
        """Wait until every notification sent so far (held back ones too) has been attempted; returns all
        deliveries so far."""
        with self._settled:
            self._settled.wait_for(lambda: self._outstanding == 0, timeout)
            return list(self._deliveries)

    @property
    def deliveries(self) -> list[PushDelivery]:
        with self._lock:
            return list(self._deliveries)

    def clear(self) -> None:
        with self._lock:
            self._deliveries.clear()

    # -- faults ------------------------------------------------------------------------------------

    def add_fault(self, fault: PushFault) -> None:
        with self._lock:
            self._faults.append(_ActivePushFault(fault, fault.times))

    def state(self) -> tuple[list[PushFault], PushCounts]:
        """The push faults still waiting to apply, and what the faults did so far."""
        with self._lock:
            return [active.fault for active in self._faults], self._counts.model_copy()

    @property
    def counts(self) -> PushCounts:
        return self.state()[1]

    def clear_faults(self) -> int:
        with self._lock:
            cleared, self._faults = len(self._faults), []
        return cleared

    def _take_fault(self, kind: PushKind) -> PushFault | None:
        """Under the lock: the first fault for this kind of push, used once."""
        active = next((a for a in self._faults if a.fault.kind in {None, kind}), None)
        if active is None:
            return None
        if active.spend():
            self._faults.remove(active)
        return active.fault

    # -- delivery ----------------------------------------------------------------------------------

    def _run(self) -> None:
        with httpx.Client(timeout=PUSH_TIMEOUT_SECONDS) as client:
            while True:
                pending = self._queue.get()
                at = datetime.now(UTC)
                status, error = self._post(client, pending)
                with self._settled:
                    if status is not None:
                        self._counts.delivered += 1
                    self._record(pending, at, status, error)
                    self._outstanding -= 1
                    self._settled.notify_all()

    def _post(self, client: httpx.Client, pending: _Pending) -> tuple[int | None, str | None]:
        if not self.enabled:
            return None, "push disabled by the test"
        try:
            return client.post(pending.url, headers=pending.headers, content=pending.body).status_code, None
        except httpx.HTTPError as exc:
            error = f"{type(exc).__name__}: {exc}"
            logger.warning("push to %s failed: %s", pending.url, error)
            return None, error

    def _record(self, pending: _Pending, at: datetime, status: int | None, error: str | None) -> None:
        """Under the lock."""
        self._deliveries.append(
            PushDelivery(url=pending.url, headers=pending.headers, body=pending.body, at=at, status=status, error=error)
        )


def install_push_controls(router: Router, sender: PushSender) -> None:
    """Late, repeated or lost pushes (/_control/push...); Drive channels and Pub/Sub both install them."""

    def state(_request: Request, _values: Mapping[str, Any]) -> Response:
        faults, counts = sender.state()
        return json_response(
            {"faults": [f.model_dump(mode="json") for f in faults], "counts": counts.model_dump(mode="json")}
        )

    def add_fault(request: Request, _values: Mapping[str, Any]) -> Response:
        fault = parse_control_body(PushFault, request)
        sender.add_fault(fault)
        return json_response(fault.model_dump(mode="json"), 201)

    def clear_faults(_request: Request, _values: Mapping[str, Any]) -> Response:
        return json_response({"cleared": sender.clear_faults()})

    router.add_control("/_control/push", "GET", state)
    router.add_control("/_control/push/faults", "POST", add_fault)
    router.add_control("/_control/push/faults", "DELETE", clear_faults)
