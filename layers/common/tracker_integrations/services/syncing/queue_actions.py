"""What a sync job's failure does to the queue: one table, read top to bottom, first match wins.

The run itself has already recorded what the user sees (card, sync log, notification: `sync_frame`),
and acknowledged what only the user can fix (needs_reauth, a refusal it can explain); this decides
only what happens to the message for what the run lets through. Everything not in the table fails the message: it
returns after the visibility timeout and, once it has failed `maxReceiveCount` times, the DLQ takes it.
"""

from __future__ import annotations

from enum import StrEnum

from tracker_integrations.errors import (
    NotFound,
    PermanentProviderError,
    RateLimited,
    SyncInProgress,
    TrackerError,
    TransientProviderError,
)


class DuplicateJob(TrackerError):
    """A sync started after this job was requested: that run already covered it."""

    code = "duplicate_job"


class QueueAction(StrEnum):
    DROP = "drop"  # acknowledge: nothing left to do (connection gone, a duplicate, recorded for the user)
    WAIT_FOR_RUN = "wait_for_run"  # leave the job on the running sync's lease; that run queues it when it ends
    DELAY = "delay"  # re-queue with the provider's wait as the SQS delay, acknowledge this delivery
    RETRY = "retry"  # fail the message: back after the visibility timeout, to the DLQ once it keeps failing


QUEUE_ACTIONS: tuple[tuple[type[Exception], QueueAction], ...] = (
    (DuplicateJob, QueueAction.DROP),
    (NotFound, QueueAction.DROP),  # disconnected after the job was queued
    (SyncInProgress, QueueAction.WAIT_FOR_RUN),
    (RateLimited, QueueAction.DELAY),  # a wait does not burn one of the message's bounded receives
    (TransientProviderError, QueueAction.RETRY),
    (PermanentProviderError, QueueAction.RETRY),  # one the provider's sync could not explain: DLQ and alarm
)


def queue_action(failure: Exception) -> QueueAction:
    for kind, action in QUEUE_ACTIONS:
        if isinstance(failure, kind):
            return action
    return QueueAction.RETRY
