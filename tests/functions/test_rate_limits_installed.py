"""Every function that serves a signed-in route counts its requests against the per-user rate limits."""

from __future__ import annotations

import importlib

import pytest

from local_stack.template import routes
from tracker_integrations.api import rate_limited

USER_FACING = sorted({route.module for route in routes() if route.authorized})


@pytest.mark.parametrize("module", USER_FACING)
def test_every_function_with_signed_in_routes_installs_the_limiter(module: str) -> None:
    # GIVEN a function serving routes behind the JWT authorizer WHEN its app is built THEN the limiter is on it
    assert rate_limited(importlib.import_module(module).app), f"{module} never calls install_rate_limits(app)"


def test_functions_without_a_user_token_are_left_to_the_stage_throttle() -> None:
    open_modules = sorted({route.module for route in routes() if not route.authorized} - set(USER_FACING))
    assert open_modules, "the OAuth callback and the webhooks serve no signed-in route"
    for module in open_modules:
        assert not rate_limited(importlib.import_module(module).app), module
