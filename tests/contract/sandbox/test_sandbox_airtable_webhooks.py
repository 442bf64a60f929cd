"""Contract tests: Airtable's webhooks through pyairtable and its webhook models.

A user's edits are made through pyairtable with the login's personal access token (as a person's script or
Airtable's UI would change the base); the app's webhook then holds payloads and pings its URL, signed.
"""

import base64
import hashlib
import hmac
from datetime import timedelta
from functools import partial
from typing import Any

import httpx
import pytest
from pyairtable import Api
from pyairtable import Base as AirtableBase
from pyairtable.models.webhook import WebhookNotification

from provider_sandbox import ProviderSandbox
from provider_sandbox.airtable_store import Base
from provider_sandbox.push import PushSender
from tests.contract.sandbox.airtable_support import (
    LOGIN,
    airtable_failure,
    airtable_sandbox,
    campaign_base,
    oauth_token,
    pyairtable_api,
)
from tests.contract.sandbox.conftest import FakeClock
from tests.contract.sandbox.gmail_support import push_receiver

RECEIVER_URL = "http://127.0.0.1:9/api/webhooks/airtable"  # nothing listens: pings are not what these tests read


@pytest.fixture
def sandbox(fake_clock: FakeClock) -> ProviderSandbox:
    return airtable_sandbox(fake_clock)


@pytest.fixture
def agency(sandbox: ProviderSandbox) -> Base:
    return campaign_base(sandbox, pitches=[{"Name": "Ann", "Email": "ann@radio.example", "Status": "Pitched"}])


@pytest.fixture
def api(sandbox: ProviderSandbox, base: str) -> Api:
    return pyairtable_api(base, sandbox.airtable.issue_token(LOGIN))


def table_spec(table_id: str, **options: Any) -> dict[str, Any]:
    filters = {"dataTypes": ["tableData"], "recordChangeScope": table_id, **options.pop("filters", {})}
    return {"options": {"filters": filters, **options}}


def field_ids(agency: Base) -> dict[str, str]:
    return {f.name: f.id for f in agency.tables[1].fields}


def add_pitches_webhook(api: Api, agency: Base, url: str = RECEIVER_URL, **options: Any) -> tuple[AirtableBase, str]:
    airtable_base = api.base(agency.id)
    created = airtable_base.add_webhook(url, table_spec(agency.tables[1].id, **options))
    return airtable_base, created.id


def test_create_list_refresh_and_delete(api: Api, agency: Base, fake_clock: FakeClock) -> None:
    # GIVEN the campaign base
    airtable_base = api.base(agency.id)
    # WHEN a webhook on Pitches is created
    created = airtable_base.add_webhook(RECEIVER_URL, table_spec(agency.tables[1].id))
    # THEN it has an ach id, a MAC secret and expires in 7 days; the list shows its specification
    assert created.id.startswith("ach")
    assert len(base64.b64decode(created.mac_secret_base64)) > 0
    assert created.expiration_time == fake_clock.now + timedelta(days=7)
    [listed] = airtable_base.webhooks()
    assert listed.id == created.id
    assert listed.notification_url == RECEIVER_URL
    assert listed.cursor_for_next_payload == 1
    assert listed.specification.options.filters.record_change_scope == agency.tables[1].id
    # WHEN three days later it is refreshed, then deleted
    fake_clock.advance(timedelta(days=3))
    listed.extend_expiration()
    assert airtable_base.webhook(created.id).expiration_time == fake_clock.now + timedelta(days=7)
    listed.delete()
    # THEN it is gone
    assert airtable_base.webhooks() == []


def test_payloads_report_created_changed_and_destroyed_records(api: Api, agency: Base) -> None:
    # GIVEN a webhook on Pitches
    airtable_base, hook_id = add_pitches_webhook(api, agency)
    pitches = api.table(agency.id, "Pitches")
    ids = field_ids(agency)
    # WHEN the user creates a pitch, changes its status, then deletes it
    created = pitches.create({"Name": "Bob", "Email": "bob@news.example"})
    pitches.update(created["id"], {"Status": "Replied"})
    pitches.delete(created["id"])
    # THEN three payloads, parsed by pyairtable's WebhookPayload, with cursors 1 to 3
    payloads = list(airtable_base.webhook(hook_id).payloads())
    assert [p.cursor for p in payloads] == [1, 2, 3]
    table_id = agency.tables[1].id
    made, changed, destroyed = (p.changed_tables_by_id[table_id] for p in payloads)
    assert made.created_records_by_id[created["id"]].cell_values_by_field_id == {
        ids["Name"]: "Bob",
        ids["Email"]: "bob@news.example",
    }
    assert changed.changed_records_by_id[created["id"]].current.cell_values_by_field_id == {ids["Status"]: "Replied"}
    assert destroyed.destroyed_record_ids == [created["id"]]
    first = payloads[0]
    assert first.payload_format == "v0"
    assert first.action_metadata is not None
    assert first.action_metadata.source == "publicApi"
    assert first.action_metadata.source_metadata["user"]["email"] == LOGIN
    assert [p.base_transaction_number for p in payloads] == sorted({p.base_transaction_number for p in payloads})


def test_payload_pages_follow_cursor_limit_and_might_have_more(api: Api, agency: Base) -> None:
    # GIVEN three changes after the webhook was made
    _, hook_id = add_pitches_webhook(api, agency)
    pitches = api.table(agency.id, "Pitches")
    for name in ("Bob", "Cy", "Di"):
        pitches.create({"Name": name})
    url = f"bases/{agency.id}/webhooks/{hook_id}/payloads"
    # WHEN the payloads are read two at a time, then from the cursor after the last
    first = api.get(api.build_url(url), params={"cursor": 1, "limit": 2})
    second = api.get(api.build_url(url), params={"cursor": first["cursor"], "limit": 2})
    third = api.get(api.build_url(url), params={"cursor": second["cursor"]})
    # THEN the cursor moves past what was read and mightHaveMore says whether more are waiting
    assert (len(first["payloads"]), first["cursor"], first["mightHaveMore"]) == (2, 3, True)
    assert (len(second["payloads"]), second["cursor"], second["mightHaveMore"]) == (1, 4, False)
    assert (third["payloads"], third["cursor"], third["mightHaveMore"]) == ([], 4, False)


def test_includes_previous_and_unchanged_cell_values(api: Api, agency: Base) -> None:
    # GIVEN a webhook asking for previous values and the Email of every changed record
    ids = field_ids(agency)
    includes = {"includePreviousCellValues": True, "includeCellValuesInFieldIds": [ids["Email"]]}
    airtable_base, hook_id = add_pitches_webhook(api, agency, includes=includes)
    pitches = api.table(agency.id, "Pitches")
    ann = pitches.all()[0]
    # WHEN Ann's status changes
    pitches.update(ann["id"], {"Status": "Placed"})
    # THEN the payload has her previous status and her unchanged email
    [payload] = list(airtable_base.webhook(hook_id).payloads())
    change = payload.changed_tables_by_id[agency.tables[1].id].changed_records_by_id[ann["id"]]
    assert change.current.cell_values_by_field_id == {ids["Status"]: "Placed"}
    assert change.previous is not None
    assert change.previous.cell_values_by_field_id == {ids["Status"]: "Pitched"}
    assert change.unchanged is not None
    assert change.unchanged.cell_values_by_field_id == {ids["Email"]: "ann@radio.example"}


def test_filters_by_table_change_type_and_source(api: Api, agency: Base) -> None:
    # GIVEN webhooks on Pitches for updates only, and for changes made in Airtable's UI only
    airtable_base, updates_hook = add_pitches_webhook(api, agency, filters={"changeTypes": ["update"]})
    _, ui_hook = add_pitches_webhook(api, agency, filters={"fromSources": ["client"]})
    # WHEN through the API a campaign is created, a pitch created, and Ann updated
    api.table(agency.id, "Campaigns").create({"Name": "Autumn"})
    pitches = api.table(agency.id, "Pitches")
    pitches.create({"Name": "Bob"})
    pitches.update(pitches.all(formula="{Name}='Ann'")[0]["id"], {"Status": "Replied"})
    # THEN the first holds only Ann's update; the second nothing (every change came from the API)
    [payload] = list(airtable_base.webhook(updates_hook).payloads())
    assert list(payload.changed_tables_by_id) == [agency.tables[1].id]
    assert payload.changed_tables_by_id[agency.tables[1].id].created_records_by_id == {}
    assert list(airtable_base.webhook(ui_hook).payloads()) == []


def test_ping_is_signed_with_the_mac_secret_and_validates_with_pyairtable(
    sandbox: ProviderSandbox, api: Api, agency: Base
) -> None:
    with push_receiver() as receiver:
        # GIVEN a webhook pinging the app's receiver
        airtable_base = api.base(agency.id)
        created = airtable_base.add_webhook(receiver.url, table_spec(agency.tables[1].id))
        # WHEN the user creates a pitch
        api.table(agency.id, "Pitches").create({"Name": "Bob"})
        [delivery] = PushSender.of(sandbox.context).flush()
    # THEN the app got one POST naming the base and webhook, whose MAC pyairtable's helper accepts
    assert delivery.status == 204
    assert len(receiver.received) == 1
    header = receiver.received[0].headers["x-airtable-content-mac"]
    notification = WebhookNotification.from_request(delivery.body.decode(), header, created.mac_secret_base64)
    assert notification.base.id == agency.id
    assert notification.webhook.id == created.id
    secret = base64.b64decode(created.mac_secret_base64)
    assert header == "hmac-sha256=" + hmac.new(secret, delivery.body, hashlib.sha256).hexdigest()
    # AND a body changed in transit fails the same check
    tampered = delivery.body.decode().replace(agency.id, "appSomeoneElse0000")
    with pytest.raises(ValueError, match="failed validation"):
        WebhookNotification.from_request(tampered, header, created.mac_secret_base64)


def test_webhook_expires_after_seven_days_unless_refreshed(api: Api, agency: Base, fake_clock: FakeClock) -> None:
    # GIVEN two webhooks; the second is refreshed on day 6
    airtable_base, forgotten = add_pitches_webhook(api, agency)
    _, kept = add_pitches_webhook(api, agency)
    fake_clock.advance(timedelta(days=6))
    airtable_base.webhook(kept).extend_expiration()
    # WHEN day 8 comes
    fake_clock.advance(timedelta(days=2))
    # THEN only the refreshed one is left; the expired one answers 404 like a deleted one
    assert [w.id for w in airtable_base.webhooks()] == [kept]
    gone = airtable_failure(lambda: api.get(api.build_url(f"bases/{agency.id}/webhooks/{forgotten}/payloads")))
    assert gone[0] == 404


def test_webhooks_need_the_manage_scope(sandbox: ProviderSandbox, base: str, agency: Base, http: httpx.Client) -> None:
    # GIVEN an OAuth token granted record scopes but not webhook:manage
    api = pyairtable_api(base, oauth_token(base, http, "data.records:read data.records:write"))
    # WHEN it lists webhooks; THEN 403
    refused = airtable_failure(lambda: api.base(agency.id).webhooks())
    assert refused[:2] == (403, "INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND")


def test_a_specification_outside_tabledata_or_the_base_is_refused(api: Api, agency: Base) -> None:
    # GIVEN the base; WHEN webhooks are asked for table schemas, and for a table not in the base
    url = api.build_url(f"bases/{agency.id}/webhooks")
    answers = []
    for filters in (
        {"dataTypes": ["tableFields"]},
        {"dataTypes": ["tableData"], "recordChangeScope": "tblNotHere00000"},
    ):
        body = {"notificationUrl": RECEIVER_URL, "specification": {"options": {"filters": filters}}}
        answers.append(airtable_failure(partial(api.post, url, json=body))[:2])
    # THEN each is a 422 naming the specification
    assert answers == [
        (422, "INVALID_WEBHOOK_SPECIFICATION"),
        (422, "INVALID_WEBHOOK_SPECIFICATION"),
    ]
