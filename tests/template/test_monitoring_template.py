"""template.yaml's monitoring: the dashboard shows syncs per provider, queue age and dead letters; the
alarms fire on a sync error rate above 1% and on any dead-letter message."""

from __future__ import annotations

import json
import re
from typing import Any

from local_stack.template import resources
from tracker_integrations.observability import metrics as metrics_object
from tracker_integrations.services.accounts.analytics import ALL_PROVIDERS


def _dashboard() -> dict[str, Any]:
    body = resources("AWS::CloudWatch::Dashboard")["OperationsDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    # Substitutions stand in as placeholders: what is left must be JSON CloudWatch accepts.
    parsed: dict[str, Any] = json.loads(re.sub(r"\$\{[^}]+\}", "X", body))
    return parsed


def _alarm(name: str) -> dict[str, Any]:
    props: dict[str, Any] = resources("AWS::CloudWatch::Alarm")[name]["Properties"]
    return props


def test_the_dashboard_shows_runs_failures_and_duration_per_provider_and_the_queues() -> None:
    widgets = _dashboard()["widgets"]
    expressions = [
        line[0]["expression"]
        for widget in widgets
        for line in widget["properties"]["metrics"]
        if isinstance(line[0], dict) and "expression" in line[0]
    ]
    for metric in ("SyncRuns", "SyncFailures", "SyncDuration"):
        # every provider's own line (the `all` total is the alarm's)
        assert any(
            f'{{TrackerIntegrations,provider,service}} MetricName="{metric}" NOT provider="all"' in e
            for e in expressions
        ), metric
    plain = [line[1] for widget in widgets for line in widget["properties"]["metrics"] if isinstance(line[0], str)]
    assert "ApproximateAgeOfOldestMessage" in plain
    assert plain.count("ApproximateNumberOfMessagesVisible") == 4


def test_the_error_rate_alarm_fires_above_one_percent_of_all_providers_runs() -> None:
    alarm = _alarm("SyncErrorRateAlarm")
    metrics = {m["Id"]: m for m in alarm["Metrics"]}
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", 1)
    for source in ("runs", "failures"):
        assert metrics[source]["MetricStat"]["Metric"]["Dimensions"] == [
            {"Name": "provider", "Value": ALL_PROVIDERS},
            {"Name": "service", "Value": metrics_object.service},
        ]
    assert "100 * failures / runs" in metrics["error_rate"]["Expression"]


def test_the_dead_letter_alarm_watches_every_dead_letter_queue() -> None:
    queues = resources("AWS::SQS::Queue")
    dead_letter_queues = {
        name
        for name, queue in queues.items()
        if "RedrivePolicy" not in queue.get("Properties", {}) and name != "SyncJobsQueue"
    }
    alarm = _alarm("DeadLetterAlarm")
    watched = {
        m["MetricStat"]["Metric"]["Dimensions"][0]["Value"]["Fn::GetAtt"][0]
        for m in alarm["Metrics"]
        if "MetricStat" in m
    }
    assert watched == dead_letter_queues
    assert (alarm["ComparisonOperator"], alarm["Threshold"]) == ("GreaterThanThreshold", 0)
