"""The caller's identity from the JWT claims API Gateway passes on (strings, as its authorizer does)."""

from __future__ import annotations

import importlib
import json
from typing import Any

import pytest

from local_stack.events import LambdaContextStub
from local_stack.server import RunningStack
from local_stack.template import REPO_ROOT

ME = REPO_ROOT / "events" / "account_api" / "me.json"


def _me(stack: RunningStack, **claims: str | None) -> tuple[int, dict[str, Any]]:
    event: dict[str, Any] = json.loads(ME.read_text())
    jwt_claims = event["requestContext"]["authorizer"]["jwt"]["claims"]
    for name, value in claims.items():
        if value is None:
            jwt_claims.pop(name, None)
        else:
            jwt_claims[name] = value
    handler = importlib.import_module("functions.account_api.app").lambda_handler
    result = handler(event, LambdaContextStub(function_name="AccountApiFunction"))
    return int(result["statusCode"]), json.loads(result["body"])


def test_a_team_token_without_a_role_grants_the_least(stack: RunningStack) -> None:
    status, body = _me(stack, team_role=None)
    assert (status, body["team_id"], body["role"]) == (200, "agency-sample", "member")


@pytest.mark.parametrize(("claim", "value"), [("team_role", "superuser"), ("team_id", "a team/with slashes")])
def test_a_team_or_role_this_api_does_not_know_is_refused_as_unauthenticated(
    stack: RunningStack, claim: str, value: str
) -> None:
    status, body = _me(stack, **{claim: value})
    assert (status, body["error"]["code"]) == (401, "unauthenticated")


def test_a_user_id_shaped_like_a_team_account_is_refused(stack: RunningStack) -> None:
    status, _ = _me(stack, sub="team:agency-sample", team_id=None, team_role=None)
    assert status == 401
