"""Schemathesis over every route of the published OpenAPI document, against the local stack.

Whatever a client sends (valid by the document, or deliberately not), the API never answers 5xx,
and every 4xx a handler gives is the `{"error": {"code", "message"}}` body. Generation is
derandomized, so each run sends the same cases and a failure reproduces.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from requests.structures import CaseInsensitiveDict
from schemathesis.checks import not_a_server_error

from local_stack.openapi import OPENAPI_PATH
from local_stack.server import RunningStack
from tests.support.api import connect, sign_in

# Hypothesis examples per operation; with schemathesis' own coverage cases, over 5,000 requests in all.
CASES_PER_OPERATION = 170
# A fresh user every few dozen cases, so per-user rate limits never stand in for the checks.
CASES_PER_USER = 40
# API Gateway's own answers (no route matched, authorizer) carry its body, not ours; handlers never do.
_GATEWAY_BODIES = {404: {"message": "Not Found"}, 405: {"message": "Method Not Allowed"}}

# The published document (test_openapi checks it is what the handlers generate and what the stack serves).
schema = schemathesis.openapi.from_path(OPENAPI_PATH)


@dataclass(frozen=True)
class FuzzUser:
    """An agency user with Google Sheets connected, a spreadsheet, a campaign and a pitch: generated
    cases aimed at its real ids get past the lookups into the code behind them."""

    headers: dict[str, str]
    ids: dict[str, str]

    @classmethod
    def sign_up(cls, http: httpx.Client, name: str) -> FuzzUser:
        user = sign_in(http, plan="agency", name=name)
        assert connect(http, user, "google-sheets", login=f"{name}@example.com").connected
        created = http.post("/api/integrations/google-sheets/spreadsheets", headers=user.headers, json={})
        assert created.status_code == 201, created.text
        campaign = http.post("/api/campaigns", headers=user.headers, json={"title": "Fuzz"}).json()
        pitch = http.post(
            f"/api/campaigns/{campaign['campaign_id']}/pitches", headers=user.headers, json={"email": "a@b.example"}
        ).json()
        ids = {"campaign_id": campaign["campaign_id"], "pitch_id": pitch["pitch_id"], "record_id": pitch["pitch_id"]}
        return cls(headers=user.headers, ids=ids)


@dataclass
class FuzzRun:
    """The run's tally (its figures are printed at the end) and the user the next cases act as."""

    http: httpx.Client
    statuses: Counter[int] = field(default_factory=Counter)
    gateway_answers: int = 0
    _user: FuzzUser | None = None
    _calls: int = 0
    _users: int = 0

    def user(self) -> FuzzUser:
        self._calls += 1
        if self._user is None or self._calls % CASES_PER_USER == 1:
            self._users += 1
            self._user = FuzzUser.sign_up(self.http, f"fuzz-{self._users}")
        return self._user

    @property
    def cases(self) -> int:
        return sum(self.statuses.values())

    @property
    def server_errors(self) -> int:
        return sum(n for status, n in self.statuses.items() if status >= 500)


_RUN: list[FuzzRun] = []


@pytest.fixture(scope="module")
def fuzz_run(stack: RunningStack) -> Iterator[FuzzRun]:
    # A hundred users signing up in a few minutes share one OAuth client: Sheets' per-project
    # minute quota is not what this run is about (the sync tests cover it), so it is lifted meanwhile.
    sheets = stack.stack.sandbox.sheets
    limits = (sheets.project_read_requests_per_minute, sheets.project_write_requests_per_minute)
    sheets.project_read_requests_per_minute = sheets.project_write_requests_per_minute = None
    try:
        with httpx.Client(base_url=stack.base_url, timeout=30) as http:
            run = FuzzRun(http)
            _RUN.append(run)
            yield run
    finally:
        sheets.project_read_requests_per_minute, sheets.project_write_requests_per_minute = limits
        sheets.reset_quotas()
    # Jobs the fuzzed "sync now" calls queued must not reach later tests' queues.
    stack.stack.purge_queues()


def error_body(ctx: Any, response: schemathesis.Response, case: schemathesis.Case[Any]) -> bool | None:
    """Every 4xx from a handler is `{"error": {"code": str, "message": str}}`."""
    if not 400 <= response.status_code < 500:
        return None
    body = json.loads(response.content)
    if _GATEWAY_BODIES.get(response.status_code) == body:
        return None
    error = body.get("error") if isinstance(body, dict) else None
    assert isinstance(error, dict), f"{response.status_code} without the error body: {body!r}"
    assert isinstance(error.get("code"), str), f"error without a code: {body!r}"
    assert isinstance(error.get("message"), str), f"error without a message: {body!r}"
    assert error["message"], f"error with an empty message: {body!r}"
    return True


@schema.parametrize()
@settings(
    max_examples=CASES_PER_OPERATION,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_no_request_gets_a_server_error_and_every_4xx_says_why(case: schemathesis.Case[Any], fuzz_run: FuzzRun) -> None:
    user = fuzz_run.user()
    # Our user's token in place of the bearer value schemathesis makes up for the security scheme.
    headers: CaseInsensitiveDict[Any] = CaseInsensitiveDict(case.headers or {})
    headers.update(user.headers)
    case.headers = headers
    # Half the generated ids (by length, so the run stays reproducible) become the user's real ones.
    for name, value in (case.path_parameters or {}).items():
        if name in user.ids and len(str(value)) % 2 == 0:
            case.path_parameters[name] = user.ids[name]
    response = case.call(base_url=str(fuzz_run.http.base_url).rstrip("/"), timeout=30)
    fuzz_run.statuses[response.status_code] += 1
    if _GATEWAY_BODIES.get(response.status_code) == _json_or_none(response.content):
        fuzz_run.gateway_answers += 1
    case.validate_response(response, checks=[not_a_server_error, error_body])


def _json_or_none(content: bytes) -> object:
    try:
        return json.loads(content)
    except ValueError:
        return None


def test_the_fuzz_run_covered_enough_cases_with_no_server_error(capsys: pytest.CaptureFixture[str]) -> None:
    # Runs after the parametrized cases above (same module, defined later).
    assert _RUN, "the schemathesis cases did not run"
    run = _RUN[0]
    summary = (
        f"schemathesis: {run.cases} cases, {run.server_errors} responses 5xx, "
        f"{run.gateway_answers} answered by the gateway, statuses {dict(sorted(run.statuses.items()))}"
    )
    with capsys.disabled():
        sys.stdout.write(f"\n{summary}\n")
    assert run.server_errors == 0, summary
    assert run.cases >= 5000, summary
