"""Mailchimp account hooks: the data centre comes from the OAuth metadata endpoint."""

from __future__ import annotations

from tracker_integrations.config import Settings
from tracker_integrations.errors import PermanentProviderError, ReauthRequired
from tracker_integrations.http.client import get_json
from tracker_integrations.models.connection import TokenSet
from tracker_integrations.providers.base import ProviderSpec
from tracker_integrations.providers.outcomes import AccountInfo, RevocationOutcome


def fetch_account(spec: ProviderSpec, settings: Settings, tokens: TokenSet) -> AccountInfo:
    # https://mailchimp.com/developer/marketing/guides/access-user-data-oauth-2/ (step 5: metadata).
    # Note the `OAuth` scheme, and that a bad token gets 200 with {"error": "invalid_token"}.
    url = f"{settings.endpoint_mailchimp_login.rstrip('/')}/oauth2/metadata"
    body = get_json(url, provider="mailchimp", token=tokens.access_token.get_secret_value(), scheme="OAuth")
    if body.get("error"):
        raise ReauthRequired("Mailchimp did not accept the new access token", provider="mailchimp", status=200)
    dc = str(body.get("dc", ""))
    api_endpoint = str(body.get("api_endpoint", ""))
    if not dc.isalnum() or not api_endpoint.startswith(("https://", "http://")):
        raise PermanentProviderError("Mailchimp did not say which data centre holds the account", provider="mailchimp")
    login = body.get("login")
    email = str(login.get("login_email") or login.get("email") or "") if isinstance(login, dict) else ""
    return AccountInfo(
        label=email or str(body.get("accountname", "")),
        external_id=str(body.get("user_id", "")),
        metadata={"dc": dc, "api_endpoint": api_endpoint, "account_name": str(body.get("accountname", ""))},
    )


def revoke(spec: ProviderSpec, settings: Settings, tokens: TokenSet) -> RevocationOutcome:
    # Mailchimp tokens never expire and cannot be revoked by API: only the user can remove the app.
    return RevocationOutcome(revoked_at_provider=False, message=spec.manage_access_hint)
