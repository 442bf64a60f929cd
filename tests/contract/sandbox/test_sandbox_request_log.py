"""Contract tests: the opt-in request log that route audits read (SANDBOX_REQUEST_LOG)."""

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from werkzeug.test import Client

from provider_sandbox import ProviderSandbox, serve
from provider_sandbox.request_log import (
    REQUEST_LOG_VARIABLE,
    LoggedRequest,
    RequestLog,
    caller_of,
    read_request_log,
)
from provider_sandbox.route_audit import report, route_uses
from tests.support.settings import unit_settings
from tracker_integrations.errors import ProviderError
from tracker_integrations.http import client as http_client
from tracker_integrations.http.client import ProviderApi, RetryPolicy, send

PRODUCT_AGENT = "tracker-integrations/0.1"
LIBRARY_AGENT = "OpenAPI-Generator/3.0.80/python"
PING = "/us19.api.mailchimp.com/3.0/ping"


@pytest.fixture
def log_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "requests.jsonl"
    monkeypatch.setenv(REQUEST_LOG_VARIABLE, str(path))
    return path


def test_each_provider_request_is_one_line_with_its_rule_status_and_caller(log_path: Path) -> None:
    # GIVEN a sandbox made while SANDBOX_REQUEST_LOG names a file
    client = Client(ProviderSandbox())

    # WHEN the product and a client library call providers, and a test reads the control API
    client.get(PING, headers={"User-Agent": PRODUCT_AGENT, "Authorization": "Bearer unknown"})
    client.get("/sheets.googleapis.com/v4/spreadsheets/sheet-1/values/Tab!A1:B2", headers={"User-Agent": LIBRARY_AGENT})
    client.get("/_control/requests", headers={"User-Agent": LIBRARY_AGENT})

    # THEN each provider request is one line naming its route's pattern, not its concrete path; control is left out
    logged = read_request_log(log_path)
    assert [(r.method, r.host, r.rule, r.caller, r.user_agent) for r in logged] == [
        ("GET", "us19.api.mailchimp.com", "/3.0/ping", "product", PRODUCT_AGENT),
        ("GET", "sheets.googleapis.com", "/v4/spreadsheets/<sid>/values/<path:range>", "other", LIBRARY_AGENT),
    ]
    assert [r.status for r in logged] == [401, 401]
    # AND the line names the test that was running, so an audit can say which tests call a route
    assert {r.test for r in logged} == {
        "tests/contract/sandbox/test_sandbox_request_log.py"
        "::test_each_provider_request_is_one_line_with_its_rule_status_and_caller"
    }


@pytest.fixture
def product_client(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The product's shared HTTP client, built from unit settings rather than a Lambda's environment."""
    monkeypatch.setattr(http_client, "get_settings", unit_settings)
    http_client.shared_client.cache_clear()
    yield
    http_client.shared_client.cache_clear()


@pytest.mark.usefixtures("product_client")
def test_a_request_the_products_http_client_sends_counts_as_the_products(log_path: Path) -> None:
    # GIVEN a logging sandbox served over HTTP
    with serve(ProviderSandbox(), port=0) as running:
        # WHEN the product's retry loop sends a request the way every provider client does
        request = httpx.Request("GET", f"{running.public_base_url}{PING}", headers={"Authorization": "Bearer gone"})
        with pytest.raises(ProviderError):
            send(request, api=ProviderApi("mailchimp", policy=RetryPolicy(max_attempts=1)))

    # THEN the log counts it as the product's, by the agent Tracker names itself with
    [logged] = read_request_log(log_path)
    assert (logged.rule, logged.status, logged.caller) == ("/3.0/ping", 401, "product")
    assert logged.user_agent == PRODUCT_AGENT


def test_a_path_no_route_serves_is_logged_without_a_rule(log_path: Path) -> None:
    # GIVEN a logging sandbox WHEN a path it does not imitate is called
    Client(ProviderSandbox()).get("/api.airtable.com/v9/nothing-here", headers={"User-Agent": PRODUCT_AGENT})

    # THEN the line says no route matched, with the host's 404
    [logged] = read_request_log(log_path)
    assert (logged.host, logged.rule, logged.status, logged.caller) == ("api.airtable.com", None, 404, "product")


def test_concurrent_requests_from_several_sandboxes_each_write_one_whole_line(log_path: Path) -> None:
    # GIVEN two sandboxes logging to the same file (a session's stack and a test's own sandbox)
    sandboxes = [ProviderSandbox(), ProviderSandbox()]

    # WHEN eight threads call them at once
    def call_often(sandbox: ProviderSandbox) -> None:
        client = Client(sandbox)
        for _ in range(25):
            client.get(PING, headers={"User-Agent": PRODUCT_AGENT})

    threads = [threading.Thread(target=call_often, args=(sandboxes[i % 2],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # THEN every request is one line that reads back whole
    lines = log_path.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 200
    assert all(LoggedRequest.model_validate_json(line).rule == "/3.0/ping" for line in lines)


def test_nothing_is_logged_while_the_variable_is_unset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # GIVEN SANDBOX_REQUEST_LOG unset, and a working directory where a stray log would land
    monkeypatch.delenv(REQUEST_LOG_VARIABLE, raising=False)
    monkeypatch.chdir(tmp_path)

    # WHEN a sandbox serves a provider request
    Client(ProviderSandbox()).get(PING, headers={"User-Agent": PRODUCT_AGENT})

    # THEN there is no log and no file
    assert RequestLog.from_environment() is None
    assert list(tmp_path.iterdir()) == []


def _logged(method: str, host: str, rule: str | None, user_agent: str, test: str | None = None) -> LoggedRequest:
    return LoggedRequest(
        method=method, host=host, rule=rule, status=200, caller=caller_of(user_agent), user_agent=user_agent, test=test
    )


def test_the_audit_sorts_every_registered_route_by_who_calls_it() -> None:
    # GIVEN a log where the product pings Mailchimp (once as HEAD), a fidelity test reads Sheets values,
    # and the product calls a path no route serves
    values_rule = "/v4/spreadsheets/<sid>/values/<path:range>"
    logged = [
        _logged("GET", "us19.api.mailchimp.com", "/3.0/ping", PRODUCT_AGENT),
        _logged("HEAD", "us19.api.mailchimp.com", "/3.0/ping", PRODUCT_AGENT),
        _logged("GET", "sheets.googleapis.com", values_rule, LIBRARY_AGENT, "tests/contract/x.py::test_values"),
        _logged("GET", "api.airtable.com", None, PRODUCT_AGENT),
    ]

    # WHEN the audit counts them against the sandbox's routes
    uses, unmatched = route_uses(logged)
    by_name = {use.name: use for use in uses}

    # THEN each route has its product and other calls, with the tests behind the others
    ping = by_name["GET us19.api.mailchimp.com/3.0/ping"]
    assert (ping.product_calls, ping.other_calls) == (2, 0)
    values = by_name[f"GET sheets.googleapis.com{values_rule}"]
    assert (values.product_calls, values.other_calls, dict(values.other_tests)) == (
        0,
        1,
        {"tests/contract/x.py::test_values": 1},
    )
    # AND every other registered route (HEAD and OPTIONS aside) counts as called by nobody
    assert all(not use.product_calls and not use.other_calls for use in uses if use not in (ping, values))
    assert "HEAD" not in {use.method for use in uses}
    # AND the request no route matched is reported apart
    assert [(r.host, r.rule) for r in unmatched] == [("api.airtable.com", None)]
    text = report(uses, unmatched, test_files_only=True)
    assert f"{len(uses)} routes: 1 called by the product, 1 only by tests, {len(uses) - 2} by nobody" in text
    assert "      tests/contract/x.py (1)" in text
