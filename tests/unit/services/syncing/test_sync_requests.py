"""Sync now: every reason to refuse, in the order the user meets them, and the job it queues."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.support.fakes import FakeIntegrations, FakeQueue, FakeQuotas, connection
from tracker_integrations.errors import NotFound, PlanLimitReached, TrackerError, ValidationFailed, VersionConflict
from tracker_integrations.models.connection import Connection, ConnectionStatus, LastError
from tracker_integrations.services.syncing.sync_requests import SyncRequests

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
SHEET = {
    "target": {"spreadsheet_id": "sheet_0123456789", "sheet_id": 0, "tab_title": "Pitches"},
    "mapping": {"columns": [{"header": "Contact", "field": "pitch.contact_name"}]},
}


class Requests:
    def __init__(self, *connections: Connection) -> None:
        self.integrations = FakeIntegrations()
        for c in connections:
            self.integrations.connections[(c.user_id, c.provider)] = c
        self.queue = FakeQueue()
        self.quotas = FakeQuotas()
        self.requests = SyncRequests(self.integrations, lambda: self.queue, self.quotas, now=lambda: NOW)


def test_a_configured_connection_gets_a_manual_job_queued() -> None:
    # GIVEN Sheets connected with a spreadsheet chosen
    given = Requests(connection("google-sheets", settings={"sheet": SHEET}))
    # WHEN the user presses Sync now
    queued = given.requests.sync_now("usr_1", "google-sheets")
    # THEN one manual job is queued now, and the answer names it
    [(job, delay)] = given.queue.sent
    assert (job.provider, job.reason, job.requested_at, delay) == ("google-sheets", "manual", NOW, 0)
    assert queued.job_id == job.job_id


@pytest.mark.parametrize(
    ("given_connection", "refusal", "words"),
    [
        (None, NotFound, "not connected"),
        (connection("mailchimp"), ValidationFailed, "nothing to sync yet"),
        (connection("gmail", status=ConnectionStatus.NEEDS_REAUTH), VersionConflict, "reconnected"),
        (connection("gmail", status=ConnectionStatus.PAUSED, settings={"paused": True}), VersionConflict, "paused"),
        (connection("google-sheets"), ValidationFailed, "choose or create a spreadsheet"),
    ],
)
def test_sync_now_refuses_what_cannot_sync_and_queues_nothing(
    given_connection: Connection | None, refusal: type[TrackerError], words: str
) -> None:
    # GIVEN a connection that cannot sync now (or none)
    given = Requests(*([given_connection] if given_connection else []))
    provider = given_connection.provider if given_connection else "gmail"
    # WHEN the user presses Sync now THEN it is refused in words that say why, and nothing is queued
    with pytest.raises(refusal, match=words):
        given.requests.sync_now("usr_1", provider)
    assert given.queue.sent == []


def test_an_exhausted_monthly_quota_refuses_with_the_plans_words() -> None:
    # GIVEN a free user past this month's records
    given = Requests(connection("gmail"))
    given.quotas.full = LastError(code="quota_reached", message="100 of 100 used.", action="Upgrade.", at=NOW)
    # WHEN the user presses Sync now THEN the plan limit says what to do
    with pytest.raises(PlanLimitReached, match="Upgrade"):
        given.requests.sync_now("usr_1", "gmail")
    assert given.queue.sent == []
