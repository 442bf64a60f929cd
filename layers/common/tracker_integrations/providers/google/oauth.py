"""Google account hooks shared by Sheets, Gmail and Drive."""

from __future__ import annotations

import httpx

from tracker_integrations.config import Settings
from tracker_integrations.errors import PermanentProviderError, ProviderError
from tracker_integrations.http.client import ProviderApi, get_json, send
from tracker_integrations.models.connection import TokenSet
from tracker_integrations.providers.base import ProviderSpec
from tracker_integrations.providers.outcomes import AccountInfo, RevocationOutcome


def fetch_account(spec: ProviderSpec, settings: Settings, tokens: TokenSet) -> AccountInfo:
    # https://developers.google.com/identity/openid-connect/openid-connect#obtaininguserprofileinformation
    url = f"{settings.endpoint_google_openid.rstrip('/')}/v1/userinfo"
    body = get_json(url, provider="google", token=tokens.access_token.get_secret_value())
    if not body.get("sub"):
        raise PermanentProviderError("Google returned an unexpected profile", provider="google")
    return AccountInfo(label=str(body.get("email", "")), external_id=str(body["sub"]))


def revoke(spec: ProviderSpec, settings: Settings, tokens: TokenSet) -> RevocationOutcome:
    # https://developers.google.com/identity/protocols/oauth2/web-server#tokenrevoke
    # Revoking the refresh token also revokes the access tokens issued from it.
    token = tokens.refresh_token or tokens.access_token
    request = httpx.Request(
        "POST",
        f"{settings.endpoint_google_oauth2.rstrip('/')}/revoke",
        data={"token": token.get_secret_value()},
    )
    try:
        send(request, api=ProviderApi("google"))
    except ProviderError as exc:
        if exc.status == 400:  # already expired or revoked: the outcome the user wanted
            return RevocationOutcome(revoked_at_provider=True, message="Google had already revoked this access.")
        return RevocationOutcome(
            revoked_at_provider=False,
            message=f"Google could not be reached to revoke access. {spec.manage_access_hint}",
        )
    return RevocationOutcome(revoked_at_provider=True, message="Access revoked at Google.")
