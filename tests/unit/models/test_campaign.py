"""Pitch addresses: validated on the way in (API bodies, synced rows), trusted when read back from the table."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import ValidationError

from tracker_integrations.models.campaign import Pitch
from tracker_integrations.models.campaign_inputs import PitchCreate, PitchUpdate
from tracker_integrations.services.syncing.tracker_side import pitch_create

AT = datetime(2026, 12, 5, 9, 0, tzinfo=UTC)


@pytest.mark.parametrize("address", ["not-an-email", "dj@", "@station.example", "dj at station.example"])
def test_an_address_from_outside_is_refused_when_it_is_not_one(address: str) -> None:
    # A body creating or updating a pitch, and a synced row, all pass through PitchCreate / PitchUpdate.
    with pytest.raises(ValidationError, match="email"):
        PitchCreate.model_validate({"email": address})
    with pytest.raises(ValidationError, match="email"):
        PitchUpdate.model_validate({"version": 1, "email": address})
    with pytest.raises(ValidationError, match="email"):
        pitch_create({"pitch.email": address})


def test_an_address_from_outside_is_normalised_before_it_is_stored() -> None:
    assert PitchCreate(email="dj@Station.EXAMPLE").email == "dj@station.example"
    assert PitchUpdate(version=1, email="dj@Station.EXAMPLE").email == "dj@station.example"


def test_a_stored_pitch_reads_back_with_its_address_as_written() -> None:
    stored = {
        "pitch_id": "pit_1",
        "campaign_id": "cmp_1",
        "email": "dj@station.example",
        "created_at": AT.isoformat(),
        "updated_at": AT.isoformat(),
    }
    assert Pitch.model_validate(stored).email == "dj@station.example"
    # Still documented as an address for API clients.
    assert Pitch.model_json_schema()["properties"]["email"] == {"type": "string", "format": "email", "title": "Email"}
