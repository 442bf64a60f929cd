"""Calls to a provider's OAuth token endpoint: code exchange and refresh (RFC 6749 sections 4.1.3, 6)."""

import base64
from datetime import datetime, timedelta
from urllib.parse import quote

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from tracker_integrations.config import Settings
from tracker_integrations.errors import PermanentProviderError
from tracker_integrations.http.client import INTERACTIVE, ProviderApi, RetryPolicy, classify_token_response, send
from tracker_integrations.models.connection import TokenSet
from tracker_integrations.providers.base import ProviderSpec


class TokenResponse(BaseModel):
    """The provider's token response, validated before anything is stored."""

    model_config = ConfigDict(extra="ignore", frozen=True, defer_build=True)

    access_token: SecretStr = Field(min_length=1)
    token_type: str = "Bearer"  # noqa: S105  # a scheme name, not a secret
    expires_in: int | None = None  # Mailchimp: 0, never expires
    refresh_token: SecretStr | None = None
    scope: str | None = None

    @field_validator("token_type")
    @classmethod
    def _bearer(cls, value: str) -> str:
        if value.lower() != "bearer":
            raise ValueError(f"unsupported token_type {value!r}")
        return "Bearer"

    def to_token_set(self, spec: ProviderSpec, now: datetime, previous: TokenSet | None = None) -> TokenSet:
        if self.scope is not None:
            scopes = tuple(s for s in self.scope.split(spec.oauth.scope_separator) if s)
        else:
            scopes = previous.scopes if previous else spec.oauth.scopes
        return TokenSet(
            access_token=self.access_token,
            # Google omits the refresh token on refresh; Airtable rotates it. Keep whichever is newest.
            refresh_token=self.refresh_token or (previous.refresh_token if previous else None),
            expires_at=now + timedelta(seconds=self.expires_in) if self.expires_in else None,
            scopes=scopes,
        )


def request_tokens(
    spec: ProviderSpec, settings: Settings, form: dict[str, str], *, policy: RetryPolicy = INTERACTIVE
) -> TokenResponse:
    app = spec.oauth.app
    client_id = settings.client_id(app)
    client_secret = settings.client_secret(app)
    headers = {"Accept": "application/json"}
    if spec.oauth.client_auth == "basic":
        # RFC 6749 section 2.3.1: id and secret are form-encoded before base64.
        pair = f"{quote(client_id, safe='')}:{quote(client_secret, safe='')}"
        headers["Authorization"] = "Basic " + base64.b64encode(pair.encode()).decode()
    else:
        form = {**form, "client_id": client_id, "client_secret": client_secret}
    request = httpx.Request("POST", spec.oauth.token.url(settings), data=form, headers=headers)
    response = send(request, api=ProviderApi(app, classify=classify_token_response, policy=policy))
    try:
        return TokenResponse.model_validate_json(response.content)
    except ValidationError as exc:
        fields = ", ".join(str(e["loc"][0]) for e in exc.errors() if e["loc"])
        raise PermanentProviderError(
            f"{app} returned a token response we cannot use ({fields or 'not JSON'})", provider=app
        ) from exc
