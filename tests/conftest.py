"""Shared fixtures: one local stack per test session (moto + provider sandbox + API on a free port).

Tests isolate themselves by user: every test signs in fresh users with unique names, so data never
leaks between tests even though moto's state lives for the session.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from local_stack.server import RunningStack, serve_local_stack
from provider_sandbox import ProviderSandbox
from tests.support.api import ConnectOutcome, LocalUser, connect, sign_in


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    running = serve_local_stack("127.0.0.1", 0, state_dir=Path(tmp_path_factory.mktemp("local-stack")), quiet=True)
    yield running
    running.stop()


@pytest.fixture
def sandbox(stack: RunningStack) -> Iterator[ProviderSandbox]:
    yield stack.stack.sandbox
    stack.stack.sandbox.clear_faults()


@pytest.fixture
def http(stack: RunningStack) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=stack.base_url, follow_redirects=False, timeout=30) as client:
        yield client


@pytest.fixture
def new_user(http: httpx.Client) -> Callable[..., LocalUser]:
    def make(plan: str = "free") -> LocalUser:
        return sign_in(http, plan=plan)

    return make


@pytest.fixture
def user(new_user: Callable[..., LocalUser]) -> LocalUser:
    return new_user("free")


@pytest.fixture
def connect_provider(http: httpx.Client) -> Callable[[LocalUser, str], ConnectOutcome]:
    def run(user: LocalUser, provider: str) -> ConnectOutcome:
        return connect(http, user, provider)

    return run
