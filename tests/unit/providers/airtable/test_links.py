"""Linked-record cells given their names: the distinct ids of a run read in batches of 100 by RECORD_ID(), only
the primary field, deleted records left out, names that arrived with a payload not read again."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.support.settings import unit_settings
from tracker_integrations.models.airtable import AirtableLink
from tracker_integrations.providers.airtable.client import AirtableClient
from tracker_integrations.providers.airtable.links import resolve_links
from tracker_integrations.providers.airtable.store import CachedRecord, RecordCache

SETTINGS = unit_settings(endpoint_airtable_api="https://api.airtable.test")
OUTLETS = AirtableLink(table_id="tblOutlets1", primary_field_id="fldName")
AIRTABLE_URL_LIMIT = 16_000  # characters, as Airtable documents for a request's URL


class FakeOutlets:
    """The Outlets table of a base: answers a list request filtered by OR(RECORD_ID()='...', ...)."""

    def __init__(self, names: dict[str, str]) -> None:
        self.names = names
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        assert request.url.path == "/v0/appBase1/tblOutlets1"
        wanted = re.findall(r"RECORD_ID\(\)='(rec\w+)'", request.url.params["filterByFormula"])
        fields = request.url.params.get_list("fields[]")
        records = [
            {"id": i, "fields": {f: self.names[i] for f in fields if f == "fldName"}} for i in self.names if i in wanted
        ]
        return httpx.Response(200, json={"records": records})


def _client(outlets: FakeOutlets) -> AirtableClient:
    return AirtableClient(
        SETTINGS, "token", sleep=lambda _: None, http=httpx.Client(transport=httpx.MockTransport(outlets))
    )


def _cache(cells: list[Any]) -> RecordCache:
    return RecordCache({f"recPitch{n:04d}": CachedRecord(None, {"fldOutlet": c}) for n, c in enumerate(cells)})


def _names(cache: RecordCache) -> list[list[str]]:
    return [[e["name"] for e in r.cells.get("fldOutlet", [])] for r in cache.records.values()]


def test_a_run_reads_up_to_100_distinct_linked_ids_in_one_request_of_the_primary_field() -> None:
    # GIVEN 150 pitches linking to 100 distinct outlets (some shared, one pitch to two, in Airtable's order)
    outlets = FakeOutlets({f"recOut{n:04d}": f"Outlet {n}" for n in range(100)})
    cells: list[Any] = [[f"recOut{n % 100:04d}"] for n in range(149)] + [["recOut0007", "recOut0003"]]
    cache = _cache(cells)
    client = _client(outlets)
    # WHEN the links are resolved
    read = resolve_links(client, "appBase1", {"fldOutlet": OUTLETS}, cache)
    # THEN one request read the 100 ids, asking only for the primary field, within Airtable's URL limit
    assert (read, client.calls["airtable"], len(outlets.requests)) == (100, 1, 1)
    params = outlets.requests[0].url.params
    assert (params.get_list("fields[]"), params["returnFieldsByFieldId"]) == (["fldName"], "true")
    assert len(str(outlets.requests[0].url)) < AIRTABLE_URL_LIMIT
    # AND each cell holds its names in Airtable's order
    names = _names(cache)
    assert names[5] == ["Outlet 5"]
    assert names[149] == ["Outlet 7", "Outlet 3"]


def test_101_distinct_ids_take_two_requests() -> None:
    outlets = FakeOutlets({f"recOut{n:04d}": f"Outlet {n}" for n in range(101)})
    client = _client(outlets)
    resolve_links(client, "appBase1", {"fldOutlet": OUTLETS}, _cache([[i] for i in outlets.names]))
    assert client.calls["airtable"] == 2


def test_a_deleted_linked_record_is_left_out_and_a_cell_of_only_deleted_ones_is_emptied() -> None:
    # GIVEN Radio 1 exists; recGone0001 and recGone0002 were deleted
    outlets = FakeOutlets({"recRadio0001": "Radio 1"})
    cache = _cache([["recGone0001", "recRadio0001"], ["recGone0002"]])
    # WHEN the links are resolved
    resolve_links(_client(outlets), "appBase1", {"fldOutlet": OUTLETS}, cache)
    # THEN the first cell names only Radio 1, and the second is empty (left out, as Airtable omits empty cells)
    first, second = cache.records.values()
    assert first.cells["fldOutlet"] == [{"id": "recRadio0001", "name": "Radio 1"}]
    assert "fldOutlet" not in second.cells


def test_names_already_known_are_not_read_again() -> None:
    # GIVEN cells that carry their names (kept from an earlier run, or sent with a webhook payload)
    outlets = FakeOutlets({"recRadio0001": "Radio 1 (renamed)"})
    cache = _cache([[{"id": "recRadio0001", "name": "Radio 1"}]])
    client = _client(outlets)
    # WHEN the links are resolved
    read = resolve_links(client, "appBase1", {"fldOutlet": OUTLETS}, cache)
    # THEN nothing is read, and the name stays until a full read brings the ids back
    assert (read, client.calls["airtable"]) == (0, 0)
    assert _names(cache) == [["Radio 1"]]


def test_an_id_that_is_not_an_airtable_record_id_never_reaches_the_formula() -> None:
    outlets = FakeOutlets({"recRadio0001": "Radio 1"})
    cache = _cache([["recRadio0001", "x') OR TRUE() OR ('"]])
    resolve_links(_client(outlets), "appBase1", {"fldOutlet": OUTLETS}, cache)
    assert "TRUE" not in outlets.requests[0].url.params["filterByFormula"]
    assert _names(cache) == [["Radio 1"]]
