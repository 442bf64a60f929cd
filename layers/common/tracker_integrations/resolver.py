"""Powertools' HTTP API resolver, without the rest of its `event_handler` package.

`aws_lambda_powertools/event_handler/__init__.py` imports every resolver Powertools has (AppSync with
asyncio, Bedrock agents, VPC Lattice, Lambda function URLs) to re-export their names; our HTTP
handlers use one of them, and a cold start paid for all the others. Handlers import the resolver from
here: the package is registered without running its `__init__`, and its submodules import as usual.
The first lookup of a name that is not a submodule (someone's `from aws_lambda_powertools.event_handler
import AppSyncResolver`) runs the package's own `__init__` then, so nothing else changes.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys


def _without_package_init(package: str) -> None:
    """Register `package` with its search path but without running its `__init__` until a name needs it."""
    if package in sys.modules:
        return
    spec = importlib.util.find_spec(package)
    if spec is None or spec.loader is None or spec.submodule_search_locations is None:
        return  # not a regular package (or not installed): the ordinary import below decides
    module = importlib.util.module_from_spec(spec)
    loader = spec.loader

    def missing(name: str) -> object:
        try:
            return importlib.import_module(f"{package}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{package}.{name}":
                raise
        # Not a submodule: a name the package's __init__ re-exports. Run it now, once.
        del module.__dict__["__getattr__"]
        loader.exec_module(module)
        found: object = getattr(module, name)
        return found

    module.__dict__["__getattr__"] = missing
    sys.modules[package] = module


_without_package_init("aws_lambda_powertools.event_handler")

from aws_lambda_powertools.event_handler import content_types  # noqa: E402 - after the registration above
from aws_lambda_powertools.event_handler.api_gateway import APIGatewayHttpResolver, Response  # noqa: E402

__all__ = ["APIGatewayHttpResolver", "Response", "content_types"]
