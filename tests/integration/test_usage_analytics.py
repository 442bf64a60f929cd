"""The operator's usage analytics over HTTP: counters moved by a connect, 404 for everyone else."""

from __future__ import annotations

import importlib
import json
from typing import Any

import httpx
import pytest

from local_stack.events import LambdaContextStub
from local_stack.server import RunningStack
from local_stack.template import REPO_ROOT
from tests.support.api import connect, sign_in
from tests.support.teams import new_team, sign_in_member, sign_in_operator


def _gmail(http: httpx.Client, headers: dict[str, str]) -> dict[str, Any]:
    response = http.get("/api/analytics/integrations", headers=headers)
    assert response.status_code == 200, response.text
    providers: list[dict[str, Any]] = response.json()["providers"]
    return next(p for p in providers if p["provider"] == "gmail")


def test_a_new_connection_counts_one_more_account_for_its_provider(http: httpx.Client) -> None:
    # GIVEN the operator's figure for Gmail
    operator = sign_in_operator(http)
    before = _gmail(http, operator.headers)["accounts_connected"]

    # WHEN a user connects Gmail
    assert connect(http, sign_in(http, plan="pro"), "gmail").connected

    # THEN one more account has it connected
    assert _gmail(http, operator.headers)["accounts_connected"] == before + 1


@pytest.mark.parametrize("role", ["owner", "admin", "member"])
def test_without_the_operator_claim_the_route_does_not_exist(http: httpx.Client, role: str) -> None:
    member = sign_in_member(http, new_team(), role)

    response = http.get("/api/analytics/integrations", headers=member.headers)

    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "no such route"}}


def test_the_account_api_samples_answer_as_sam_local_invoke_would(stack: RunningStack) -> None:
    handler = importlib.import_module("functions.account_api.app").lambda_handler
    events = REPO_ROOT / "events" / "account_api"

    me = handler(json.loads((events / "me.json").read_text()), LambdaContextStub(function_name="AccountApiFunction"))
    usage = handler(
        json.loads((events / "integration_usage.json").read_text()),
        LambdaContextStub(function_name="AccountApiFunction"),
    )

    assert (me["statusCode"], json.loads(me["body"])["role"]) == (200, "admin")
    assert usage["statusCode"] == 200
    assert [p["provider"] for p in json.loads(usage["body"])["providers"]]
