"""The local stack's access log (make dev) keeps no OAuth callback code or state."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit, urlunsplit

import httpx
import pytest
from werkzeug.serving import BaseWSGIServer, make_server

from local_stack.server import AccessLogRequestHandler, RunningStack
from tests.support.api import LocalUser, consent, follow_callback, start_connect


@pytest.fixture
def logged_port(stack: RunningStack) -> Iterator[BaseWSGIServer]:
    """The same stack served a second time, with the access log `make dev` writes."""
    server = make_server("127.0.0.1", 0, stack.stack.wsgi_app, threaded=True, request_handler=AccessLogRequestHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    thread.join(timeout=5)
    server.server_close()


def test_the_access_log_keeps_the_callback_path_but_not_its_code_or_state(
    http: httpx.Client, user: LocalUser, logged_port: BaseWSGIServer, caplog: pytest.LogCaptureFixture
) -> None:
    # GIVEN a consent approved at the provider, whose redirect carries a one-time code and state
    callback = consent(http, start_connect(http, user, "google-sheets"))
    query = parse_qs(urlsplit(callback).query)
    code, state = query["code"][0], query["state"][0]
    # WHEN the browser opens the callback on a stack that writes its access log
    parts = urlsplit(callback)
    logged = urlunsplit(parts._replace(netloc=f"127.0.0.1:{logged_port.server_port}"))
    with caplog.at_level(logging.INFO, logger="werkzeug"):
        outcome = follow_callback(http, logged)
    # THEN the connect works and the request is logged, without the code or the state
    assert outcome.connected
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any("/api/integrations/google-sheets/callback" in line for line in lines), lines
    assert not any(code in line or state in line for line in lines), lines
    assert any("code=[redacted]" in line and "state=[redacted]" in line for line in lines), lines
