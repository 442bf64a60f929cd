"""Creating many pitches at once (an import): every one written, all or nothing per transaction."""

from __future__ import annotations

import uuid

import pytest

from local_stack.server import RunningStack
from tracker_integrations import wiring
from tracker_integrations.errors import NotFound
from tracker_integrations.models.campaign_inputs import CampaignCreate, PitchCreate


def test_many_new_pitches_are_written_across_transactions(stack: RunningStack) -> None:
    # GIVEN a campaign and 150 contacts to add (more than one transaction holds)
    assert stack.base_url
    user = f"store-{uuid.uuid4().hex[:8]}"
    service = wiring.campaigns_service()
    campaign = service.create_campaign(user, CampaignCreate(title="Import"))
    items = [PitchCreate(email=f"c{n}@x.example") for n in range(150)]
    # WHEN they are created at once THEN each is stored once, in its campaign
    created = service.create_pitches(user, campaign.campaign_id, items, written_by="google-sheets")
    stored = wiring.tracker_store().all_pitches(user)
    assert sorted(p.pitch_id for p in stored) == sorted(p.pitch_id for p in created)
    assert {p.campaign_id for p in stored} == {campaign.campaign_id}


def test_new_pitches_for_a_missing_campaign_write_nothing(stack: RunningStack) -> None:
    assert stack.base_url
    user = f"store-{uuid.uuid4().hex[:8]}"
    with pytest.raises(NotFound, match="campaign"):
        wiring.campaigns_service().create_pitches(user, "cmp_gone", [PitchCreate(email="a@x.example")])
    assert wiring.tracker_store().all_pitches(user) == []
