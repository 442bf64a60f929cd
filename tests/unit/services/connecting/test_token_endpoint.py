"""Calls to a provider's token endpoint: how the client authenticates, and what a response becomes."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta

import pytest
from pydantic import SecretStr

from tests.support.fakes import TokenEndpoint
from tests.support.settings import unit_settings
from tracker_integrations.errors import PermanentProviderError, ReauthRequired
from tracker_integrations.models.connection import TokenSet
from tracker_integrations.providers.registry import get_spec
from tracker_integrations.services.connecting.token_endpoint import TokenResponse, request_tokens

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
SETTINGS = unit_settings(
    google_client_id="google-id",
    google_client_secret="google-secret",
    airtable_client_id="airtable id",
    airtable_client_secret="s3cr:t/",
    endpoint_google_oauth2="https://oauth2.google.test",
    endpoint_airtable_web="https://airtable.test",
)


def test_a_body_auth_provider_gets_its_client_credentials_in_the_form(token_endpoint: TokenEndpoint) -> None:
    # GIVEN Google's token endpoint, which takes the client id and secret in the form
    token_endpoint.answer(access_token="ya29.new", expires_in=3600)
    # WHEN a refresh is requested
    request_tokens(get_spec("google-sheets"), SETTINGS, {"grant_type": "refresh_token", "refresh_token": "1//r"})
    # THEN one POST to the configured token URL carries the grant and the client's credentials, and no
    # Authorization header
    (request,) = token_endpoint.requests
    assert (request.method, str(request.url)) == ("POST", "https://oauth2.google.test/token")
    assert token_endpoint.forms() == [
        {
            "grant_type": "refresh_token",
            "refresh_token": "1//r",
            "client_id": "google-id",
            "client_secret": "google-secret",
        }
    ]
    assert "Authorization" not in request.headers


def test_a_basic_auth_provider_gets_form_encoded_credentials_in_the_header(token_endpoint: TokenEndpoint) -> None:
    # GIVEN Airtable's token endpoint (HTTP Basic client auth) and a client id and secret with
    # characters that must be form-encoded first (RFC 6749 section 2.3.1)
    token_endpoint.answer(access_token="at.new", refresh_token="rt.rotated", expires_in=3600)
    # WHEN a code is exchanged
    request_tokens(get_spec("airtable"), SETTINGS, {"grant_type": "authorization_code", "code": "c"})
    # THEN the header carries the encoded pair and the form carries no secret
    (request,) = token_endpoint.requests
    expected = base64.b64encode(b"airtable%20id:s3cr%3At%2F").decode()
    assert request.headers["Authorization"] == f"Basic {expected}"
    assert token_endpoint.forms() == [{"grant_type": "authorization_code", "code": "c"}]


def test_invalid_grant_asks_for_a_reconnection(token_endpoint: TokenEndpoint) -> None:
    # GIVEN a token endpoint refusing the refresh token (revoked at the provider)
    token_endpoint.answer(400, error="invalid_grant")
    # WHEN a refresh is requested THEN the caller is told only the user can fix it
    with pytest.raises(ReauthRequired):
        request_tokens(get_spec("google-sheets"), SETTINGS, {"grant_type": "refresh_token", "refresh_token": "x"})


@pytest.mark.parametrize(
    ("body", "named"),
    [({"token_type": "Bearer"}, "access_token"), ({"access_token": "t", "token_type": "mac"}, "token_type")],
)
def test_a_response_we_cannot_use_is_refused_naming_the_field(
    token_endpoint: TokenEndpoint, body: dict[str, object], named: str
) -> None:
    # GIVEN a 200 answer missing the access token, or of a token type we cannot send
    token_endpoint.answer_json(body)
    # WHEN it is read THEN nothing is stored: the caller gets an error naming the field
    with pytest.raises(PermanentProviderError, match=named):
        request_tokens(get_spec("google-sheets"), SETTINGS, {"grant_type": "refresh_token", "refresh_token": "x"})


def test_a_refresh_without_refresh_token_or_scope_keeps_the_previous_ones() -> None:
    # GIVEN Google's refresh answer, which omits the refresh token and here the scope
    previous = TokenSet(access_token=SecretStr("old"), refresh_token=SecretStr("1//keep"), scopes=("a", "b"))
    response = TokenResponse.model_validate({"access_token": "new", "expires_in": 3600})
    # WHEN it becomes the connection's token set
    tokens = response.to_token_set(get_spec("google-sheets"), NOW, previous=previous)
    # THEN the refresh token and scopes carry over, and the expiry counts from now
    assert tokens.refresh_token is not None
    assert tokens.refresh_token.get_secret_value() == "1//keep"
    assert tokens.scopes == ("a", "b")
    assert tokens.expires_at == NOW + timedelta(seconds=3600)


def test_a_rotated_refresh_token_and_granted_scope_replace_the_previous_ones() -> None:
    # GIVEN Airtable's refresh answer: a new refresh token and the scopes granted, space-separated
    previous = TokenSet(access_token=SecretStr("old"), refresh_token=SecretStr("rt.old"), scopes=("x",))
    response = TokenResponse.model_validate(
        {"access_token": "new", "refresh_token": "rt.new", "scope": "data.records:read  schema.bases:read"}
    )
    # WHEN it becomes the token set
    tokens = response.to_token_set(get_spec("airtable"), NOW, previous=previous)
    # THEN the newest refresh token wins, the scopes are the granted ones, and no expiry is invented
    assert tokens.refresh_token is not None
    assert tokens.refresh_token.get_secret_value() == "rt.new"
    assert tokens.scopes == ("data.records:read", "schema.bases:read")
    assert tokens.expires_at is None


def test_a_first_grant_without_scope_gets_the_providers_requested_scopes() -> None:
    # GIVEN a code exchange answer without a scope and no previous tokens; expires_in 0 (never expires)
    response = TokenResponse.model_validate({"access_token": "t", "expires_in": 0})
    # WHEN it becomes the token set
    tokens = response.to_token_set(get_spec("mailchimp"), NOW)
    # THEN the scopes are what the spec asked for, and the token never expires
    assert tokens.scopes == get_spec("mailchimp").oauth.scopes
    assert (tokens.expires_at, tokens.refresh_token) == (None, None)
