"""Contract tests: the Airtable controls (tokens and bases for a login, over HTTP), the user's edits through
pyairtable reaching the app's webhook, and the per-base rate limit."""

from datetime import timedelta
from typing import Any

import httpx
import pytest

from provider_sandbox import ProviderSandbox
from provider_sandbox.airtable_workspace import RateLimit
from provider_sandbox.push import PushSender
from tests.contract.sandbox.airtable_support import (
    LOGIN,
    airtable_failure,
    airtable_sandbox,
    campaign_base,
    campaign_tables,
    oauth_token,
    pyairtable_api,
)
from tests.contract.sandbox.conftest import FakeClock
from tests.contract.sandbox.gmail_support import push_receiver

SCOPES = "data.records:read data.records:write schema.bases:read webhook:manage"


@pytest.fixture
def sandbox(fake_clock: FakeClock) -> ProviderSandbox:
    return airtable_sandbox(fake_clock)


def control(http: httpx.Client, base: str, method: str, path: str, body: Any = None) -> httpx.Response:
    return http.request(method, f"{base}/_control/airtable{path}", json=body)


def test_control_issues_a_token_and_lays_out_a_base_that_pyairtable_reads(base: str, http: httpx.Client) -> None:
    # GIVEN a base laid out over the control API, and a token issued for its login
    tables = [t.model_dump(mode="json") for t in campaign_tables([{"Name": "Ann", "Status": "Pitched"}])]
    made = control(http, base, "POST", "/bases", {"login": LOGIN, "name": "Agency", "tables": tables})
    issued = control(http, base, "POST", "/tokens", {"login": LOGIN})
    # WHEN pyairtable uses the token
    api = pyairtable_api(base, issued.json()["token"])
    # THEN it sees the base and its records as the control API does
    assert made.status_code == 201
    assert issued.status_code == 201
    assert issued.json()["token"].startswith("pat")
    base_id = made.json()["id"]
    assert [b.id for b in api.bases()] == [base_id]
    records = api.table(base_id, "Pitches").all()
    listed = control(http, base, "GET", f"/bases/{base_id}/tables/Pitches/records").json()["records"]
    assert records == listed
    assert records[0]["fields"]["Status"] == "Pitched"


def test_control_refuses_bad_bodies_with_400(base: str, http: httpx.Client) -> None:
    # GIVEN the control API; WHEN a token is asked without a login, and a link field names no table
    no_login = control(http, base, "POST", "/tokens", {})
    bad_link = control(
        http,
        base,
        "POST",
        "/bases",
        {
            "login": LOGIN,
            "name": "B",
            "tables": [{"name": "T", "fields": [{"name": "L", "type": "multipleRecordLinks"}]}],
        },
    )
    # THEN both are 400 with the reason
    assert no_login.status_code == 400
    assert bad_link.status_code == 400
    assert "linked_table" in bad_link.text


def test_a_users_edit_through_pyairtable_fires_the_apps_webhook(
    sandbox: ProviderSandbox, base: str, http: httpx.Client
) -> None:
    # GIVEN the app's webhook on Pitches, made with its OAuth token, and the user's own token
    agency = campaign_base(sandbox, pitches=[{"Name": "Ann"}])
    app = pyairtable_api(base, oauth_token(base, http, SCOPES))
    user = pyairtable_api(base, control(http, base, "POST", "/tokens", {"login": LOGIN}).json()["token"])
    with push_receiver() as receiver:
        hook = app.base(agency.id).add_webhook(receiver.url, {"options": {"filters": {"dataTypes": ["tableData"]}}})
        # WHEN the user changes Ann through pyairtable
        ann = user.table(agency.id, "Pitches").all()[0]
        user.table(agency.id, "Pitches").update(ann["id"], {"Status": "Placed"})
        PushSender.of(sandbox.context).flush()
    # THEN the app is pinged and reads the change from the payloads with its own token
    assert [r.body["webhook"]["id"] for r in receiver.received] == [hook.id]
    [payload] = list(app.base(agency.id).webhook(hook.id).payloads())
    changed = payload.changed_tables_by_id[agency.tables[1].id].changed_records_by_id
    assert list(changed) == [ann["id"]]


def test_six_requests_in_a_second_get_429_for_thirty_seconds_per_base(
    sandbox: ProviderSandbox, base: str, fake_clock: FakeClock
) -> None:
    # GIVEN Airtable's limit of 5 requests a second per base, and two bases
    sandbox.airtable.rate_limit = RateLimit()
    busy, quiet = campaign_base(sandbox), campaign_base(sandbox)
    api = pyairtable_api(base, sandbox.airtable.issue_token(LOGIN))
    table = api.table(busy.id, "Campaigns")
    # WHEN six requests reach the busy base in the same second
    for _ in range(5):
        table.all()
    sixth = airtable_failure(table.all)
    # THEN the sixth is 429 RATE_LIMIT_REACHED; the other base still answers
    assert sixth[:2] == (429, "RATE_LIMIT_REACHED")
    assert api.table(quiet.id, "Campaigns").all() != []
    # AND the busy base keeps answering 429 for 30 seconds, then recovers
    fake_clock.advance(timedelta(seconds=29))
    assert airtable_failure(table.all)[0] == 429
    fake_clock.advance(timedelta(seconds=1))
    assert table.all() != []


def test_five_requests_a_second_are_never_limited(sandbox: ProviderSandbox, base: str, fake_clock: FakeClock) -> None:
    # GIVEN the limit on; WHEN a caller paces itself at 5 requests each second for 3 seconds
    sandbox.airtable.rate_limit = RateLimit()
    agency = campaign_base(sandbox)
    table = pyairtable_api(base, sandbox.airtable.issue_token(LOGIN)).table(agency.id, "Campaigns")
    sandbox.reset_requests()
    for _ in range(3):
        for _ in range(5):
            table.all()
        fake_clock.advance(timedelta(seconds=1))
    # THEN no answer was 429
    assert [r.status for r in sandbox.find_requests(host="api.airtable.com")] == [200] * 15


def test_rate_limit_control_sets_and_removes_the_limit(sandbox: ProviderSandbox, base: str, http: httpx.Client) -> None:
    # GIVEN the control API; WHEN the limit is set to 2 a second, then removed
    set_response = control(http, base, "PUT", "/rate-limit", {"per_second": 2, "penalty_seconds": 30})
    limit_after_set = sandbox.airtable.rate_limit
    removed = control(http, base, "DELETE", "/rate-limit")
    # THEN the workspace follows
    assert set_response.status_code == 200
    assert limit_after_set == RateLimit(per_second=2, penalty_seconds=30)
    assert removed.status_code == 200
    assert sandbox.airtable.rate_limit is None


def test_an_edit_in_airtables_ui_is_a_client_change_for_webhooks(
    sandbox: ProviderSandbox, base: str, http: httpx.Client
) -> None:
    # GIVEN the app's webhook for changes made in Airtable's UI only
    agency = campaign_base(sandbox, pitches=[{"Name": "Ann"}, {"Name": "Bob"}])
    app = pyairtable_api(base, oauth_token(base, http, SCOPES))
    spec = {"options": {"filters": {"dataTypes": ["tableData"], "fromSources": ["client"]}}}
    hook = app.base(agency.id).add_webhook("http://127.0.0.1:9/api/webhooks/airtable", spec)
    ann, bob = (r["id"] for r in app.table(agency.id, "Pitches").all())
    # WHEN the user, in the UI, sets Ann's status and deletes Bob; and types into a field that does not exist
    edits = {"login": LOGIN, "records": [{"id": ann, "fields": {"Status": "Placed"}}], "delete": [bob]}
    edited = control(http, base, "POST", f"/bases/{agency.id}/tables/Pitches/edits", edits)
    unknown = control(
        http,
        base,
        "POST",
        f"/bases/{agency.id}/tables/Pitches/edits",
        {"login": LOGIN, "records": [{"fields": {"Mood": 1}}]},
    )
    # THEN two client payloads (the change, the deletion); the unknown field is Airtable's 422 and changes nothing
    assert edited.json() == {"records": [ann]}
    payloads = list(app.base(agency.id).webhook(hook.id).payloads())
    assert [p.action_metadata.source for p in payloads if p.action_metadata] == ["client", "client"]
    assert payloads[1].changed_tables_by_id[agency.tables[1].id].destroyed_record_ids == [bob]
    assert unknown.status_code == 422
    assert unknown.json()["details"] == {"type": "UNKNOWN_FIELD_NAME"}
    assert len(sandbox.airtable.records(agency.id, "Pitches")) == 1
