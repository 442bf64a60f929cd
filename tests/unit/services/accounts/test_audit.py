"""The audit log records each audited route once it succeeded, with the member and what changed."""

from __future__ import annotations

from datetime import UTC, datetime

from tests.support.accounts import FakeActivity
from tracker_integrations.models.team import Identity, Role
from tracker_integrations.services.accounts.audit import AuditLog

AT = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
MEMBER = Identity(user_id="mia", team_id="t1", role=Role.MEMBER)
ADMIN = Identity(user_id="ada", team_id="t1", role=Role.ADMIN)


def _log() -> tuple[AuditLog, FakeActivity]:
    store = FakeActivity()
    return AuditLog(store, now=lambda: AT), store


def test_a_deletion_decision_is_recorded_as_approved_or_rejected() -> None:
    log, store = _log()
    route = "POST /api/integrations/{provider}/pending-deletions/{record_id}"

    log.record_request(ADMIN, route, {"provider": "google-sheets", "record_id": "pit_1"}, {"decision": "approve"})
    log.record_request(ADMIN, route, {"provider": "google-sheets", "record_id": "pit_2"}, {"decision": "reject"})

    assert [(e.action, e.detail["record_id"]) for e in store.entries] == [
        ("deletion_approved", "pit_1"),
        ("deletion_rejected", "pit_2"),
    ]
    assert {(e.user_id, e.actor, e.provider) for e in store.entries} == {("team:t1", "ada", "google-sheets")}


def test_a_corrected_category_names_the_pitch_and_the_new_category() -> None:
    log, store = _log()

    log.record_request(
        MEMBER,
        "PUT /api/campaigns/{campaign_id}/pitches/{pitch_id}/reply-category",
        {"campaign_id": "cmp_1", "pitch_id": "pit_1"},
        {"category": "interested"},
    )

    (entry,) = store.entries
    assert (entry.action, entry.actor, entry.provider, entry.at) == ("category_corrected", "mia", None, AT)
    assert entry.detail == {"campaign_id": "cmp_1", "pitch_id": "pit_1", "category": "interested"}


def test_routes_that_are_not_audited_write_nothing() -> None:
    log, store = _log()

    assert log.record_request(MEMBER, "GET /api/integrations", {}, {}) is None
    assert store.entries == []


def test_a_long_mapping_is_cut_to_what_the_entry_needs() -> None:
    log, store = _log()
    columns = [{"header": f"Column {i}", "field": "contact_name"} for i in range(100)]

    log.record_request(
        ADMIN, "PUT /api/integrations/{provider}/settings", {"provider": "google-sheets"}, {"columns": columns}
    )

    detail = store.entries[0].detail["columns"]
    assert isinstance(detail, str)
    assert len(detail) == 300
