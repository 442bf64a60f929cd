"""Airtable webhooks: created when sync starts, pings verified by their MAC, changes synced in real time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import cast

import httpx

from local_stack.server import RunningStack
from provider_sandbox.airtable_webhooks import AirtableWebhooks, sign
from provider_sandbox.push import PushSender
from tests.support.airtable import AirtableUser, make_airtable_user, unpaced_sandbox
from tests.support.api import LocalUser, card
from tests.support.waiting import deliver_pushes_and_run_jobs, wait_until
from tracker_integrations import wiring
from tracker_integrations.models.common import utcnow
from tracker_integrations.providers.airtable.integration import AirtableIntegration

__all__ = ["unpaced_sandbox"]  # the shared autouse fixture: Airtable's rate limit is off in these tests


def _synced_user(
    http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack, plan: str
) -> AirtableUser:
    user = make_airtable_user(http, new_user, stack, plan=plan)
    campaign = user.campaign()
    user.pitch(campaign, status="sent")
    user.configure(sync_frequency="real_time" if plan == "agency" else "every_15_minutes")
    assert user.sync()["outcome"] == "success"
    return user


def test_sync_start_creates_one_webhook_on_the_table(
    http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack
) -> None:
    user = _synced_user(http, new_user, stack, "pro")
    hooks = AirtableWebhooks.of(stack.stack.sandbox.context).webhooks(user.base.id)
    assert len(hooks) == 1
    assert hooks[0].specification["options"]["filters"]["recordChangeScope"] == user.table_id
    assert hooks[0].notification_url is not None
    assert hooks[0].notification_url.endswith("/api/webhooks/airtable")


def test_a_forged_or_unsigned_ping_is_refused_and_queues_nothing(
    http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack
) -> None:
    user = _synced_user(http, new_user, stack, "agency")
    hook = AirtableWebhooks.of(stack.stack.sandbox.context).webhooks(user.base.id)[0]
    body = (
        f'{{"base":{{"id":"{user.base.id}"}},"webhook":{{"id":"{hook.id}"}},"timestamp":"2026-01-01T00:00:00.000Z"}}'
    ).encode()
    # WHEN a ping comes signed with another secret, unsigned, for an unknown webhook, or is not JSON
    forged = http.post(
        "/api/webhooks/airtable", content=body, headers={"X-Airtable-Content-MAC": sign(b"x" * 64, body)}
    )
    unsigned = http.post("/api/webhooks/airtable", content=body)
    unknown = http.post(
        "/api/webhooks/airtable",
        content=body.replace(hook.id.encode(), b"achUnknown123"),
        headers={"X-Airtable-Content-MAC": sign(hook.mac_secret, body.replace(hook.id.encode(), b"achUnknown123"))},
    )
    garbage = http.post("/api/webhooks/airtable", content=b"{not json", headers={"X-Airtable-Content-MAC": "x"})
    # THEN each is 401
    assert (forged.status_code, unsigned.status_code, unknown.status_code, garbage.status_code) == (401, 401, 401, 401)
    # AND the genuinely signed one is accepted
    genuine = http.post(
        "/api/webhooks/airtable", content=body, headers={"X-Airtable-Content-MAC": sign(hook.mac_secret, body)}
    )
    assert genuine.status_code == 200, genuine.text
    assert genuine.json()["accepted"] is True


def test_an_airtable_edit_reaches_tracker_through_the_webhook_for_agency(
    http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack
) -> None:
    # GIVEN an agency user syncing in real time
    user = _synced_user(http, new_user, stack, "agency")
    pushes = PushSender.of(stack.stack.sandbox.context)
    pushes.flush()
    # WHEN the user edits the record in Airtable (the sandbox pings the webhook's URL)
    record_id = user.records()[0]["id"]
    user.edit(record_id, Status="Interested")
    delivered = pushes.flush()
    assert any(d.url.endswith("/api/webhooks/airtable") and d.status == 200 for d in delivered)
    # THEN Tracker has the new status without anyone pressing Sync now (the job waits out the burst window)
    wait_until(
        lambda: user.pitches()[0]["status"] == "interested",
        "the Airtable edit to reach Tracker",
        between=deliver_pushes_and_run_jobs(stack),
    )
    assert card(http, user.user, "airtable")["status"] == "connected"


def test_a_deleted_webhook_is_recreated_with_a_full_catch_up_and_the_card_says_so(
    http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack
) -> None:
    user = _synced_user(http, new_user, stack, "pro")
    webhooks = AirtableWebhooks.of(stack.stack.sandbox.context)
    old = webhooks.webhooks(user.base.id)[0]
    # GIVEN the webhook is gone at Airtable, and an edit made meanwhile
    with webhooks.workspace.lock:
        webhooks._hooks.pop(old.id)  # Airtable deleting it (expired, or removed by the base's owner)
    user.edit(user.records()[0]["id"], Status="Replied")
    # WHEN the next sync runs
    log = user.sync()
    # THEN a new webhook replaces it, the full read catches the edit up, and the card says what happened
    assert [h.id for h in webhooks.webhooks(user.base.id)] != [old.id]
    assert len(webhooks.webhooks(user.base.id)) == 1
    assert log["outcome"] == "success", log
    assert user.pitches()[0]["status"] == "replied"
    assert card(http, user.user, "airtable")["last_error"]["code"] == "webhook_recreated"


def test_disconnecting_deletes_the_webhook_at_airtable(
    http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack
) -> None:
    user = _synced_user(http, new_user, stack, "pro")
    webhooks = AirtableWebhooks.of(stack.stack.sandbox.context)
    assert len(webhooks.webhooks(user.base.id)) == 1
    # WHEN the user disconnects Airtable
    response = http.delete("/api/integrations/airtable/disconnect", headers=user.user.headers)
    assert response.status_code == 200, response.text
    # THEN Airtable no longer pings Tracker for that table
    assert webhooks.webhooks(user.base.id) == []


def test_the_daily_keep_alive_refreshes_a_webhook_close_to_its_expiry(
    http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack
) -> None:
    # GIVEN a synced table whose webhook Tracker last saw with 2 days left (of Airtable's 7)
    user = _synced_user(http, new_user, stack, "pro")
    store = cast("AirtableIntegration", wiring.root().hooks("airtable")).store
    hook = store.current_webhook(user.user.name)
    assert hook is not None
    store.save_webhook(hook.model_copy(update={"expires_at": utcnow() + timedelta(days=2)}))
    before = len([r for r in stack.stack.sandbox.requests if r.path.endswith(f"/webhooks/{hook.webhook_id}/refresh")])
    # WHEN the daily schedule fires
    result = stack.stack.run_schedule("Daily")
    # THEN the webhook was refreshed at Airtable and Tracker knows its new expiry, a week away
    refreshed = [r for r in stack.stack.sandbox.requests if r.path.endswith(f"/webhooks/{hook.webhook_id}/refresh")]
    assert len(refreshed) == before + 1
    assert result["renewed"] >= 1
    after = store.current_webhook(user.user.name)
    assert after is not None
    assert after.expires_at - utcnow() > timedelta(days=6)
