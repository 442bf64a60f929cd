"""Reading and changing a connection's settings; sync logs; frequencies the plan allows."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest

from local_stack.server import RunningStack
from tests.support.api import LocalUser, card, connect, put_settings
from tracker_integrations import wiring
from tracker_integrations.config import get_settings
from tracker_integrations.errors import VersionConflict
from tracker_integrations.models.account import Account
from tracker_integrations.models.common import new_id, utcnow
from tracker_integrations.models.connection import Connection, ProviderKey
from tracker_integrations.models.settings import SettingsUpdate
from tracker_integrations.models.sync_log import SyncLog, SyncLogError
from tracker_integrations.services.integrations import IntegrationsService
from tracker_integrations.store.integrations import IntegrationsStore


def test_free_plan_cannot_choose_automatic_sync_and_is_told_which_plan_can(http: httpx.Client, user: LocalUser) -> None:
    assert connect(http, user, "google-sheets").connected
    response = put_settings(http, user, "google-sheets", {"sync_frequency": "every_15_minutes"})
    assert response.status_code == 403
    assert "needs the Pro plan" in response.json()["error"]["message"]
    detail = http.get("/api/integrations/google-sheets", headers=user.headers).json()
    assert detail["settings"] == {"sync_frequency": "manual"}  # free syncs when asked, unchanged


def test_settings_are_validated_field_by_field(http: httpx.Client, new_user: Callable[[str], LocalUser]) -> None:
    user = new_user("agency")
    assert connect(http, user, "airtable").connected
    for body, field in [
        ({"version": 1, "sync_frequency": "hourly"}, "sync_frequency"),
        ({"version": 1, "colour": "red"}, "colour"),
        ({"sync_frequency": "real_time"}, "version"),
        ({"version": "latest", "paused": True}, "version"),
    ]:
        response = http.put("/api/integrations/airtable/settings", headers=user.headers, json=body)
        assert response.status_code == 400
        assert field in response.json()["error"]["message"]
    ok = put_settings(http, user, "airtable", {"sync_frequency": "real_time"})
    assert ok.status_code == 200
    assert ok.json()["settings"] == {"sync_frequency": "real_time"}


def test_pausing_shows_on_the_card_and_resuming_restores_it(
    http: httpx.Client, new_user: Callable[[str], LocalUser]
) -> None:
    user = new_user("pro")
    assert connect(http, user, "mailchimp").connected
    assert put_settings(http, user, "mailchimp", {"paused": True}).status_code == 200
    assert card(http, user, "mailchimp")["status"] == "paused"
    assert put_settings(http, user, "mailchimp", {"paused": False}).status_code == 200
    assert card(http, user, "mailchimp")["status"] == "connected"


def test_sync_logs_come_newest_first_in_pages(http: httpx.Client, user: LocalUser) -> None:
    # GIVEN three recorded sync runs
    assert connect(http, user, "google-sheets").connected
    store = wiring.integrations_store()
    started = utcnow()
    run_ids = []
    for n in range(3):
        run_id = new_id("run")
        run_ids.append(run_id)
        store.add_sync_log(
            SyncLog(
                user_id=user.name,
                provider="google-sheets",
                run_id=run_id,
                started_at=started + timedelta(minutes=n),
                finished_at=started + timedelta(minutes=n, seconds=2),
                direction="both",
                outcome="partial" if n == 2 else "success",
                records_read=10,
                errors=[SyncLogError(code="invalid_value", message="unknown status 'maybe'", where="Pitches!D7")]
                if n == 2
                else [],
            )
        )
    # WHEN read two at a time
    first = http.get("/api/integrations/google-sheets/logs", headers=user.headers, params={"limit": 2}).json()
    second = http.get(
        "/api/integrations/google-sheets/logs",
        headers=user.headers,
        params={"limit": 2, "cursor": first["next_cursor"]},
    ).json()
    # THEN newest first, with cell references for errors
    assert [log["run_id"] for log in first["logs"] + second["logs"]] == list(reversed(run_ids))
    assert first["logs"][0]["errors"][0]["where"] == "Pitches!D7"
    assert first["logs"][0]["outcome"] == "partial"


def _connected(
    http: httpx.Client, new_user: Callable[[str], LocalUser], plan: str, provider: str
) -> tuple[LocalUser, int]:
    """A user of `plan` with `provider` connected, and the settings' version their screen shows."""
    user = new_user(plan)
    assert connect(http, user, provider).connected
    return user, int(http.get(f"/api/integrations/{provider}", headers=user.headers).json()["version"])


def test_a_stale_settings_change_gets_409_with_the_current_settings_and_changes_nothing(
    http: httpx.Client, new_user: Callable[[str], LocalUser]
) -> None:
    # GIVEN two browser tabs showing the same Airtable settings
    user, shown = _connected(http, new_user, "agency", "airtable")
    # WHEN the first tab changes the frequency, then the second (still showing the old settings) pauses
    first = http.put(
        "/api/integrations/airtable/settings",
        headers=user.headers,
        json={"version": shown, "sync_frequency": "real_time"},
    )
    assert first.status_code == 200, first.text
    assert first.json()["version"] == shown + 1
    stale = http.put(
        "/api/integrations/airtable/settings", headers=user.headers, json={"version": shown, "paused": True}
    )
    # THEN the second is refused with the settings as they now are, and says what to do
    assert stale.status_code == 409
    error = stale.json()["error"]
    assert error["code"] == "version_conflict"
    assert "apply your change again" in error["message"]
    assert error["details"]["current_version"] == shown + 1
    assert error["details"]["current"]["settings"] == {"sync_frequency": "real_time"}
    assert error["details"]["current"]["version"] == shown + 1
    # AND nothing it sent was stored
    now = http.get("/api/integrations/airtable", headers=user.headers).json()
    assert (now["settings"], now["version"]) == ({"sync_frequency": "real_time"}, shown + 1)
    assert card(http, user, "airtable")["status"] == "connected"


def test_a_sync_finishing_does_not_make_the_shown_settings_stale(
    http: httpx.Client, new_user: Callable[[str], LocalUser]
) -> None:
    # GIVEN settings shown, then Tracker writes the connection's own bookkeeping (as a finished sync does)
    user, shown = _connected(http, new_user, "pro", "mailchimp")
    store = wiring.integrations_store()
    connection = store.get_connection(user.name, "mailchimp")
    assert connection is not None
    synced = connection.model_copy(update={"records_synced": 12, "version": connection.version + 1})
    store.save_connection(synced, expected_version=connection.version)
    # WHEN the user saves a change made on what they saw THEN it is accepted
    saved = http.put(
        "/api/integrations/mailchimp/settings", headers=user.headers, json={"version": shown, "paused": True}
    )
    assert saved.status_code == 200, saved.text
    assert card(http, user, "mailchimp")["records_synced"] == 12


class _ReadThenLetAnotherWriterIn(IntegrationsStore):
    """The store as writer A sees it: right after A's first read, writer B saves its own change."""

    def __init__(self, inner: IntegrationsStore, other_writer: Callable[[], None]) -> None:
        self._inner = inner
        self._other_writer: Callable[[], None] | None = other_writer

    def get_connection(self, user_id: str, provider: ProviderKey) -> Connection | None:
        read = self._inner.get_connection(user_id, provider)
        if self._other_writer is not None:
            writer, self._other_writer = self._other_writer, None
            writer()
        return read

    def save_connection(self, connection: Connection, *, expected_version: int | None) -> None:
        self._inner.save_connection(connection, expected_version=expected_version)

    def get_account(self, user_id: str) -> Account:
        return self._inner.get_account(user_id)


def test_of_two_writers_racing_on_the_same_settings_exactly_one_wins(
    http: httpx.Client, new_user: Callable[[str], LocalUser]
) -> None:
    # GIVEN two writers that read the same settings version
    user, version = _connected(http, new_user, "agency", "airtable")
    answers: list[httpx.Response] = []

    def writer_b() -> None:
        answers.append(
            http.put(
                "/api/integrations/airtable/settings",
                headers=user.headers,
                json={"version": version, "sync_frequency": "every_15_minutes"},
            )
        )

    # WHEN B saves between A's read and A's write
    writer_a = IntegrationsService(_ReadThenLetAnotherWriterIn(wiring.integrations_store(), writer_b), get_settings())
    with pytest.raises(VersionConflict) as refused:
        writer_a.update_settings(user.name, "airtable", SettingsUpdate(version=version, paused=True))
    # THEN B won, A was refused with B's settings, and A's change is nowhere
    assert [a.status_code for a in answers] == [200]
    assert refused.value.details["current_version"] == version + 1
    detail = http.get("/api/integrations/airtable", headers=user.headers).json()
    assert detail["settings"] == {"sync_frequency": "every_15_minutes"}
    assert detail["version"] == version + 1
    assert card(http, user, "airtable")["status"] == "connected"


def test_two_clients_saving_at_once_one_is_told_of_the_other(
    stack: RunningStack, http: httpx.Client, new_user: Callable[[str], LocalUser]
) -> None:
    # GIVEN two clients holding the same settings version
    user, version = _connected(http, new_user, "agency", "mailchimp")
    bodies = [{"version": version, "paused": True}, {"version": version, "sync_frequency": "real_time"}]

    def save(body: dict[str, object]) -> int:
        with httpx.Client(base_url=stack.base_url, timeout=30) as client:
            return client.put("/api/integrations/mailchimp/settings", headers=user.headers, json=body).status_code

    # WHEN both save at the same moment
    with ThreadPoolExecutor(max_workers=2) as pool:
        statuses = sorted(pool.map(save, bodies))
    # THEN one is saved and the other gets 409: never both
    assert statuses == [200, 409]
    assert http.get("/api/integrations/mailchimp", headers=user.headers).json()["version"] == version + 1


def test_the_mapping_screen_reads_tracker_s_fields_through_the_api(http: httpx.Client, user: LocalUser) -> None:
    # GIVEN a signed-in user WHEN the mapping screen asks which fields Sheets columns may map
    answer = http.get("/api/integrations/google-sheets/fields", headers=user.headers)
    # THEN every field comes with its type; Gmail, which maps nothing, answers 404; nobody signed out gets any
    assert answer.status_code == 200, answer.text
    assert {"key": "pitch.email", "label": "Email", "kind": "email"}.items() <= answer.json()["fields"][1].items()
    assert http.get("/api/integrations/gmail/fields", headers=user.headers).status_code == 404
    assert http.get("/api/integrations/google-sheets/fields").status_code == 401
