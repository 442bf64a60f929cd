"""Importing a handler (what a cold start does before its first request) loads none of what only some
requests need: the AWS SDK's clients, the HTTP client, crypto, the sync engine, other integrations' models.

Each handler is imported in a fresh interpreter, as Lambda does, and the modules it loaded are read
from `sys.modules` there. What each request then loads is measured by `bench/cold_start.py`."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from local_stack.template import REPO_ROOT, HandlerRef, functions

# Loaded on first use, never by an import: clients, HTTP, crypto, Google's auth, the sync engine, the reply
# classifier, the settings models of integrations no handler imports for, and Powertools' other resolvers
# (AppSync's asyncio) that its event_handler package's __init__ would import.
NEVER_AT_IMPORT = frozenset(
    {
        "boto3",
        "botocore.session",
        "httpx",
        "cryptography",
        "google.auth",
        "email_validator",
        "asyncio",
        "aws_lambda_powertools.event_handler.appsync",
        "tracker_integrations.sync.engine",
        "tracker_integrations.replies",
        "tracker_integrations.models.airtable",
    }
)
# What a handler's own module needs at import beyond that (its route's models or its service's types).
ALSO_AT_IMPORT: dict[str, frozenset[str]] = {
    "FanoutFunction": frozenset({"tracker_integrations.store"}),
    "OAuthCallbackFunction": frozenset({"tracker_integrations.store", "tracker_integrations.crypto"}),
}
LATER = frozenset({"tracker_integrations.store", "tracker_integrations.crypto", "tracker_integrations.models.sheets"})


def _handlers() -> dict[str, str]:
    return {
        name: HandlerRef(code_uri=str(f["Properties"]["CodeUri"]), handler=str(f["Properties"]["Handler"])).module
        for name, f in sorted(functions().items())
    }


def _fresh_interpreter(probe: str) -> str:
    """What `probe` prints, run in a new interpreter with the layer and the functions on its path."""
    path = os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "layers" / "common")])
    out = subprocess.run(  # noqa: S603 - our own interpreter and probe
        [sys.executable, "-c", probe],
        cwd=REPO_ROOT,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": path},  # noqa: TID251 - a fresh interpreter's path
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip().splitlines()[-1]


def _loaded_by_import(module: str) -> set[str]:
    return set(json.loads(_fresh_interpreter(f"import json, sys, {module}; print(json.dumps(sorted(sys.modules)))")))


@pytest.mark.parametrize(("function", "module"), sorted(_handlers().items()))
def test_a_handler_import_loads_only_what_every_request_needs(function: str, module: str) -> None:
    loaded = _loaded_by_import(module)
    forbidden = NEVER_AT_IMPORT | (LATER - ALSO_AT_IMPORT.get(function, frozenset()))
    assert sorted(forbidden & loaded) == []


def test_the_http_resolver_is_the_one_powertools_resolver_loaded() -> None:
    loaded = _loaded_by_import("tracker_integrations.resolver")
    assert "aws_lambda_powertools.event_handler.api_gateway" in loaded
    assert not {m for m in loaded if m.startswith("aws_lambda_powertools.event_handler.bedrock")}


def test_the_other_resolvers_still_import_by_name_after_it() -> None:
    # A name only the package's __init__ defines runs that __init__ then; the names already loaded stay the same.
    probe = (
        "import tracker_integrations.resolver as r\n"
        "from aws_lambda_powertools.event_handler import AppSyncResolver, APIGatewayHttpResolver\n"
        "assert APIGatewayHttpResolver is r.APIGatewayHttpResolver\n"
        "print(AppSyncResolver.__name__)\n"
    )
    assert _fresh_interpreter(probe) == "AppSyncResolver"
