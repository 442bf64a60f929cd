"""The Gmail client: request shapes, validated responses, and 404s turned into what the sync acts on."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from tests.support.settings import unit_settings
from tracker_integrations.errors import PermanentProviderError, RateLimited
from tracker_integrations.providers.google.gmail.client import GmailClient, HistoryExpired, MessageGone

SETTINGS = unit_settings(endpoint_google_gmail="https://gmail.test")


def _client(*responses: httpx.Response) -> tuple[GmailClient, list[httpx.Request]]:
    seen: list[httpx.Request] = []
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return queue.pop(0)

    return GmailClient(SETTINGS, "token", client=httpx.Client(transport=httpx.MockTransport(handler))), seen


def _json(status: int, body: dict[str, Any]) -> httpx.Response:
    return httpx.Response(status, json=body)


def test_history_asks_for_added_messages_from_the_cursor_and_validates_the_answer() -> None:
    client, seen = _client(
        _json(
            200,
            {
                "history": [{"id": "101", "messagesAdded": [{"message": {"id": "a1", "threadId": "t1"}}]}],
                "historyId": "105",
            },
        )
    )
    page = client.history(100)
    assert [m.id for m in page.added] == ["a1"]
    assert page.history_id == 105
    assert seen[0].url.path == "/gmail/v1/users/me/history"
    assert seen[0].url.params["startHistoryId"] == "100"
    assert seen[0].url.params["historyTypes"] == "messageAdded"
    assert seen[0].headers["Authorization"] == "Bearer token"
    assert client.calls["history"] == 1


def test_an_unknown_start_history_id_is_history_expired() -> None:
    client, _ = _client(_json(404, {"error": {"code": 404, "message": "Requested entity was not found."}}))
    with pytest.raises(HistoryExpired):
        client.history(1)


def test_a_deleted_message_is_message_gone() -> None:
    client, _ = _client(_json(404, {"error": {"code": 404, "message": "Not Found"}}))
    with pytest.raises(MessageGone):
        client.raw_message("gone")


def test_a_raw_message_is_decoded_from_base64url_without_padding() -> None:
    raw = b"From: a@b.example\r\nSubject: hi?>\r\n\r\nbody"
    encoded = base64.urlsafe_b64encode(raw).decode().rstrip("=")
    client, seen = _client(
        _json(
            200, {"id": "m1", "threadId": "t1", "labelIds": ["INBOX"], "internalDate": "1700000000000", "raw": encoded}
        )
    )
    message = client.raw_message("m1")
    assert message.raw_bytes() == raw
    assert message.received_at.year == 2023
    assert seen[0].url.params["format"] == "raw"


def test_an_answer_of_the_wrong_shape_names_the_field() -> None:
    client, _ = _client(_json(200, {"history": [], "historyId": "not-a-number"}))
    with pytest.raises(PermanentProviderError, match="historyId"):
        client.history(1)


def test_a_per_user_rate_limit_403_is_rate_limited() -> None:
    body = {"error": {"code": 403, "errors": [{"reason": "rateLimitExceeded"}], "message": "Rate Limit Exceeded"}}
    client, _ = _client(httpx.Response(403, json=body, headers={"Retry-After": "60"}))
    with pytest.raises(RateLimited) as caught:
        client.profile()
    assert caught.value.retry_after == 60


def test_watch_names_the_topic_and_returns_the_expiry() -> None:
    client, seen = _client(_json(200, {"historyId": "9", "expiration": "1700604800000"}))
    result = client.watch("projects/p/topics/t")
    assert json.loads(seen[0].content) == {"topicName": "projects/p/topics/t"}
    assert result.expires_at.year == 2023
