"""Creating many pitches at once (an import): every one written, all or nothing per transaction; a
user's campaigns and pitches read together in one query, never another user's."""

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


def test_a_users_campaigns_and_pitches_are_read_in_one_query_and_no_one_elses(
    stack: RunningStack, monkeypatch: pytest.MonkeyPatch
) -> None:
    # GIVEN two users, each with two campaigns and pitches in them
    assert stack.base_url
    service = wiring.campaigns_service()
    made: dict[str, tuple[set[str], set[str]]] = {}
    for user in (f"store-{uuid.uuid4().hex[:8]}", f"store-{uuid.uuid4().hex[:8]}"):
        campaigns = [service.create_campaign(user, CampaignCreate(title=t)) for t in ("Spring", "Autumn")]
        contacts = [PitchCreate(email=f"{n}@x.example") for n in range(3)]
        pitches = [p for c in campaigns for p in service.create_pitches(user, c.campaign_id, contacts)]
        made[user] = ({c.campaign_id for c in campaigns}, {p.pitch_id for p in pitches})
    store = wiring.tracker_store()
    queries: list[str] = []
    db = wiring.root().dynamodb
    original = db.query

    def counted(**kwargs: object) -> object:
        queries.append(str(kwargs["KeyConditionExpression"]))
        return original(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(db, "query", counted)
    for user, (campaign_ids, pitch_ids) in made.items():
        # WHEN a sync reads everything of one user
        campaigns, pitches = store.campaigns_and_pitches(user)
        # THEN exactly that user's campaigns and pitches, in one query
        assert {c.campaign_id for c in campaigns} == campaign_ids
        assert {p.pitch_id for p in pitches} == pitch_ids
    assert len(queries) == len(made)
