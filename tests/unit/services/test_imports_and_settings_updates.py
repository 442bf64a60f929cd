"""The two entry points that hand a request to the integration that owns it: import, and own settings."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.fakes import RecordingHooks
from tracker_integrations.errors import NotFound
from tracker_integrations.models.connection import ProviderKey
from tracker_integrations.models.imports import ImportRequest, ImportResult
from tracker_integrations.models.settings import SettingsUpdate
from tracker_integrations.services.integrations import IntegrationDetail, IntegrationsService
from tracker_integrations.services.scheduling.realtime import RealTime
from tracker_integrations.services.settings_updates import SettingsUpdates
from tracker_integrations.services.syncing.imports import Imports


class RecordingImport:
    def __init__(self) -> None:
        self.requests: list[ImportRequest] = []

    def import_rows(self, user_id: str, request: ImportRequest) -> ImportResult:
        self.requests.append(request)
        return ImportResult(
            dry_run=request.dry_run, source="test", created=0, updated=0, skipped=0, campaigns=[], rows=[]
        )


class ImportingHooks(RecordingHooks):
    def __init__(self) -> None:
        super().__init__()
        self.rows = RecordingImport()

    def importer(self) -> RecordingImport:
        return self.rows


def test_an_import_goes_to_the_integration_that_offers_it() -> None:
    # GIVEN Sheets, whose spec offers an import
    hooks = ImportingHooks()
    imports = Imports(lambda provider: hooks)
    # WHEN a preview is asked THEN Sheets' import answers it
    result = imports.run("usr_1", "google-sheets", ImportRequest(dry_run=True))
    assert result.dry_run
    assert [r.dry_run for r in hooks.rows.requests] == [True]


@pytest.mark.parametrize("provider", ["gmail", "no-such-provider"])
def test_an_import_elsewhere_says_where_it_is_offered(provider: str) -> None:
    # GIVEN an integration without an import (or no integration at all)
    imports = Imports(lambda key: ImportingHooks())
    # WHEN an import is asked THEN the answer names the integrations that have one
    with pytest.raises(NotFound, match="offered for airtable, google-sheets"):
        imports.run("usr_1", provider, ImportRequest(dry_run=True))


DETAIL = IntegrationDetail.model_validate(
    {
        "integration": {
            "provider": "google-sheets",
            "name": "Google Sheets",
            "description": "",
            "status": "connected",
            "configured": True,
        },
        "settings": {},
    }
)


class OwnSettingsHooks(RecordingHooks):
    def __init__(self) -> None:
        super().__init__()
        self.configured: list[dict[str, Any]] = []

    def configure(self, user_id: str, body: dict[str, Any]) -> IntegrationDetail | None:
        self.configured.append(body)
        return DETAIL


class RecordingCards(IntegrationsService):
    def __init__(self) -> None:
        self.updates: list[SettingsUpdate] = []

    def update_settings(self, user_id: str, provider: str, update: SettingsUpdate) -> IntegrationDetail:
        self.updates.append(update)
        return DETAIL


class RecordingRealTime(RealTime):
    def __init__(self) -> None:
        self.changed: list[ProviderKey] = []

    def provider_changed(self, user_id: str, provider: ProviderKey) -> bool:
        self.changed.append(provider)
        return False


class Updates:
    def __init__(self) -> None:
        self.hooks = OwnSettingsHooks()
        self.cards = RecordingCards()
        self.realtime = RecordingRealTime()
        self.updates = SettingsUpdates(self.cards, lambda provider: self.hooks, lambda: self.realtime)


def test_a_body_with_the_integrations_own_fields_goes_to_the_integration() -> None:
    # GIVEN a settings body naming a spreadsheet
    given = Updates()
    body = {"version": 3, "spreadsheet_id": "sheet_0123456789"}
    # WHEN it is applied THEN Sheets checks it, the shared settings are not touched, and the next tick syncs
    given.updates.apply("usr_1", "google-sheets", body)
    assert given.hooks.configured == [body]
    assert given.cards.updates == []
    assert given.realtime.changed == ["google-sheets"]


def test_a_body_with_only_shared_fields_changes_the_shared_settings() -> None:
    # GIVEN a body that only pauses the connection
    given = Updates()
    # WHEN it is applied THEN the shared settings change, without asking the integration
    given.updates.apply("usr_1", "gmail", {"version": 2, "paused": True})
    assert given.hooks.configured == []
    assert given.cards.updates == [SettingsUpdate(version=2, paused=True)]
    assert given.realtime.changed == ["gmail"]
