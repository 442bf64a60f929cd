"""No module that declares a pydantic model postpones its annotations (`from __future__ import annotations`).

Pydantic reads a model's field types when the class is built. Postponed, every annotation is a string it
must evaluate again in the module's namespace, which was about a third of each model's build: a cold start
builds some seventy models at import (the sync worker's first job measured 1.58x -> 1.47x of the floor
without them). A name such a module needs only for type checking, or a class it names before defining, is
quoted where it is used instead."""

import __future__

import importlib
import pkgutil
from types import ModuleType

from pydantic import BaseModel

import tracker_integrations


def _package_modules() -> list[ModuleType]:
    return [
        importlib.import_module(info.name)
        for info in pkgutil.walk_packages(tracker_integrations.__path__, f"{tracker_integrations.__name__}.")
        if not info.name.endswith(".__main__")  # a command line, which runs when imported
    ]


def _declares_a_model(module: ModuleType) -> bool:
    return any(
        isinstance(value, type) and issubclass(value, BaseModel) and value.__module__ == module.__name__
        for value in vars(module).values()
    )


def test_modules_declaring_pydantic_models_do_not_postpone_annotations() -> None:
    # GIVEN every module of the package WHEN the ones declaring a model are read
    declaring = [module for module in _package_modules() if _declares_a_model(module)]
    # THEN there are such modules, and none of them bound `annotations` from __future__
    assert len(declaring) > 30
    postponed = [m.__name__ for m in declaring if vars(m).get("annotations") is __future__.annotations]
    assert postponed == []
