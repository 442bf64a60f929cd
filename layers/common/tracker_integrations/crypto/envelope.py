"""Envelope encryption: a KMS data key per connection, AES-256-GCM locally.

The encryption context (user, connection, provider, purpose) goes to KMS with the data key *and*
into the GCM associated data, so a ciphertext moved to another user's or connection's item fails
to decrypt, whether or not its data key is cached. Decrypted data keys are cached briefly in
memory (bounded in time and count) so a warm worker does not call KMS for every sync, and a
token refresh re-encrypts under the data key it just decrypted instead of asking for a new one.
"""

import base64
import json
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING, Final

from botocore.exceptions import ClientError

from tracker_integrations.models.connection import EncryptedBlob
from tracker_integrations.records import FrozenRecord

if TYPE_CHECKING:
    from mypy_boto3_kms import KMSClient

_NONCE_BYTES = 12
_MAX_CACHED_KEYS = 1000


class EncryptionContext(FrozenRecord):
    """Bound into every ciphertext. Visible in CloudTrail, so it holds ids only, never secrets.

    A plain record: every context is built in code from ids already read and checked."""

    __slots__ = ("connection_id", "provider", "purpose", "user_id")

    def __init__(self, user_id: str, connection_id: str, provider: str, purpose: str = "oauth-tokens") -> None:
        self.user_id: Final = user_id
        self.connection_id: Final = connection_id
        self.provider: Final = provider
        self.purpose: Final = purpose

    def as_kms(self) -> dict[str, str]:
        return {
            "user_id": self.user_id,
            "connection_id": self.connection_id,
            "provider": self.provider,
            "purpose": self.purpose,
        }

    def as_aad(self) -> bytes:
        return json.dumps(self.as_kms(), sort_keys=True, separators=(",", ":")).encode()


class DecryptionFailed(Exception):
    """The ciphertext does not belong to this context, or was tampered with."""


class TokenCipher:
    def __init__(
        self,
        kms: "KMSClient",
        key_id: str,
        *,
        cache_seconds: int,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._kms = kms
        self._key_id = key_id
        self._cache_seconds = cache_seconds
        self._clock = clock
        self._lock = threading.Lock()
        # encrypted data key (+ context) -> (plaintext data key, cached at)
        self._cache: OrderedDict[tuple[str, bytes], tuple[bytes, float]] = OrderedDict()

    def encrypt(self, plaintext: bytes, context: EncryptionContext) -> EncryptedBlob:
        # A token refresh re-encrypts what was just decrypted: reuse that connection's cached data key
        # (a fresh random nonce each time) instead of asking KMS for another.
        reused = self._latest_key(context)
        if reused is not None:
            key_ciphertext, data_key = reused
        else:
            response = self._kms.generate_data_key(
                KeyId=self._key_id, KeySpec="AES_256", EncryptionContext=context.as_kms()
            )
            data_key = response["Plaintext"]
            key_ciphertext = base64.b64encode(response["CiphertextBlob"]).decode()
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # on first use, as in decrypt

        nonce = os.urandom(_NONCE_BYTES)
        sealed = AESGCM(data_key).encrypt(nonce, plaintext, context.as_aad())
        self._remember(key_ciphertext, context, data_key)
        return EncryptedBlob(
            key_ciphertext=key_ciphertext,
            nonce=base64.b64encode(nonce).decode(),
            ciphertext=base64.b64encode(sealed).decode(),
        )

    def decrypt(self, blob: EncryptedBlob, context: EncryptionContext) -> bytes:
        data_key = self._recall(blob.key_ciphertext, context)
        if data_key is None:
            try:
                response = self._kms.decrypt(
                    CiphertextBlob=base64.b64decode(blob.key_ciphertext),
                    EncryptionContext=context.as_kms(),
                    KeyId=self._key_id,
                )
            except ClientError as exc:
                code = exc.response.get("Error", {}).get("Code")
                if code in {"InvalidCiphertextException", "IncorrectKeyException", "AccessDeniedException"}:
                    raise DecryptionFailed("the stored credentials do not belong to this connection") from exc
                raise
            data_key = response["Plaintext"]
            self._remember(blob.key_ciphertext, context, data_key)
        # cryptography on first use, not at import: requests that never open tokens do not load it.
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        try:
            return AESGCM(data_key).decrypt(
                base64.b64decode(blob.nonce), base64.b64decode(blob.ciphertext), context.as_aad()
            )
        except InvalidTag as exc:
            raise DecryptionFailed("the stored credentials do not belong to this connection") from exc

    def _remember(self, key_ciphertext: str, context: EncryptionContext, data_key: bytes) -> None:
        if self._cache_seconds <= 0:
            return
        with self._lock:
            self._cache[(key_ciphertext, context.as_aad())] = (data_key, self._clock())
            while len(self._cache) > _MAX_CACHED_KEYS:
                self._cache.popitem(last=False)

    def forget_keys(self) -> None:
        """Drop every cached data key (what a new container starts with)."""
        with self._lock:
            self._cache.clear()

    def _latest_key(self, context: EncryptionContext) -> tuple[str, bytes] | None:
        """The most recently cached, still fresh data key for exactly this context."""
        aad = context.as_aad()
        now = self._clock()
        with self._lock:
            for (key_ciphertext, cached_aad), (data_key, cached_at) in reversed(self._cache.items()):
                if cached_aad == aad and now - cached_at <= self._cache_seconds:
                    return key_ciphertext, data_key
        return None

    def _recall(self, key_ciphertext: str, context: EncryptionContext) -> bytes | None:
        with self._lock:
            entry = self._cache.get((key_ciphertext, context.as_aad()))
            if entry is None:
                return None
            data_key, cached_at = entry
            if self._clock() - cached_at > self._cache_seconds:
                del self._cache[(key_ciphertext, context.as_aad())]
                return None
            return data_key
