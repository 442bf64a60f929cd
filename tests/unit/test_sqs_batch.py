"""SQS partial batch responses: only the messages whose handling failed go back to the queue."""

from __future__ import annotations

import pytest

from tracker_integrations.sqs_batch import NotAnSQSBatch, SQSMessage, partial_batch_response


def _event(*bodies: str) -> dict[str, object]:
    return {
        "Records": [{"messageId": f"msg-{i}", "body": body, "eventSource": "aws:sqs"} for i, body in enumerate(bodies)]
    }


def test_only_the_failed_messages_are_reported_and_every_message_is_handled() -> None:
    # GIVEN three messages, the second of which its handler cannot process
    handled: list[str] = []

    def handle(message: SQSMessage) -> None:
        handled.append(message["body"])
        if message["body"] == "poison":
            raise ValueError("cannot parse")

    # WHEN the batch is handled
    response = partial_batch_response(_event("a", "poison", "c"), handle)
    # THEN the failure did not stop the rest, and only its message is named back to Lambda
    assert handled == ["a", "poison", "c"]
    assert response == {"batchItemFailures": [{"itemIdentifier": "msg-1"}]}


def test_a_batch_where_every_message_failed_is_still_reported_message_by_message() -> None:
    # GIVEN a handler that fails every message
    def handle(message: SQSMessage) -> None:
        raise RuntimeError(message["body"])

    # WHEN a batch of two is handled
    response = partial_batch_response(_event("a", "b"), handle)
    # THEN both are reported (raising would make Lambda retry the batch and count a function error)
    assert response == {"batchItemFailures": [{"itemIdentifier": "msg-0"}, {"itemIdentifier": "msg-1"}]}


def test_a_batch_that_succeeds_reports_no_failures() -> None:
    # GIVEN a handler that succeeds
    # WHEN a batch of one is handled
    response = partial_batch_response(_event("a"), lambda message: None)
    # THEN nothing goes back to the queue
    assert response == {"batchItemFailures": []}


@pytest.mark.parametrize("event", [{}, {"Records": []}, {"Records": "not a list"}])
def test_an_event_without_sqs_records_fails_the_invocation(event: dict[str, object]) -> None:
    # GIVEN an event that carries no SQS records (a wiring fault)
    # WHEN it is handled THEN the invocation fails as a whole, naming what is missing
    with pytest.raises(NotAnSQSBatch, match="Records"):
        partial_batch_response(event, lambda message: None)
