"""template.yaml keeps the promises the platform relies on: runtime, logs, least privilege, auth, DLQs."""

from __future__ import annotations

from typing import Any

import pytest

from local_stack.template import functions, load_template, resources, routes

FUNCTIONS = functions()


def _ref(value: Any) -> str | None:
    if isinstance(value, dict):
        if "Ref" in value:
            return str(value["Ref"])
        if "Fn::GetAtt" in value:
            return str(value["Fn::GetAtt"][0])
    return None


def _as_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


def _statements(function: dict[str, Any]) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for policy in function["Properties"].get("Policies", []):
        if isinstance(policy, dict) and "Statement" in policy:
            found.extend(policy["Statement"])
    return found


def test_functions_run_python_3_13_on_arm64() -> None:
    globals_ = load_template()["Globals"]["Function"]
    assert globals_["Runtime"] == "python3.13"
    assert globals_["Architectures"] == ["arm64"]
    for name, function in FUNCTIONS.items():
        assert function["Properties"].get("Runtime", "python3.13") == "python3.13", name


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_function_logs_to_its_own_group_with_retention(name: str) -> None:
    # GIVEN a function WHEN its logging config is read THEN it names a log group with a retention
    group_id = _ref(FUNCTIONS[name]["Properties"]["LoggingConfig"]["LogGroup"])
    group = resources("AWS::Logs::LogGroup").get(str(group_id))
    assert group is not None, f"{name} logs to a group the template does not declare"
    assert group["Properties"].get("RetentionInDays"), f"{name}'s log group keeps logs forever"


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_function_has_least_privilege_policies(name: str) -> None:
    # GIVEN a function's IAM statements
    function = FUNCTIONS[name]
    statements = _statements(function)
    assert statements, f"{name} has no explicit policy statements"
    for statement in statements:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        # THEN no wildcard actions or resources, and no table scans
        assert all("*" not in action for action in actions), f"{name}: wildcard action {actions}"
        assert statement["Resource"] != "*", f"{name}: statement on every resource"
        assert "dynamodb:Scan" not in actions
        # AND KMS use is limited to OAuth-token contexts
        if any(a.startswith("kms:") for a in actions):
            assert statement["Condition"]["StringEquals"]["kms:EncryptionContext:purpose"] == "oauth-tokens"
    # AND no managed policy grants more than the statements do
    for policy in function["Properties"].get("Policies", []):
        if isinstance(policy, str):
            pytest.fail(f"{name} attaches managed policy {policy}")


def test_functions_that_never_refresh_tokens_cannot_create_data_keys() -> None:
    creators = {
        name
        for name, function in FUNCTIONS.items()
        for statement in _statements(function)
        if "kms:GenerateDataKey"
        in (statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]])
    }
    # connect (callback), and the token refreshes of the spreadsheet picker, the sync worker and the keep-alive
    assert creators == {
        "OAuthCallbackFunction",
        "IntegrationsApiFunction",
        "SyncWorkerFunction",
        "TokenKeepAliveFunction",
    }


def test_sync_queue_visibility_is_at_least_six_times_the_worker_timeout() -> None:
    queue = resources("AWS::SQS::Queue")["SyncJobsQueue"]["Properties"]
    worker = FUNCTIONS["SyncWorkerFunction"]["Properties"]
    assert int(queue["VisibilityTimeout"]) >= 6 * int(worker["Timeout"])
    event = worker["Events"]["SyncJobs"]["Properties"]
    assert event["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_campaigns_function_cannot_touch_credentials() -> None:
    resources_touched = {_ref(s["Resource"]) for s in _statements(FUNCTIONS["CampaignsApiFunction"])}
    # its own data, the rate limits' counters and the audit log (a table apart from the credentials)
    assert resources_touched == {"TrackerTable", "RateLimitsTable", "ActivityTable"}


def test_every_api_route_needs_the_jwt_authorizer_except_callbacks_and_webhooks() -> None:
    # GIVEN the HTTP API's default authorizer
    api = resources("AWS::Serverless::HttpApi")["HttpApi"]["Properties"]
    jwt = api["Auth"]["Authorizers"][api["Auth"]["DefaultAuthorizer"]]["JwtConfiguration"]
    assert _ref(jwt["issuer"]) == "JwtIssuer"
    assert [_ref(a) for a in jwt["audience"]] == ["JwtAudience"]
    # WHEN every route is checked THEN only OAuth callbacks and webhooks are open
    for route in routes():
        public = route.path.endswith("/callback") or route.path.startswith("/api/webhooks/")
        assert route.authorized != public, f"{route.method} {route.path}"


def test_design_routes_are_all_served() -> None:
    served = {(r.method, r.path) for r in routes()}
    for expected in [
        ("GET", "/api/integrations"),
        ("POST", "/api/integrations/{provider}/connect"),
        ("GET", "/api/integrations/{provider}/callback"),
        ("GET", "/api/integrations/{provider}"),
        ("PUT", "/api/integrations/{provider}/settings"),
        ("DELETE", "/api/integrations/{provider}/disconnect"),
        ("GET", "/api/integrations/{provider}/logs"),
        ("GET", "/api/campaigns"),
        ("POST", "/api/campaigns"),
    ]:
        assert expected in served


def test_local_only_routes_are_never_in_the_template() -> None:
    assert all(not r.path.startswith("/local") for r in routes())


def test_tables_are_on_demand_with_recovery_and_oauth_states_expire() -> None:
    tables = resources("AWS::DynamoDB::Table")
    for name, table in tables.items():
        props = table["Properties"]
        assert props["BillingMode"] == "PAY_PER_REQUEST", name
        assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True, name
    ttl = tables["IntegrationsTable"]["Properties"]["TimeToLiveSpecification"]
    assert ttl == {"AttributeName": "expires_at_epoch", "Enabled": True}


def test_tokens_key_rotates() -> None:
    assert resources("AWS::KMS::Key")["TokensKey"]["Properties"]["EnableKeyRotation"] is True


def test_every_queue_has_a_dead_letter_queue() -> None:
    queues = resources("AWS::SQS::Queue")
    dead_letter_targets = {
        _ref(q["Properties"]["RedrivePolicy"]["deadLetterTargetArn"])
        for q in queues.values()
        if "RedrivePolicy" in q.get("Properties", {})
    }
    # Stream consumers' failure destinations are dead-letter queues too.
    dead_letter_targets |= {
        _ref(event["Properties"]["DestinationConfig"]["OnFailure"]["Destination"])
        for function in FUNCTIONS.values()
        for event in function["Properties"].get("Events", {}).values()
        if event.get("Type") == "DynamoDB"
    }
    # And EventBridge rules' dead-letter queues (billing's plan changes).
    dead_letter_targets |= {
        _ref(event["Properties"]["DeadLetterConfig"]["Arn"])
        for function in FUNCTIONS.values()
        for event in function["Properties"].get("Events", {}).values()
        if event.get("Type") == "EventBridgeRule"
    }
    for name, queue in queues.items():
        if name in dead_letter_targets:
            continue
        redrive = queue.get("Properties", {}).get("RedrivePolicy")
        assert redrive, f"{name} has no dead-letter queue"
        assert 1 <= int(redrive["maxReceiveCount"]) <= 10, f"{name}: bounded receives before the DLQ"


def test_tracker_changes_stream_to_a_bounded_consumer_with_a_failure_queue() -> None:
    # GIVEN the Tracker table and the function consuming its stream
    table = resources("AWS::DynamoDB::Table")["TrackerTable"]["Properties"]
    consumer = FUNCTIONS["TrackerChangesFunction"]["Properties"]["Events"]["TrackerStream"]["Properties"]
    # THEN the stream carries new images (who wrote a change rides along) and old ones (the pitch history's
    # diff), bursts are batched for a second, a failing batch is retried a bounded number of times, split
    # to isolate a bad record, then parked
    assert table["StreamSpecification"] == {"StreamViewType": "NEW_AND_OLD_IMAGES"}
    assert _ref(consumer["Stream"]) == "TrackerTable"
    assert consumer["MaximumBatchingWindowInSeconds"] <= 2
    assert 1 <= consumer["MaximumRetryAttempts"] <= 10
    assert consumer["BisectBatchOnFunctionError"] is True
    assert _ref(consumer["DestinationConfig"]["OnFailure"]["Destination"]) == "TrackerChangesFailures"


def test_the_drive_webhook_is_open_but_can_only_read_channels_mark_changes_and_queue() -> None:
    route = next(r for r in routes() if r.path == "/api/webhooks/google-drive")
    assert (route.method, route.function, route.authorized) == ("POST", "DriveWebhookFunction", False)
    actions = {a for s in _statements(FUNCTIONS["DriveWebhookFunction"]) for a in _as_list(s["Action"])}
    assert actions == {"dynamodb:GetItem", "dynamodb:UpdateItem", "sqs:SendMessage"}


def test_the_api_has_a_stage_throttle() -> None:
    # GIVEN the HTTP API WHEN its default route settings are read THEN every route has a rate and burst ceiling
    settings = resources("AWS::Serverless::HttpApi")["HttpApi"]["Properties"]["DefaultRouteSettings"]
    assert int(settings["ThrottlingRateLimit"]) > 0
    assert int(settings["ThrottlingBurstLimit"]) >= int(settings["ThrottlingRateLimit"])


def test_rate_limit_counters_expire_and_only_the_user_facing_apis_can_count() -> None:
    # GIVEN the counters' table: its items are swept by TTL
    table = resources("AWS::DynamoDB::Table")["RateLimitsTable"]["Properties"]
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at_epoch", "Enabled": True}
    # WHEN every function's statements on it are read
    grants = {
        name: sorted(
            action
            for s in _statements(function)
            if _ref(s["Resource"]) == "RateLimitsTable"
            for action in _as_list(s["Action"])
        )
        for name, function in FUNCTIONS.items()
    }
    # THEN the APIs with signed-in users may only count (a conditional UpdateItem), and nothing else touches it
    assert {name: actions for name, actions in grants.items() if actions} == {
        "IntegrationsApiFunction": ["dynamodb:UpdateItem"],
        "CampaignsApiFunction": ["dynamodb:UpdateItem"],
        "AccountApiFunction": ["dynamodb:UpdateItem"],
    }
