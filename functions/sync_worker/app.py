"""SQS worker: runs the sync jobs the API (and later the schedules) queue, one message per connection.

Partial batch responses: a job that must be retried (rate limit, provider outage) fails alone and
returns after the visibility timeout; the DLQ takes what keeps failing.
"""

from __future__ import annotations

import json
from typing import Any

from aws_lambda_powertools.utilities.typing import LambdaContext

from tracker_integrations import wiring
from tracker_integrations.jobs import SyncJob
from tracker_integrations.observability import logger, metrics
from tracker_integrations.sqs_batch import PartialBatchResponse, SQSMessage, partial_batch_response
from tracker_integrations.validation import parse_model


def run_job(record: SQSMessage) -> None:
    job = parse_model(SyncJob, json.loads(record["body"]))
    # Scoped to this record: the next record's lines (even a malformed one's) must not carry this job.
    with logger.append_context_keys(job_id=job.job_id, provider=job.provider):
        wiring.sync_runner().run(job)


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialBatchResponse:
    return partial_batch_response(event, run_job)
