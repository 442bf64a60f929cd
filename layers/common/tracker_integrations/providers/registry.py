"""The provider registry: every integration the product offers, as data.

Google Sheets, Gmail and Google Drive are products of one Google OAuth parent: same client, same
endpoints and hooks, each with the narrowest scopes its flow needs (see README, "Scopes").
"""

from __future__ import annotations

import importlib
from datetime import timedelta
from typing import cast

from tracker_integrations.errors import NotFound
from tracker_integrations.models.connection import PROVIDER_KEYS, ProviderKey
from tracker_integrations.providers.base import Endpoint, OAuthSpec, ProviderHooks, ProviderSpec, SyncPolicy

_GOOGLE_IDENTITY = ("openid", "email")
DRIVE_FILE = "https://www.googleapis.com/auth/drive.file"
GMAIL_READONLY = "https://www.googleapis.com/auth/gmail.readonly"
_DRIVE_FILE_PURPOSE = "create and edit the spreadsheets and files you choose"
_GOOGLE_MANAGE = "Remove Tracker at https://myaccount.google.com/connections if it is still listed."


def _google(scopes: tuple[str, ...], purpose: str) -> OAuthSpec:
    return OAuthSpec(
        app="google",
        authorize=Endpoint(host="endpoint_google_accounts", path="/o/oauth2/v2/auth"),
        token=Endpoint(host="endpoint_google_oauth2", path="/token"),
        scopes=_GOOGLE_IDENTITY + scopes,
        required_scopes=scopes,
        scope_purposes=tuple((scope, purpose) for scope in scopes),
        pkce=True,
        client_auth="body",
        # offline: a refresh token; consent: a fresh refresh token on every reconnect, since Google
        # otherwise issues one only on the first consent.
        extra_authorize_params=(("access_type", "offline"), ("prompt", "consent")),
        issuer="https://accounts.google.com",
    )


PROVIDERS: dict[ProviderKey, ProviderSpec] = {
    "google-sheets": ProviderSpec(
        key="google-sheets",
        name="Google Sheets",
        description="Campaigns and pitches as rows in your spreadsheet, edits flowing both ways.",
        oauth=_google((DRIVE_FILE,), _DRIVE_FILE_PURPOSE),
        hooks_module="tracker_integrations.providers.google.oauth",
        manage_access_hint=_GOOGLE_MANAGE,
        # Drive push channels report edits, so a full pass is only a backstop twice a day.
        sync=SyncPolicy(
            directions=frozenset({"to_provider", "from_provider"}),
            available=True,
            imports=True,
            reconcile_every=timedelta(hours=12),
        ),
        settings_model="tracker_integrations.models.sheets.SheetsConnectionSettings",
        setup_hint="choose or create a spreadsheet before syncing",
        integration_module="tracker_integrations.providers.google.sheets.integration",
    ),
    "gmail": ProviderSpec(
        key="gmail",
        name="Gmail",
        description="Replies from pitched contacts mark the pitch replied, with a preview and a link.",
        oauth=_google((GMAIL_READONLY,), "read replies to your pitches"),
        hooks_module="tracker_integrations.providers.google.oauth",
        manage_access_hint=_GOOGLE_MANAGE,
        # The poll is the backstop behind Gmail's push for replies, so it is shorter than Sheets'.
        sync=SyncPolicy(
            directions=frozenset({"from_provider"}),
            available=True,
            ready_on_connect=True,
            reconcile_every=timedelta(hours=2),
            renews_push=True,
        ),
        integration_module="tracker_integrations.providers.google.gmail.integration",
    ),
    "google-drive": ProviderSpec(
        key="google-drive",
        name="Google Drive",
        description="Scheduled CSV exports uploaded to a Drive folder.",
        oauth=_google((DRIVE_FILE,), _DRIVE_FILE_PURPOSE),
        hooks_module="tracker_integrations.providers.google.oauth",
        manage_access_hint=_GOOGLE_MANAGE,
    ),
    "airtable": ProviderSpec(
        key="airtable",
        name="Airtable",
        description="Two-way sync with a base and table of your choice, in near real time.",
        oauth=OAuthSpec(
            app="airtable",
            authorize=Endpoint(host="endpoint_airtable_web", path="/oauth2/v1/authorize"),
            token=Endpoint(host="endpoint_airtable_web", path="/oauth2/v1/token"),
            scopes=(
                "data.records:read",
                "data.records:write",
                "schema.bases:read",
                "webhook:manage",
                "user.email:read",
            ),
            pkce=True,
            client_auth="basic",
        ),
        hooks_module="tracker_integrations.providers.airtable.oauth",
        # Webhooks report the table's edits, so a full pass is only a backstop twice a day; they lapse after
        # 7 days unless refreshed, which the daily keep-alive does.
        sync=SyncPolicy(
            directions=frozenset({"to_provider", "from_provider"}),
            available=True,
            imports=True,
            reconcile_every=timedelta(hours=12),
            renews_push=True,
        ),
        settings_model="tracker_integrations.models.airtable.AirtableConnectionSettings",
        setup_hint="choose a base and a table before syncing",
        integration_module="tracker_integrations.providers.airtable.integration",
        manage_access_hint="Airtable has no revocation API: remove Tracker under Airtable > Builder hub > "
        "Integrations > Third-party integrations.",
    ),
    "mailchimp": ProviderSpec(
        key="mailchimp",
        name="Mailchimp",
        description="Per-contact opens and clicks beside each pitch's status.",
        oauth=OAuthSpec(
            app="mailchimp",
            authorize=Endpoint(host="endpoint_mailchimp_login", path="/oauth2/authorize"),
            token=Endpoint(host="endpoint_mailchimp_login", path="/oauth2/token"),
            scopes=(),  # Mailchimp has no scopes: a token can do what the user can
            pkce=False,  # not documented as supported; state + client secret protect the exchange
            client_auth="body",
        ),
        hooks_module="tracker_integrations.providers.mailchimp.oauth",
        manage_access_hint="Mailchimp has no revocation API: remove Tracker under Mailchimp > Account & billing > "
        "Extras > Registered apps / Connected sites.",
    ),
}
if set(PROVIDERS) != set(PROVIDER_KEYS):
    raise RuntimeError("the provider registry and ProviderKey must list the same providers")


def find_spec(provider: str) -> ProviderSpec | None:
    return PROVIDERS.get(cast(ProviderKey, provider))


def get_spec(provider: str) -> ProviderSpec:
    spec = find_spec(provider)
    if spec is None:
        raise NotFound(f"unknown integration '{provider}': use one of {', '.join(PROVIDER_KEYS)}")
    return spec


def load_hooks(spec: ProviderSpec) -> ProviderHooks:
    return cast(ProviderHooks, importlib.import_module(spec.hooks_module))
