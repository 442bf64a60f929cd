"""The local stack: every API route of template.yaml, served by the real handlers, on one port.

AWS is emulated in-process by moto, with tables and keys created from template.yaml; the provider
sandbox answers for Google, Airtable and Mailchimp under /sandbox; a small web page under /app
plays the Tracker UI. API Gateway's part is imitated too: the JWT authorizer (401 before any
handler runs) and the payload format 2.0 events. Only providers whose client id and secret are
configured in the environment are reached for real.
"""

from __future__ import annotations

import importlib
import json
import logging
import os
import re
import threading
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import parse_qsl, urlencode

from moto import mock_aws
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.routing import Map, Rule
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from local_stack.auth import LocalIssuer
from local_stack.aws import create_resources, function_environment, make_dynamodb_operations_atomic
from local_stack.cors import CorsPolicy
from local_stack.events import LambdaContextStub, http_api_event, sqs_event
from local_stack.openapi import OPENAPI_PATH
from local_stack.streams import StreamPump
from local_stack.template import REPO_ROOT, Route, queue_consumers, routes, schedules
from local_stack.webpage import app_response
from provider_sandbox import OAuthClientRegistration, Provider, ProviderSandbox
from tracker_integrations import wiring
from tracker_integrations.models.account import Plan
from tracker_integrations.models.billing import PlanChange, plan_changed_event
from tracker_integrations.models.team import Identity, Role
from tracker_integrations.providers.registry import PROVIDERS

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

REGION = "eu-west-2"
_USER_NAME = re.compile(r"^[A-Za-z0-9._@-]{1,64}$")
# The sandbox's Pub/Sub topic that Gmail watches publish to, pushed to the Gmail webhook.
GMAIL_TOPIC = "projects/tracker-local/topics/gmail-replies"

# The sandbox's OAuth clients; used unless real credentials for that provider are in the environment.
LOCAL_CLIENTS = {
    "google": ("local-google-client", "local-google-secret"),
    "airtable": ("local-airtable-client", "local-airtable-secret"),
    "mailchimp": ("local-mailchimp-client", "local-mailchimp-secret"),
}
_SANDBOX_ENDPOINTS = {
    "google": {
        "ENDPOINT_GOOGLE_ACCOUNTS": "accounts.google.com",
        "ENDPOINT_GOOGLE_OAUTH2": "oauth2.googleapis.com",
        "ENDPOINT_GOOGLE_OPENID": "openidconnect.googleapis.com",
        "ENDPOINT_GOOGLE_SHEETS": "sheets.googleapis.com",
        "ENDPOINT_GOOGLE_DRIVE": "www.googleapis.com",
        "ENDPOINT_GOOGLE_GMAIL": "gmail.googleapis.com",
        "ENDPOINT_GOOGLE_CERTS": "www.googleapis.com",
    },
    "airtable": {"ENDPOINT_AIRTABLE_WEB": "airtable.com", "ENDPOINT_AIRTABLE_API": "api.airtable.com"},
    "mailchimp": {"ENDPOINT_MAILCHIMP_LOGIN": "login.mailchimp.com"},
}


def _json(status: int, payload: dict[str, Any]) -> Response:
    return Response(json.dumps(payload), status=status, mimetype="application/json")


@dataclass(frozen=True, slots=True)
class QueuedMessage:
    """One message in a local queue, as a test sees it."""

    message_id: str
    body: dict[str, Any]
    delayed: bool


class LocalStack:
    """One process hosting the API, moto and the sandbox. Build it, then mount `wsgi_app`."""

    def __init__(self, public_base: str, *, state_dir: Path | None = None) -> None:
        self.public_base = public_base.rstrip("/")
        self.state_dir = state_dir or REPO_ROOT / ".local"
        self.sandbox = ProviderSandbox(public_base_url=f"{self.public_base}/sandbox")
        self.issuer = LocalIssuer(f"{self.public_base}/local", self.state_dir / "jwt-signing-key.pem")
        self.real_providers: list[str] = []
        # The web page at /app is the app; its origin is this stack's (AppBaseUrl in template terms).
        self.cors = CorsPolicy.from_template({"AppBaseUrl": self.public_base})
        self._routes = routes()
        self._url_map = Map(
            [
                Rule(re.sub(r"\{(\w+)\}", r"<\1>", r.path), methods=[r.method], endpoint=r, strict_slashes=False)
                for r in self._routes
            ]
        )
        # A Lambda container handles one request at a time; the handlers rely on it.
        self._invoke_lock = threading.Lock()
        self._mock = mock_aws()
        self._started = False
        self._saved_environ: dict[str, str] = {}
        self._physical: dict[str, str] = {}

    # -- lifecycle --------------------------------------------------------------------------------

    def start(self) -> None:
        # Powertools warns when a request emitted no business metric; normal for reads, noise here.
        warnings.filterwarnings("ignore", message="No application metrics to publish")
        # Restored by stop(): a second stack in the same process (the benchmarks) must not take this one's
        # sandbox clients for real provider credentials.
        self._saved_environ = dict(os.environ)  # noqa: TID251
        os.environ.update(  # noqa: TID251  # the local stack plays Lambda's environment
            {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local", "AWS_DEFAULT_REGION": REGION}
        )
        self._mock.start()
        make_dynamodb_operations_atomic()
        physical = create_resources(REGION)
        self._physical = physical
        self.streams = StreamPump(REGION, physical, self._invoke_lock)
        os.environ.update(function_environment(physical, self._overrides()))  # noqa: TID251
        wiring.reset()
        self._started = True

    # -- queues -----------------------------------------------------------------------------------

    def run_queued_jobs(self, *, max_rounds: int = 20) -> int:
        """Deliver queued messages to their consumer functions (as Lambda's SQS poller does) until the
        queues are empty; returns how many messages were handled successfully. A message whose item
        failed is made visible again at once (locally only: in AWS it waits out the visibility timeout)."""
        import boto3

        sqs = boto3.client("sqs", region_name=REGION)
        handled = 0
        for _ in range(max_rounds):
            # Table changes first: in AWS the stream consumer runs within a second of the write.
            delivered = self.streams.pump()
            for consumer in queue_consumers():
                url = self._physical[consumer.queue]
                messages = sqs.receive_message(
                    QueueUrl=url, MaxNumberOfMessages=consumer.batch_size, AttributeNames=["All"]
                ).get("Messages", [])
                if not messages:
                    continue
                delivered += len(messages)
                event = sqs_event(messages, queue_arn=f"arn:aws:sqs:{REGION}:123456789012:{consumer.queue}")
                handler = getattr(importlib.import_module(consumer.module), consumer.function_name)
                try:
                    with self._invoke_lock:
                        result = handler(event, LambdaContextStub(function_name=consumer.function))
                    failed = {f["itemIdentifier"] for f in (result or {}).get("batchItemFailures", [])}
                except Exception:  # a failed invocation returns the whole batch, as in Lambda
                    logging.getLogger("local_stack").exception(
                        "%s failed; its batch returns to the queue", consumer.function
                    )
                    failed = {m["MessageId"] for m in messages}
                for message in messages:
                    if message["MessageId"] in failed:
                        sqs.change_message_visibility(
                            QueueUrl=url, ReceiptHandle=message["ReceiptHandle"], VisibilityTimeout=0
                        )
                    else:
                        sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
                        handled += 1
            if delivered == 0:
                break
        return handled

    def run_schedule(self, name: str) -> dict[str, Any]:
        """Fire one template schedule now (as EventBridge Scheduler would), returning its function's result."""
        schedule = next(s for s in schedules() if s.name == name)
        handler = getattr(importlib.import_module(schedule.module), schedule.function_name)
        with self._invoke_lock:
            result: dict[str, Any] = handler(dict(schedule.input), LambdaContextStub(function_name=schedule.function))
        return result

    def start_scheduler(self) -> threading.Event:
        """Fire every template schedule at its rate, in the background (make dev)."""
        stop = threading.Event()

        def loop(schedule_name: str, every: int) -> None:
            while not stop.wait(every):
                try:
                    self.run_schedule(schedule_name)
                except Exception:  # a local scheduler must survive a failing target
                    logging.getLogger("local_stack").exception("schedule %s failed", schedule_name)

        for schedule in schedules():
            threading.Thread(target=loop, args=(schedule.name, schedule.rate_seconds), daemon=True).start()
        return stop

    def queued_messages(self, queue: str) -> list[QueuedMessage]:
        """Every message the queue holds (visible, in flight or delayed), read from the emulator. SQS cannot
        list a delayed message; the emulator can, so a test can look at the jobs it queued itself and not at
        what an earlier test left behind (a retry waiting out a provider's Retry-After)."""
        from moto.core.models import DEFAULT_ACCOUNT_ID
        from moto.sqs.models import sqs_backends

        name = self._physical[queue].rsplit("/", 1)[-1]
        stored = sqs_backends[DEFAULT_ACCOUNT_ID][REGION].queues[name]
        return [
            QueuedMessage(message_id=message.id, body=json.loads(message.body), delayed=message.delayed)
            for message in list(stored._messages)
        ]

    def messages_queued_since(self, queue: str, earlier: Iterable[QueuedMessage]) -> list[QueuedMessage]:
        """The queue's messages that were not in `earlier` (a snapshot from queued_messages)."""
        seen = {message.message_id for message in earlier}
        return [message for message in self.queued_messages(queue) if message.message_id not in seen]

    def purge_queues(self) -> None:
        """Drop every visible message (delayed ones stay delayed), without SQS's once-a-minute PurgeQueue."""
        import boto3

        sqs = boto3.client("sqs", region_name=REGION)
        for consumer in queue_consumers():
            url = self._physical[consumer.queue]
            while messages := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10).get("Messages", []):
                for message in messages:
                    sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])

    def _poll_queues_forever(self, stop: threading.Event) -> None:
        while not stop.wait(1.0):
            try:
                self.run_queued_jobs(max_rounds=1)
            except Exception:  # a local poller must survive a failing handler
                logging.getLogger("local_stack").exception("queue poller failed")

    def start_queue_poller(self) -> threading.Event:
        stop = threading.Event()
        threading.Thread(target=self._poll_queues_forever, args=(stop,), name="sqs-poller", daemon=True).start()
        return stop

    def stop(self) -> None:
        if self._started:
            self._mock.stop()
            os.environ.clear()  # noqa: TID251
            os.environ.update(self._saved_environ)  # noqa: TID251
            wiring.reset()
            self._started = False

    def _overrides(self) -> dict[str, str]:
        env = {
            "STAGE": "local",
            "AWS_REGION": REGION,
            "API_BASE_URL": self.public_base,
            "APP_BASE_URL": f"{self.public_base}/app",
            "PROVIDER_SECRETS_ARN": "",
            "POWERTOOLS_TRACE_DISABLED": "true",
            "POWERTOOLS_METRICS_DISABLED": "true",
        }
        for app, (client_id, client_secret) in LOCAL_CLIENTS.items():
            prefix = app.upper()
            real_id = os.environ.get(f"{prefix}_CLIENT_ID", "")  # noqa: TID251
            real_secret = os.environ.get(f"{prefix}_CLIENT_SECRET", "")  # noqa: TID251
            if real_id and real_secret:
                self.real_providers.append(app)
                env[f"{prefix}_CLIENT_ID"] = real_id
                continue
            env[f"{prefix}_CLIENT_ID"] = client_id
            env[f"{prefix}_CLIENT_SECRET"] = client_secret
            for variable, host in _SANDBOX_ENDPOINTS[app].items():
                env[variable] = f"{self.public_base}/sandbox/{host}"
            self.sandbox.register_client(
                OAuthClientRegistration(
                    provider=cast(Provider, app),
                    client_id=client_id,
                    client_secret=client_secret,
                    redirect_uris=[
                        f"{self.public_base}/api/integrations/{key}/callback"
                        for key, spec in PROVIDERS.items()
                        if spec.oauth.app == app
                    ],
                )
            )
        if "google" not in self.real_providers:
            env.update(self._gmail_push())
        return env

    def _gmail_push(self) -> dict[str, str]:
        """The sandbox's Pub/Sub topic for Gmail watches, pushing (with a signed JWT) to the webhook."""
        from provider_sandbox.pubsub import PUSH_SERVICE_ACCOUNT

        endpoint = f"{self.public_base}/api/webhooks/gmail"
        self.sandbox.gmail.create_topic(GMAIL_TOPIC)
        self.sandbox.gmail.create_push_subscription(
            GMAIL_TOPIC, endpoint, audience=endpoint, service_account_email=PUSH_SERVICE_ACCOUNT
        )
        return {
            "GMAIL_PUBSUB_TOPIC": GMAIL_TOPIC,
            "GMAIL_PUSH_AUDIENCE": endpoint,
            "GMAIL_PUSH_SERVICE_ACCOUNT": PUSH_SERVICE_ACCOUNT,
        }

    # -- WSGI -------------------------------------------------------------------------------------

    @property
    def wsgi_app(self) -> DispatcherMiddleware:
        return DispatcherMiddleware(self._dispatch, {"/sandbox": self.sandbox})

    def _dispatch(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        return self._handle(Request(environ))(environ, start_response)

    def _handle(self, request: Request) -> Response:
        path = request.path
        if path == "/local/token":
            return self._local_token(request)
        if path == "/openapi.json":  # the checked-in document (make openapi), as published
            return Response(OPENAPI_PATH.read_bytes(), mimetype="application/json")
        if path.startswith("/api/"):
            if self.cors is None:
                return self._api(request)
            return self.cors.preflight(request) or self.cors.decorate(request, self._api(request))
        if path in {"/", "/app"} or path.startswith("/app/"):
            return app_response(path, self.public_base)
        return _json(404, {"message": "Not Found"})

    def _local_token(self, request: Request) -> Response:
        user = request.args.get("user", "")
        plan = request.args.get("plan", "free")
        team = request.args.get("team") or None
        role = request.args.get("role") or None
        operator = request.args.get("operator", "") in {"1", "true"}
        if not _USER_NAME.match(user):
            return _json(
                400, {"error": {"code": "invalid_request", "message": "user must be 1-64 letters, digits, . _ @ or -"}}
            )
        if plan not in {p.value for p in Plan}:
            return _json(400, {"error": {"code": "invalid_request", "message": "plan must be free, pro or agency"}})
        if team is not None and not _USER_NAME.match(team):
            return _json(
                400, {"error": {"code": "invalid_request", "message": "team must be 1-64 letters, digits, . _ @ or -"}}
            )
        if role is not None and (team is None or role not in {r.value for r in Role}):
            message = "role must be owner, admin or member, and needs team"
            return _json(400, {"error": {"code": "invalid_request", "message": message}})
        identity = Identity(user_id=user, team_id=team, role=Role(role) if role else Role.MEMBER)
        # The plan lives with the account (the team's when signing in to one), as Tracker's billing keeps it.
        self._set_plan(identity, Plan(plan))
        token = self.issuer.mint(user, plan, team=team, role=identity.role.value if team else None, operator=operator)
        answer: dict[str, Any] = {"token": token, "user": user, "plan": plan}
        if team:
            answer |= {"team": team, "role": identity.role.value}
        return _json(200, answer)

    def _set_plan(self, identity: Identity, plan: Plan) -> None:
        """As Tracker's billing does when a plan changes: a Plan Changed event to the function the billing
        bus invokes (the same envelope as events/billing_events/plan_changed.json)."""
        if wiring.integrations_store().get_account(identity.account_id).plan == plan:
            return
        change = PlanChange(
            account_id=identity.team_id or identity.user_id,
            account_type="team" if identity.team_id else "user",
            plan=plan,
            effective_at=datetime.now(UTC),
        )
        handler = importlib.import_module("functions.billing_events.app").lambda_handler
        with self._invoke_lock:
            handler(
                plan_changed_event(change, at=change.effective_at),
                LambdaContextStub(function_name="BillingEventsFunction"),
            )

    def _api(self, request: Request) -> Response:
        adapter = self._url_map.bind_to_environ(request.environ)
        try:
            route, path_parameters = adapter.match()
        except MethodNotAllowed:
            return _json(405, {"message": "Method Not Allowed"})
        except NotFound:
            return _json(404, {"message": "Not Found"})
        except HTTPException as exc:
            return _json(exc.code or 400, {"message": exc.description or "Bad Request"})
        if not isinstance(route, Route):
            return _json(500, {"message": "Internal Server Error"})
        claims: dict[str, Any] | None = None
        if route.authorized:
            claims = self.issuer.verify(request.headers.get("Authorization"))
            if claims is None:
                return _json(401, {"message": "Unauthorized"})  # API Gateway's own body
        event = http_api_event(
            method=request.method,
            path=request.path,
            route_path=route.path,
            path_parameters={k: str(v) for k, v in path_parameters.items()},
            query={k: request.args.getlist(k) for k in request.args},
            headers=dict(request.headers),
            body=request.get_data(as_text=True) or None,
            claims=claims,
            domain=request.host,
        )
        handler = getattr(importlib.import_module(route.module), route.function_name)
        with self._invoke_lock:
            result = handler(event, LambdaContextStub(function_name=route.function))
        headers = dict(result.get("headers") or {})
        response = Response(result.get("body") or "", status=int(result.get("statusCode", 200)), headers=headers)
        for cookie in result.get("cookies") or []:
            response.headers.add("Set-Cookie", cookie)
        return response


@dataclass
class RunningStack:
    stack: LocalStack
    server: BaseWSGIServer
    thread: threading.Thread

    @property
    def base_url(self) -> str:
        return self.stack.public_base

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)
        self.server.server_close()
        self.stack.stop()


def _not_ready(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"starting"]


class _QuietRequestHandler(WSGIRequestHandler):
    """No access log lines (tests); errors still print."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None


# Query parameters whose values are credentials: the OAuth callback's one-time code and state, tokens.
_SECRET_QUERY_NAME = re.compile(r"^(code|state)$|token|secret", re.IGNORECASE)


def redact_query(path: str) -> str:
    """`path` with the values of credential-carrying query parameters replaced (names stay, for reading)."""
    base, separator, query = path.partition("?")
    if not separator:
        return path
    pairs = [
        (k, "[redacted]" if _SECRET_QUERY_NAME.search(k) else v) for k, v in parse_qsl(query, keep_blank_values=True)
    ]
    return f"{base}?{urlencode(pairs, safe='[]')}"


class AccessLogRequestHandler(WSGIRequestHandler):
    """Werkzeug's access log (make dev), minus callback codes and states: like API Gateway's access
    log in template.yaml, it must not keep what would let someone finish another person's sign-in."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        original = getattr(self, "path", None)
        if original is not None:
            self.path = redact_query(original)
        try:
            super().log_request(code, size)
        finally:
            if original is not None:
                self.path = original


def serve_local_stack(
    host: str = "127.0.0.1", port: int = 3000, *, state_dir: Path | None = None, quiet: bool = False
) -> RunningStack:
    """Bind first (so port 0 works), then build the stack with its real public URL and serve it."""
    handler = _QuietRequestHandler if quiet else AccessLogRequestHandler
    server = make_server(host, port, _not_ready, threaded=True, request_handler=handler)
    stack = LocalStack(f"http://{host}:{server.server_port}", state_dir=state_dir)
    stack.start()
    server.app = stack.wsgi_app
    # A short poll interval keeps shutdown (and so test teardown) quick.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="local-stack", daemon=True
    )
    thread.start()
    return RunningStack(stack=stack, server=server, thread=thread)
