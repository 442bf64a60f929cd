"""Every documented Google API error reason, in one table: what the caller should do about it.

Google answers errors in one JSON envelope (https://cloud.google.com/apis/design/errors), with up to three
names for what went wrong: the legacy `error.errors[].reason` (Drive v3, Gmail, and the "global" domain of
https://developers.google.com/workspace/drive/api/guides/handle-errors), an `ErrorInfo` in
`error.details[].reason` (RATE_LIMIT_EXCEEDED, ACCESS_TOKEN_SCOPE_INSUFFICIENT...), and the canonical
`error.status` (RESOURCE_EXHAUSTED, PERMISSION_DENIED...). The most specific one known to the table wins,
in that order; names are compared without case, so `rateLimitExceeded` and `userRateLimitExceeded` are
both rate limits (a suffix match on `RateLimitExceeded` missed the first). A reason the table does not
know falls back to the HTTP status.
"""

from collections.abc import Callable
from enum import StrEnum
from typing import Final

import httpx

from tracker_integrations.errors import (
    PermanentProviderError,
    ProviderError,
    RateLimited,
    ReauthRequired,
    TransientProviderError,
)
from tracker_integrations.http.client import classify_api_response, parse_retry_after
from tracker_integrations.records import FrozenRecord


class Handling(StrEnum):
    RETRY = "retry"  # Google's side failed: retry with backoff
    WAIT = "wait"  # a quota or rate limit: retry after the row's wait (or Retry-After)
    REAUTH = "reauth"  # the access token or its grant no longer does: the user reconnects
    UNAVAILABLE = "unavailable"  # the file is gone or no longer Tracker's to open
    REFUSED = "refused"  # retrying will not help; the row says what the user can do
    REJECTED = "rejected"  # retrying will not help and the user cannot fix it: Tracker's request or project


class GoogleErrorReason(FrozenRecord):
    __slots__ = ("action", "handling", "message", "wait")

    def __init__(self, handling: Handling, message: str = "", action: str = "", wait: float = 0.0) -> None:
        self.handling: Final = handling
        # What happened and what to do, for the refusals a user can act on (REFUSED rows); empty otherwise.
        self.message: Final = message
        self.action: Final = action
        # Seconds before trying again when Google sends no Retry-After (WAIT rows).
        self.wait: Final = wait


def _retry() -> GoogleErrorReason:
    return GoogleErrorReason(handling=Handling.RETRY)


def _wait(seconds: float) -> GoogleErrorReason:
    return GoogleErrorReason(handling=Handling.WAIT, wait=seconds)


def _reauth() -> GoogleErrorReason:
    return GoogleErrorReason(handling=Handling.REAUTH)


def _unavailable() -> GoogleErrorReason:
    return GoogleErrorReason(handling=Handling.UNAVAILABLE)


def _refused(message: str, action: str) -> GoogleErrorReason:
    return GoogleErrorReason(handling=Handling.REFUSED, message=message, action=action)


# Tracker's own request or Cloud project is at fault: the caller's generic "refused" words apply.
_OUR_REQUEST = GoogleErrorReason(handling=Handling.REJECTED)
_OUR_PROJECT = _OUR_REQUEST
_PER_MINUTE = 30.0  # Sheets, Drive and Gmail quotas refill every minute
_DAILY = 3600.0  # a daily quota: try again in an hour rather than hammering it

# Keys are compared case-insensitively (see `reason_of`).
GOOGLE_ERROR_REASONS: dict[str, GoogleErrorReason] = {
    # -- errors[].reason: rate limits and quotas ----------------------------------------------------
    "rateLimitExceeded": _wait(_PER_MINUTE),
    "userRateLimitExceeded": _wait(_PER_MINUTE),
    "rateLimitExceededUnreg": _wait(_PER_MINUTE),
    "userRateLimitExceededUnreg": _wait(_PER_MINUTE),
    "quotaExceeded": _wait(_PER_MINUTE),
    "limitExceeded": _wait(_PER_MINUTE),
    "concurrentLimitExceeded": _wait(10.0),
    "servingLimitExceeded": _wait(_PER_MINUTE),
    "variableTermLimitExceeded": _wait(_DAILY),
    "dailyLimitExceeded": _wait(_DAILY),
    "sharingRateLimitExceeded": _wait(_DAILY),
    # -- errors[].reason: Google's side --------------------------------------------------------------
    "backendError": _retry(),
    "internalError": _retry(),
    "backendNotConnected": _retry(),
    "notReady": _retry(),
    # -- errors[].reason: the access token or its grant -----------------------------------------------
    "authError": _reauth(),
    "unauthorized": _reauth(),
    "expired": _reauth(),
    "insufficientPermissions": _reauth(),
    "accountDeleted": _reauth(),
    "accountDisabled": _reauth(),
    "accountUnverified": _reauth(),
    # -- errors[].reason: the file ---------------------------------------------------------------------
    "notFound": _unavailable(),
    "deleted": _unavailable(),
    "forbidden": _unavailable(),
    "appNotAuthorizedToFile": _unavailable(),
    "insufficientFilePermissions": _unavailable(),
    "teamDriveMembershipRequired": _unavailable(),
    "domainPolicy": _refused(
        "Your organisation's Google Workspace policy does not let Tracker use this Google Drive file.",
        "Ask your Google Workspace administrator to allow Tracker, or use a spreadsheet from a personal account.",
    ),
    "storageQuotaExceeded": _refused(
        "Your Google Drive is full, so Google refused to save the change.",
        "Free up space in Google Drive (or add storage), then press Sync now.",
    ),
    "activeItemCreationLimitExceeded": _refused(
        "Your Google Drive holds as many files as Google allows, so no new spreadsheet could be made.",
        "Delete files you no longer need from Google Drive (and empty its bin), then try again.",
    ),
    "teamDriveFileLimitExceeded": _refused(
        "The shared drive holds as many files as Google allows, so no new spreadsheet could be made there.",
        "Choose a spreadsheet in another drive, or remove files from the shared drive.",
    ),
    "numChildrenInNonRootLimitExceeded": _refused(
        "The Google Drive folder holds as many items as Google allows.",
        "Choose another folder, or move some files out of it.",
    ),
    # -- errors[].reason: requests Google says are wrong (Tracker's bug, not the user's) ---------------
    "badRequest": _OUR_REQUEST,
    "invalid": _OUR_REQUEST,
    "invalidParameter": _OUR_REQUEST,
    "invalidQuery": _OUR_REQUEST,
    "invalidSharingRequest": _OUR_REQUEST,
    "required": _OUR_REQUEST,
    "parseError": _OUR_REQUEST,
    "conditionNotMet": _OUR_REQUEST,
    "conflict": _OUR_REQUEST,
    "duplicate": _OUR_REQUEST,
    "notImplemented": _OUR_REQUEST,
    "responseTooLarge": _OUR_REQUEST,
    "uploadTooLarge": _OUR_REQUEST,
    "accessNotConfigured": _OUR_PROJECT,
    "dailyLimitExceededUnreg": _OUR_PROJECT,
    "keyInvalid": _OUR_PROJECT,
    "keyExpired": _OUR_PROJECT,
    "ipRefererBlocked": _OUR_PROJECT,
    "sslRequired": _OUR_PROJECT,
    # -- details[].reason (google.rpc.ErrorInfo) ---------------------------------------------------------
    "RATE_LIMIT_EXCEEDED": _wait(_PER_MINUTE),
    "RESOURCE_EXHAUSTED_PER_USER": _wait(_PER_MINUTE),
    "ACCESS_TOKEN_SCOPE_INSUFFICIENT": _reauth(),
    "ACCESS_TOKEN_EXPIRED": _reauth(),
    "ACCESS_TOKEN_TYPE_UNSUPPORTED": _reauth(),
    "CREDENTIALS_MISSING": _reauth(),
    "SERVICE_DISABLED": _OUR_PROJECT,
    "API_KEY_INVALID": _OUR_PROJECT,
    "CONSUMER_INVALID": _OUR_PROJECT,
    "USER_PROJECT_DENIED": _OUR_PROJECT,
    # -- status (google.rpc.Code names) ---------------------------------------------------------------------
    "RESOURCE_EXHAUSTED": _wait(_PER_MINUTE),
    "UNAVAILABLE": _retry(),
    "INTERNAL": _retry(),
    "UNKNOWN": _retry(),
    "DEADLINE_EXCEEDED": _retry(),
    "ABORTED": _retry(),
    "CANCELLED": _retry(),
    "UNAUTHENTICATED": _reauth(),
    "PERMISSION_DENIED": _unavailable(),
    "NOT_FOUND": _unavailable(),
    "INVALID_ARGUMENT": _OUR_REQUEST,
    "FAILED_PRECONDITION": _OUR_REQUEST,
    "OUT_OF_RANGE": _OUR_REQUEST,
    "ALREADY_EXISTS": _OUR_REQUEST,
    "UNIMPLEMENTED": _OUR_REQUEST,
    "DATA_LOSS": _OUR_REQUEST,
}
_BY_FOLDED_NAME = {name.casefold(): row for name, row in GOOGLE_ERROR_REASONS.items()}


class GoogleRefused(PermanentProviderError):
    """A permanent refusal the user can act on: `message` says what happened, `action` what to do."""

    code = "google_refused"

    def __init__(self, message: str, *, action: str, reason: str, provider: str, status: int | None) -> None:
        super().__init__(message, provider=provider, status=status)
        self.action = action
        self.reason = reason
        self.details["reason"] = reason


def error_names(body: object) -> list[str]:
    """The names a Google error body gives, most specific first: errors[].reason, details[].reason, status."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return []
    names: list[str] = []
    for key in ("errors", "details"):
        items = error.get(key)
        if isinstance(items, list):
            names += [str(item["reason"]) for item in items if isinstance(item, dict) and item.get("reason")]
    if error.get("status"):
        names.append(str(error["status"]))
    return names


def reason_of(body: object) -> tuple[str, GoogleErrorReason] | None:
    """The first name in the body the table knows, with its row."""
    for name in error_names(body):
        row = _BY_FOLDED_NAME.get(name.casefold())
        if row is not None:
            return name, row
    return None


def _body(response: httpx.Response) -> object:
    try:
        return response.json()
    except ValueError:
        return None


UnavailableFactory = Callable[[str, str, int], ProviderError]


def _file_unavailable(message: str, provider: str, status: int) -> ProviderError:
    return PermanentProviderError(message, provider=provider, status=status)


def classify_google_response(
    provider: str, response: httpx.Response, *, unavailable: UnavailableFactory = _file_unavailable
) -> ProviderError | None:
    """A Google API response as a typed error (None for success), by the table; `unavailable` builds the
    caller's own error for a file that is gone or no longer shared (Sheets: SpreadsheetUnavailable)."""
    status = response.status_code
    if status < 400:
        return None
    body = _body(response)
    found = reason_of(body)
    if found is None:
        return classify_api_response(provider, response)
    name, row = found
    error = body.get("error") if isinstance(body, dict) else None
    text = str(error.get("message", "")) if isinstance(error, dict) else ""
    if row.handling is Handling.WAIT:
        wait = parse_retry_after(response.headers.get("Retry-After")) or row.wait
        return RateLimited(
            f"{provider} is rate limiting requests ({name})", provider=provider, status=status, retry_after=wait
        )
    if row.handling is Handling.RETRY:
        return TransientProviderError(
            f"{provider} is temporarily unavailable ({name})", provider=provider, status=status
        )
    if row.handling is Handling.REAUTH:
        return ReauthRequired(
            f"{provider} no longer accepts this connection's access ({name})", provider=provider, status=status
        )
    if row.handling is Handling.UNAVAILABLE:
        return unavailable(text or f"the file is not available ({name})", provider, status)
    if row.handling is Handling.REJECTED:
        return PermanentProviderError(
            f"{provider} rejected the request (HTTP {status}, {name})", provider=provider, status=status
        )
    return GoogleRefused(row.message, action=row.action, reason=name, provider=provider, status=status)
