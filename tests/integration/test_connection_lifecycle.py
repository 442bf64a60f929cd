"""Connecting starts what needs no setup; disconnecting stops every push and schedule entry it left behind."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from local_stack.server import GMAIL_TOPIC, RunningStack
from provider_sandbox.drive_channels import DriveChannels
from provider_sandbox.push import PushSender
from tests.support.api import LocalUser, connect
from tests.support.schedule import is_due
from tests.support.sheets import make_sheets_user
from tracker_integrations import wiring


def test_connecting_gmail_starts_tracking_replies_without_a_sync_now(
    http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack
) -> None:
    # GIVEN a user who connects Gmail and presses nothing else
    user = new_user("pro")
    login = f"{user.name}@example.com"
    assert connect(http, user, "gmail", login=login).connected
    # WHEN the worker takes what was queued
    stack.stack.run_queued_jobs()
    # THEN the mailbox was checked once and Gmail now pushes its new mail to Tracker
    logs = http.get("/api/integrations/gmail/logs", headers=user.headers).json()["logs"]
    assert [log["outcome"] for log in logs] == ["success"]
    assert [w.topic for w in stack.stack.sandbox.gmail.watches(login)] == [GMAIL_TOPIC]


def test_disconnecting_gmail_stops_its_watch_and_forgets_the_mailbox(
    http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack
) -> None:
    # GIVEN Gmail connected and watched
    user = new_user("pro")
    login = f"{user.name}@example.com"
    assert connect(http, user, "gmail", login=login).connected
    stack.stack.run_queued_jobs()
    gmail = wiring.gmail_store()
    assert gmail.users_for_address(login) == [user.name]
    # WHEN the user disconnects it
    assert http.delete("/api/integrations/gmail/disconnect", headers=user.headers).status_code == 200
    # THEN Gmail no longer pushes (the watch was stopped before the grant was revoked)
    assert stack.stack.sandbox.gmail.watches(login) == []
    # AND Tracker forgot the mailbox: a push for it finds nobody, and nothing is scheduled
    assert gmail.users_for_address(login) == []
    assert gmail.cursor(user.name) is None
    assert not is_due(user.name, "gmail")


def test_disconnecting_google_sheets_stops_its_drive_channel_and_leaves_the_schedule(
    http: httpx.Client, new_user: Callable[[str], LocalUser], stack: RunningStack
) -> None:
    # GIVEN a synced sheet with a live channel, and an edit waiting for the next tick
    sheets_user = make_sheets_user(http, new_user, stack)
    sheets_user.pitch()
    sheets_user.sync()
    channels = DriveChannels.of(stack.stack.sandbox.context)
    assert channels.live_channels(sheets_user.spreadsheet_id)
    stack.stack.sandbox.sheets.set_cells(sheets_user.spreadsheet_id, "K2", [["edited"]])
    PushSender.of(stack.stack.sandbox.context).flush()
    assert is_due(sheets_user.user.name, "google-sheets")
    # WHEN the user disconnects Google Sheets
    response = http.delete("/api/integrations/google-sheets/disconnect", headers=sheets_user.user.headers)
    assert response.status_code == 200
    # THEN Drive has no channel on the sheet any more, and no tick will queue a sync for it
    assert channels.live_channels(sheets_user.spreadsheet_id) == []
    assert wiring.channel_store().current(sheets_user.user.name, "google-sheets") is None
    assert not is_due(sheets_user.user.name, "google-sheets")
