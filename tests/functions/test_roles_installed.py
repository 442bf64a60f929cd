"""Every function that serves a signed-in route checks the caller's role before the route runs."""

from __future__ import annotations

import importlib

import pytest

from local_stack.template import routes
from tracker_integrations.api import role_checked

USER_FACING = sorted({route.module for route in routes() if route.authorized})


@pytest.mark.parametrize("module", USER_FACING)
def test_every_function_with_signed_in_routes_checks_roles(module: str) -> None:
    # GIVEN a function serving routes behind the JWT authorizer WHEN its app is built THEN roles are checked
    assert role_checked(importlib.import_module(module).app), f"{module} never calls install_roles(app)"
