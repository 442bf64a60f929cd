"""Public data models of the provider sandbox: what callers pass in and what they read back.

They are pydantic models so the HTTP control API validates its bodies with the very same classes
the Python API takes.
"""

import json
from datetime import datetime
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator

Provider = Literal["google", "airtable", "mailchimp"]
PROVIDERS: tuple[Provider, ...] = ("google", "airtable", "mailchimp")

# Loose on purpose: callers pass e.g. dict[str, str], which an invariant JsonValue would reject.
FaultBody = dict[str, Any] | list[Any] | str | None

# The account the consent page signs in as unless the user types another one.
DEFAULT_LOGIN = "dan@example.com"


class OAuthClientRegistration(BaseModel):
    """An OAuth client as registered in a provider's developer console."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    provider: Provider
    client_id: str = Field(min_length=1)
    # None registers a public client (Airtable allows those; the token call then sends client_id only).
    client_secret: str | None = None
    # Matched exactly, character for character, as the real providers do.
    redirect_uris: list[str] = Field(min_length=1)
    # Shown on the consent page ("Tracker wants to access your Google Account").
    name: str = Field(default="Tracker", min_length=1)

    @field_validator("redirect_uris")
    @classmethod
    def _absolute_http_uris(cls, uris: list[str]) -> list[str]:
        for uri in uris:
            parts = urlsplit(uri)
            if parts.scheme not in {"http", "https"} or not parts.netloc or parts.fragment:
                raise ValueError(f"redirect URI must be an absolute http(s) URL without a fragment: {uri!r}")
        return uris


class Fault(BaseModel):
    """A scripted failure: the next `times` requests matching host/path/method get this answer."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    host: str = Field(min_length=1)
    # Exact path, or a glob ("/v0/*") when it contains * or ?; None matches every path on the host.
    path: str | None = None
    # None matches any method.
    method: str | None = None
    # None makes a delay-only fault: sleep delay_seconds, then answer normally (a slow provider).
    status: int | None = Field(default=503, ge=100, le=599)
    # None: the provider's own error body for that status. A string is sent verbatim ("" = no body,
    # like Mailchimp's bodiless 429); anything else is sent as JSON.
    body: FaultBody = None
    # Google hosts: the `errors[0].reason` of Google's envelope (with body None), e.g. "rateLimitExceeded" or
    # "userRateLimitExceeded" on a 403, as Drive sends its rate limits.
    reason: str | None = Field(default=None, pattern=r"^[A-Za-z_]{1,64}$")
    # Seconds (int) or an HTTP date (str), sent as the Retry-After header.
    retry_after: int | str | None = None
    delay_seconds: float = Field(default=0.0, ge=0.0, le=300.0)
    # None keeps the fault until clear_faults().
    times: int | None = Field(default=1, ge=1)

    @field_validator("path")
    @classmethod
    def _path_is_absolute(cls, path: str | None) -> str | None:
        if path is not None and not path.startswith("/"):
            raise ValueError("path must start with '/'")
        return path

    @field_validator("body")
    @classmethod
    def _body_is_json(cls, body: FaultBody) -> FaultBody:
        try:
            json.dumps(body)
        except (TypeError, ValueError) as exc:
            raise ValueError(f"body must be JSON-serialisable: {exc}") from exc
        return body

    @field_validator("method")
    @classmethod
    def _method_upper(cls, method: str | None) -> str | None:
        return method.upper() if method is not None else None


class RecordedRequest(BaseModel):
    """One request the sandbox answered (control API calls are not recorded)."""

    model_config = ConfigDict(frozen=True)

    method: str
    host: str
    path: str
    query: dict[str, list[str]]
    status: int
    at: datetime


class RevokeUserGrantsBody(BaseModel):
    """Body of POST /_control/{provider}/revoke-user-grants."""

    model_config = ConfigDict(extra="forbid")

    login: str = Field(min_length=1)
