"""Fixtures for the provider sandbox contract tests: a sandbox served over real HTTP at /sandbox.

Each test module overrides `sandbox` to register the OAuth clients it needs.
"""

from collections.abc import Iterator

import httpx
import pytest

from provider_sandbox import ProviderSandbox, RunningSandbox, serve


@pytest.fixture
def sandbox() -> ProviderSandbox:
    return ProviderSandbox()


@pytest.fixture
def running(sandbox: ProviderSandbox) -> Iterator[RunningSandbox]:
    with serve(sandbox, host="127.0.0.1", port=0, mount="/sandbox") as server:
        yield server


@pytest.fixture
def base(running: RunningSandbox) -> str:
    """The sandbox's public base URL: `{base}/{real host}{real path}` stands in for the real endpoint."""
    return running.public_base_url


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10.0) as client:
        yield client
