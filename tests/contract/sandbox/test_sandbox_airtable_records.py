"""Contract tests: Airtable's records API through pyairtable (list, get, create, update, upsert, delete)."""

from datetime import timedelta
from typing import Any

import httpx
import pytest
from pyairtable import Table
from pyairtable.formulas import AND, EQ, GT, LAST_MODIFIED_TIME, OR, RECORD_ID, Field, match, to_formula_str

from provider_sandbox import ProviderSandbox
from provider_sandbox.airtable_store import Base
from tests.contract.sandbox.airtable_support import (
    LOGIN,
    airtable_failure,
    airtable_sandbox,
    campaign_base,
    oauth_token,
    pyairtable_api,
)
from tests.contract.sandbox.conftest import FakeClock

PITCHES: list[dict[str, Any]] = [
    {"Name": "Ann", "Email": "ann@radio.example", "Status": "Pitched", "Budget": 100},
    {"Name": "Bob", "Email": "bob@news.example", "Status": "Replied", "Done": True},
    {"Name": "Cy", "Email": "cy@pod.example", "Status": "Placed", "Sent": "2026-03-01"},
]


@pytest.fixture
def sandbox(fake_clock: FakeClock) -> ProviderSandbox:
    return airtable_sandbox(fake_clock)


@pytest.fixture
def agency(sandbox: ProviderSandbox) -> Base:
    return campaign_base(sandbox, pitches=PITCHES)


@pytest.fixture
def pitches(sandbox: ProviderSandbox, base: str, agency: Base) -> Table:
    return pyairtable_api(base, sandbox.airtable.issue_token(LOGIN)).table(agency.id, "Pitches")


def names(records: list[Any]) -> list[str]:
    return [r["fields"]["Name"] for r in records]


# Listing ------------------------------------------------------------------------------------------


def test_pages_follow_offset_until_the_last_page(sandbox: ProviderSandbox, pitches: Table) -> None:
    # GIVEN three pitches
    sandbox.reset_requests()
    # WHEN pyairtable lists them two a page
    pages = list(pitches.iterate(page_size=2))
    # THEN two requests: the first answered with an offset, the second without
    assert [names(page) for page in pages] == [["Ann", "Bob"], ["Cy"]]
    calls = sandbox.find_requests(host="api.airtable.com")
    assert [c.query.get("offset") is None for c in calls] == [True, False]


def test_empty_fields_are_left_out_of_records(pitches: Table) -> None:
    # GIVEN Bob has no budget, date or notes; WHEN he is read
    bob = pitches.all(formula="{Name}='Bob'")[0]
    # THEN only his non-empty fields are there (an unticked checkbox is empty too)
    assert set(bob["fields"]) == {"Name", "Email", "Status", "Done", "Updated"}
    ann = pitches.all(formula="{Name}='Ann'")[0]
    assert "Done" not in ann["fields"]


def test_filter_by_formula_equality_and_or_and_record_id(pitches: Table) -> None:
    # GIVEN three pitches
    bob_id = pitches.all(formula=match({"Name": "Bob"}))[0]["id"]
    # WHEN filtered with formulas pyairtable builds
    by_email = pitches.all(formula=match({"Email": "cy@pod.example", "Status": "Placed"}))
    either = pitches.all(formula=OR(EQ(Field("Status"), "Pitched"), EQ(RECORD_ID(), bob_id)))
    ticked = pitches.all(formula=AND(Field("Done"), GT(Field("Budget"), -1)))
    # THEN each keeps the records the formula is true for
    assert names(by_email) == ["Cy"]
    assert names(either) == ["Ann", "Bob"]
    assert names(ticked) == ["Bob"]


def test_linked_records_are_read_by_id_in_one_request_with_only_their_primary_field(
    sandbox: ProviderSandbox, base: str, agency: Base
) -> None:
    # GIVEN a Campaigns table of three records, one of them then deleted
    campaigns = pyairtable_api(base, sandbox.airtable.issue_token(LOGIN)).table(agency.id, "Campaigns")
    made = campaigns.batch_create([{"Name": "Summer"}, {"Name": "Autumn"}, {"Name": "Gone"}])
    campaigns.delete(made[2]["id"])
    primary = campaigns.schema().primary_field_id
    sandbox.reset_requests()
    # WHEN pyairtable reads them by record id, asking for the primary field by id
    wanted = [made[1]["id"], made[0]["id"], made[2]["id"]]
    found = campaigns.all(
        formula=OR(*(EQ(RECORD_ID(), record_id) for record_id in wanted)), fields=[primary], use_field_ids=True
    )
    # THEN one request answers the two that exist, in table order, with only the primary field, keyed by its id
    assert [(r["id"], r["fields"]) for r in found] == [
        (made[0]["id"], {primary: "Summer"}),
        (made[1]["id"], {primary: "Autumn"}),
    ]
    assert len(sandbox.find_requests(host="api.airtable.com", method="GET")) == 1


def test_filter_by_last_modified_time_finds_what_changed_since(pitches: Table, fake_clock: FakeClock) -> None:
    # GIVEN a moment after the pitches were made, and Ann edited an hour later
    since = fake_clock.now + timedelta(minutes=1)
    fake_clock.advance(timedelta(hours=1))
    ann = pitches.all(formula=match({"Name": "Ann"}))[0]
    pitches.update(ann["id"], {"Budget": 150})
    # WHEN records modified after that moment are listed
    changed = pitches.all(formula=to_formula_str(GT(LAST_MODIFIED_TIME(), since)))
    # THEN only Ann
    assert names(changed) == ["Ann"]


def test_view_lists_only_its_records(pitches: Table) -> None:
    # GIVEN the "Open" view shows pitches not done; WHEN it is listed by name and by id
    by_name = pitches.all(view="Open")
    view_id = next(v.id for v in pitches.schema().views if v.name == "Open")
    by_id = pitches.all(view=view_id)
    # THEN Bob (done) is not in it
    assert names(by_name) == names(by_id) == ["Ann", "Cy"]


def test_fields_and_return_fields_by_field_id(pitches: Table) -> None:
    # GIVEN the schema's field ids
    ids = {f.name: f.id for f in pitches.schema().fields}
    # WHEN only Name and Status are asked for, keyed by field id
    records = pitches.all(fields=["Name", "Status"], use_field_ids=True)
    # THEN each record has just those, under their ids
    assert records[0]["fields"] == {ids["Name"]: "Ann", ids["Status"]: "Pitched"}


def test_list_records_by_post_takes_the_same_parameters(
    sandbox: ProviderSandbox, base: str, agency: Base, http: httpx.Client
) -> None:
    # GIVEN a token; WHEN the list is POSTed to listRecords (pyairtable's fallback for long URLs)
    token = sandbox.airtable.issue_token(LOGIN)
    response = http.post(
        f"{base}/api.airtable.com/v0/{agency.id}/Pitches/listRecords",
        json={"filterByFormula": "{Status}='Replied'", "fields": ["Name"], "pageSize": 1},
        headers={"Authorization": f"Bearer {token}"},
    )
    # THEN the same records as the GET would give
    assert response.status_code == 200
    assert [r["fields"] for r in response.json()["records"]] == [{"Name": "Bob"}]


def test_invalid_formula_unknown_field_and_unknown_view_answer_422(pitches: Table) -> None:
    # GIVEN the pitches; WHEN listed with a broken formula, an unknown field, an unknown view
    bad_formula = airtable_failure(lambda: pitches.all(formula="AND({Name}='Ann'"))
    unknown_field = airtable_failure(lambda: pitches.all(fields=["Nope"]))
    unknown_view = airtable_failure(lambda: pitches.all(view="Nope"))
    # THEN Airtable's 422 types
    assert bad_formula[:2] == (422, "INVALID_FILTER_BY_FORMULA")
    assert unknown_field[:2] == (422, "UNKNOWN_FIELD_NAME")
    assert unknown_view[:2] == (422, "VIEW_NAME_NOT_FOUND")


def test_get_one_record_and_an_unknown_one(pitches: Table) -> None:
    # GIVEN Ann's id
    ann = pitches.all(formula=match({"Name": "Ann"}))[0]
    # WHEN she is fetched, and a record that does not exist
    fetched = pitches.get(ann["id"])
    missing = airtable_failure(lambda: pitches.get("recDoesNotExist00"))
    # THEN the same record; and 404 for the other
    assert fetched == ann
    assert missing[:2] == (404, "MODEL_ID_NOT_FOUND")


# Writing ------------------------------------------------------------------------------------------


def test_create_in_batches_of_ten_and_more_than_ten_is_refused(
    sandbox: ProviderSandbox, pitches: Table, base: str, agency: Base, http: httpx.Client
) -> None:
    # GIVEN 12 new pitches
    rows: list[dict[str, Any]] = [{"Name": f"P{i}", "Budget": i} for i in range(12)]
    sandbox.reset_requests()
    # WHEN pyairtable creates them; and 11 are sent in one request by hand
    created = pitches.batch_create(rows)
    requests_for_twelve = sandbox.count(host="api.airtable.com", method="POST")
    token = sandbox.airtable.issue_token(LOGIN)
    too_many = http.post(
        f"{base}/api.airtable.com/v0/{agency.id}/Pitches",
        json={"records": [{"fields": {"Name": "x"}}] * 11},
        headers={"Authorization": f"Bearer {token}"},
    )
    # THEN two requests of at most 10 created all 12; 11 in one is a 422 and creates nothing
    assert names(created) == [f"P{i}" for i in range(12)]
    assert requests_for_twelve == 2
    assert too_many.status_code == 422
    assert too_many.json()["error"] == {
        "type": "INVALID_RECORDS",
        "message": "A maximum of 10 records can be created per request but you have provided 11.",
    }
    assert len(pitches.all()) == 3 + 12


def test_unknown_select_option_is_refused_unless_typecast(pitches: Table) -> None:
    # GIVEN Status offers Pitched, Replied and Placed
    # WHEN a pitch is created with "Declined", without and then with typecast
    refused = airtable_failure(lambda: pitches.create({"Name": "Dee", "Status": "Declined"}))
    created = pitches.create({"Name": "Dee", "Status": "Declined", "Budget": "1,200", "Done": "true"}, typecast=True)
    # THEN the first is INVALID_MULTIPLE_CHOICE_OPTIONS; typecast adds the option and converts the values
    assert refused[:2] == (422, "INVALID_MULTIPLE_CHOICE_OPTIONS")
    assert created["fields"]["Status"] == "Declined"
    assert created["fields"]["Budget"] == 1200
    assert created["fields"]["Done"] is True
    status = pitches.schema(force=True).field("Status")
    assert "Declined" in [c.name for c in status.options.choices]  # type: ignore[union-attr]


def test_wrong_values_unknown_fields_and_computed_fields_are_refused(pitches: Table) -> None:
    # GIVEN the pitches; WHEN a text goes to a number, an unknown field and a computed field are written
    wrong = airtable_failure(lambda: pitches.create({"Name": "Eve", "Budget": "lots"}))
    unknown = airtable_failure(lambda: pitches.create({"Name": "Eve", "Mood": "good"}))
    computed = airtable_failure(lambda: pitches.create({"Name": "Eve", "Updated": "2026-01-01T00:00:00.000Z"}))
    # THEN each is Airtable's 422, and nothing was created
    assert wrong[:2] == (422, "INVALID_VALUE_FOR_COLUMN")
    assert unknown[:2] == (422, "UNKNOWN_FIELD_NAME")
    assert computed[:2] == (422, "INVALID_VALUE_FOR_COLUMN")
    assert "computed" in computed[2]
    assert "Eve" not in names(pitches.all())


def test_patch_merges_and_put_replaces(pitches: Table) -> None:
    # GIVEN Ann with an email, a status and a budget
    ann = pitches.all(formula=match({"Name": "Ann"}))[0]
    # WHEN her budget is PATCHed, then her record is PUT with only a name and a status
    patched = pitches.update(ann["id"], {"Budget": 120})
    replaced = pitches.update(ann["id"], {"Name": "Ann", "Status": "Replied"}, replace=True)
    # THEN PATCH kept the other fields; PUT cleared those not sent
    assert patched["fields"]["Email"] == "ann@radio.example"
    assert patched["fields"]["Budget"] == 120
    assert set(replaced["fields"]) == {"Name", "Status", "Updated"}


def test_batch_update_of_an_unknown_record_changes_nothing(pitches: Table) -> None:
    # GIVEN Ann's id and one that does not exist
    ann = pitches.all(formula=match({"Name": "Ann"}))[0]
    updates: list[Any] = [
        {"id": ann["id"], "fields": {"Budget": 1}},
        {"id": "recDoesNotExist00", "fields": {"Budget": 2}},
    ]
    # WHEN both are updated in one request
    refused = airtable_failure(lambda: pitches.batch_update(updates))
    # THEN 422 ROW_DOES_NOT_EXIST, and Ann's budget is unchanged (a request applies whole or not at all)
    assert refused[:2] == (422, "ROW_DOES_NOT_EXIST")
    assert pitches.get(ann["id"])["fields"]["Budget"] == 100


def test_upsert_updates_matches_and_creates_the_rest(pitches: Table) -> None:
    # GIVEN Ann exists by email, Fay does not
    ann = pitches.all(formula=match({"Name": "Ann"}))[0]
    rows: list[dict[str, Any]] = [
        {"fields": {"Email": "ann@radio.example", "Status": "Placed"}},
        {"fields": {"Email": "fay@tv.example", "Name": "Fay"}},
    ]
    # WHEN upserted on Email
    result = pitches.batch_upsert(rows, key_fields=["Email"])
    # THEN Ann was updated (fields not sent kept), Fay created
    assert result["updatedRecords"] == [ann["id"]]
    assert len(result["createdRecords"]) == 1
    assert result["records"][0]["fields"]["Budget"] == 100
    assert result["records"][0]["fields"]["Status"] == "Placed"
    assert result["records"][1]["fields"]["Name"] == "Fay"


def test_links_take_record_ids_or_with_typecast_the_primary_name(pitches: Table, agency: Base) -> None:
    # GIVEN the "Spring launch" campaign
    campaign_id = next(iter(agency.tables[0].records))
    # WHEN pitches link to it by id, and by name with typecast
    by_id = pitches.create({"Name": "Gus", "Campaign": [campaign_id]})
    by_name = pitches.create({"Name": "Hal", "Campaign": ["Spring launch"]}, typecast=True)
    # THEN both hold the campaign's record id
    assert by_id["fields"]["Campaign"] == [campaign_id]
    assert by_name["fields"]["Campaign"] == [campaign_id]


def test_delete_up_to_ten_and_one_by_one(pitches: Table) -> None:
    # GIVEN the three pitches
    ids = [r["id"] for r in pitches.all()]
    # WHEN two are deleted in a batch and the third alone
    batch = pitches.batch_delete(ids[:2])
    single = pitches.delete(ids[2])
    # THEN each is reported deleted and the table is empty
    assert batch == [{"id": ids[0], "deleted": True}, {"id": ids[1], "deleted": True}]
    assert single == {"id": ids[2], "deleted": True}
    assert pitches.all() == []


def test_writes_need_the_write_scope(sandbox: ProviderSandbox, base: str, agency: Base, http: httpx.Client) -> None:
    # GIVEN an OAuth token granted data.records:read only
    table = pyairtable_api(base, oauth_token(base, http, "data.records:read")).table(agency.id, "Pitches")
    # WHEN it creates a record; THEN 403 and nothing is created
    refused = airtable_failure(lambda: table.create({"Name": "Ivy"}))
    assert refused[:2] == (403, "INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND")
    assert names(table.all()) == ["Ann", "Bob", "Cy"]


def test_more_than_ten_updates_or_deletes_in_one_request_are_refused(
    sandbox: ProviderSandbox, base: str, agency: Base, http: httpx.Client
) -> None:
    # GIVEN the three pitches' ids, repeated past ten
    ids = list(agency.tables[1].records) * 4
    headers = {"Authorization": f"Bearer {sandbox.airtable.issue_token(LOGIN)}"}
    url = f"{base}/api.airtable.com/v0/{agency.id}/Pitches"
    # WHEN 12 updates and 12 deletions are each sent in one request
    updates = http.patch(url, json={"records": [{"id": r, "fields": {"Budget": 1}} for r in ids]}, headers=headers)
    deletes = http.delete(url, params={"records[]": ids}, headers=headers)
    # THEN both are 422 INVALID_RECORDS naming the count, and nothing changed
    assert updates.status_code == deletes.status_code == 422
    assert updates.json()["error"]["message"].endswith("updated per request but you have provided 12.")
    assert deletes.json()["error"]["message"].endswith("deleted per request but you have provided 12.")
    assert len(sandbox.airtable.records(agency.id, "Pitches")) == 3


def test_sort_and_max_records(pitches: Table) -> None:
    # GIVEN Ann, Bob and Cy; WHEN sorted by name descending, and capped at two records a listing
    descending = pitches.all(sort=["-Name"])
    capped = pitches.all(sort=["Name"], max_records=2, page_size=1)
    # THEN the order follows the sort, and the cap holds across pages
    assert names(descending) == ["Cy", "Bob", "Ann"]
    assert names(capped) == ["Ann", "Bob"]


def test_formula_text_functions_blanks_quotes_and_dates(pitches: Table) -> None:
    # GIVEN a pitch whose name has a quote
    pitches.create({"Name": "D'Arcy", "Email": "DARCY@Mail.example", "Sent": "2026-04-01"})
    # WHEN filtered by an escaped quote, a lower-cased email, a blank date and a date comparison
    quoted = pitches.all(formula=match({"Name": "D'Arcy"}))
    lowered = pitches.all(formula="LOWER({Email})='darcy@mail.example'")
    undated = pitches.all(formula="{Sent}=BLANK()")
    after_march = pitches.all(formula="IS_AFTER({Sent}, DATETIME_PARSE('2026-03-15'))")
    joined = pitches.all(formula="{Name}&'/'&{Status}='Bob/Replied'")
    # THEN each formula keeps the records it is true for
    assert names(quoted) == ["D'Arcy"]
    assert names(lowered) == ["D'Arcy"]
    assert names(undated) == ["Ann", "Bob"]
    assert names(after_march) == ["D'Arcy"]
    assert names(joined) == ["Bob"]


def test_cell_format_json_is_served_and_string_is_refused(pitches: Table) -> None:
    # GIVEN the pitches; WHEN listed with cellFormat=json, and with cellFormat=string
    as_json = pitches.all(cell_format="json", formula=match({"Name": "Ann"}))
    as_string = airtable_failure(lambda: pitches.all(cell_format="string", time_zone="utc", user_locale="en-gb"))
    # THEN json is the default shape; string (not imitated) is a 422 rather than a silently different shape
    assert as_json[0]["fields"]["Budget"] == 100
    assert as_string[:2] == (422, "INVALID_REQUEST_UNKNOWN")
