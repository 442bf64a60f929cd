"""Settings: the one reader of the environment.

Every function gets the same validated model; a missing or malformed variable fails at the first
call with the variable's name, never with a default that hides it. SAM passes resource names and
URLs only; provider client secrets come from Secrets Manager at first use (or from the environment
in the local stack).
"""

import json
import os
from functools import lru_cache
from typing import Annotated, Literal

from pydantic import AnyHttpUrl, BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

OAuthApp = Literal["google", "airtable", "mailchimp"]


class Settings(BaseModel):
    """Field names are the environment variable names, lower-cased."""

    model_config = ConfigDict(frozen=True, extra="ignore", defer_build=True)

    stage: Literal["local", "test", "dev", "prod"] = "prod"
    aws_region: str = "eu-west-2"

    integrations_table: str
    tracker_table: str
    tokens_key_id: str

    # Where "sync now" and schedules queue sync jobs (functions that never enqueue leave it empty).
    sync_queue_url: str = ""

    # Where the OAuth callback sends the browser back to: the Tracker web app.
    app_base_url: AnyHttpUrl
    # The public base of this API, used to build exact redirect URIs.
    api_base_url: AnyHttpUrl

    google_client_id: str = ""
    google_client_secret: SecretStr = SecretStr("")
    airtable_client_id: str = ""
    airtable_client_secret: SecretStr = SecretStr("")
    mailchimp_client_id: str = ""
    mailchimp_client_secret: SecretStr = SecretStr("")
    # Deployed stacks keep client secrets in one Secrets Manager secret (JSON: {"google": "...", ...}).
    provider_secrets_arn: str = ""
    # How long a fetched secret is trusted; a rotated secret is picked up within this many seconds.
    provider_secrets_max_age_seconds: int = Field(default=300, ge=0, le=3600)

    endpoint_google_accounts: str = "https://accounts.google.com"
    endpoint_google_oauth2: str = "https://oauth2.googleapis.com"
    endpoint_google_openid: str = "https://openidconnect.googleapis.com"
    endpoint_airtable_web: str = "https://airtable.com"
    endpoint_airtable_api: str = "https://api.airtable.com"
    endpoint_mailchimp_login: str = "https://login.mailchimp.com"
    endpoint_google_sheets: str = "https://sheets.googleapis.com"
    endpoint_google_drive: str = "https://www.googleapis.com"
    endpoint_google_gmail: str = "https://gmail.googleapis.com"
    # Where Google publishes the certificates that sign Pub/Sub push JWTs (/oauth2/v1/certs under it).
    endpoint_google_certs: str = "https://www.googleapis.com"

    # Gmail push: users.watch publishes to this Pub/Sub topic ("projects/<p>/topics/<t>"; empty: no
    # watch, the schedules' polling alone finds replies); its push subscription calls
    # /api/webhooks/gmail with a JWT minted for `gmail_push_audience` (empty: that URL) by this
    # service account.
    gmail_pubsub_topic: str = ""
    gmail_push_audience: str = ""
    gmail_push_service_account: str = ""

    # The per-user request counters (API functions only; others leave it empty).
    rate_limits_table: str = ""
    # Accounts: the audit log and pitch histories; the operator's usage counters (empty: not wired).
    activity_table: str = ""
    analytics_table: str = ""
    # Requests a user may make a minute, per class (README, "Rate limits"). Tests may raise them; at
    # least 1 each, so no setting switches the limiter off.
    rate_limit_connect_per_minute: Annotated[int, Field(ge=1)] = 10
    rate_limit_sync_now_per_minute: Annotated[int, Field(ge=1)] = 10
    rate_limit_writes_per_minute: Annotated[int, Field(ge=1)] = 60
    rate_limit_reads_per_minute: Annotated[int, Field(ge=1)] = 300

    oauth_state_ttl_seconds: Annotated[int, Field(ge=60, le=3600)] = 600
    data_key_cache_seconds: Annotated[int, Field(ge=0, le=3600)] = 300
    http_connect_timeout: float = 3.0
    http_read_timeout: float = 15.0

    @field_validator("api_base_url", "app_base_url", mode="after")
    @classmethod
    def _no_trailing_slash(cls, value: AnyHttpUrl) -> AnyHttpUrl:
        return AnyHttpUrl(str(value).rstrip("/"))

    def base(self, url: AnyHttpUrl) -> str:
        return str(url).rstrip("/")

    def client_id(self, app: OAuthApp) -> str:
        return {
            "google": self.google_client_id,
            "airtable": self.airtable_client_id,
            "mailchimp": self.mailchimp_client_id,
        }[app]

    def client_secret(self, app: OAuthApp) -> str:
        local = {
            "google": self.google_client_secret,
            "airtable": self.airtable_client_secret,
            "mailchimp": self.mailchimp_client_secret,
        }[app].get_secret_value()
        if local or not self.provider_secrets_arn:
            return local
        return _secrets_from_manager(self.provider_secrets_arn, self.provider_secrets_max_age_seconds).get(app, "")


class ConfigurationError(RuntimeError):
    """The function's environment is incomplete: a deployment fault, not a user error."""


def _secrets_from_manager(secret_arn: str, max_age_seconds: int) -> dict[str, str]:
    # Imported here so functions that never talk to a provider do not pay for it at cold start.
    from aws_lambda_powertools.utilities import parameters

    # Powertools keeps the fetched value for max_age and fetches again after it, so a rotated secret is
    # picked up; no cache of our own on top, which would keep the old secret for the container's life.
    raw = parameters.get_secret(secret_arn, max_age=max_age_seconds)
    data = json.loads(raw if isinstance(raw, str) else raw.decode())
    if not isinstance(data, dict):
        raise ConfigurationError("provider secrets must be a JSON object of provider -> client secret")
    return {str(k): str(v) for k, v in data.items()}


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    # pydantic-settings would do this too, at 80 ms of cold start; a dict of the environment is enough.
    environment = {name.lower(): value for name, value in os.environ.items()}  # noqa: TID251  # the one reader
    try:
        return Settings.model_validate(environment)
    except ValidationError as exc:
        names = ", ".join(str(err["loc"][0]).upper() for err in exc.errors())
        raise ConfigurationError(f"invalid or missing environment variables: {names}") from exc
