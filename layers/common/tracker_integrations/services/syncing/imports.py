"""`POST /api/integrations/{provider}/import`: one entry for every provider that can bring its rows in.

Each provider's sync brings its own import (reading its rows, naming its sheet or table); the planning
is shared (`sync.importer`), so Google Sheets and, later, Airtable answer in the same shape.
"""

from __future__ import annotations

from tracker_integrations.errors import NotFound
from tracker_integrations.models.imports import ImportRequest, ImportResult
from tracker_integrations.providers.registry import PROVIDERS, find_spec
from tracker_integrations.services.integration_hooks import HooksOf


class Imports:
    def __init__(self, hooks: HooksOf) -> None:
        self._hooks = hooks

    def run(self, user_id: str, provider: str, request: ImportRequest) -> ImportResult:
        spec = find_spec(provider)
        if spec is None or not spec.sync.imports:
            offered = ", ".join(sorted(key for key, spec in PROVIDERS.items() if spec.sync.imports))
            raise NotFound(f"Import is offered for {offered}; '{provider}' has no import (yet).")
        return self._hooks(spec.key).importer().import_rows(user_id, request)
