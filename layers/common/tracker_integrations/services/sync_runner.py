"""Runs one queued sync job with the provider's sync service."""

from __future__ import annotations

from collections.abc import Callable

from tracker_integrations.errors import NotFound
from tracker_integrations.jobs import SyncJob
from tracker_integrations.models.sync_log import SyncLog
from tracker_integrations.observability import logger
from tracker_integrations.services.sheets_sync import SheetsSync


class SyncRunner:
    def __init__(self, sheets: Callable[[], SheetsSync]) -> None:
        self._sheets = sheets

    def run(self, job: SyncJob) -> SyncLog | None:
        if job.provider != "google-sheets":
            logger.warning("no sync exists for this provider yet; job dropped")
            return None
        try:
            return self._sheets().run(job.user_id)
        except NotFound:
            # Disconnected after the job was queued: nothing to do, and nothing to retry.
            logger.info("connection gone before its sync ran; job dropped")
            return None
