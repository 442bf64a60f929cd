"""A pitch's history: each change with its source (a person, or an integration's sync), old and new values."""

from __future__ import annotations

import importlib
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from local_stack.events import LambdaContextStub
from local_stack.server import RunningStack
from local_stack.template import REPO_ROOT
from tests.support.teams import new_team, sign_in_member
from tracker_integrations import wiring
from tracker_integrations.config import get_settings
from tracker_integrations.models.campaign import PitchReply, PitchStatus
from tracker_integrations.models.campaign_inputs import PitchUpdate
from tracker_integrations.services.accounts.history import PitchHistory


def _history(http: httpx.Client, headers: dict[str, str], campaign_id: str, pitch_id: str) -> httpx.Response:
    return http.get(f"/api/campaigns/{campaign_id}/pitches/{pitch_id}/history", headers=headers)


def _team_pitch(http: httpx.Client) -> tuple[Any, Any, str, dict[str, Any]]:
    team = new_team()
    owner = sign_in_member(http, team, "owner")
    member = sign_in_member(http, team, "member")
    campaign = http.post("/api/campaigns", headers=owner.headers, json={"title": "Autumn EP"}).json()
    pitch = http.post(
        f"/api/campaigns/{campaign['campaign_id']}/pitches",
        headers=owner.headers,
        json={"email": "presenter@example.com", "contact_name": "Sam"},
    ).json()
    return owner, member, campaign["campaign_id"], pitch


def test_each_change_names_the_person_or_the_integration_with_old_and_new_values(
    http: httpx.Client, stack: RunningStack
) -> None:
    # GIVEN a team pitch created by the owner, then a member marks it sent, then a sync (Gmail's) marks it replied
    owner, member, campaign_id, pitch = _team_pitch(http)
    changed = http.patch(
        f"/api/campaigns/{campaign_id}/pitches/{pitch['pitch_id']}",
        headers=member.headers,
        json={"version": pitch["version"], "status": "sent"},
    )
    assert changed.status_code == 200, changed.text
    wiring.campaigns_service().update_pitch(
        f"team:{owner.team}",
        campaign_id,
        pitch["pitch_id"],
        PitchUpdate(version=changed.json()["version"], status=PitchStatus.REPLIED),
        written_by="gmail",
    )

    # WHEN the table's stream has been delivered and a member reads the history
    stack.stack.run_queued_jobs()
    response = _history(http, member.headers, campaign_id, pitch["pitch_id"])

    # THEN newest first: Gmail's sync, the member's edit, the owner's creation
    assert response.status_code == 200, response.text
    history = response.json()["history"]
    assert [(e["action"], e["source"]) for e in history] == [
        ("changed", {"kind": "integration", "member": None, "provider": "gmail"}),
        ("changed", {"kind": "person", "member": member.name, "provider": None}),
        ("created", {"kind": "person", "member": owner.name, "provider": None}),
    ]
    assert history[1]["changes"] == [{"field": "status", "old": "pending", "new": "sent"}]
    assert {"field": "contact_name", "old": None, "new": "Sam"} in history[2]["changes"]


def test_a_reply_category_corrected_by_a_member_names_that_member(http: httpx.Client, stack: RunningStack) -> None:
    # GIVEN a team pitch Gmail matched a reply to (classified "replied")
    owner, member, campaign_id, pitch = _team_pitch(http)
    account = f"team:{owner.team}"
    current = wiring.tracker_store().get_pitch(account, campaign_id, pitch["pitch_id"])
    assert current is not None
    reply = PitchReply(
        category="replied",
        confidence=0.55,
        received_at=datetime(2026, 12, 1, 9, 30, tzinfo=UTC),
        gmail_message_id="m-1",
        gmail_thread_id="t-1",
        open_in_gmail_url="https://mail.google.com/mail/u/0/#all/t-1",
    )
    replied = current.model_copy(update={"reply": reply, "version": current.version + 1})
    wiring.tracker_store().put_pitch(account, replied, expected_version=current.version, written_by="gmail")

    # WHEN a member corrects the category to interested
    corrected = http.put(
        f"/api/campaigns/{campaign_id}/pitches/{pitch['pitch_id']}/reply-category",
        headers=member.headers,
        json={"version": replied.version, "category": "interested"},
    )
    assert corrected.status_code == 200, corrected.text
    stack.stack.run_queued_jobs()

    # THEN the newest history entry is that member's, not an anonymous "user"
    history = _history(http, owner.headers, campaign_id, pitch["pitch_id"]).json()["history"]
    assert history[0]["source"] == {"kind": "person", "member": member.name, "provider": None}


def test_entries_expire_after_90_days(http: httpx.Client, stack: RunningStack) -> None:
    # GIVEN a pitch with its creation recorded
    owner, _, campaign_id, pitch = _team_pitch(http)
    stack.stack.run_queued_jobs()
    account = f"team:{owner.team}"

    # WHEN its history is read now and 91 days later
    now = PitchHistory(wiring.activity_store(), wiring.tracker_store)
    later = datetime.now(UTC) + timedelta(days=91)
    aged = PitchHistory(wiring.activity_store(), wiring.tracker_store, now=lambda: later)

    # THEN it is there now and gone then (DynamoDB's TTL deletes it; until it does, reading leaves it out)
    (entry,) = now.page(account, campaign_id, pitch["pitch_id"], limit=10, cursor=None).history
    assert aged.page(account, campaign_id, pitch["pitch_id"], limit=10, cursor=None).history == []
    # and the stored item carries the TTL the table sweeps by: 90 days after the change
    item = wiring.dynamodb().get_item(
        TableName=get_settings().activity_table,
        Key={"pk": {"S": f"HISTORY#{account}#{campaign_id}#{pitch['pitch_id']}"}, "sk": {"S": f"E#{entry.entry_id}"}},
    )["Item"]
    assert int(item["expires_at_epoch"]["N"]) == int((entry.at + timedelta(days=90)).timestamp())


def test_a_pitch_of_another_team_has_no_history_to_read(http: httpx.Client, stack: RunningStack) -> None:
    _, _, campaign_id, pitch = _team_pitch(http)
    stack.stack.run_queued_jobs()

    outsider = sign_in_member(http, new_team(), "owner")

    assert _history(http, outsider.headers, campaign_id, pitch["pitch_id"]).status_code == 404


def test_the_sample_stream_event_records_the_member_s_change(stack: RunningStack) -> None:
    # GIVEN events/pitch_history/pitch_status_changed.json (what `sam local invoke` sends)
    event = json.loads((REPO_ROOT / "events" / "pitch_history" / "pitch_status_changed.json").read_text())
    handler = importlib.import_module("functions.pitch_history.app").lambda_handler

    # WHEN the function gets it THEN one entry names the member and the status change
    assert handler(event, LambdaContextStub(function_name="PitchHistoryFunction")) == {"recorded": 1}
    page = wiring.pitch_history().page("team:agency-sample", "cmp_sample", "pit_sample", limit=1, cursor=None)
    assert page.history[0].source.member == "sample-member"
    assert [c.model_dump() for c in page.history[0].changes] == [{"field": "status", "old": "pending", "new": "sent"}]
