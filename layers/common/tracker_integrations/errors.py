"""Typed errors: what went wrong, in words a user can act on, classified as data.

Each error carries a stable machine `code`, the HTTP status it maps to, and a message that says
what happened and what to do. The mapping to HTTP lives here (`http_status`) and is applied in one
place (`tracker_integrations.api.error_response`); nothing chooses a status by matching text.
"""

from __future__ import annotations

from typing import ClassVar


class TrackerError(Exception):
    """Base of every error the application raises on purpose."""

    code: ClassVar[str] = "internal_error"
    http_status: ClassVar[int] = 500

    def __init__(self, message: str, *, details: dict[str, object] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details = details or {}


class ValidationFailed(TrackerError):
    code = "invalid_request"
    http_status = 400


class Unauthenticated(TrackerError):
    code = "unauthenticated"
    http_status = 401


class PlanLimitReached(TrackerError):
    code = "plan_limit_reached"
    http_status = 403


class RoleRequired(TrackerError):
    """A team member tried what their role does not allow; the message names the role that may."""

    code = "role_required"
    http_status = 403


class NotFound(TrackerError):
    """Also what a user gets for another user's data: existence is never disclosed."""

    code = "not_found"
    http_status = 404


class VersionConflict(TrackerError):
    code = "version_conflict"
    http_status = 409


class AlreadyExists(TrackerError):
    code = "already_exists"
    http_status = 409


class SyncInProgress(TrackerError):
    """Another run of the same connection holds its lease; the queue delivers the job again later."""

    code = "sync_in_progress"
    http_status = 409


class TooManyRequests(TrackerError):
    """The caller went over a per-user request limit of this API; details say when to retry."""

    code = "rate_limited"
    http_status = 429


class ProviderNotConfigured(TrackerError):
    code = "provider_not_configured"
    http_status = 503


class OAuthFlowError(TrackerError):
    """A connect attempt that cannot complete; the callback turns it into a redirect with this message."""

    code = "oauth_failed"
    http_status = 400

    def __init__(self, message: str, *, reason: str, details: dict[str, object] | None = None) -> None:
        super().__init__(message, details=details)
        self.reason = reason


class ProviderError(TrackerError):
    """A provider call failed; subclasses say what the caller should do about it."""

    code = "provider_error"
    http_status = 502

    def __init__(self, message: str, *, provider: str, status: int | None = None) -> None:
        super().__init__(message, details={"provider": provider, "status": status})
        self.provider = provider
        self.status = status


class ReauthRequired(ProviderError):
    """invalid_grant, a revoked token, a 401 after refresh: only the user reconnecting fixes it."""

    code = "needs_reauth"
    http_status = 409


class RateLimited(ProviderError):
    code = "rate_limited"
    http_status = 429

    def __init__(self, message: str, *, provider: str, status: int | None, retry_after: float) -> None:
        super().__init__(message, provider=provider, status=status)
        self.retry_after = retry_after
        self.details["retry_after"] = retry_after


class TransientProviderError(ProviderError):
    """5xx, timeouts, connection resets: worth retrying with backoff."""

    code = "provider_unavailable"
    http_status = 503


class PermanentProviderError(ProviderError):
    """A 4xx that retrying will not fix: a bug or a change at the provider."""

    code = "provider_rejected"
    http_status = 502
