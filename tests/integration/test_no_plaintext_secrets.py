"""No token ever lands in DynamoDB or in the logs in plaintext; moved ciphertexts do not decrypt."""

from __future__ import annotations

import io
import json
import logging
import zlib
from collections.abc import Iterator

import httpx
import pytest

from tests.support.api import LocalUser, connect
from tracker_integrations import wiring
from tracker_integrations.crypto.envelope import DecryptionFailed
from tracker_integrations.models.connection import Connection
from tracker_integrations.observability import logger
from tracker_integrations.services.connecting.credentials import unseal


@pytest.fixture
def captured_logs() -> Iterator[io.StringIO]:
    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    yield buffer
    handler.setStream(previous)


def _readable(blob: object) -> str:
    """Binary attributes (compressed sync state) are scanned decompressed, so nothing hides in them."""
    if isinstance(blob, bytes | bytearray):
        try:
            return zlib.decompress(blob).decode(errors="replace")
        except zlib.error:
            return bytes(blob).decode(errors="replace")
    raise TypeError(type(blob).__name__)


def _all_items() -> str:
    client = wiring.dynamodb()
    dumped: list[str] = []
    for table in (wiring.integrations_store()._table, wiring.tracker_store()._table):
        for page in client.get_paginator("scan").paginate(TableName=table):
            dumped.extend(json.dumps(item, default=_readable) for item in page["Items"])
    return "\n".join(dumped)


def _connection(user: LocalUser, provider: str) -> Connection:
    found = wiring.integrations_store().get_connection(user.name, provider)  # type: ignore[arg-type]
    assert found is not None
    return found


def test_tokens_never_appear_in_stored_items_or_logs(
    http: httpx.Client, new_user: type[LocalUser], captured_logs: io.StringIO
) -> None:
    # GIVEN an agency user who connects every provider and whose Airtable token is refreshed (rotated)
    user = new_user("agency")  # type: ignore[call-arg]
    secrets: set[str] = set()
    for provider in ("google-sheets", "gmail", "google-drive", "airtable", "mailchimp"):
        assert connect(http, user, provider).connected
        tokens = unseal(wiring.token_cipher(), _connection(user, provider))
        secrets.add(tokens.access_token.get_secret_value())
        if tokens.refresh_token:
            secrets.add(tokens.refresh_token.get_secret_value())
    rotated = wiring.token_service().current_tokens(_connection(user, "airtable"), force_refresh=True)
    secrets.add(rotated.access_token.get_secret_value())
    assert rotated.refresh_token is not None
    secrets.add(rotated.refresh_token.get_secret_value())
    http.delete("/api/integrations/gmail/disconnect", headers=user.headers)
    # WHEN every item of every table and every log line is read
    stored = _all_items()
    logged = captured_logs.getvalue()
    # THEN not one token is there in plaintext
    assert len(secrets) >= 9
    for secret in secrets:
        assert secret not in stored
        assert secret not in logged
    # AND neither are Google's token shapes or the user's e-mail in the logs
    assert "ya29." not in stored
    assert "ya29." not in logged
    assert "dan@example.com" not in logged
    assert logged, "the flow logged nothing: the scan would prove nothing"


def test_swapping_two_connections_ciphertexts_makes_decryption_fail(
    http: httpx.Client, new_user: type[LocalUser]
) -> None:
    # GIVEN two users' connections, and a fresh container (no cached data keys)
    alice = new_user("pro")  # type: ignore[call-arg]
    bob = new_user("pro")  # type: ignore[call-arg]
    assert connect(http, alice, "google-sheets").connected
    assert connect(http, bob, "google-sheets").connected
    a, b = _connection(alice, "google-sheets"), _connection(bob, "google-sheets")
    wiring.token_cipher().forget_keys()
    # WHEN someone with table access swaps their credentials
    store = wiring.integrations_store()
    store.save_connection(
        a.model_copy(update={"credentials": b.credentials, "version": a.version + 1}), expected_version=a.version
    )
    store.save_connection(
        b.model_copy(update={"credentials": a.credentials, "version": b.version + 1}), expected_version=b.version
    )
    # THEN neither decrypts, so neither user can act with the other's access
    for user in (alice, bob):
        with pytest.raises(DecryptionFailed):
            wiring.token_service().current_tokens(_connection(user, "google-sheets"))


def test_a_connection_moved_to_another_provider_slot_does_not_decrypt(
    http: httpx.Client, new_user: type[LocalUser]
) -> None:
    user = new_user("agency")  # type: ignore[call-arg]
    assert connect(http, user, "gmail").connected
    gmail = _connection(user, "gmail")
    moved = gmail.model_copy(update={"provider": "google-drive"})
    with pytest.raises(DecryptionFailed):
        unseal(wiring.token_cipher(), moved)
