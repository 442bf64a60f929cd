"""Importing a handler (what a cold start does before its first request) loads none of what only some
requests need: the AWS SDK's clients, the HTTP client, crypto, the sync engine, other integrations' models.

Each handler is imported in a fresh interpreter, as Lambda does, and the modules it loaded are read
from `sys.modules` there. What each request then loads is measured by `bench/cold_start.py`."""

from __future__ import annotations

import importlib
import json

import pytest

from local_stack.template import HandlerRef, functions
from tests.support.fresh_interpreter import fresh_interpreter

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
    # Its body models are module globals: the OpenAPI document is read from them (local_stack/openapi.py).
    "IntegrationsApiFunction": frozenset({"tracker_integrations.models.sheets"}),
}
LATER = frozenset({"tracker_integrations.store", "tracker_integrations.crypto", "tracker_integrations.models.sheets"})


def _handlers() -> dict[str, str]:
    return {
        name: HandlerRef(code_uri=str(f["Properties"]["CodeUri"]), handler=str(f["Properties"]["Handler"])).module
        for name, f in sorted(functions().items())
    }


def _loaded_by_import(module: str) -> set[str]:
    return set(json.loads(fresh_interpreter(f"import json, sys, {module}; print(json.dumps(sorted(sys.modules)))")))


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
    assert fresh_interpreter(probe) == "AppSyncResolver"


@pytest.mark.parametrize("function", sorted(_handlers()))
def test_every_handler_ends_its_first_invocation_through_the_logger_wrapper(function: str) -> None:
    # That wrapper resumes the garbage collector a Lambda cold start pauses (tracker_integrations.cold_start).
    ref = functions()[function]["Properties"]
    handler = HandlerRef(code_uri=str(ref["CodeUri"]), handler=str(ref["Handler"]))
    entry = getattr(importlib.import_module(handler.module), handler.function_name)
    assert entry.__code__.co_name == "scoped"
