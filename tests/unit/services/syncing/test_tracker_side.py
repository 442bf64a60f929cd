"""Tracker's side of a two-way sync: where imported rows land, and how the merge's changes are applied."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.support.fakes import FakeTracker
from tracker_integrations.errors import ValidationFailed
from tracker_integrations.models.campaign import Campaign
from tracker_integrations.models.campaign_inputs import CampaignCreate, PitchCreate
from tracker_integrations.models.imports import ImportCampaign
from tracker_integrations.services.campaigns import CampaignsService
from tracker_integrations.services.syncing.tracker_side import TrackerSide, TrackerSnapshot
from tracker_integrations.sync.engine import RecordBase, SyncPlan, SyncState
from tracker_integrations.sync.importer import CampaignChoice, ImportPlan, RowAction, RowPlan

NOW = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


class Side:
    def __init__(self) -> None:
        self.tracker = FakeTracker()
        self.campaigns = CampaignsService(self.tracker, now=lambda: NOW)
        self.side = TrackerSide(self.tracker, self.campaigns, "airtable")

    def campaign(self, title: str) -> Campaign:
        return self.campaigns.create_campaign("usr_1", CampaignCreate(title=title))

    def snapshot(self) -> TrackerSnapshot:
        return self.side.snapshot("usr_1")


def row(
    locator: int,
    email: str,
    *,
    action: RowAction = "create",
    pitch_id: str | None = None,
    changes: dict[str, str] | None = None,
) -> RowPlan:
    return RowPlan(
        locator=locator,
        action=action,
        reason=action,
        campaign=CampaignChoice(title="Spring Single"),
        values={"pitch.email": email, "pitch.contact_name": f"Contact {locator}"},
        changes=changes or {},
        pitch_id=pitch_id,
    )


def test_rows_naming_a_new_campaign_create_it_once_and_their_pitches_written_by_the_integration() -> None:
    # GIVEN two import rows for a campaign Tracker does not have yet
    given = Side()
    plan = ImportPlan(rows=[row(2, "dj@radio.example"), row(3, "editor@mag.example")])
    # WHEN the plan is applied
    outcome = given.side.place("usr_1", plan, given.snapshot())
    # THEN one campaign holds both new pitches, each row knows its pitch, and the sync is the writer
    [campaign] = given.tracker.campaigns.values()
    assert campaign.title == "Spring Single"
    pitches = {p.pitch_id: p for p in given.tracker.pitches.values()}
    assert sorted(str(pitches[outcome.placed[n]].email) for n in (2, 3)) == ["dj@radio.example", "editor@mag.example"]
    assert given.tracker.pitch_writers == ["airtable", "airtable"]
    assert outcome.failed == {}


def test_a_row_matched_to_an_existing_pitch_updates_it_and_a_skipped_row_touches_nothing() -> None:
    # GIVEN a pitch already in the campaign
    given = Side()
    campaign = given.campaign("Spring Single")
    [pitch] = given.campaigns.create_pitches(
        "usr_1", campaign.campaign_id, [PitchCreate(email="dj@radio.example")], written_by="member:mia"
    )
    matched = CampaignChoice(title=campaign.title, campaign_id=campaign.campaign_id)
    update = row(2, "dj@radio.example", pitch_id=pitch.pitch_id, changes={"pitch.notes": "loved it"})
    update.campaign = matched
    skipped = row(3, "dj@radio.example", action="skip")
    # WHEN the plan is applied
    outcome = given.side.place("usr_1", ImportPlan(rows=[update, skipped]), given.snapshot())
    # THEN the pitch carries the row's notes, written by the integration; the skipped row did nothing
    assert outcome.placed == {2: pitch.pitch_id}
    stored = given.tracker.pitches[("usr_1", campaign.campaign_id, pitch.pitch_id)]
    assert (stored.notes, stored.version) == ("loved it", 2)
    assert given.tracker.pitch_writers == ["member:mia", "airtable"]


def test_a_row_tracker_refuses_is_reported_by_its_row_number_while_the_rest_are_placed() -> None:
    # GIVEN one good row and one whose e-mail Tracker cannot take
    given = Side()
    plan = ImportPlan(rows=[row(2, "dj@radio.example"), row(3, "not an address")])
    # WHEN applied THEN row 2 is placed and row 3 fails naming the problem
    outcome = given.side.place("usr_1", plan, given.snapshot())
    assert list(outcome.placed) == [2]
    assert "email" in outcome.failed[3].lower()


def test_an_import_campaign_is_chosen_by_id_by_title_ignoring_case_or_refused_when_unknown() -> None:
    # GIVEN a campaign "Spring Single"
    given = Side()
    campaign = given.campaign("Spring Single")
    snapshot = given.snapshot()
    # WHEN the import asks for it by id, or by a title written differently
    by_id = snapshot.chosen(ImportCampaign(campaign_id=campaign.campaign_id), None, "Sheet1")
    by_title = snapshot.chosen(ImportCampaign(title="spring  single"), None, "Sheet1")
    # THEN both land in it
    assert by_id == CampaignChoice(title="Spring Single", campaign_id=campaign.campaign_id)
    assert by_title is not None
    assert by_title.campaign_id == campaign.campaign_id
    # WHEN it names a campaign id the user does not have THEN it is refused, saying how to get a new one
    with pytest.raises(ValidationFailed, match="leave it out to create a new campaign"):
        snapshot.chosen(ImportCampaign(campaign_id="cmp_someone_elses"), None, "Sheet1")
    # WHEN it names nothing THEN the campaign the last import chose is used while it exists
    assert snapshot.chosen(None, campaign.campaign_id, "Sheet1") == by_id
    assert snapshot.chosen(None, "cmp_deleted", "Sheet1") is None


def base(status: str) -> RecordBase:
    return RecordBase(values={"pitch.status": status}, row_fingerprint="r", tracker_fingerprint="t")


def test_a_merge_update_tracker_refuses_keeps_the_old_base_so_the_next_run_tries_again() -> None:
    # GIVEN two pitches with changes from the provider, one of them an invalid status
    given = Side()
    campaign = given.campaign("Spring Single")
    good, bad = given.campaigns.create_pitches(
        "usr_1",
        campaign.campaign_id,
        [PitchCreate(email="a@radio.example"), PitchCreate(email="b@radio.example")],
        written_by="member:mia",
    )
    snapshot = given.snapshot()
    plan = SyncPlan(
        tracker_updates={good.pitch_id: {"pitch.notes": "added"}, bad.pitch_id: {"pitch.status": "maybe"}},
        state=SyncState(records={bad.pitch_id: base("maybe")}),
        previous=SyncState(records={bad.pitch_id: base("sent")}),
    )
    # WHEN the updates are applied
    updated, errors = given.side.apply_updates("usr_1", plan, snapshot.pitches)
    # THEN the good one is written, the bad one is reported by pitch and its base rolls back
    assert updated == 1
    [error] = errors
    assert error.code == "tracker_update_failed"
    assert bad.pitch_id in error.message
    assert plan.state.records[bad.pitch_id] == base("sent")
