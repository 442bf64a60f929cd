"""Reading and changing a connection's settings; sync logs; frequencies the plan allows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import httpx

from tests.support.api import LocalUser, card, connect
from tracker_integrations import wiring
from tracker_integrations.models.common import new_id, utcnow
from tracker_integrations.models.sync_log import SyncLog, SyncLogError


def test_free_plan_cannot_choose_automatic_sync_and_is_told_which_plan_can(http: httpx.Client, user: LocalUser) -> None:
    assert connect(http, user, "google-sheets").connected
    response = http.put(
        "/api/integrations/google-sheets/settings", headers=user.headers, json={"sync_frequency": "every_15_minutes"}
    )
    assert response.status_code == 403
    assert "needs the Pro plan" in response.json()["error"]["message"]
    detail = http.get("/api/integrations/google-sheets", headers=user.headers).json()
    assert detail["settings"] == {"sync_frequency": "manual"}  # free syncs when asked, unchanged


def test_settings_are_validated_field_by_field(http: httpx.Client, new_user: Callable[[str], LocalUser]) -> None:
    user = new_user("agency")
    assert connect(http, user, "airtable").connected
    for body, field in [({"sync_frequency": "hourly"}, "sync_frequency"), ({"colour": "red"}, "colour")]:
        response = http.put("/api/integrations/airtable/settings", headers=user.headers, json=body)
        assert response.status_code == 400
        assert field in response.json()["error"]["message"]
    ok = http.put("/api/integrations/airtable/settings", headers=user.headers, json={"sync_frequency": "real_time"})
    assert ok.status_code == 200
    assert ok.json()["settings"] == {"sync_frequency": "real_time"}


def test_pausing_shows_on_the_card_and_resuming_restores_it(
    http: httpx.Client, new_user: Callable[[str], LocalUser]
) -> None:
    user = new_user("pro")
    assert connect(http, user, "mailchimp").connected
    http.put("/api/integrations/mailchimp/settings", headers=user.headers, json={"paused": True})
    assert card(http, user, "mailchimp")["status"] == "paused"
    http.put("/api/integrations/mailchimp/settings", headers=user.headers, json={"paused": False})
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
