"""Airtable's Web API, as a sync and the setup screens use it.

Every call counts in `calls` (the sync log's provider calls). Airtable allows 5 requests a second per base
and answers more with 429 and a 30-second penalty, so the client paces itself below that per base, and a
429 that still comes waits Airtable's 30 seconds and tries again instead of failing the run. Writes go 10
records a request, Airtable's most.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx

from tracker_integrations.config import Settings
from tracker_integrations.errors import PermanentProviderError, ProviderError, RateLimited
from tracker_integrations.http.client import ProviderApi, RetryPolicy, classify_api_response, send

PROVIDER = "airtable"
PAGE_SIZE = 100  # Airtable's most records per list page
WRITE_BATCH = 10  # Airtable's most records per create or update
# Linked record ids read per request: one page of answers, and a formula of ~4,500 URL-encoded characters, far
# inside Airtable's 16,000-character URL limit.
LINK_BATCH = PAGE_SIZE
PAYLOAD_PAGE = 50  # Airtable's most webhook payloads per page
PER_SECOND = 5  # per base
PENALTY_SECONDS = 30.0
_PACE_WINDOW = 1.05  # a little over Airtable's second
_MAX_429_WAITS = 3


class AirtableRefused(PermanentProviderError):
    """A request Airtable refused for good, with its error type (NOT_FOUND, UNKNOWN_FIELD_NAME, ...)."""

    def __init__(self, message: str, *, status: int, error_type: str) -> None:
        super().__init__(message, provider=PROVIDER, status=status)
        self.error_type = error_type


def _classify(provider: str, response: httpx.Response) -> ProviderError | None:
    error = classify_api_response(provider, response)
    if not isinstance(error, PermanentProviderError):
        return error
    try:
        body = response.json()
    except ValueError:
        body = {}
    raw = body.get("error") if isinstance(body, dict) else None
    error_type = str(raw.get("type", "")) if isinstance(raw, dict) else str(raw or "")
    message = str(raw.get("message", "")) if isinstance(raw, dict) else ""
    return AirtableRefused(message or error.message, status=response.status_code, error_type=error_type)


# 429s are handled here (Airtable's fixed penalty), never slept through inside `send`.
_API = ProviderApi(PROVIDER, classify=_classify, policy=RetryPolicy(max_attempts=3, max_wait=0.0))


@dataclass(frozen=True, slots=True)
class AirtableRecord:
    id: str
    fields: dict[str, Any]  # by field id


@dataclass(frozen=True, slots=True)
class PayloadPage:
    payloads: list[dict[str, Any]]
    cursor: int
    might_have_more: bool


@dataclass(slots=True)
class _BaseTraffic:
    """When the base's last requests were answered, and the lock that sends them one at a time."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    answered: deque[float] = field(default_factory=deque)


_TRAFFIC: dict[str, _BaseTraffic] = {}
_TRAFFIC_LOCK = threading.Lock()


def _traffic(base_id: str) -> _BaseTraffic:
    """Shared by every client of the process: a run, a preview and a settings screen may call the same base
    within a second."""
    with _TRAFFIC_LOCK:
        return _TRAFFIC.setdefault(base_id, _BaseTraffic())


class AirtableClient:
    def __init__(
        self,
        settings: Settings,
        auth: httpx.Auth | str,
        *,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        http: httpx.Client | None = None,
    ) -> None:
        self._api = settings.endpoint_airtable_api.rstrip("/")
        self._auth: httpx.Auth | None = None if isinstance(auth, str) else auth
        self._token = auth if isinstance(auth, str) else None
        self._sleep = sleep
        self._clock = clock
        self._http = http
        self.calls: Counter[str] = Counter()
        self.rate_limited = 0  # 429 answers met (each waited out)

    # -- transport --------------------------------------------------------------------------------

    def _paced(self, base_id: str, request: httpx.Request) -> httpx.Response:
        """Send once the base has answered fewer than 5 requests in the last second. Counting from when each
        answer came back (not when it was sent) keeps Airtable's count, taken on arrival, under 5 whatever
        the latency."""
        traffic = _traffic(base_id)
        with traffic.lock:
            now = self._clock()
            while traffic.answered and now - traffic.answered[0] >= _PACE_WINDOW:
                traffic.answered.popleft()
            if len(traffic.answered) >= PER_SECOND:
                self._sleep(_PACE_WINDOW - (now - traffic.answered[0]))
                traffic.answered.popleft()
            try:
                return send(request, api=_API, client=self._http, auth=self._auth)
            finally:
                traffic.answered.append(self._clock())

    def _call(self, method: str, path: str, *, base_id: str, params: Any = None, json: Any = None) -> dict[str, Any]:
        headers = {} if self._token is None else {"Authorization": f"Bearer {self._token}"}
        request = httpx.Request(method, f"{self._api}{path}", params=params, json=json, headers=headers)
        waits = 0
        while True:
            self.calls[PROVIDER] += 1
            try:
                response = self._paced(base_id, request)
            except RateLimited:
                self.rate_limited += 1
                waits += 1
                if waits > _MAX_429_WAITS:
                    raise
                self._sleep(PENALTY_SECONDS)  # Airtable's penalty: every request fails until it ends
                continue
            body = response.json() if response.content else {}
            return body if isinstance(body, dict) else {}

    # -- meta -------------------------------------------------------------------------------------

    def bases(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        offset: str | None = None
        while True:
            params = {"offset": offset} if offset else None
            body = self._call("GET", "/v0/meta/bases", base_id="meta", params=params)
            found += list(body.get("bases") or [])
            offset = body.get("offset")
            if not offset:
                return found

    def tables(self, base_id: str) -> list[dict[str, Any]]:
        return list(self._call("GET", f"/v0/meta/bases/{base_id}/tables", base_id=base_id).get("tables") or [])

    # -- records ----------------------------------------------------------------------------------

    def pages(
        self, base_id: str, table_id: str, *, field_ids: list[str], view_id: str | None = None
    ) -> Iterator[list[AirtableRecord]]:
        """The table's (or view's) records, a page of up to 100 at a time, fields by id."""
        offset: str | None = None
        while True:
            params: list[tuple[str, str]] = [("pageSize", str(PAGE_SIZE)), ("returnFieldsByFieldId", "true")]
            params += [("fields[]", f) for f in field_ids]
            if view_id:
                params.append(("view", view_id))
            if offset:
                params.append(("offset", offset))
            body = self._call("GET", f"/v0/{base_id}/{table_id}", base_id=base_id, params=params)
            yield [AirtableRecord(str(r["id"]), dict(r.get("fields") or {})) for r in body.get("records") or []]
            offset = body.get("offset")
            if not offset:
                return

    def records(
        self, base_id: str, table_id: str, *, field_ids: list[str], view_id: str | None = None
    ) -> list[AirtableRecord]:
        return [r for page in self.pages(base_id, table_id, field_ids=field_ids, view_id=view_id) for r in page]

    def primary_values(
        self, base_id: str, table_id: str, record_ids: list[str], primary_field_id: str
    ) -> dict[str, Any]:
        """The primary-field value of each of these records that still exists (a deleted one is left out), read
        `LINK_BATCH` ids a request through `filterByFormula` with only the primary field returned."""
        found: dict[str, Any] = {}
        for start in range(0, len(record_ids), LINK_BATCH):
            batch = record_ids[start : start + LINK_BATCH]
            formula = "OR(" + ",".join(f"RECORD_ID()='{record_id}'" for record_id in batch) + ")"
            offset: str | None = None
            while True:
                params = [
                    ("filterByFormula", formula),
                    ("fields[]", primary_field_id),
                    ("returnFieldsByFieldId", "true"),
                    ("pageSize", str(PAGE_SIZE)),
                ]
                params += [("offset", offset)] if offset else []
                body = self._call("GET", f"/v0/{base_id}/{table_id}", base_id=base_id, params=params)
                for record in body.get("records") or []:
                    found[str(record["id"])] = (record.get("fields") or {}).get(primary_field_id)
                offset = body.get("offset")
                if not offset:
                    break
        return found

    def create(self, base_id: str, table_id: str, records: list[dict[str, Any]]) -> list[AirtableRecord]:
        """Create records (fields by id), 10 a request; the created records in the same order."""
        return self._write("POST", base_id, table_id, [{"fields": f} for f in records])

    def update(self, base_id: str, table_id: str, updates: dict[str, dict[str, Any]]) -> list[AirtableRecord]:
        """Change the given fields (by id) of records (by id), 10 a request."""
        return self._write("PATCH", base_id, table_id, [{"id": i, "fields": f} for i, f in updates.items()])

    def _write(self, method: str, base_id: str, table_id: str, items: list[dict[str, Any]]) -> list[AirtableRecord]:
        written: list[AirtableRecord] = []
        for start in range(0, len(items), WRITE_BATCH):
            body = {"records": items[start : start + WRITE_BATCH], "typecast": True, "returnFieldsByFieldId": True}
            answer = self._call(method, f"/v0/{base_id}/{table_id}", base_id=base_id, json=body)
            written += [AirtableRecord(str(r["id"]), dict(r.get("fields") or {})) for r in answer.get("records") or []]
        return written

    # -- webhooks ---------------------------------------------------------------------------------

    def create_webhook(self, base_id: str, table_id: str, notification_url: str) -> dict[str, Any]:
        specification = {
            "options": {
                "filters": {"dataTypes": ["tableData"], "recordChangeScope": table_id},
                "includes": {"includePreviousCellValues": False},
            }
        }
        body = {"notificationUrl": notification_url, "specification": specification}
        return self._call("POST", f"/v0/bases/{base_id}/webhooks", base_id=base_id, json=body)

    def refresh_webhook(self, base_id: str, webhook_id: str) -> dict[str, Any]:
        return self._call("POST", f"/v0/bases/{base_id}/webhooks/{webhook_id}/refresh", base_id=base_id)

    def delete_webhook(self, base_id: str, webhook_id: str) -> None:
        self._call("DELETE", f"/v0/bases/{base_id}/webhooks/{webhook_id}", base_id=base_id)

    def payloads(self, base_id: str, webhook_id: str, cursor: int) -> PayloadPage:
        params = {"cursor": str(cursor), "limit": str(PAYLOAD_PAGE)}
        body = self._call("GET", f"/v0/bases/{base_id}/webhooks/{webhook_id}/payloads", base_id=base_id, params=params)
        return PayloadPage(
            payloads=list(body.get("payloads") or []),
            cursor=int(body.get("cursor") or cursor),
            might_have_more=bool(body.get("mightHaveMore")),
        )
