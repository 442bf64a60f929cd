"""Tokens sealed under their connection's context, and PKCE verifiers under their flow's."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from pydantic import SecretStr

from tests.support.fakes import connection
from tracker_integrations.crypto.envelope import DecryptionFailed, TokenCipher
from tracker_integrations.models.connection import TokenSet
from tracker_integrations.services.connecting.credentials import (
    context_for,
    seal,
    seal_verifier,
    unseal,
    unseal_verifier,
)

TOKENS = TokenSet(
    access_token=SecretStr("ya29.access"),
    refresh_token=SecretStr("1//refresh"),
    expires_at=datetime(2026, 3, 1, 10, 0, tzinfo=UTC),
    scopes=("scope.a", "scope.b"),
)


def test_sealed_tokens_open_to_the_same_token_set_on_their_connection(cipher: TokenCipher) -> None:
    # GIVEN a connection holding tokens sealed under its own context
    sheets = connection("google-sheets")
    blob = seal(cipher, TOKENS, context_for(sheets.user_id, sheets.connection_id, sheets.provider))
    # WHEN they are opened from the stored connection
    opened = unseal(cipher, sheets.model_copy(update={"credentials": blob}))
    # THEN every field comes back, and the stored form holds no token
    assert opened.access_token.get_secret_value() == "ya29.access"
    assert opened.refresh_token is not None
    assert opened.refresh_token.get_secret_value() == "1//refresh"
    assert (opened.expires_at, opened.scopes, opened.token_type) == (TOKENS.expires_at, TOKENS.scopes, "Bearer")
    assert "ya29.access" not in blob.model_dump_json()
    assert "1//refresh" not in blob.model_dump_json()


def test_tokens_without_refresh_token_or_expiry_open_as_such(cipher: TokenCipher) -> None:
    # GIVEN tokens that never expire and carry no refresh token (Mailchimp's)
    mailchimp = connection("mailchimp")
    tokens = TokenSet(access_token=SecretStr("mc-token"), scopes=())
    blob = seal(cipher, tokens, context_for(mailchimp.user_id, mailchimp.connection_id, mailchimp.provider))
    # WHEN they are opened
    opened = unseal(cipher, mailchimp.model_copy(update={"credentials": blob}))
    # THEN nothing is invented for them
    assert (opened.refresh_token, opened.expires_at, opened.scopes) == (None, None, ())


def test_tokens_sealed_for_one_user_do_not_open_on_another_users_connection(cipher: TokenCipher) -> None:
    # GIVEN tokens sealed for one user's connection, copied onto another user's record
    mine = connection("google-sheets", user_id="usr_a")
    blob = seal(cipher, TOKENS, context_for(mine.user_id, mine.connection_id, mine.provider))
    theirs = connection("google-sheets", user_id="usr_b").model_copy(update={"credentials": blob})
    # WHEN they are opened there
    # THEN decryption fails rather than hand out the first user's tokens
    cipher.forget_keys()
    with pytest.raises(DecryptionFailed):
        unseal(cipher, theirs)


def test_a_connection_without_credentials_cannot_be_unsealed(cipher: TokenCipher) -> None:
    # GIVEN a connection record with no stored credentials
    # WHEN its tokens are asked for THEN the caller is told so
    with pytest.raises(ValueError, match="no stored credentials"):
        unseal(cipher, connection("google-sheets"))


def test_a_verifier_opens_only_for_its_own_flow(cipher: TokenCipher) -> None:
    # GIVEN a PKCE verifier sealed for one connect flow
    blob = seal_verifier(cipher, "v" * 64, "usr_1", "flow_a", "airtable")
    # WHEN it is opened for that flow, and for another
    # THEN it comes back for its own flow only
    assert unseal_verifier(cipher, blob, "usr_1", "flow_a", "airtable") == "v" * 64
    cipher.forget_keys()
    with pytest.raises(DecryptionFailed):
        unseal_verifier(cipher, blob, "usr_1", "flow_b", "airtable")
