"""The Tracker table's stream batch and Drive's notification headers, as the handlers parse them."""

from __future__ import annotations

import pytest

from tracker_integrations.errors import ValidationFailed
from tracker_integrations.models.push import DriveNotification, TrackerChange
from tracker_integrations.models.tracker_stream import TrackerStreamEvent
from tracker_integrations.validation import parse_model


def _record(pk: str, sk: str, *, event: str = "MODIFY", writer: str | None = "user") -> dict[str, object]:
    change: dict[str, object] = {"Keys": {"pk": {"S": pk}, "sk": {"S": sk}}}
    if writer is not None:
        change["NewImage"] = {"pk": {"S": pk}, "sk": {"S": sk}, "written_by": {"S": writer}}
    return {"eventName": event, "dynamodb": change}


def test_campaign_and_pitch_changes_are_routed_by_user_and_writer() -> None:
    # GIVEN a batch with a sync's write, a user's delete and a change to something that is not Tracker data
    event = {
        "Records": [
            _record("USER#u1", "PITCH#c1#p1", writer="google-sheets"),
            _record("USER#u1", "PITCH#c1#p2", event="REMOVE", writer=None),
            _record("USER#u2", "CAMPAIGN#c9"),
            _record("USER#u2", "SOMETHING#else"),
        ]
    }
    # WHEN it is parsed THEN each Tracker change names its user and who wrote it (a delete: the user)
    assert TrackerStreamEvent.model_validate(event).changes() == [
        TrackerChange(user_id="u1", written_by="google-sheets"),
        TrackerChange(user_id="u1", written_by="user"),
        TrackerChange(user_id="u2", written_by="user"),
    ]


@pytest.mark.parametrize(
    ("event", "field"),
    [
        ({}, "Records"),
        ({"Records": [{"eventName": "MODIFY", "dynamodb": {}}]}, "Keys"),
        (
            {"Records": [{"eventName": "TRUNCATE", "dynamodb": {"Keys": {"pk": {"S": "U"}, "sk": {"S": "S"}}}}]},
            "eventName",
        ),
    ],
)
def test_a_malformed_stream_batch_is_refused_naming_the_field(event: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationFailed) as refused:
        parse_model(TrackerStreamEvent, event)
    assert field in refused.value.message


def test_drive_headers_are_read_case_as_api_gateway_sends_them_and_bad_states_are_named() -> None:
    headers = {
        "x-goog-channel-id": "ch_1",
        "x-goog-channel-token": "secret",
        "x-goog-resource-id": "res",
        "x-goog-resource-state": "update",
        "x-goog-message-number": "3",
    }
    parsed = DriveNotification.model_validate(headers)
    assert (parsed.channel_id, parsed.resource_state, parsed.message_number) == ("ch_1", "update", 3)
    with pytest.raises(ValidationFailed) as refused:
        parse_model(DriveNotification, {**headers, "x-goog-resource-state": "exploded"})
    assert "x-goog-resource-state" in refused.value.message
