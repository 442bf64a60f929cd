"""`POST /api/integrations/{provider}/import`: one entry for every provider that can bring its rows in.

Each provider's sync brings its own import (reading its rows, naming its sheet or table); the planning
is shared (`sync.importer`), so Google Sheets and, later, Airtable answer in the same shape.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

from tracker_integrations.errors import NotFound
from tracker_integrations.models.imports import ImportRequest, ImportResult


class RowImport(Protocol):
    def import_rows(self, user_id: str, request: ImportRequest) -> ImportResult: ...


class Imports:
    def __init__(self, providers: Mapping[str, Callable[[], RowImport]]) -> None:
        self._providers = providers

    def run(self, user_id: str, provider: str, request: ImportRequest) -> ImportResult:
        build = self._providers.get(provider)
        if build is None:
            offered = ", ".join(sorted(self._providers))
            raise NotFound(f"Import is offered for {offered}; '{provider}' has no import (yet).")
        return build().import_rows(user_id, request)
