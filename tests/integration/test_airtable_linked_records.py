"""A linked-record field (each pitch links to a record of an Outlets table) feeds a Tracker text field as the
linked records' names, one way: Tracker never writes it, and a run reads the names in one batch."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import httpx
import pytest

from local_stack.server import RunningStack
from provider_sandbox.airtable_workspace import FieldSpec, TableSpec, UserEdit
from tests.support.airtable import AirtableUser, unpaced_sandbox
from tests.support.api import LocalUser, connect, put_settings
from tracker_integrations import wiring
from tracker_integrations.providers.airtable.integration import AirtableIntegration

__all__ = ["unpaced_sandbox"]  # the shared autouse fixture: Airtable's rate limit is off in these tests

OUTLETS = ["Radio 1", "6 Music", "Blog"]


NewOutletsUser = Callable[..., AirtableUser]


@pytest.fixture
def outlets_user(http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack) -> NewOutletsUser:
    def make(pitches: list[dict[str, Any]] | None = None) -> AirtableUser:
        return _user_with_outlets(http, new_user, stack, pitches)

    return make


def _user_with_outlets(
    http: httpx.Client,
    new_user: Callable[[str], LocalUser],
    stack: RunningStack,
    pitches: list[dict[str, Any]] | None,
) -> AirtableUser:
    """A base whose Pitches table links each pitch to its outlets (an Outlets table, named by its primary field)."""
    user = new_user("pro")
    login = f"{user.name}@agency.example"
    tables = [
        TableSpec(name="Outlets", fields=[FieldSpec(name="Name")], records=[{"Name": name} for name in OUTLETS]),
        TableSpec(
            name="Pitches",
            fields=[
                FieldSpec(name="Contact"),
                FieldSpec(name="Email", type="email"),
                FieldSpec(name="Outlet", type="multipleRecordLinks", linked_table="Outlets"),
            ],
            records=pitches or [],
        ),
    ]
    base = stack.stack.sandbox.airtable.create_base(login, "Label", tables)
    assert connect(http, user, "airtable", login=login).connected
    table = next(t for t in base.tables if t.name == "Pitches")
    return AirtableUser(user=user, login=login, base=base, table_id=table.id, http=http, stack=stack)


def _outlets_table(user: AirtableUser) -> str:
    return next(t.id for t in user.base.tables if t.name == "Outlets")


def _outlet_ids(user: AirtableUser) -> dict[str, str]:
    listed = [r for r in user.sandbox.airtable.records(user.base.id, "Outlets") if isinstance(r, dict)]
    return {str(r["fields"]["Name"]): str(r["id"]) for r in listed}  # type: ignore[call-overload,index]


def _outlet_reads(user: AirtableUser) -> list[str]:
    """The requests that read the Outlets table."""
    table_id = _outlets_table(user)
    return [r.path for r in user.sandbox.requests if r.method == "GET" and r.path.endswith(f"/{table_id}")]


def _mapping(direction: str | None) -> dict[str, Any]:
    outlet: dict[str, Any] = {"header": "Outlet", "field": "pitch.outlet"}
    if direction is not None:
        outlet["direction"] = direction
    return {
        "columns": [
            {"header": "Email", "field": "pitch.email"},
            {"header": "Contact", "field": "pitch.contact_name"},
            outlet,
        ]
    }


def _import(user: AirtableUser) -> None:
    done = user.http.post(
        "/api/integrations/airtable/import", headers=user.user.headers, json={"campaign": {"title": "Spring"}}
    )
    assert done.status_code == 200, done.text


@pytest.mark.parametrize("direction", [None, "both", "to_provider"])
def test_a_linked_field_mapped_to_flow_into_airtable_is_refused_as_read_only(
    outlets_user: NewOutletsUser, direction: str | None
) -> None:
    # GIVEN a Pitches table whose Outlet field links to an Outlets table
    user = outlets_user()
    # WHEN Outlet is mapped to pitch.outlet in a direction that would write it
    response = put_settings(
        user.http,
        user.user,
        "airtable",
        {"base_id": user.base.id, "table_id": user.table_id, "mapping": _mapping(direction)},
    )
    # THEN it is refused, naming the field and why
    assert response.status_code == 400, response.text
    message = response.json()["error"]["message"]
    assert "'Outlet' is read-only because it links to another table" in message


def test_a_linked_field_is_listed_with_its_table_and_accepted_one_way_into_tracker(
    outlets_user: NewOutletsUser,
) -> None:
    # GIVEN a Pitches table whose Outlet field links to an Outlets table
    user = outlets_user()
    # WHEN the tables are listed
    tables = user.http.get(f"/api/integrations/airtable/bases/{user.base.id}/tables", headers=user.user.headers).json()
    pitches = next(t for t in tables["tables"] if t["name"] == "Pitches")
    outlet = next(f for f in pitches["fields"] if f["name"] == "Outlet")
    # THEN Outlet is read-only, names its linked table and can feed Tracker's text fields
    assert (outlet["read_only"], outlet["linked_table_id"]) == (True, _outlets_table(user))
    assert "pitch.outlet" in outlet["maps_to"]
    assert "pitch.email" not in outlet["maps_to"]
    # WHEN it is mapped from_provider
    detail = user.configure(mapping=_mapping("from_provider"))
    # THEN it is accepted, with where its names are read
    chosen = detail["settings"]["airtable"]
    outlet_id = chosen["field_ids"]["Outlet"]
    assert chosen["links"][outlet_id]["table_id"] == _outlets_table(user)
    # AND mapped by name without a mapping, it is one way too
    auto = user.configure()
    columns = {c["header"]: c for c in auto["settings"]["airtable"]["mapping"]["columns"]}
    assert (columns["Outlet"]["field"], columns["Outlet"]["direction"]) == ("pitch.outlet", "from_provider")


def test_an_import_and_a_sync_bring_the_linked_names_in_one_read_and_tracker_never_writes_them(
    outlets_user: NewOutletsUser,
) -> None:
    # GIVEN pitches in Airtable linking to outlets (one to two, in that order; two to the same)
    user = outlets_user(
        pitches=[
            {"Contact": "Annie", "Email": "annie@radio.example", "Outlet": ["6 Music", "Radio 1"]},
            {"Contact": "Bob", "Email": "bob@blog.example", "Outlet": ["Blog"]},
            {"Contact": "Cat", "Email": "cat@radio.example", "Outlet": ["Radio 1"]},
        ],
    )
    user.configure(mapping=_mapping("from_provider"))
    # WHEN they are imported
    _import(user)
    # THEN each pitch's outlet is its outlets' names, in Airtable's order, read in one request for the 3 ids
    outlets = {p["email"]: p["outlet"] for p in user.pitches()}
    assert outlets == {
        "annie@radio.example": "6 Music, Radio 1",
        "bob@blog.example": "Blog",
        "cat@radio.example": "Radio 1",
    }
    assert len(_outlet_reads(user)) == 1
    # WHEN the user relinks Bob in Airtable, and Tracker changes Annie's outlet
    record_of = {str(r["fields"]["Email"]): str(r["id"]) for r in user.records()}
    user.edit(record_of["bob@blog.example"], Outlet=[_outlet_ids(user)["Radio 1"]])
    annie = next(p for p in user.pitches() if p["email"] == "annie@radio.example")
    user.change_pitch(annie, outlet="Radio 4")
    reads, writes = len(_outlet_reads(user)), user.calls("PATCH") + user.calls("POST")
    log = user.sync()
    # THEN Bob's new outlet comes in, read in one request, and nothing is written to Airtable
    assert log["outcome"] == "success", log
    outlets = {p["email"]: p["outlet"] for p in user.pitches()}
    assert outlets["bob@blog.example"] == "Radio 1"
    assert len(_outlet_reads(user)) == reads + 1
    assert user.calls("PATCH") + user.calls("POST") == writes
    # AND Annie's link in Airtable is untouched: Airtable's names win back in Tracker (one way)
    assert user.by_email()["annie@radio.example"]["Outlet"] == [_outlet_ids(user)[n] for n in ("6 Music", "Radio 1")]
    assert outlets["annie@radio.example"] == "6 Music, Radio 1"
    # WHEN Tracker changes Annie's contact, which is written to her record
    user.change_pitch(annie, contact_name="Annie Mac")
    assert user.sync()["records_updated"] == 1
    reads = len(_outlet_reads(user))
    again = user.sync()
    # THEN the next sync finds nothing changed and reads no outlet: the cache kept the names, not Airtable's ids
    assert (again["records_updated"], again["conflicts"]) == (0, 0), again
    assert len(_outlet_reads(user)) == reads


def test_a_linked_record_deleted_before_the_sync_is_left_out(
    outlets_user: NewOutletsUser,
) -> None:
    # GIVEN a synced pitch
    user = outlets_user(pitches=[{"Contact": "Annie", "Email": "annie@radio.example", "Outlet": ["Radio 1"]}])
    user.configure(mapping=_mapping("from_provider"))
    _import(user)
    # WHEN the user links it to Blog too, then deletes the Blog record before Tracker syncs
    ids = _outlet_ids(user)
    user.edit(user.records()[0]["id"], Outlet=[ids["Radio 1"], ids["Blog"]])
    user.sandbox.airtable.edit(user.login, user.base.id, "Outlets", [], [ids["Blog"]])
    log = user.sync()
    # THEN the sync succeeds and the outlet names only the record that still exists
    assert log["outcome"] == "success", log
    assert [p["outlet"] for p in user.pitches()] == ["Radio 1"]


def test_a_renamed_linked_record_reaches_tracker_at_the_twice_daily_full_read(outlets_user: NewOutletsUser) -> None:
    # GIVEN a synced pitch of Radio 1
    user = outlets_user(pitches=[{"Contact": "Annie", "Email": "annie@radio.example", "Outlet": ["Radio 1"]}])
    user.configure(mapping=_mapping("from_provider"))
    _import(user)
    # WHEN the outlet is renamed in the Outlets table (no webhook of the pitches table fires)
    radio = _outlet_ids(user)["Radio 1"]
    user.sandbox.airtable.edit(
        user.login, user.base.id, "Outlets", [UserEdit(id=radio, fields={"Name": "BBC Radio 1"})]
    )
    user.sync()
    # THEN an incremental sync still shows the old name
    assert [p["outlet"] for p in user.pitches()] == ["Radio 1"]
    # WHEN the last full read is 13 hours old and the sync runs
    store = cast("AirtableIntegration", wiring.root().hooks("airtable")).store
    cache = store.load_cache(user.user.name)
    assert cache is not None
    cache.read_at -= 13 * 3600
    store.save_cache(user.user.name, cache)
    log = user.sync()
    # THEN the new name is in Tracker
    assert log["outcome"] == "success", log
    assert [p["outlet"] for p in user.pitches()] == ["BBC Radio 1"]


def test_a_new_tracker_pitch_creates_a_record_without_writing_its_linked_field(
    outlets_user: NewOutletsUser,
) -> None:
    # GIVEN an empty Pitches table with Outlet mapped one way, and a pitch in Tracker
    user = outlets_user()
    user.pitch(user.campaign(), outlet="Radio 1")
    user.configure(mapping=_mapping("from_provider"))
    # WHEN the user syncs
    log = user.sync()
    # THEN the record is created with its e-mail and contact, and its Outlet left empty
    assert log["outcome"] == "success", log
    fields = user.by_email()["annie@radio.example"]
    assert fields["Contact"] == "Annie Mac"
    assert "Outlet" not in fields
