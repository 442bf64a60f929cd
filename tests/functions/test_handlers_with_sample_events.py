"""The events/ samples (what `sam local invoke -e` uses) driven straight into each handler, AWS in moto."""

from __future__ import annotations

import importlib
import json
import uuid
from pathlib import Path
from typing import Any

import pytest

from local_stack.events import LambdaContextStub
from local_stack.server import RunningStack
from local_stack.template import REPO_ROOT, functions, routes
from tracker_integrations import wiring
from tracker_integrations.services.campaigns import CampaignsService

EVENTS = REPO_ROOT / "events"


def _event(name: str, user: str | None = None, **path_parameters: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / name).read_text())
    if user is not None:
        event["requestContext"]["authorizer"]["jwt"]["claims"]["sub"] = user
    for key, value in path_parameters.items():
        event["pathParameters"][key] = value
        event["rawPath"] = event["rawPath"].replace("cmp_sample", value)
    return event


def _invoke(function: str, event: dict[str, Any]) -> tuple[int, dict[str, Any], dict[str, str]]:
    handler = importlib.import_module(f"functions.{function}.app").lambda_handler
    result = handler(event, LambdaContextStub(function_name=function))
    body = json.loads(result["body"]) if result.get("body") else {}
    return int(result["statusCode"]), body, dict(result.get("headers") or {})


@pytest.fixture
def sample_user(stack: RunningStack) -> str:
    return f"sample-{uuid.uuid4().hex[:10]}"


def test_every_function_in_the_template_has_sample_events() -> None:
    # GIVEN every function template.yaml deploys (its code folder under functions/)
    folders = {Path(str(f["Properties"]["CodeUri"])).name for f in functions().values()}
    assert len(folders) == len(functions())
    # THEN each has a sample for `sam local invoke -e`
    assert [folder for folder in sorted(folders) if not list((EVENTS / folder).glob("*.json"))] == []


def test_list_integrations_sample_returns_every_card(sample_user: str) -> None:
    status, body, _ = _invoke("integrations_api", _event("integrations_api/list_integrations.json", sample_user))
    assert status == 200
    assert [c["provider"] for c in body["integrations"]] == [
        "google-sheets",
        "gmail",
        "airtable",
        "mailchimp",
        "google-drive",
    ]


def test_connect_sample_returns_the_consent_url(sample_user: str, stack: RunningStack) -> None:
    status, body, _ = _invoke("integrations_api", _event("integrations_api/connect.json", sample_user))
    assert status == 200
    assert body["authorization_url"].startswith(f"{stack.base_url}/sandbox/accounts.google.com/o/oauth2/v2/auth?")


def test_settings_sample_on_an_unconnected_integration_is_a_clear_404(sample_user: str) -> None:
    status, body, _ = _invoke("integrations_api", _event("integrations_api/update_settings.json", sample_user))
    assert status == 404
    assert body["error"]["message"] == "Google Sheets is not connected: connect it first"


def test_sync_logs_sample_lists_no_runs_for_a_new_user(sample_user: str) -> None:
    status, body, _ = _invoke("integrations_api", _event("integrations_api/sync_logs.json", sample_user))
    assert (status, body) == (200, {"logs": [], "next_cursor": None})


def test_callback_samples_redirect_back_to_the_app_with_a_reason(stack: RunningStack) -> None:
    status, _, headers = _invoke("oauth_callback", _event("oauth_callback/callback_denied.json"))
    assert status == 302
    assert headers["Location"].startswith(f"{stack.base_url}/app/integrations?")
    assert "error=invalid_state" in headers["Location"]  # the sample's state was never issued
    assert headers["Cache-Control"] == "no-store"


def test_campaign_samples_create_then_read(sample_user: str) -> None:
    status, created, _ = _invoke("campaigns_api", _event("campaigns_api/create_campaign.json", sample_user))
    assert status == 201
    assert created["title"] == "Autumn radio push"
    event = _event("campaigns_api/get_campaign.json", sample_user, campaign_id=created["campaign_id"])
    status, read, _ = _invoke("campaigns_api", event)
    assert (status, read) == (200, created)
    status, listed, _ = _invoke("campaigns_api", _event("campaigns_api/list_campaigns.json", sample_user))
    assert [c["campaign_id"] for c in listed["campaigns"]] == [created["campaign_id"]]


def test_an_event_without_authorizer_claims_is_refused(sample_user: str) -> None:
    event = _event("campaigns_api/list_campaigns.json", sample_user)
    del event["requestContext"]["authorizer"]
    status, body, _ = _invoke("campaigns_api", event)
    assert status == 401
    assert body["error"]["code"] == "unauthenticated"


def test_an_unexpected_failure_is_a_500_that_says_what_to_do(sample_user: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN a store that fails in a way nobody planned for
    class BrokenStore:
        def list_campaigns(self, *args: object, **kwargs: object) -> None:
            raise RuntimeError("disk on fire")

    broken = CampaignsService(BrokenStore())  # type: ignore[arg-type]
    monkeypatch.setattr(wiring, "campaigns_service", lambda: broken)
    # WHEN a request hits it THEN the user gets a generic 500 with a next step, and no internals
    status, body, _ = _invoke("campaigns_api", _event("campaigns_api/list_campaigns.json", sample_user))
    assert status == 500
    assert body["error"]["code"] == "internal_error"
    assert "disk on fire" not in json.dumps(body)
    assert "Try again" in body["error"]["message"]


def test_samples_are_http_api_v2_events_for_api_routes() -> None:
    # GIVEN the folders of functions that template.yaml puts behind the HTTP API
    http_folders = {Path(route.code_uri).name for route in routes()}
    samples = [sample for sample in EVENTS.rglob("*.json") if sample.parent.name in http_folders]
    assert samples
    # WHEN each of their samples is read THEN it is an HTTP API v2 event for an /api/ route
    for sample in samples:
        event = json.loads(sample.read_text())
        assert event["version"] == "2.0", sample
        assert event["routeKey"].split(" ", 1)[1].startswith("/api/"), sample


def test_drive_webhook_sample_with_a_forged_token_is_refused(stack: RunningStack) -> None:
    status, body, _ = _invoke("drive_webhook", _event("drive_webhook/forged_notification.json"))
    assert status == 401
    assert body["error"]["code"] == "unauthenticated"


def test_airtable_webhook_sample_with_a_forged_mac_is_refused(stack: RunningStack) -> None:
    # GIVEN the sample ping, whose MAC no webhook Tracker created would produce
    before = stack.stack.queued_messages("SyncJobsQueue")
    # WHEN it reaches the handler THEN it is refused and nothing is queued
    status, body, _ = _invoke("airtable_webhook", _event("airtable_webhook/forged_ping.json"))
    assert status == 401
    assert body["error"]["code"] == "unauthenticated"
    assert stack.stack.messages_queued_since("SyncJobsQueue", before) == []


def test_tracker_changes_sample_routes_each_user_once() -> None:
    # GIVEN a stream batch with two changes by one user who has no scheduled integration
    event = json.loads((EVENTS / "tracker_changes/pitch_changes.json").read_text())
    handler = importlib.import_module("functions.tracker_changes.app").lambda_handler
    # WHEN the handler routes it THEN the user is seen once and nothing is queued
    result = handler(event, LambdaContextStub(function_name="TrackerChangesFunction"))
    assert result == {"users": 1, "marked": 0, "queued": 0}
