"""Logs never carry tokens, secrets or e-mail addresses, however they are passed in."""

from __future__ import annotations

import io
import json
import logging

from local_stack.events import LambdaContextStub
from tracker_integrations.observability import REDACTED, logger, redact


def test_redact_masks_secret_keys_and_token_shapes_in_nested_data() -> None:
    # GIVEN data with secrets under telling keys and inside free text
    data = {
        "provider": "google",
        "refresh_token": "1//abc",
        "nested": [{"Authorization": "Bearer ya29.xyz"}],
        "note": "user dan@example.com sent ya29.A0AfB_token and 1//0gRefresh",
    }
    # WHEN redacted
    cleaned = redact(data)
    # THEN nothing secret or personal survives, and harmless values do
    text = json.dumps(cleaned)
    for secret in ("1//abc", "ya29", "dan@example.com", "1//0gRefresh"):
        assert secret not in text
    assert cleaned["provider"] == "google"
    assert cleaned["refresh_token"] == REDACTED


def test_logger_output_is_redacted() -> None:
    # GIVEN the application logger writing to a buffer we can read
    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        # WHEN a careless call logs a token in the message and in extra keys
        logger.info("exchanged code for ya29.secret-access", extra={"access_token": "ya29.secret-access", "count": 3})
    finally:
        handler.setStream(previous)
    # THEN the emitted line has neither, and harmless fields survive
    out = buffer.getvalue()
    assert "ya29.secret-access" not in out
    assert '"count":3' in out


def _lines(buffer: io.StringIO) -> list[dict[str, object]]:
    return [json.loads(line) for line in buffer.getvalue().splitlines() if line.startswith("{")]


def test_one_invocations_log_keys_never_reach_later_lines() -> None:
    # GIVEN a sync worker-like handler that tags its lines with the job it runs, and another function's
    # handler running next in the same process (one container, or the local stack)
    @logger.inject_lambda_context
    def run_job(event: dict[str, str], context: LambdaContextStub) -> None:
        logger.append_keys(job_id=event["job_id"])
        logger.info("sync ran")

    @logger.inject_lambda_context
    def list_cards(event: dict[str, str], context: LambdaContextStub) -> None:
        logger.info("cards listed")

    handler = logger.registered_handler
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    previous = handler.setStream(buffer)
    try:
        # WHEN a job runs, then the other handler, then something logs outside any invocation
        run_job({"job_id": "job_123"}, LambdaContextStub(function_name="SyncWorkerFunction"))
        list_cards({}, LambdaContextStub(function_name="IntegrationsApiFunction"))
        logger.info("between invocations")
    finally:
        handler.setStream(previous)
    # THEN only the job's own line carries its id
    by_message = {line["message"]: line for line in _lines(buffer)}
    assert by_message["sync ran"]["job_id"] == "job_123"
    assert "job_id" not in by_message["cards listed"]
    assert by_message["cards listed"]["function_name"] == "IntegrationsApiFunction"
    assert "job_id" not in by_message["between invocations"]
    assert "function_request_id" not in by_message["between invocations"]
