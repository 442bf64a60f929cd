"""Every Google error reason in the table, asserted one by one: what a Sheets/Drive/Gmail call turns it into."""

from __future__ import annotations

import httpx
import pytest

from tracker_integrations.errors import (
    PermanentProviderError,
    ProviderError,
    RateLimited,
    ReauthRequired,
    TransientProviderError,
)
from tracker_integrations.providers.google.errors import (
    GOOGLE_ERROR_REASONS,
    GoogleRefused,
    classify_google_response,
)
from tracker_integrations.providers.google.sheets.client import SpreadsheetUnavailable, _classify

# google.rpc.Code names arrive in error.status; ErrorInfo reasons in error.details[]; the rest in errors[].
STATUS_NAMES = {
    "RESOURCE_EXHAUSTED": 429,
    "UNAVAILABLE": 503,
    "INTERNAL": 500,
    "UNKNOWN": 500,
    "DEADLINE_EXCEEDED": 504,
    "ABORTED": 409,
    "CANCELLED": 499,
    "UNAUTHENTICATED": 401,
    "PERMISSION_DENIED": 403,
    "NOT_FOUND": 404,
    "INVALID_ARGUMENT": 400,
    "FAILED_PRECONDITION": 400,
    "OUT_OF_RANGE": 400,
    "ALREADY_EXISTS": 409,
    "UNIMPLEMENTED": 501,
    "DATA_LOSS": 500,
}
ERROR_INFO_NAMES = {
    "RATE_LIMIT_EXCEEDED": 429,
    "RESOURCE_EXHAUSTED_PER_USER": 429,
    "ACCESS_TOKEN_SCOPE_INSUFFICIENT": 403,
    "ACCESS_TOKEN_EXPIRED": 401,
    "ACCESS_TOKEN_TYPE_UNSUPPORTED": 401,
    "CREDENTIALS_MISSING": 401,
    "SERVICE_DISABLED": 403,
    "API_KEY_INVALID": 400,
    "CONSUMER_INVALID": 403,
    "USER_PROJECT_DENIED": 403,
}
# The HTTP status Google sends each legacy reason with (Drive's handle-errors guide, Google JSON standard errors).
LEGACY_STATUS = {
    "rateLimitExceeded": 403,
    "userRateLimitExceeded": 403,
    "rateLimitExceededUnreg": 403,
    "userRateLimitExceededUnreg": 403,
    "quotaExceeded": 403,
    "limitExceeded": 403,
    "concurrentLimitExceeded": 403,
    "servingLimitExceeded": 403,
    "variableTermLimitExceeded": 403,
    "dailyLimitExceeded": 403,
    "sharingRateLimitExceeded": 403,
    "backendError": 500,
    "internalError": 500,
    "backendNotConnected": 503,
    "notReady": 503,
    "authError": 401,
    "unauthorized": 401,
    "expired": 401,
    "insufficientPermissions": 403,
    "accountDeleted": 403,
    "accountDisabled": 403,
    "accountUnverified": 403,
    "notFound": 404,
    "deleted": 410,
    "forbidden": 403,
    "appNotAuthorizedToFile": 403,
    "insufficientFilePermissions": 403,
    "teamDriveMembershipRequired": 403,
    "domainPolicy": 403,
    "storageQuotaExceeded": 403,
    "activeItemCreationLimitExceeded": 403,
    "teamDriveFileLimitExceeded": 403,
    "numChildrenInNonRootLimitExceeded": 403,
    "badRequest": 400,
    "invalid": 400,
    "invalidParameter": 400,
    "invalidQuery": 400,
    "invalidSharingRequest": 400,
    "required": 400,
    "parseError": 400,
    "conditionNotMet": 412,
    "conflict": 409,
    "duplicate": 409,
    "notImplemented": 501,
    "responseTooLarge": 403,
    "uploadTooLarge": 413,
    "accessNotConfigured": 403,
    "dailyLimitExceededUnreg": 403,
    "keyInvalid": 400,
    "keyExpired": 400,
    "ipRefererBlocked": 403,
    "sslRequired": 403,
}

_PER_MINUTE = ("wait", 30.0)
_DAILY = ("wait", 3600.0)
# What each reason must become: written out here, not read from the table, so a wrong row fails.
EXPECTED: dict[str, tuple[str, float] | str] = {
    "rateLimitExceeded": _PER_MINUTE,
    "userRateLimitExceeded": _PER_MINUTE,
    "rateLimitExceededUnreg": _PER_MINUTE,
    "userRateLimitExceededUnreg": _PER_MINUTE,
    "quotaExceeded": _PER_MINUTE,
    "limitExceeded": _PER_MINUTE,
    "concurrentLimitExceeded": ("wait", 10.0),
    "servingLimitExceeded": _PER_MINUTE,
    "variableTermLimitExceeded": _DAILY,
    "dailyLimitExceeded": _DAILY,
    "sharingRateLimitExceeded": _DAILY,
    "RATE_LIMIT_EXCEEDED": _PER_MINUTE,
    "RESOURCE_EXHAUSTED_PER_USER": _PER_MINUTE,
    "RESOURCE_EXHAUSTED": _PER_MINUTE,
    "backendError": "retry",
    "internalError": "retry",
    "backendNotConnected": "retry",
    "notReady": "retry",
    "UNAVAILABLE": "retry",
    "INTERNAL": "retry",
    "UNKNOWN": "retry",
    "DEADLINE_EXCEEDED": "retry",
    "ABORTED": "retry",
    "CANCELLED": "retry",
    "authError": "reauth",
    "unauthorized": "reauth",
    "expired": "reauth",
    "insufficientPermissions": "reauth",
    "accountDeleted": "reauth",
    "accountDisabled": "reauth",
    "accountUnverified": "reauth",
    "ACCESS_TOKEN_SCOPE_INSUFFICIENT": "reauth",
    "ACCESS_TOKEN_EXPIRED": "reauth",
    "ACCESS_TOKEN_TYPE_UNSUPPORTED": "reauth",
    "CREDENTIALS_MISSING": "reauth",
    "UNAUTHENTICATED": "reauth",
    "notFound": "unavailable",
    "deleted": "unavailable",
    "forbidden": "unavailable",
    "appNotAuthorizedToFile": "unavailable",
    "insufficientFilePermissions": "unavailable",
    "teamDriveMembershipRequired": "unavailable",
    "PERMISSION_DENIED": "unavailable",
    "NOT_FOUND": "unavailable",
    "domainPolicy": "user:administrator",
    "storageQuotaExceeded": "user:Free up space",
    "activeItemCreationLimitExceeded": "user:Delete files",
    "teamDriveFileLimitExceeded": "user:another drive",
    "numChildrenInNonRootLimitExceeded": "user:another folder",
    "badRequest": "ours",
    "invalid": "ours",
    "invalidParameter": "ours",
    "invalidQuery": "ours",
    "invalidSharingRequest": "ours",
    "required": "ours",
    "parseError": "ours",
    "conditionNotMet": "ours",
    "conflict": "ours",
    "duplicate": "ours",
    "notImplemented": "ours",
    "responseTooLarge": "ours",
    "uploadTooLarge": "ours",
    "INVALID_ARGUMENT": "ours",
    "FAILED_PRECONDITION": "ours",
    "OUT_OF_RANGE": "ours",
    "ALREADY_EXISTS": "ours",
    "UNIMPLEMENTED": "ours",
    "DATA_LOSS": "ours",
    "accessNotConfigured": "ours",
    "dailyLimitExceededUnreg": "ours",
    "keyInvalid": "ours",
    "keyExpired": "ours",
    "ipRefererBlocked": "ours",
    "sslRequired": "ours",
    "SERVICE_DISABLED": "ours",
    "API_KEY_INVALID": "ours",
    "CONSUMER_INVALID": "ours",
    "USER_PROJECT_DENIED": "ours",
}


def google_error(name: str) -> httpx.Response:
    """Google's envelope carrying `name` where Google puts that kind of name."""
    if name in STATUS_NAMES:
        status = STATUS_NAMES[name]
        return httpx.Response(status, json={"error": {"code": status, "message": "m", "status": name}})
    if name in ERROR_INFO_NAMES:
        status = ERROR_INFO_NAMES[name]
        info = {"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": name, "domain": "googleapis.com"}
        return httpx.Response(status, json={"error": {"code": status, "message": "m", "details": [info]}})
    status = LEGACY_STATUS[name]
    item = {"domain": "global", "reason": name, "message": "m"}
    return httpx.Response(status, json={"error": {"code": status, "message": "m", "errors": [item]}})


def test_every_row_of_the_table_has_an_expectation_and_a_place_in_the_body() -> None:
    assert set(EXPECTED) == set(GOOGLE_ERROR_REASONS)
    assert set(GOOGLE_ERROR_REASONS) <= set(STATUS_NAMES) | set(ERROR_INFO_NAMES) | set(LEGACY_STATUS)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_google_reason_is_classified_as_the_table_says(name: str) -> None:
    # GIVEN Google answers with this reason
    # WHEN a Google client classifies the answer
    error = classify_google_response("google", google_error(name))
    # THEN the caller gets the error class that says what to do about it
    expected = EXPECTED[name]
    assert error is not None
    if isinstance(expected, tuple):
        assert isinstance(error, RateLimited)
        assert error.retry_after == expected[1]
    elif expected == "retry":
        assert type(error) is TransientProviderError
    elif expected == "reauth":
        assert type(error) is ReauthRequired
    elif expected == "unavailable":
        assert type(error) is PermanentProviderError
        assert error.message == "m"  # Google's own words about the file, for the caller to wrap
    elif expected == "ours":
        # Tracker's request or project: no user action; the caller says "refused, try later or contact support"
        assert type(error) is PermanentProviderError
        assert name in error.message
    else:
        assert isinstance(error, GoogleRefused)
        assert error.reason == name
        assert expected.removeprefix("user:") in error.action


def test_drive_403_rate_limit_is_a_rate_limit_not_an_unavailable_spreadsheet() -> None:
    # GIVEN Drive's 403 rateLimitExceeded (the project-wide limit), status PERMISSION_DENIED as Google sends
    body = {
        "error": {
            "code": 403,
            "message": "Rate Limit Exceeded",
            "errors": [{"domain": "usageLimits", "reason": "rateLimitExceeded", "message": "Rate Limit Exceeded"}],
            "status": "PERMISSION_DENIED",
        }
    }
    # WHEN the Sheets/Drive client classifies it
    error = _classify("google", httpx.Response(403, json=body))
    # THEN it is a temporary limit to wait out, not a spreadsheet gone for good
    assert isinstance(error, RateLimited)
    assert not isinstance(error, SpreadsheetUnavailable)


@pytest.mark.parametrize("name", ["RATELIMITEXCEEDED", "ratelimitexceeded", "UserRateLimitExceeded"])
def test_reasons_match_whatever_their_case(name: str) -> None:
    item = {"domain": "usageLimits", "reason": name}
    response = httpx.Response(403, json={"error": {"code": 403, "message": "m", "errors": [item]}})
    assert isinstance(classify_google_response("google", response), RateLimited)


def test_retry_after_from_google_beats_the_rows_wait() -> None:
    item = {"domain": "usageLimits", "reason": "userRateLimitExceeded"}
    response = httpx.Response(
        403, json={"error": {"code": 403, "message": "m", "errors": [item]}}, headers={"Retry-After": "4"}
    )
    error = classify_google_response("google", response)
    assert isinstance(error, RateLimited)
    assert error.retry_after == 4.0


def test_an_unknown_reason_falls_back_to_the_http_status() -> None:
    item = {"reason": "somethingNew"}
    error: ProviderError | None = classify_google_response(
        "google", httpx.Response(503, json={"error": {"code": 503, "errors": [item]}})
    )
    assert type(error) is TransientProviderError
    assert classify_google_response("google", httpx.Response(200, json={})) is None


def test_sheets_names_a_removed_spreadsheet_and_a_renamed_tab() -> None:
    gone = httpx.Response(
        404, json={"error": {"code": 404, "message": "Requested entity was not found.", "status": "NOT_FOUND"}}
    )
    assert isinstance(_classify("google", gone), SpreadsheetUnavailable)
    denied = httpx.Response(
        403,
        json={"error": {"code": 403, "message": "The caller does not have permission", "status": "PERMISSION_DENIED"}},
    )
    assert isinstance(_classify("google", denied), SpreadsheetUnavailable)
