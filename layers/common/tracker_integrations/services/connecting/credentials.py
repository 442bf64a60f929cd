"""Turning a connection's tokens into ciphertext and back, under that connection's context."""

from __future__ import annotations

import json
from datetime import datetime

from pydantic import SecretStr

from tracker_integrations.crypto.envelope import EncryptionContext, TokenCipher
from tracker_integrations.models.connection import Connection, EncryptedBlob, ProviderKey, TokenSet


def context_for(user_id: str, connection_id: str, provider: ProviderKey) -> EncryptionContext:
    return EncryptionContext(user_id=user_id, connection_id=connection_id, provider=provider)


def seal(cipher: TokenCipher, tokens: TokenSet, context: EncryptionContext) -> EncryptedBlob:
    plain = {
        "access_token": tokens.access_token.get_secret_value(),
        "refresh_token": tokens.refresh_token.get_secret_value() if tokens.refresh_token else None,
        "token_type": tokens.token_type,
        "expires_at": tokens.expires_at.isoformat() if tokens.expires_at else None,
        "scopes": list(tokens.scopes),
    }
    return cipher.encrypt(json.dumps(plain).encode(), context)


def unseal(cipher: TokenCipher, connection: Connection) -> TokenSet:
    if connection.credentials is None:
        raise ValueError("connection has no stored credentials")
    context = context_for(connection.user_id, connection.connection_id, connection.provider)
    plain = json.loads(cipher.decrypt(connection.credentials, context))
    return TokenSet(
        access_token=SecretStr(plain["access_token"]),
        refresh_token=SecretStr(plain["refresh_token"]) if plain.get("refresh_token") else None,
        token_type=plain.get("token_type", "Bearer"),
        expires_at=datetime.fromisoformat(plain["expires_at"]) if plain.get("expires_at") else None,
        scopes=tuple(plain.get("scopes", ())),
    )


def verifier_context(user_id: str, flow_id: str, provider: ProviderKey) -> EncryptionContext:
    # The flow id takes the connection's place (`flow_...` never names a connection), so a sealed
    # verifier opens only for its own flow. Same purpose as the tokens: the KMS grants are scoped to it.
    return EncryptionContext(user_id=user_id, connection_id=flow_id, provider=provider)


def seal_verifier(
    cipher: TokenCipher, verifier: str, user_id: str, flow_id: str, provider: ProviderKey
) -> EncryptedBlob:
    return cipher.encrypt(verifier.encode("ascii"), verifier_context(user_id, flow_id, provider))


def unseal_verifier(cipher: TokenCipher, blob: EncryptedBlob, user_id: str, flow_id: str, provider: ProviderKey) -> str:
    return cipher.decrypt(blob, verifier_context(user_id, flow_id, provider)).decode("ascii")
