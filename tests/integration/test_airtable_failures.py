"""Airtable failures end as elsewhere: a revoked grant asks to reconnect with settings kept; a deleted base,
table or field stops the run with an error naming it and what to do."""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import httpx
import pytest

from local_stack.server import RunningStack
from tests.support.airtable import AirtableUser, make_airtable_user, unpaced_sandbox
from tests.support.api import LocalUser, card
from tracker_integrations import wiring
from tracker_integrations.providers.airtable.integration import AirtableIntegration

__all__ = ["unpaced_sandbox"]  # the shared autouse fixture: Airtable's rate limit is off in these tests


@pytest.fixture
def synced(http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack) -> AirtableUser:
    user = make_airtable_user(http, new_user, stack)
    user.pitch(user.campaign(), status="sent")
    user.configure()
    assert user.sync()["outcome"] == "success"
    return user


def test_a_revoked_grant_asks_to_reconnect_and_keeps_the_settings(synced: AirtableUser) -> None:
    # WHEN the user removes Tracker's access in Airtable, and a sync runs
    synced.sandbox.revoke_user_grants(provider="airtable", login=synced.login)
    synced.sandbox.expire_access_tokens(provider="airtable")
    synced.sync()
    # THEN the card asks to reconnect, and the chosen table and mapping are still there
    assert card(synced.http, synced.user, "airtable")["status"] == "needs_reauth"
    detail = synced.http.get("/api/integrations/airtable", headers=synced.user.headers).json()
    assert detail["settings"]["airtable"]["target"]["table_id"] == synced.table_id


def test_a_deleted_field_stops_writes_and_names_what_to_do(synced: AirtableUser) -> None:
    # GIVEN the mapped Notes field deleted in Airtable, and a note written in Tracker
    synced.sandbox.airtable.delete_field(synced.base.id, synced.table_id, "Notes")
    synced.change_pitch(notes="call Tuesday")
    # WHEN the sync runs
    synced.sync()
    # THEN the card says a mapped field is gone and to update the mapping
    shown = card(synced.http, synced.user, "airtable")
    assert (shown["status"], shown["last_error"]["code"]) == ("error", "field_missing"), shown
    assert "field mapping" in shown["last_error"]["action"]


@pytest.mark.parametrize(
    ("delete", "code", "named"), [("table", "table_missing", "Pitches"), ("base", "base_unavailable", "Agency")]
)
def test_a_deleted_table_or_base_is_named_on_the_card(synced: AirtableUser, delete: str, code: str, named: str) -> None:
    # GIVEN the table (or the whole base) deleted in Airtable, after its settings named it
    synced.configure()
    if delete == "table":
        synced.sandbox.airtable.delete_table(synced.base.id, synced.table_id)
    else:
        synced.sandbox.airtable.delete_base(synced.base.id)
    # WHEN Tracker has a change for it and the sync runs (a run with nothing to write reads only the webhook's
    # payloads; the twice-daily full read finds a deletion too)
    synced.change_pitch(outlet="6 Music")
    synced.sync()
    # THEN the card names what is gone
    shown = card(synced.http, synced.user, "airtable")
    assert (shown["status"], shown["last_error"]["code"]) == ("error", code), shown
    assert named in shown["last_error"]["message"]


def test_the_twice_daily_full_read_finds_a_deleted_table_with_nothing_to_write(synced: AirtableUser) -> None:
    # GIVEN the table's last full read was 13 hours ago, and the table is then deleted in Airtable
    store = cast("AirtableIntegration", wiring.root().hooks("airtable")).store
    cache = store.load_cache(synced.user.name)
    assert cache is not None
    cache.read_at -= 13 * 3600
    store.save_cache(synced.user.name, cache)
    synced.sandbox.airtable.delete_table(synced.base.id, synced.table_id)
    # WHEN the scheduled sync runs with nothing changed in Tracker
    synced.sync()
    # THEN it read the table again, and the card names what is gone
    shown = card(synced.http, synced.user, "airtable")
    assert (shown["status"], shown["last_error"]["code"]) == ("error", "table_missing"), shown
