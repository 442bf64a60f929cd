"""The Pub/Sub push body and the Gmail notification inside it, validated with errors that name the problem."""

from __future__ import annotations

import base64
import json

import pytest

from tracker_integrations.models.gmail import PubSubPush


def _push(data: str) -> PubSubPush:
    return PubSubPush.model_validate({"message": {"data": data, "messageId": "1"}, "subscription": "s"})


@pytest.mark.parametrize("encode", [base64.b64encode, base64.urlsafe_b64encode])
@pytest.mark.parametrize("history_id", ["1234567890", 1234567890])
def test_data_decodes_from_either_base64_alphabet_with_history_as_string_or_number(
    encode: object, history_id: object
) -> None:
    payload = json.dumps({"emailAddress": "Dan@Example.com", "historyId": history_id}).encode()
    data = encode(payload).decode().rstrip("=")  # type: ignore[operator]
    notification = _push(data).notification()
    assert (notification.email_address, notification.history_id) == ("dan@example.com", 1234567890)


@pytest.mark.parametrize(
    ("payload", "problem"),
    [
        (b"not json", "not base64-encoded JSON"),
        (json.dumps({"historyId": "1"}).encode(), "emailAddress"),
        (json.dumps({"emailAddress": "dan@example.com", "historyId": "x1"}).encode(), "historyId"),
        (json.dumps({"emailAddress": "no-at-sign", "historyId": "1"}).encode(), "emailAddress"),
    ],
)
def test_a_bad_notification_names_the_problem(payload: bytes, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        _push(base64.b64encode(payload).decode()).notification()
