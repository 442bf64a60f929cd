"""The Airtable client: pages of 100, writes of 10, its own pace under 5 requests a second per base, and
Airtable's 30-second penalty waited out rather than failing the run."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.support.settings import unit_settings
from tracker_integrations.errors import RateLimited
from tracker_integrations.providers.airtable.client import AirtableClient, AirtableRefused

SETTINGS = unit_settings(endpoint_airtable_api="https://api.airtable.test")


class FakeTime:
    """A clock that moves only when the client sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds

    def clock(self) -> float:
        return self.now


def _client(handler: Any) -> tuple[AirtableClient, FakeTime]:
    time = FakeTime()
    http = httpx.Client(transport=httpx.MockTransport(handler))
    return AirtableClient(SETTINGS, "token", sleep=time.sleep, clock=time.clock, http=http), time


def test_records_are_read_100_a_page_by_field_id_until_no_offset() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if "offset" in request.url.params:
            return httpx.Response(200, json={"records": [{"id": "rec2", "fields": {"fldA": "b"}}]})
        return httpx.Response(200, json={"records": [{"id": "rec1", "fields": {"fldA": "a"}}], "offset": "itr1"})

    client, _ = _client(handler)
    records = client.records("appBase1", "tblOne1", field_ids=["fldA"], view_id="viwOpen1")
    assert [(r.id, r.fields) for r in records] == [("rec1", {"fldA": "a"}), ("rec2", {"fldA": "b"})]
    first = seen[0].url.params
    assert (first["pageSize"], first["returnFieldsByFieldId"], first["view"]) == ("100", "true", "viwOpen1")
    assert first.get_list("fields[]") == ["fldA"]
    assert client.calls["airtable"] == 2


def test_writes_go_10_records_a_request_with_typecast() -> None:
    bodies: list[dict[str, Any]] = []

    def handler(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        bodies.append(body)
        return httpx.Response(
            200, json={"records": [{"id": f"rec{i}", "fields": {}} for i in range(len(body["records"]))]}
        )

    client, _ = _client(handler)
    made = client.create("appBase2", "tblOne1", [{"fldA": str(n)} for n in range(25)])
    assert [len(b["records"]) for b in bodies] == [10, 10, 5]
    assert all(b["typecast"] is True for b in bodies)
    assert len(made) == 25


def test_the_client_paces_itself_under_five_requests_a_second_per_base() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"records": []})

    client, time = _client(handler)
    for _ in range(6):
        client.records("appBase3", "tblOne1", field_ids=[])
    # The sixth request waits until the first is more than a second old.
    assert len(time.slept) == 1
    assert time.slept[0] > 1.0


def test_a_429_waits_airtables_30_seconds_and_goes_on() -> None:
    answers = [
        httpx.Response(429, json={"errors": [{"error": "RATE_LIMIT_REACHED"}]}),
        httpx.Response(200, json={"records": []}),
    ]

    def handler(request: httpx.Request) -> httpx.Response:
        return answers.pop(0)

    client, time = _client(handler)
    assert client.records("appBase4", "tblOne1", field_ids=[]) == []
    assert 30.0 in time.slept
    assert client.rate_limited == 1


def test_a_429_that_never_ends_is_left_to_the_queue() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(429, json={})

    client, _ = _client(handler)
    with pytest.raises(RateLimited):
        client.records("appBase5", "tblOne1", field_ids=[])


def test_a_refusal_carries_airtables_error_type() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            422, json={"error": {"type": "UNKNOWN_FIELD_NAME", "message": 'Unknown field name: "fldX"'}}
        )

    client, _ = _client(handler)
    with pytest.raises(AirtableRefused) as refused:
        client.update("appBase6", "tblOne1", {"rec1": {"fldX": "a"}})
    assert (refused.value.status, refused.value.error_type) == (422, "UNKNOWN_FIELD_NAME")
