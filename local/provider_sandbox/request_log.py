"""An opt-in log of provider requests, to audit which imitated routes anything still calls.

`SANDBOX_REQUEST_LOG=<file>` makes every sandbox of the process append one JSON line per provider
request (a `LoggedRequest`) to that file; control requests are never logged. Unset, nothing is written.
`python -m provider_sandbox.route_audit <file>` reads the lines back.
"""

import os
import threading
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict

REQUEST_LOG_VARIABLE = "SANDBOX_REQUEST_LOG"
# The product's agent: `http.client.send` names Tracker on every provider call. Nothing else that calls the
# sandbox sends it: tests use httpx, google-api-python-client httplib2 ("(gzip)"), pyairtable requests,
# mailchimp-marketing "Swagger-Codegen/...".
PRODUCT_USER_AGENT_PREFIXES = ("tracker-integrations/",)

Caller = Literal["product", "other"]

# Every sandbox of the process may write the same file from its server threads: one lock keeps lines whole.
_write_lock = threading.Lock()


class LoggedRequest(BaseModel):
    """One provider request as the audit reads it back."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    method: str
    host: str
    # The matched route's werkzeug rule without the host ("/v4/spreadsheets/<sid>"); None when no route matched.
    rule: str | None
    status: int
    caller: Caller
    user_agent: str
    # The pytest node id running when the request came (pytest's PYTEST_CURRENT_TEST), so the audit can name tests.
    test: str | None


def caller_of(user_agent: str) -> Caller:
    return "product" if user_agent.startswith(PRODUCT_USER_AGENT_PREFIXES) else "other"


def _current_test() -> str | None:
    # pytest sets this for the test being run ("tests/x.py::test_y (call)"); the sandbox shares its process.
    running = os.environ.get("PYTEST_CURRENT_TEST")  # noqa: TID251  # pytest's variable, not a product setting
    return running.rsplit(" (", 1)[0] if running else None


class RequestLog:
    """Appends `LoggedRequest` lines to one file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def from_environment(cls) -> "RequestLog | None":
        configured = os.environ.get(REQUEST_LOG_VARIABLE)  # noqa: TID251  # a sandbox switch, not a product setting
        return cls(Path(configured)) if configured else None

    def record(self, *, method: str, host: str, rule: str | None, status: int, user_agent: str) -> None:
        line = LoggedRequest(
            method=method,
            host=host,
            rule=rule,
            status=status,
            caller=caller_of(user_agent),
            user_agent=user_agent,
            test=_current_test(),
        ).model_dump_json()
        with _write_lock, self.path.open("a", encoding="utf-8") as log:
            log.write(line + "\n")


def read_request_log(path: Path) -> list[LoggedRequest]:
    return [LoggedRequest.model_validate_json(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
