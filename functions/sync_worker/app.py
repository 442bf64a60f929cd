"""SQS worker: runs the sync jobs the API (and later the schedules) queue, one message per connection.

Partial batch responses: a job that must be retried (rate limit, provider outage) fails alone and
returns after the visibility timeout; the DLQ takes what keeps failing.
"""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.batch.types import PartialItemFailureResponse
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord
from aws_lambda_powertools.utilities.typing import LambdaContext

from tracker_integrations import wiring
from tracker_integrations.jobs import SyncJob
from tracker_integrations.observability import logger, metrics
from tracker_integrations.validation import parse_model

# A batch where every job failed still reports them item by item (Lambda would otherwise retry the
# whole invocation and count it as a function error).
processor = BatchProcessor(event_type=EventType.SQS, raise_on_entire_batch_failure=False)


def run_job(record: SQSRecord) -> None:
    job = parse_model(SyncJob, record.json_body)
    # Scoped to this record: the next record's lines (even a malformed one's) must not carry this job.
    with logger.append_context_keys(job_id=job.job_id, provider=job.provider):
        wiring.sync_runner().run(job)


@logger.inject_lambda_context
@metrics.log_metrics
def lambda_handler(event: dict[str, Any], context: LambdaContext) -> PartialItemFailureResponse:
    return process_partial_response(event=event, record_handler=run_job, processor=processor, context=context)
