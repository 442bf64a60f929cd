"""The Gmail webhook's sample event, driven straight into the handler: without Google's signature, 401."""

from __future__ import annotations

import importlib
import json
from typing import Any

from local_stack.events import LambdaContextStub
from local_stack.server import RunningStack
from local_stack.template import REPO_ROOT

EVENTS = REPO_ROOT / "events"


def _invoke(function: str, name: str) -> tuple[int, dict[str, Any]]:
    event: dict[str, Any] = json.loads((EVENTS / name).read_text())
    handler = importlib.import_module(f"functions.{function}.app").lambda_handler
    result = handler(event, LambdaContextStub(function_name=function))
    return int(result["statusCode"]), json.loads(result["body"]) if result.get("body") else {}


def test_the_push_sample_without_a_google_signed_token_is_refused(stack: RunningStack) -> None:
    before = stack.stack.queued_messages("SyncJobsQueue")
    status, body = _invoke("gmail_webhook", "gmail_webhook/push_notification.json")
    assert status == 401
    assert body["error"]["code"] == "unauthenticated"
    assert stack.stack.messages_queued_since("SyncJobsQueue", before) == []


def test_the_reply_category_sample_names_a_pitch_that_does_not_exist(stack: RunningStack) -> None:
    status, body = _invoke("campaigns_api", "campaigns_api/set_reply_category.json")
    assert status == 404
    assert body["error"]["code"] == "not_found"
