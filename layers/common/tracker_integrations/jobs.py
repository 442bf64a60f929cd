"""Sync jobs and the SQS queue that carries them from the API (and schedules) to the sync worker."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict

from tracker_integrations.models.connection import ProviderKey

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

SyncReason = Literal["manual", "schedule", "change"]


class SyncJob(BaseModel):
    """One message: sync this user's connection to this provider."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    job_id: str
    user_id: str
    provider: ProviderKey
    reason: SyncReason
    requested_at: datetime


class SyncJobQueue:
    def __init__(self, client: SQSClient, queue_url: str) -> None:
        self._sqs = client
        self._url = queue_url

    def enqueue(self, job: SyncJob, *, delay_seconds: int = 0) -> None:
        # SQS delays are capped at 15 minutes.
        delay = max(0, min(int(delay_seconds), 900))
        self._sqs.send_message(QueueUrl=self._url, MessageBody=job.model_dump_json(), DelaySeconds=delay)
