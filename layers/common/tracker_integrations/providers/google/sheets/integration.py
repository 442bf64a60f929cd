"""Google Sheets' part in the platform: its services, built from the root, and its hooks into the generic ones.

Its own settings (spreadsheet, tab, mapping) are checked against the sheet itself; its push is a Drive
channel on the synced spreadsheet, closed at disconnect.
"""

from __future__ import annotations

from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from tracker_integrations.models.connection import Connection
from tracker_integrations.providers.google.sheets.channels import ChannelStore
from tracker_integrations.services.integration_hooks import IntegrationHooks
from tracker_integrations.validation import parse_model

if TYPE_CHECKING:
    from tracker_integrations.providers.google.sheets.drive_watch import DriveWatches
    from tracker_integrations.providers.google.sheets.setup import SheetsSetup
    from tracker_integrations.providers.google.sheets.sync import SheetsSync
    from tracker_integrations.services.integrations import IntegrationDetail
    from tracker_integrations.wiring import Root


class SheetsIntegration(IntegrationHooks):
    def __init__(self, root: Root) -> None:
        self._root = root

    # -- services (per process: the Drive channel store; the rest per call) -----------------------

    @cached_property
    def channels(self) -> ChannelStore:
        return ChannelStore(self._root.dynamodb, self._root.settings.integrations_table)

    def sync(self) -> SheetsSync:
        from tracker_integrations.providers.google.sheets.sync import SheetsStorage, SheetsSync
        from tracker_integrations.store.journal import CreationJournal

        root = self._root
        storage = SheetsStorage(
            states=root.sync_state_store, journal=CreationJournal(root.dynamodb, root.settings.integrations_table)
        )
        return SheetsSync(root.run_services(), root.campaigns_service(), storage, self.drive_watches())

    def importer(self) -> SheetsSync:
        return self.sync()

    def setup(self) -> SheetsSetup:
        from tracker_integrations.providers.google.sheets.setup import SheetsSetup

        root = self._root
        return SheetsSetup(root.integrations_store, root.token_service(), root.integrations_service(), root.settings)

    def drive_watches(self) -> DriveWatches:
        from tracker_integrations.providers.google.sheets.drive_watch import DriveWatches

        return DriveWatches(self.channels, self._root.realtime, self._root.settings)

    # -- hooks ------------------------------------------------------------------------------------

    def configure(self, user_id: str, body: dict[str, Any]) -> IntegrationDetail:
        from tracker_integrations.models.sheets_requests import SheetsSettingsUpdate

        return self.setup().configure(user_id, parse_model(SheetsSettingsUpdate, body))

    def push_live_until(self, connection: Connection, *, run_started: datetime | None = None) -> datetime | None:
        if run_started is None:
            channel = self.channels.current(connection.user_id, connection.provider)
        else:
            channel = self.channels.current_since(connection.user_id, connection.provider, run_started)
        return None if channel is None else channel.expires_at

    def disconnecting(self, connection: Connection, access_token: str | None) -> None:
        self.drive_watches().close(connection, access_token)


def build(root: Root) -> SheetsIntegration:
    return SheetsIntegration(root)
