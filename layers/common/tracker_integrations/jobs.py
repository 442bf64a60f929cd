"""Sync jobs and the SQS queue that carries them from the API (and schedules) to the sync worker."""

from datetime import datetime
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict

from tracker_integrations.models.connection import ProviderKey

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

SyncReason = Literal["manual", "schedule", "change", "connected"]


class SyncJob(BaseModel):
    """One message: sync this user's connection to this provider."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    job_id: str
    user_id: str
    provider: ProviderKey
    reason: SyncReason
    requested_at: datetime


class SyncJobQueue:
    BATCH = 10  # SQS SendMessageBatch takes at most ten entries

    def __init__(self, client: "SQSClient", queue_url: str) -> None:
        self._sqs = client
        self._url = queue_url

    def enqueue(self, job: SyncJob, *, delay_seconds: int = 0) -> None:
        # SQS delays are capped at 15 minutes.
        delay = max(0, min(int(delay_seconds), 900))
        self._sqs.send_message(QueueUrl=self._url, MessageBody=job.model_dump_json(), DelaySeconds=delay)

    def enqueue_many(self, jobs: list[tuple[SyncJob, int]]) -> int:
        """Send (job, delay) pairs ten per call; returns the number of SendMessageBatch calls made."""
        calls = 0
        for start in range(0, len(jobs), self.BATCH):
            chunk = jobs[start : start + self.BATCH]
            entries = [
                {"Id": str(i), "MessageBody": job.model_dump_json(), "DelaySeconds": max(0, min(delay, 900))}
                for i, (job, delay) in enumerate(chunk)
            ]
            response = self._sqs.send_message_batch(QueueUrl=self._url, Entries=entries)  # type: ignore[arg-type]
            calls += 1
            failed = [e for e in response.get("Failed", []) if not e.get("SenderFault")]
            if failed:
                # Throttled entries: one more try for just those; a second failure surfaces to the schedule's retry.
                retry = [entries[int(f["Id"])] for f in failed]
                self._sqs.send_message_batch(QueueUrl=self._url, Entries=retry)  # type: ignore[arg-type]
                calls += 1
        return calls
