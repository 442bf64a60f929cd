"""Campaigns and pitches: created with ids and versions, updated field by field against the version the
client read, and refused by name when an edit would leave a record Tracker cannot hold."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from tests.support.fakes import FakeTracker
from tracker_integrations.errors import NotFound, ValidationFailed, VersionConflict
from tracker_integrations.models.campaign import Campaign, CampaignStatus, PitchStatus
from tracker_integrations.models.campaign_inputs import CampaignCreate, CampaignUpdate, PitchCreate, PitchUpdate
from tracker_integrations.services.campaigns import CampaignsService

USER = "usr_1"
T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


class Clock:
    def __init__(self) -> None:
        self.now = T0

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def tracker() -> FakeTracker:
    return FakeTracker()


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def service(tracker: FakeTracker, clock: Clock) -> CampaignsService:
    return CampaignsService(tracker, now=clock)


def _campaign(service: CampaignsService, **fields: object) -> Campaign:
    return service.create_campaign(USER, CampaignCreate.model_validate({"title": "Spring single", **fields}))


def test_a_new_campaign_gets_an_id_timestamps_and_version_one(service: CampaignsService, tracker: FakeTracker) -> None:
    # GIVEN a campaign as the client sends it
    # WHEN it is created
    campaign = _campaign(service, artist="The Hums")
    # THEN it is stored as version 1 with a new id, created and updated now
    assert campaign.campaign_id.startswith("cmp_")
    assert (campaign.version, campaign.created_at, campaign.updated_at) == (1, T0, T0)
    assert tracker.campaigns[(USER, campaign.campaign_id)] == campaign
    assert campaign.artist == "The Hums"


def test_an_update_changes_only_the_fields_sent_and_moves_the_version_on(
    service: CampaignsService, tracker: FakeTracker, clock: Clock
) -> None:
    # GIVEN a stored campaign, and an hour later an update naming only its status
    campaign = _campaign(service, artist="The Hums", notes="first notes")
    clock.now = T0 + timedelta(hours=1)
    # WHEN the update is applied against the version the client read
    updated = service.update_campaign(
        USER, campaign.campaign_id, CampaignUpdate(version=1, status=CampaignStatus.ACTIVE)
    )
    # THEN the status changed, everything else stayed, and the version and time moved on
    assert updated.status == CampaignStatus.ACTIVE
    assert (updated.artist, updated.notes, updated.title) == ("The Hums", "first notes", "Spring single")
    assert (updated.version, updated.created_at, updated.updated_at) == (2, T0, T0 + timedelta(hours=1))
    assert tracker.campaigns[(USER, campaign.campaign_id)] == updated


def test_an_update_from_a_stale_version_is_refused(service: CampaignsService) -> None:
    # GIVEN a campaign someone else has already updated to version 2
    campaign = _campaign(service)
    service.update_campaign(USER, campaign.campaign_id, CampaignUpdate(version=1, notes="theirs"))
    # WHEN an edit made from version 1 arrives THEN it is refused, not written over theirs
    with pytest.raises(VersionConflict):
        service.update_campaign(USER, campaign.campaign_id, CampaignUpdate(version=1, notes="mine"))


def test_null_clears_a_date_but_not_a_required_field(service: CampaignsService) -> None:
    # GIVEN a campaign with a start date
    campaign = _campaign(service, start_date="2026-04-01")
    # WHEN the start date is sent as null THEN it is cleared
    cleared = service.update_campaign(USER, campaign.campaign_id, CampaignUpdate(version=1, start_date=None))
    assert cleared.start_date is None
    # WHEN the status is sent as null THEN the update is refused naming the field
    with pytest.raises(ValidationFailed, match="status cannot be null"):
        service.update_campaign(USER, campaign.campaign_id, CampaignUpdate(version=2, status=None))


def test_an_update_that_would_put_the_end_before_the_start_is_refused(service: CampaignsService) -> None:
    # GIVEN a campaign from April to June
    campaign = _campaign(service, start_date="2026-04-01", end_date="2026-06-30")
    # WHEN only the end date is moved before the start THEN the merged record is refused, and the stored
    # one is unchanged
    with pytest.raises(ValidationFailed, match="end_date must not be before start_date"):
        service.update_campaign(USER, campaign.campaign_id, CampaignUpdate(version=1, end_date=date(2026, 3, 1)))
    assert service.get_campaign(USER, campaign.campaign_id).end_date == date(2026, 6, 30)


def test_a_campaign_that_does_not_exist_is_not_found(service: CampaignsService) -> None:
    # GIVEN no campaigns WHEN one is read, updated or has its pitches listed THEN each says not found
    with pytest.raises(NotFound, match="campaign"):
        service.get_campaign(USER, "cmp_missing")
    with pytest.raises(NotFound, match="campaign"):
        service.update_campaign(USER, "cmp_missing", CampaignUpdate(version=1))
    with pytest.raises(NotFound, match="campaign"):
        service.list_pitches(USER, "cmp_missing", limit=10, cursor=None)


def test_campaigns_are_listed_a_page_at_a_time(service: CampaignsService) -> None:
    # GIVEN three campaigns
    created = [_campaign(service, notes=str(n)) for n in range(3)]
    # WHEN they are listed two to a page
    first = service.list_campaigns(USER, limit=2, cursor=None)
    second = service.list_campaigns(USER, limit=2, cursor=first.next_cursor)
    # THEN the pages hold each once, and the last says there is no more
    assert len(first.campaigns) == 2
    assert first.next_cursor is not None
    assert second.next_cursor is None
    listed = [c.campaign_id for c in first.campaigns + second.campaigns]
    assert sorted(listed) == sorted(c.campaign_id for c in created)


def test_a_pitch_is_created_in_its_campaign_by_its_writer(service: CampaignsService, tracker: FakeTracker) -> None:
    # GIVEN a campaign
    campaign = _campaign(service)
    # WHEN a pitch is created by the sheet sync with an id it chose (so a retry cannot duplicate it)
    pitch = service.create_pitch(
        USER,
        campaign.campaign_id,
        PitchCreate(email="dj@station.example", contact_name="DJ"),
        written_by="google-sheets",
        pitch_id="pit_chosen",
    )
    # THEN it is stored under that id, version 1, and the store was told who wrote it
    assert (pitch.pitch_id, pitch.campaign_id, pitch.version) == ("pit_chosen", campaign.campaign_id, 1)
    assert service.list_pitches(USER, campaign.campaign_id, limit=10, cursor=None).pitches == [pitch]
    assert tracker.pitch_writers == ["google-sheets"]


def test_many_pitches_are_created_at_once_each_with_its_own_id(service: CampaignsService, tracker: FakeTracker) -> None:
    # GIVEN a campaign and three contacts from an import
    campaign = _campaign(service)
    items = [PitchCreate(email=f"c{n}@outlet.example") for n in range(3)]
    # WHEN they are created at once
    pitches = service.create_pitches(USER, campaign.campaign_id, items, written_by="google-sheets")
    # THEN each is stored once with a distinct id, in order
    assert [p.email for p in pitches] == ["c0@outlet.example", "c1@outlet.example", "c2@outlet.example"]
    assert len({p.pitch_id for p in pitches}) == 3
    assert len(tracker.pitches) == 3


def test_a_pitch_update_keeps_what_was_not_sent_and_clears_sent_at_on_null(
    service: CampaignsService, tracker: FakeTracker
) -> None:
    # GIVEN a pitch that was sent
    campaign = _campaign(service)
    pitch = service.create_pitch(
        USER, campaign.campaign_id, PitchCreate(email="dj@station.example", sent_at=T0, outlet="Radio X")
    )
    # WHEN its status changes and its sent time is cleared
    updated = service.update_pitch(
        USER,
        campaign.campaign_id,
        pitch.pitch_id,
        PitchUpdate(version=1, status=PitchStatus.REPLIED, sent_at=None),
        written_by="google-sheets",
    )
    # THEN only those two fields changed, and the writer is recorded
    assert (updated.status, updated.sent_at, updated.outlet, updated.version) == (
        PitchStatus.REPLIED,
        None,
        "Radio X",
        2,
    )
    assert tracker.pitch_writers == ["user", "google-sheets"]


def test_a_pitch_update_with_an_invalid_email_is_refused_by_name(service: CampaignsService) -> None:
    # GIVEN a pitch
    campaign = _campaign(service)
    pitch = service.create_pitch(USER, campaign.campaign_id, PitchCreate(email="dj@station.example"))
    # WHEN its e-mail is sent as null THEN the update is refused naming the field
    with pytest.raises(ValidationFailed, match="email cannot be null"):
        service.update_pitch(USER, campaign.campaign_id, pitch.pitch_id, PitchUpdate(version=1, email=None))
    # AND a pitch that does not exist is not found
    with pytest.raises(NotFound, match="pitch"):
        service.update_pitch(USER, campaign.campaign_id, "pit_missing", PitchUpdate(version=1))


def test_deletes_name_the_version_the_client_read(service: CampaignsService, tracker: FakeTracker) -> None:
    # GIVEN a campaign with one pitch
    campaign = _campaign(service)
    pitch = service.create_pitch(USER, campaign.campaign_id, PitchCreate(email="dj@station.example"))
    # WHEN the pitch is deleted from a stale version THEN it is refused and kept
    with pytest.raises(VersionConflict):
        service.delete_pitch(USER, campaign.campaign_id, pitch.pitch_id, version=2)
    assert tracker.pitches
    # WHEN the pitch and then the campaign are deleted at their versions THEN both are gone
    service.delete_pitch(USER, campaign.campaign_id, pitch.pitch_id, version=1)
    service.delete_campaign(USER, campaign.campaign_id, version=1)
    assert (tracker.pitches, tracker.campaigns) == ({}, {})
