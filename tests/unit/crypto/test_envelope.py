"""Envelope encryption of tokens: contexts bind ciphertexts to their connection; data keys are cached briefly."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from moto import mock_aws

from tracker_integrations.crypto.envelope import DecryptionFailed, EncryptionContext, TokenCipher

if TYPE_CHECKING:
    from mypy_boto3_kms import KMSClient


@pytest.fixture
def kms() -> Iterator[KMSClient]:
    with mock_aws():
        yield boto3.client("kms", region_name="eu-west-2")


class KmsCallCounter:
    def __init__(self, client: KMSClient) -> None:
        self.calls: list[str] = []
        client.meta.events.register("before-call.kms.*", self._count)

    def _count(self, model: Any, **_: Any) -> None:
        self.calls.append(model.name)


def _context(user: str = "user-a", connection: str = "con_1", provider: str = "gmail") -> EncryptionContext:
    return EncryptionContext(user_id=user, connection_id=connection, provider=provider)


def test_round_trip_returns_the_plaintext(kms: KMSClient) -> None:
    # GIVEN a cipher over a KMS key
    cipher = TokenCipher(kms, kms.create_key()["KeyMetadata"]["KeyId"], cache_seconds=300)
    # WHEN tokens are sealed and opened under the same context
    blob = cipher.encrypt(b'{"refresh_token": "1//secret"}', _context())
    # THEN the plaintext comes back and the stored form does not contain it
    assert cipher.decrypt(blob, _context()) == b'{"refresh_token": "1//secret"}'
    assert "1//secret" not in blob.model_dump_json()


def test_swapped_ciphertexts_fail_to_decrypt(kms: KMSClient) -> None:
    # GIVEN two connections' sealed tokens, and a cold cache (a fresh container)
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    writer = TokenCipher(kms, key_id, cache_seconds=300)
    blob_a = writer.encrypt(b"tokens of A", _context("user-a", "con_a"))
    blob_b = writer.encrypt(b"tokens of B", _context("user-b", "con_b"))
    reader = TokenCipher(kms, key_id, cache_seconds=300)
    # WHEN each is read under the other's context
    # THEN both fail: KMS refuses the data key for the wrong encryption context
    with pytest.raises(DecryptionFailed):
        reader.decrypt(blob_a, _context("user-b", "con_b"))
    with pytest.raises(DecryptionFailed):
        reader.decrypt(blob_b, _context("user-a", "con_a"))


def test_swapped_ciphertext_fails_even_with_a_warm_data_key_cache(kms: KMSClient) -> None:
    # GIVEN a container that just wrote A's tokens (A's data key is cached)
    cipher = TokenCipher(kms, kms.create_key()["KeyMetadata"]["KeyId"], cache_seconds=300)
    blob_a = cipher.encrypt(b"tokens of A", _context("user-a", "con_a"))
    # WHEN A's ciphertext is presented as another provider's connection of the same user
    # THEN decryption fails (the context is also the GCM associated data)
    with pytest.raises(DecryptionFailed):
        cipher.decrypt(blob_a, _context("user-a", "con_a", provider="airtable"))


def test_data_keys_are_cached_then_expire(kms: KMSClient) -> None:
    # GIVEN a cold container with a 300 s data-key cache and a controllable clock
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = TokenCipher(kms, key_id, cache_seconds=300).encrypt(b"tokens", _context())
    now = [1000.0]
    cipher = TokenCipher(kms, key_id, cache_seconds=300, clock=lambda: now[0])
    counter = KmsCallCounter(kms)
    # WHEN the same tokens are read 50 times within the cache window
    for _ in range(50):
        cipher.decrypt(blob, _context())
    # THEN KMS is asked once
    assert counter.calls == ["Decrypt"]
    # AND after the window it is asked again
    now[0] += 301
    cipher.decrypt(blob, _context())
    assert counter.calls == ["Decrypt", "Decrypt"]


def test_tampered_ciphertext_is_rejected(kms: KMSClient) -> None:
    # GIVEN sealed tokens whose ciphertext was altered in storage
    cipher = TokenCipher(kms, kms.create_key()["KeyMetadata"]["KeyId"], cache_seconds=300)
    blob = cipher.encrypt(b"tokens", _context())
    flipped = blob.ciphertext[:-4] + ("AAAA" if not blob.ciphertext.endswith("AAAA") else "BBBB")
    # WHEN it is decrypted THEN the GCM tag check fails
    with pytest.raises(DecryptionFailed):
        cipher.decrypt(blob.model_copy(update={"ciphertext": flipped}), _context())


def test_re_encrypting_a_connection_reuses_its_cached_data_key_and_still_round_trips(kms: KMSClient) -> None:
    # GIVEN a container that just read a connection's tokens (its data key is cached)
    key_id = kms.create_key()["KeyMetadata"]["KeyId"]
    blob = TokenCipher(kms, key_id, cache_seconds=300).encrypt(b"old tokens", _context())
    cipher = TokenCipher(kms, key_id, cache_seconds=300)
    cipher.decrypt(blob, _context())
    counter = KmsCallCounter(kms)
    # WHEN the refreshed tokens are written back
    refreshed = cipher.encrypt(b"new tokens", _context())
    # THEN no new data key is asked for, the nonce is fresh, and a cold container can still read them
    assert counter.calls == []
    assert refreshed.nonce != blob.nonce
    assert TokenCipher(kms, key_id, cache_seconds=0).decrypt(refreshed, _context()) == b"new tokens"
    # AND another connection's write still gets its own data key
    counter.calls.clear()
    cipher.encrypt(b"tokens of B", _context("user-b", "con_b"))
    assert counter.calls == ["GenerateDataKey"]
