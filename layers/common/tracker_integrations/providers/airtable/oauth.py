"""Airtable account hooks."""

from __future__ import annotations

from tracker_integrations.config import Settings
from tracker_integrations.errors import PermanentProviderError
from tracker_integrations.http.client import get_json
from tracker_integrations.models.connection import TokenSet
from tracker_integrations.providers.base import ProviderSpec
from tracker_integrations.providers.outcomes import AccountInfo, RevocationOutcome


def fetch_account(spec: ProviderSpec, settings: Settings, tokens: TokenSet) -> AccountInfo:
    # https://airtable.com/developers/web/api/get-user-id-scopes
    url = f"{settings.endpoint_airtable_api.rstrip('/')}/v0/meta/whoami"
    body = get_json(url, provider="airtable", token=tokens.access_token.get_secret_value())
    if not body.get("id"):
        raise PermanentProviderError("Airtable returned an unexpected account", provider="airtable")
    return AccountInfo(label=str(body.get("email") or body["id"]), external_id=str(body["id"]))


def revoke(spec: ProviderSpec, settings: Settings, tokens: TokenSet) -> RevocationOutcome:
    # Airtable publishes no token revocation endpoint; the tokens are deleted on our side and
    # the access token lapses within the hour.
    return RevocationOutcome(revoked_at_provider=False, message=spec.manage_access_hint)
