"""Airtable two-way sync end to end: API -> queue -> worker -> sandbox, and back.

The user's side is played in the sandbox (edits as in Airtable's UI, and through pyairtable with a
personal access token); Tracker's side through the public API.
"""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from local_stack.server import RunningStack
from tests.support.airtable import AirtableUser, make_airtable_user, unpaced_sandbox
from tests.support.api import LocalUser, card

__all__ = ["unpaced_sandbox"]  # the shared autouse fixture: Airtable's rate limit is off in these tests


@pytest.fixture
def airtable_user(http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack) -> AirtableUser:
    return make_airtable_user(http, new_user, stack)


def test_bases_and_tables_list_fields_with_types_and_views(airtable_user: AirtableUser) -> None:
    # WHEN the configure screen asks for bases, then the base's tables
    headers = airtable_user.user.headers
    bases = airtable_user.http.get("/api/integrations/airtable/bases", headers=headers)
    tables = airtable_user.http.get(f"/api/integrations/airtable/bases/{airtable_user.base.id}/tables", headers=headers)
    # THEN the base is listed, and its Pitches table with typed fields and its views
    assert [b["name"] for b in bases.json()["bases"]] == ["Agency"]
    pitches = next(t for t in tables.json()["tables"] if t["name"] == "Pitches")
    fields = {f["name"]: f for f in pitches["fields"]}
    assert fields["Status"]["type"] == "singleSelect"
    assert "pitch.status" in fields["Status"]["maps_to"]
    assert "pitch.email" not in fields["Status"]["maps_to"]
    assert fields["Email"]["maps_to"][:1] == ["pitch.contact_name"]
    assert "pitch.email" in fields["Email"]["maps_to"]
    # AND linked records are read-only (feeding only Tracker's text fields), numbers and checkboxes map to nothing
    assert fields["Linked campaign"]["read_only"] is True
    assert "pitch.status" not in fields["Linked campaign"]["maps_to"]
    assert "campaign.title" not in fields["Linked campaign"]["maps_to"]
    assert fields["Budget"]["maps_to"] == []
    assert fields["Done"]["maps_to"] == []
    assert {v["name"] for v in pitches["views"]} == {"Grid view", "Open"}


def test_settings_map_fields_by_name_and_refuse_types_that_cannot_hold_a_field(airtable_user: AirtableUser) -> None:
    # WHEN the table is chosen without a mapping
    detail = airtable_user.configure()
    # THEN fields are mapped by name
    mapped = {c["header"]: c["field"] for c in detail["settings"]["airtable"]["mapping"]["columns"]}
    assert mapped == {
        "Contact": "pitch.contact_name",
        "Email": "pitch.email",
        "Outlet": "pitch.outlet",
        "Status": "pitch.status",
        "Notes": "pitch.notes",
    }
    # AND a number field cannot be mapped to the e-mail
    bad = airtable_user.http.put(
        "/api/integrations/airtable/settings",
        headers=airtable_user.user.headers,
        json={
            "version": detail["version"],
            "mapping": {"columns": [{"header": "Budget", "field": "pitch.email"}]},
        },
    )
    assert bad.status_code == 400, bad.text
    assert "'Budget' is a number field" in bad.json()["error"]["message"]


def test_tracker_pitches_become_records_and_an_airtable_edit_comes_back_without_echo(
    airtable_user: AirtableUser,
) -> None:
    # GIVEN two pitches in Tracker and the table chosen
    campaign = airtable_user.campaign()
    annie = airtable_user.pitch(campaign, status="sent")
    airtable_user.pitch(campaign, email="bob@blog.example", contact_name="Bob", outlet="Blog")
    airtable_user.configure()
    # WHEN the user syncs
    log = airtable_user.sync()
    # THEN both are records in Airtable, keyed by record id (no id column in the table)
    assert log["outcome"] == "success", log
    records = airtable_user.by_email()
    assert records["annie@radio.example"]["Status"] == "Sent"
    assert records["bob@blog.example"]["Contact"] == "Bob"
    assert log["records_created"] == 2
    # WHEN the user marks Annie replied in Airtable
    record_id = next(r["id"] for r in airtable_user.records() if r["fields"].get("Email") == "annie@radio.example")
    airtable_user.edit(record_id, Status="Replied")
    before = airtable_user.calls()
    log = airtable_user.sync()
    # THEN Tracker knows, read from the webhook's payloads: one payload read, no record read, no write
    pitch = next(p for p in airtable_user.pitches() if p["pitch_id"] == annie["pitch_id"])
    assert pitch["status"] == "replied"
    assert (log["outcome"], log["records_updated"]) == ("success", 1), log
    assert airtable_user.calls() - before == 1
    # AND the next sync finds nothing on either side: Tracker's own write does not come back
    again = airtable_user.sync()
    assert (again["records_updated"], again["records_created"]) == (0, 0)
    assert card(airtable_user.http, airtable_user.user, "airtable")["records_synced"] == 2


def test_a_tracker_edit_reaches_airtable_and_conflicts_log_the_losing_value(airtable_user: AirtableUser) -> None:
    campaign = airtable_user.campaign()
    annie = airtable_user.pitch(campaign, status="sent")
    airtable_user.configure()
    airtable_user.sync()
    record_id = airtable_user.records()[0]["id"]
    # WHEN both sides change Outlet, and Tracker alone changes Notes
    airtable_user.edit(record_id, Outlet="Radio 2")
    airtable_user.change_pitch(annie, outlet="6 Music", notes="call Tuesday")
    log = airtable_user.sync()
    # THEN Tracker wins the conflict (the default policy), the losing value is logged, and the note is in Airtable
    assert log["conflicts"] == 1
    assert log["conflict_details"][0]["losing_value"] == "Radio 2"
    fields = airtable_user.by_email()["annie@radio.example"]
    assert (fields["Outlet"], fields["Notes"]) == ("6 Music", "call Tuesday")
    # AND that write's webhook payload (source publicApi, as a user's script's would be) changes nothing
    writes = airtable_user.calls("PATCH")
    again = airtable_user.sync()
    assert (again["records_updated"], again["conflicts"], airtable_user.calls("PATCH")) == (0, 0, writes)


def test_a_record_deleted_in_airtable_waits_for_approval(airtable_user: AirtableUser) -> None:
    campaign = airtable_user.campaign()
    airtable_user.pitch(campaign)
    airtable_user.configure()
    airtable_user.sync()
    # WHEN the user deletes the record in Airtable
    airtable_user.delete(airtable_user.records()[0]["id"])
    log = airtable_user.sync()
    # THEN nothing is deleted in Tracker: the deletion waits for approval
    assert log["pending_deletions"] == 1
    assert len(airtable_user.pitches()) == 1


def test_existing_records_are_previewed_then_imported_once(
    http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack
) -> None:
    # GIVEN a table that already has two records, one with a status Tracker reads
    user = make_airtable_user(
        http,
        new_user,
        stack,
        records=[
            {"Contact": "Annie", "Email": "annie@radio.example", "Status": "Replied"},
            {"Contact": "Bob", "Email": "bob@blog.example"},
        ],
    )
    user.configure()
    # WHEN the first sync runs, it proposes an import instead of guessing a campaign
    proposed = user.sync()
    assert proposed["errors"][0]["code"] == "import_proposed"
    # AND the preview says what would be created, without creating it
    preview = http.post("/api/integrations/airtable/import", headers=user.user.headers, json={"dry_run": True}).json()
    assert (preview["created"], preview["skipped"]) == (0, 2)
    preview = http.post(
        "/api/integrations/airtable/import",
        headers=user.user.headers,
        json={"dry_run": True, "campaign": {"title": "Spring"}},
    ).json()
    assert preview["created"] == 2
    assert user.pitches() == []
    # WHEN the import runs
    done = http.post(
        "/api/integrations/airtable/import", headers=user.user.headers, json={"campaign": {"title": "Spring"}}
    )
    assert done.status_code == 200, done.text
    # THEN both records are pitches of the campaign, and a second import creates nothing
    assert sorted(p["email"] for p in user.pitches()) == ["annie@radio.example", "bob@blog.example"]
    assert next(p for p in user.pitches() if p["email"] == "annie@radio.example")["status"] == "replied"
    again = http.post(
        "/api/integrations/airtable/import", headers=user.user.headers, json={"campaign": {"title": "Spring"}}
    ).json()
    assert again.get("created") == 0, again
    assert user.sync()["outcome"] == "success"


def test_with_a_view_chosen_only_its_records_sync(
    http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack
) -> None:
    # GIVEN a table whose "Open" view hides the records marked Done
    user = make_airtable_user(
        http,
        new_user,
        stack,
        records=[
            {"Contact": "Annie", "Email": "annie@radio.example", "Done": False},
            {"Contact": "Bob", "Email": "bob@blog.example", "Done": True},
        ],
    )
    table = next(t for t in user.base.tables if t.id == user.table_id)
    view = next(v for v in table.views if v.name == "Open")
    # WHEN the view is chosen and the records imported
    user.configure(view_id=view.id)
    imported = http.post(
        "/api/integrations/airtable/import", headers=user.user.headers, json={"campaign": {"title": "Spring"}}
    )
    assert imported.status_code == 200, imported.text
    # THEN only the view's record came in
    assert [p["email"] for p in user.pitches()] == ["annie@radio.example"]
