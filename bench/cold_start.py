"""Cold start as a user feels it: a fresh process's import plus its first request or job, per function.

Each function is measured in a new interpreter of a venv holding exactly what the Lambda layer ships
(layers/common/requirements.txt): the clock runs from before the handler module's import to the end
of its first invocation with its sample event from events/. Only our own work should be timed, so
every AWS and provider call of that invocation is answered by a local stub that replays what moto
and the provider sandbox answered to the same invocation in a local stack (recorded first, in this
run). A bare handler -- boto3, Powertools, pydantic and httpx imported, one DynamoDB client, one
stubbed call -- measured the same way in the same venv is the floor; each function is reported as
a ratio to it, because absolute milliseconds on these shared machines vary 2x between runs. The
floor is measured again beside each function, run for run (floor, function, floor, function, ...),
so a function and its floor meet the same load on the machine.
"""

from __future__ import annotations

import hashlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from collections import defaultdict
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx

from bench.results import Figure
from local_stack.template import REPO_ROOT, HandlerRef, functions

RUNS = 9  # fresh processes per function and as many floors beside them: a median of 5 swung 0.1x between runs
GOAL_RATIO = 1.3
USER = "sample-user"  # the `sub` of every sample event in events/
EVENTS = REPO_ROOT / "events"

# The first request or job each function meets in a fresh container, from its samples in events/.
FIRST_EVENT = {
    "IntegrationsApiFunction": "integrations_api/list_integrations.json",
    "OAuthCallbackFunction": "oauth_callback/callback_code.json",
    "CampaignsApiFunction": "campaigns_api/list_campaigns.json",
    "SyncWorkerFunction": "sync_worker/scheduled_sync.json",
    "TrackerChangesFunction": "tracker_changes/pitch_changes.json",
    "DriveWebhookFunction": "drive_webhook/forged_notification.json",
    "AirtableWebhookFunction": "airtable_webhook/forged_ping.json",
    "GmailWebhookFunction": "gmail_webhook/push_notification.json",
    "FanoutFunction": "fanout/pro_tier.json",
    "TokenKeepAliveFunction": "token_keep_alive/daily.json",
    "AccountApiFunction": "account_api/me.json",
    "BillingEventsFunction": "billing_events/plan_changed.json",
    "PitchHistoryFunction": "pitch_history/pitch_status_changed.json",
}

_CONTEXT = """
import json, sys, time, uuid
class Context:
    function_name = {function!r}
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-west-2:123456789012:function:" + {function!r}
    aws_request_id = str(uuid.uuid4())
    function_version = "$LATEST"
    log_group_name = "/aws/lambda/" + {function!r}
    log_stream_name = "bench"
    def get_remaining_time_in_millis(self):
        return 30000
event = json.loads(open({event_path!r}).read())
"""

_FUNCTION_PROBE = (
    _CONTEXT
    + """
start = time.perf_counter()
import {module} as handler_module
imported = time.perf_counter()
# Read at import, off the clock: which provider modules the handler's import alone pulled in.
providers = sorted(m for m in sys.modules if m.startswith("tracker_integrations.providers.") and m.count(".") >= 3)
resumed = time.perf_counter()
result = handler_module.{function_name}(event, Context())
done = time.perf_counter()
print(json.dumps({{"import_ms": (imported - start) * 1000, "total_ms": (done - resumed + imported - start) * 1000,
                  "result": result, "providers_at_import": providers}}, default=str))
"""
)

# The floor: what any handler of ours must pay at least.
_FLOOR_PROBE = (
    _CONTEXT
    + """
start = time.perf_counter()
import boto3, httpx, pydantic
from aws_lambda_powertools import Logger
logger = Logger(service="floor")
def lambda_handler(event, context):
    client = boto3.client("dynamodb")
    client.get_item(TableName={table!r}, Key={{"pk": {{"S": "floor"}}, "sk": {{"S": "floor"}}}})
    return {{"statusCode": 200}}
imported = time.perf_counter()
result = lambda_handler(event, Context())
done = time.perf_counter()
print(json.dumps({{"import_ms": (imported - start) * 1000, "total_ms": (done - start) * 1000,
                  "result": result, "providers_at_import": []}}))
"""
)


# -- the stub: what moto and the sandbox answered, replayed in order ------------------------------


@dataclass(frozen=True, slots=True)
class Answer:
    status: int
    headers: list[tuple[str, str]]
    body: bytes


def request_key(method: str, url: str, headers: Mapping[str, str | bytes], body: bytes) -> str:
    """Which recorded answers a request may take: AWS by operation (and table), providers by path."""
    lowered = {k.lower(): v.decode() if isinstance(v, bytes) else str(v) for k, v in headers.items()}
    target = lowered.get("x-amz-target")
    if target:
        try:
            table = str(json.loads(body or b"{}").get("TableName", ""))
        except ValueError:
            table = ""
        return f"{target} {table}".strip()
    path = urlsplit(url).path
    if method == "POST" and path == "/" and b"Action=" in body:
        return f"POST / {parse_qs(body.decode()).get('Action', [''])[0]}"
    return f"{method} {path}"


@dataclass
class Recording:
    answers: dict[str, list[Answer]] = field(default_factory=lambda: defaultdict(list))

    def add(self, key: str, answer: Answer) -> None:
        self.answers[key].append(answer)

    @property
    def calls(self) -> int:
        return sum(len(a) for a in self.answers.values())


@contextmanager
def recording_calls(recording: Recording) -> Iterator[None]:
    """Record every moto answer and every provider HTTP answer this thread gets while inside.

    Only this thread's: the sandbox answers in threads of its own and may call the stack back (a Drive
    channel's first notification), which is another function's work."""
    from moto.core.botocore_stubber import BotocoreStubber

    original_process = BotocoreStubber.process_request
    original_send = httpx.Client.send
    caller = threading.get_ident()

    def process(self: BotocoreStubber, request: Any) -> Any:
        response = original_process(self, request)
        if response is not None and threading.get_ident() == caller:
            status, headers, body = response
            raw = body.encode() if isinstance(body, str) else bytes(body or b"")
            request_body = request.body if isinstance(request.body, bytes) else str(request.body or "").encode()
            key = request_key(request.method, request.url, dict(request.headers), request_body)
            recording.add(key, Answer(int(status), [(str(k), str(v)) for k, v in dict(headers).items()], raw))
        return response

    def send(self: httpx.Client, request: httpx.Request, **kwargs: Any) -> httpx.Response:
        response = original_send(self, request, **kwargs)
        if threading.get_ident() != caller:
            return response
        response.read()
        key = request_key(request.method, str(request.url), dict(request.headers), request.content)
        kept = [(k, v) for k, v in response.headers.items() if k.lower() not in {"content-length", "transfer-encoding"}]
        recording.add(key, Answer(response.status_code, kept, response.content))
        return response

    BotocoreStubber.process_request = process  # type: ignore[method-assign]
    httpx.Client.send = send  # type: ignore[method-assign]
    try:
        yield
    finally:
        BotocoreStubber.process_request = original_process  # type: ignore[method-assign]
        httpx.Client.send = original_send  # type: ignore[method-assign]


class ReplayServer:
    """Answers each request with the next recorded answer for its key; counts what it could not answer."""

    def __init__(self) -> None:
        self.recording = Recording()
        self.served = 0
        self.unanswered: list[str] = []
        self._next: dict[str, int] = defaultdict(int)
        self._lock = threading.Lock()
        replay = self

        class Handler(BaseHTTPRequestHandler):
            # Keep-alive, as AWS's endpoints and the providers' APIs answer: under HTTP/1.0 every call
            # paid a new TCP connection to the stub, which is the stub's cost, not our work.
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes; without TCP_NODELAY the second waits for a delayed ACK.
            disable_nagle_algorithm = True

            def log_message(self, *_: Any) -> None:
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                answer = replay.take(request_key(self.command, self.path, dict(self.headers.items()), body))
                self.send_response(answer.status)
                for name, value in answer.headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer  # noqa: N815 - http.server's names

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def load(self, recording: Recording) -> None:
        with self._lock:
            self.recording, self.served, self.unanswered = recording, 0, []
            self._next.clear()

    def rewind(self) -> None:
        with self._lock:
            self._next.clear()

    def take(self, key: str) -> Answer:
        with self._lock:
            answers = self.recording.answers.get(key)
            if not answers:
                self.unanswered.append(key)
                return Answer(599, [("Content-Type", "text/plain")], f"no recorded answer for {key}".encode())
            index = min(self._next[key], len(answers) - 1)
            self._next[key] += 1
            self.served += 1
            return answers[index]

    def stop(self) -> None:
        self._server.shutdown()


# -- recording in a local stack ---------------------------------------------------------------------


def _seed(base_url: str, stack: Any) -> None:
    """A user with Google Sheets connected to a new spreadsheet and one campaign with one pitch, synced."""
    from provider_sandbox.testing import approve

    http = httpx.Client(base_url=base_url, timeout=60)
    token = http.get("/local/token", params={"user": USER, "plan": "agency"}).json()["token"]
    headers = {"Authorization": f"Bearer {token}"}
    url = http.post("/api/integrations/google-sheets/connect", headers=headers).json()["authorization_url"]
    http.get(approve(url, login="sample@example.com", client=http))
    http.post("/api/integrations/google-sheets/spreadsheets", headers=headers, json={}).raise_for_status()
    campaign = http.post("/api/campaigns", headers=headers, json=_body("campaigns_api/create_campaign.json"))
    campaign.raise_for_status()
    pitches = f"/api/campaigns/{campaign.json()['campaign_id']}/pitches"
    http.post(pitches, headers=headers, json=_body("campaigns_api/create_pitch.json")).raise_for_status()
    stack.run_queued_jobs()
    http.close()


def _body(sample: str) -> Any:
    return json.loads(json.loads((EVENTS / sample).read_text())["body"])


def _record(base_url: str, stack: Any) -> tuple[dict[str, Recording], dict[str, str]]:
    import importlib

    from local_stack.events import LambdaContextStub
    from tracker_integrations import wiring

    _seed(base_url, stack)
    environment = _function_environment()
    recordings: dict[str, Recording] = {}
    for function, handler in _handlers().items():
        recordings[function] = Recording()
        wiring.reset()  # the invocation a fresh container makes: nothing cached yet
        entry = getattr(importlib.import_module(handler.module), handler.function_name)
        with recording_calls(recordings[function]):
            entry(_event(function), LambdaContextStub(function_name=function))
    recordings["floor"] = Recording()
    with recording_calls(recordings["floor"]):
        import boto3

        boto3.client("dynamodb").get_item(TableName=_floor_table(), Key={"pk": {"S": "floor"}, "sk": {"S": "floor"}})
    return recordings, environment


def _function_environment() -> dict[str, str]:
    """The environment the local stack gives its functions, without this interpreter's own settings."""
    own = ("PATH", "PYTHON", "VIRTUAL_ENV", "PYENV", "LD_")
    return {k: v for k, v in os.environ.items() if not k.startswith(own)}  # noqa: TID251 - the bench reads the stack's environment


def _floor_table() -> str:
    from local_stack.template import resources

    return sorted(resources("AWS::DynamoDB::Table"))[0]


def _handlers() -> dict[str, HandlerRef]:
    return {
        name: HandlerRef(code_uri=str(f["Properties"]["CodeUri"]), handler=str(f["Properties"]["Handler"]))
        for name, f in sorted(functions().items())
    }


def _event(function: str) -> dict[str, Any]:
    event: dict[str, Any] = json.loads((EVENTS / FIRST_EVENT[function]).read_text())
    return event


# -- measuring in fresh processes ---------------------------------------------------------------------


def lambda_python() -> Path:
    """The interpreter of a venv with the layer's requirements, (re)built when they change."""
    venv = REPO_ROOT / ".bench" / "lambda-venv"
    requirements = REPO_ROOT / "layers" / "common" / "requirements.txt"
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()
    stamp = venv / ".requirements-sha256"
    python = venv / "bin" / "python"
    if not python.exists() or not stamp.exists() or stamp.read_text() != digest:
        print("building .bench/lambda-venv from layers/common/requirements.txt ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-r", str(requirements)], check=True)
        stamp.write_text(digest)
    # The cut botocore data for this venv's botocore, as `make build` writes it into the layer.
    layer = REPO_ROOT / "layers" / "common"
    subprocess.run(
        [str(python), "-m", "tracker_integrations.botocore_data"], check=True, env={"PYTHONPATH": str(layer)}
    )
    return python


@dataclass(frozen=True, slots=True)
class Sample:
    import_ms: float
    total_ms: float
    result: Any
    providers_at_import: list[str]


def _probe(python: Path, probe: Probe, environment: dict[str, str], replay: ReplayServer) -> Sample:
    replay.rewind()
    env = {
        **environment,
        # One of the variables Lambda's runtime sets in every function (tracker_integrations.cold_start reads it).
        "AWS_LAMBDA_FUNCTION_NAME": probe.function,
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": f"{REPO_ROOT / 'layers' / 'common'}{os.pathsep}{REPO_ROOT}",
        "AWS_ENDPOINT_URL": replay.base_url,
    }
    out = subprocess.run(
        [str(python), "-c", probe.script], cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False
    )
    if out.returncode != 0:
        raise RuntimeError(f"cold-start probe failed:\n{out.stderr[-2000:]}")
    if os.environ.get("COLD_START_DEBUG"):  # noqa: TID251 - bench tooling
        print(out.stdout[-3000:], out.stderr[-3000:])
    data = json.loads(out.stdout.strip().splitlines()[-1])
    return Sample(float(data["import_ms"]), float(data["total_ms"]), data["result"], list(data["providers_at_import"]))


def _failed(result: Any) -> str:
    """Why a first invocation did not do what it does in the local stack ('' when it did)."""
    if isinstance(result, dict):
        status = result.get("statusCode")
        if isinstance(status, int) and status >= 500:
            return f"answered {status}"
        if result.get("batchItemFailures"):
            return "its job failed"
    return ""


@dataclass(frozen=True, slots=True)
class Probe:
    function: str
    script: str
    recording: Recording


@dataclass(frozen=True, slots=True)
class Measured:
    samples: list[Sample]
    floor: list[Sample]
    calls: int
    unanswered: list[str]


def _measure(python: Path, probe: Probe, floor: Probe, environment: dict[str, str], replay: ReplayServer) -> Measured:
    """RUNS fresh processes of the probe, each right after one of the floor's."""
    samples: list[Sample] = []
    floor_samples: list[Sample] = []
    calls, unanswered = 0, set[str]()
    for _ in range(RUNS):
        replay.load(floor.recording)
        floor_samples.append(_probe(python, floor, environment, replay))
        replay.load(probe.recording)
        samples.append(_probe(python, probe, environment, replay))
        calls, unanswered = replay.served, unanswered | set(replay.unanswered)
    return Measured(samples, floor_samples, calls, sorted(unanswered))


def run() -> list[Figure]:
    from bench.local import in_local_stack

    python = lambda_python()
    holder: dict[str, Any] = {}

    def record(base_url: str, stack: Any) -> list[Figure]:
        holder["recordings"], environment = _record(base_url, stack)
        holder["environment"] = {k: v.replace(base_url, "__STUB__") for k, v in environment.items()}
        return []

    in_local_stack(record)
    recordings: dict[str, Recording] = holder["recordings"]
    replay = ReplayServer()
    environment = {k: v.replace("__STUB__", replay.base_url) for k, v in holder["environment"].items()}
    figures: list[Figure] = []
    try:
        with tempfile.TemporaryDirectory() as scratch:
            event_path = Path(scratch) / "floor-event.json"
            event_path.write_text("{}")
            floor = Probe(
                "floor",
                _FLOOR_PROBE.format(function="floor", event_path=str(event_path), table=_floor_table()),
                recordings["floor"],
            )
            floors: list[float] = []
            for function, handler in _handlers().items():
                script = _FUNCTION_PROBE.format(
                    function=function,
                    event_path=str(EVENTS / FIRST_EVENT[function]),
                    module=handler.module,
                    function_name=handler.function_name,
                )
                measured = _measure(python, Probe(function, script, recordings[function]), floor, environment, replay)
                samples = measured.samples
                total = statistics.median(s.total_ms for s in samples)
                imported = statistics.median(s.import_ms for s in samples)
                floor_ms = statistics.median(s.total_ms for s in measured.floor)
                floors.append(floor_ms)
                unanswered = measured.unanswered
                problem = _failed(samples[-1].result) or (f"unstubbed calls {unanswered}" if unanswered else "")
                providers = samples[-1].providers_at_import
                print(
                    f"  {function}: import {imported:.0f} ms + first {FIRST_EVENT[function]} "
                    f"{total - imported:.0f} ms, {measured.calls} stubbed calls; floor beside it {floor_ms:.0f} ms"
                    + (f"; provider modules loaded at import: {', '.join(providers)}" if providers else "")
                    + (f"; NOT VALID: {problem}" if problem else "")
                )
                ratio = total / floor_ms
                figures.append(
                    Figure(
                        name=f"cold start {function} / floor (median of {RUNS})",
                        value=round(ratio, 2),
                        unit="x",
                        goal=f"<= {GOAL_RATIO}x",
                        met=ratio <= GOAL_RATIO and not problem,
                    )
                )
            print(
                "  cold-start floor (bare handler, one stubbed DynamoDB call): "
                f"{min(floors):.0f} to {max(floors):.0f} ms over the run"
            )
    finally:
        replay.stop()
    return figures
