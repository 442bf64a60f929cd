"""Per-user request limits on the API: each signed-in user's requests, counted per class a minute.

Every request of a signed-in user falls in one class (connect, sync now, other writes, reads) and
counts against that user's limit for the class in the current one-minute window, in a counter all
Lambda instances share (one conditional write per request, allowed or refused). Keys are per user
and class, so one user's burst never uses another user's room, nor a user's reads their writes'.

Fixed windows are the cheapest exact count; their cost is that a user can fit up to twice a limit
into the seconds either side of a window's end. The HTTP API's stage throttle bounds the whole API.
Webhooks and OAuth callbacks carry no user token, so only the stage throttle covers them.
"""

import math
from collections.abc import Callable, Mapping
from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from tracker_integrations.errors import TooManyRequests
from tracker_integrations.models.common import utcnow
from tracker_integrations.store.rate_limits import RateCounterStore


class RequestClass(StrEnum):
    CONNECT = "connect"
    SYNC_NOW = "sync_now"
    WRITE = "write"
    READ = "read"

    @property
    def described(self) -> str:
        return {
            RequestClass.CONNECT: "connect attempts",
            RequestClass.SYNC_NOW: "Sync now requests",
            RequestClass.WRITE: "changes",
            RequestClass.READ: "reads",
        }[self]


# Routes (API Gateway route keys) with a class of their own; every other one is a read or a write by method.
_ROUTE_CLASSES = {
    "POST /api/integrations/{provider}/connect": RequestClass.CONNECT,
    "POST /api/integrations/{provider}/sync": RequestClass.SYNC_NOW,
}
_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def request_class(route_key: str) -> RequestClass:
    """The class of a request, from its route key ("POST /api/integrations/{provider}/connect")."""
    if route_key in _ROUTE_CLASSES:
        return _ROUTE_CLASSES[route_key]
    method = route_key.split(" ", 1)[0].upper()
    return RequestClass.READ if method in _READ_METHODS else RequestClass.WRITE


class Limit(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    requests: int = Field(ge=1)
    window_seconds: int = Field(default=60, ge=1)


class RateLimits:
    def __init__(
        self,
        counters: RateCounterStore,
        limits: Mapping[RequestClass, Limit],
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._counters = counters
        self._limits = dict(limits)
        self._clock = clock

    def admit(self, user_id: str, kind: RequestClass) -> None:
        """Counts the request, or raises TooManyRequests (saying when to retry) when the user is over the limit."""
        limit = self._limits[kind]
        now = self._clock().timestamp()
        window = math.floor(now / limit.window_seconds)
        window_end = (window + 1) * limit.window_seconds
        # The counter outlives its window by one more, then DynamoDB's TTL sweeps it.
        expires = window_end + limit.window_seconds
        if self._counters.take(kind.value, window, user_id, limit=limit.requests, expires_at_epoch=expires):
            return
        retry_after = max(1, math.ceil(window_end - now))
        per = "a minute" if limit.window_seconds == 60 else f"every {limit.window_seconds} seconds"
        raise TooManyRequests(
            f"Too many {kind.described}: each user may make {limit.requests} {per}, and nothing was done "
            f"with this one. Try again in {retry_after} second{'s' if retry_after != 1 else ''}.",
            details={
                "retry_after": retry_after,
                "limit": limit.requests,
                "window_seconds": limit.window_seconds,
                "request_class": kind.value,
            },
        )
