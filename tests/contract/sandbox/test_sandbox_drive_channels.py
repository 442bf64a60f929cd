"""Contract tests: Drive v3 files.watch / channels.stop and the push notifications they produce."""

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import httpx
import pytest

from provider_sandbox import ProviderSandbox
from provider_sandbox.push import PushSender

if TYPE_CHECKING:
    from tests.contract.sandbox.conftest import FakeClock, GoogleApis


@pytest.fixture
def sandbox(google_sandbox: ProviderSandbox) -> ProviderSandbox:
    return google_sandbox


def _spreadsheet(google: "GoogleApis", token: str) -> str:
    created = google.run(google.sheets(token).spreadsheets().create(body={"properties": {"title": "Watched"}}))
    return str(created["spreadsheetId"])


def _watch(google: "GoogleApis", token: str, file_id: str, base: str, **extra: Any) -> dict[str, Any]:
    body = {"id": "ch-1", "type": "web_hook", "address": f"{base}/receiver", "token": "secret-1", **extra}
    return google.run(google.drive(token).files().watch(fileId=file_id, body=body))


def _pushes(sandbox: ProviderSandbox) -> list[dict[str, str]]:
    return [dict(d.headers) for d in PushSender.of(sandbox.context).flush()]


def test_a_watch_announces_itself_then_reports_each_change_with_its_token(
    google: "GoogleApis", sandbox: ProviderSandbox, base: str
) -> None:
    # GIVEN a spreadsheet Tracker made
    token = google.token("drive.file")
    file_id = _spreadsheet(google, token)
    # WHEN Tracker watches it
    channel = _watch(google, token, file_id, base)
    # THEN Drive answers with the channel (a Channel per the discovery document) and sends `sync` at once
    assert (channel["kind"], channel["id"], channel["token"]) == ("api#channel", "ch-1", "secret-1")
    assert channel["resourceId"]
    assert int(channel["expiration"]) > 0
    assert [p["X-Goog-Resource-State"] for p in _pushes(sandbox)] == ["sync"]
    # WHEN the user edits a cell
    sandbox.sheets.set_cells(file_id, "A1", [["edited"]])
    # THEN an `update` notification carries the channel, its token, the resource and a message number
    update = _pushes(sandbox)[-1]
    assert update["X-Goog-Resource-State"] == "update"
    assert update["X-Goog-Changed"] == "content"
    assert (update["X-Goog-Channel-ID"], update["X-Goog-Channel-Token"]) == ("ch-1", "secret-1")
    assert update["X-Goog-Resource-ID"] == channel["resourceId"]
    assert update["X-Goog-Message-Number"] == "2"


def test_a_channel_lives_at_most_a_day_and_sends_nothing_after(
    google: "GoogleApis", sandbox: ProviderSandbox, base: str, fake_clock: "FakeClock"
) -> None:
    token = google.token("drive.file")
    file_id = _spreadsheet(google, token)
    # GIVEN a channel asked to live a week
    week = int((fake_clock.now + timedelta(days=7)).timestamp() * 1000)
    channel = _watch(google, token, file_id, base, expiration=str(week))
    # THEN Drive caps it at a day
    assert int(channel["expiration"]) == int((fake_clock.now + timedelta(days=1)).timestamp() * 1000)
    # WHEN the day has passed and the file changes THEN no notification is sent
    sent = len(_pushes(sandbox))
    fake_clock.advance(timedelta(days=1, seconds=1))
    sandbox.sheets.set_cells(file_id, "A1", [["late"]])
    assert len(_pushes(sandbox)) == sent


def test_a_stopped_channel_is_silent_and_stopping_it_again_is_404(
    google: "GoogleApis", sandbox: ProviderSandbox, base: str
) -> None:
    token = google.token("drive.file")
    file_id = _spreadsheet(google, token)
    channel = _watch(google, token, file_id, base)
    stop = {"id": channel["id"], "resourceId": channel["resourceId"]}
    # WHEN the channel is stopped THEN Drive answers 204 (empty) and later edits notify nobody
    assert google.drive(token).channels().stop(body=stop).execute() == ""
    sent = len(_pushes(sandbox))
    sandbox.sheets.set_cells(file_id, "A1", [["quiet"]])
    assert len(_pushes(sandbox)) == sent
    # AND stopping it again is Google's 404
    status, body = google.fail(google.drive(token).channels().stop(body=stop))
    assert (status, body["error"]["errors"][0]["reason"]) == (404, "notFound")


def test_watching_a_file_the_app_cannot_see_or_reusing_a_channel_id_fails_like_drive(
    google: "GoogleApis", sandbox: ProviderSandbox, base: str
) -> None:
    token = google.token("drive.file")
    private = sandbox.sheets.create_user_spreadsheet("someone@example.com", "Private")
    status, _ = google.fail(
        google.drive(token).files().watch(fileId=private, body={"id": "x", "type": "web_hook", "address": base})
    )
    assert status == 404
    file_id = _spreadsheet(google, token)
    _watch(google, token, file_id, base)
    status, body = google.fail(
        google.drive(token).files().watch(fileId=file_id, body={"id": "ch-1", "type": "web_hook", "address": base})
    )
    assert (status, body["error"]["errors"][0]["reason"]) == (400, "channelIdNotUnique")


def test_push_faults_from_the_control_api_make_pushes_late_repeated_or_lost(
    google: "GoogleApis", sandbox: ProviderSandbox, base: str, http: httpx.Client
) -> None:
    # GIVEN a watched spreadsheet, its `sync` notification sent
    token = google.token("drive.file")
    file_id = _spreadsheet(google, token)
    _watch(google, token, file_id, base)
    sender = PushSender.of(sandbox.context)
    sent = len(_pushes(sandbox))
    # WHEN the next Drive push is to arrive three times, the one after to be lost, the third two seconds late
    for fault in (
        {"action": "duplicate", "kind": "drive", "copies": 3},
        {"action": "drop", "kind": "drive"},
        {"action": "delay", "kind": "drive", "delay_seconds": 2},
    ):
        assert http.post(f"{base}/_control/push/faults", json=fault).status_code == 201
    for n in range(3):
        sandbox.sheets.set_cells(file_id, "A1", [[f"edit {n}"]])
    edited_at = datetime.now(UTC)
    # THEN the first change is reported three times under one message number, the second never
    deliveries = sender.flush()[sent:]
    arrived = [d.headers["X-Goog-Message-Number"] for d in deliveries if d.status is not None]
    assert arrived == ["2", "2", "2", "4"]
    lost = [d for d in deliveries if d.error == "dropped by a push fault"]
    assert [d.headers["X-Goog-Message-Number"] for d in lost] == ["3"]
    # AND the third only after its delay
    late = sender.deliveries[-1]
    assert late.headers["X-Goog-Message-Number"] == "4"
    assert late.at >= edited_at + timedelta(seconds=2) - timedelta(milliseconds=50)
    # AND the control API counts what it did, and has nothing left to apply
    state = http.get(f"{base}/_control/push").json()
    assert state["faults"] == []
    assert {k: state["counts"][k] for k in ("delayed", "duplicated", "dropped")} == {
        "delayed": 1,
        "duplicated": 2,
        "dropped": 1,
    }


def test_a_push_fault_that_makes_no_sense_is_refused_naming_the_field(base: str, http: httpx.Client) -> None:
    for body, field in [
        ({"action": "delay"}, "delay_seconds"),
        ({"action": "duplicate", "copies": 1}, "copies"),
        ({"action": "lose"}, "action"),
        ({"action": "drop", "kind": "smoke-signal"}, "kind"),
    ]:
        refused = http.post(f"{base}/_control/push/faults", json=body)
        assert refused.status_code == 400
        assert field in refused.text
    assert http.delete(f"{base}/_control/push/faults").json() == {"cleared": 0}
