"""The sandbox WSGI app: routes `/{host}{path}` to provider modules, records requests, applies faults.

Mounted under a prefix (e.g. /sandbox), so `{public_base_url}/oauth2.googleapis.com/token` stands in
for https://oauth2.googleapis.com/token. `/_control/...` is the control API (see control.py).
"""

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING

from werkzeug.exceptions import HTTPException, MethodNotAllowed
from werkzeug.wrappers import Request, Response

from provider_sandbox.airtable import AirtableOAuth
from provider_sandbox.airtable_control import AirtableControls
from provider_sandbox.airtable_records import AirtableRecordsApi
from provider_sandbox.airtable_webhooks import AirtableWebhooks
from provider_sandbox.airtable_workspace import AirtableWorkspace
from provider_sandbox.control import ControlApi
from provider_sandbox.drive import DriveApi
from provider_sandbox.drive_channels import DriveChannels
from provider_sandbox.gmail import GmailApi
from provider_sandbox.gmail_mailbox import GmailService
from provider_sandbox.google import GoogleOAuth, google_api_error_body
from provider_sandbox.mailchimp import MailchimpOAuth
from provider_sandbox.models import Fault, OAuthClientRegistration, Provider, RecordedRequest
from provider_sandbox.oauth import Clock, GrantStore
from provider_sandbox.pubsub import PubSubApi
from provider_sandbox.request_log import RequestLog
from provider_sandbox.responses import json_response
from provider_sandbox.routing import ModuleFactory, Router, SandboxContext
from provider_sandbox.sheets import SheetsApi
from provider_sandbox.workspace import GoogleWorkspace

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIEnvironment

logger = logging.getLogger(__name__)

# Every provider module the sandbox serves; a new provider is one more entry here.
DEFAULT_MODULES: list[ModuleFactory] = [
    GoogleOAuth,
    AirtableOAuth,
    AirtableRecordsApi,
    AirtableWebhooks.of,
    AirtableControls,
    MailchimpOAuth,
    SheetsApi,
    DriveApi,
    DriveChannels.of,
    GmailApi,
    PubSubApi,
]

CONTROL_PREFIX = "/_control"


def _utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class _ActiveFault:
    fault: Fault
    remaining: int | None

    def matches(self, host: str, path: str, method: str) -> bool:
        fault = self.fault
        if fault.host.lower() != host.lower():
            return False
        if fault.method is not None and fault.method != method:
            return False
        if fault.path is None:
            return True
        if any(char in fault.path for char in "*?["):
            return fnmatchcase(path, fault.path)
        return fault.path == path


class ProviderSandbox:
    """A WSGI app imitating the providers' endpoints, with in-memory state and test controls."""

    def __init__(
        self,
        public_base_url: str | None = None,
        *,
        clock: Clock | None = None,
        modules: Sequence[ModuleFactory] | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        # One lock guards everything: the grant store, the request log and the faults.
        self._lock = threading.RLock()
        self._clock = clock or _utc_now
        # How a delay fault waits; tests pass a recorder so they need not wait.
        self._sleep = sleep
        self.store = GrantStore(self._lock, self._clock)
        self.context = SandboxContext(
            store=self.store, clock=self._clock, public_base_url=public_base_url, lock=self._lock
        )
        self.router = Router()
        for factory in DEFAULT_MODULES if modules is None else modules:
            factory(self.context).install(self.router)
        self._requests: list[RecordedRequest] = []
        self._faults: list[_ActiveFault] = []
        self._control = ControlApi(self, self.router)
        # Off unless SANDBOX_REQUEST_LOG names a file (route audits).
        self._request_log = RequestLog.from_environment()

    # Configuration -----------------------------------------------------------------------------

    @property
    def public_base_url(self) -> str | None:
        return self.context.public_base_url

    @public_base_url.setter
    def public_base_url(self, value: str | None) -> None:
        self.context.public_base_url = value

    def register_client(self, registration: OAuthClientRegistration) -> None:
        self.store.register_client(registration)

    @property
    def clients(self) -> list[OAuthClientRegistration]:
        return self.store.clients()

    @property
    def sheets(self) -> GoogleWorkspace:
        """Google spreadsheets (Drive files): the user's controls and readers, and the Sheets quotas."""
        return GoogleWorkspace.of(self.context)

    @property
    def airtable(self) -> AirtableWorkspace:
        """Airtable bases, personal access tokens for a login, and the per-base rate limit."""
        return AirtableWorkspace.of(self.context)

    @property
    def airtable_webhooks(self) -> AirtableWebhooks:
        """Airtable webhooks of every base, with their MAC secrets and payloads."""
        return AirtableWebhooks.of(self.context)

    @property
    def gmail(self) -> GmailService:
        """Gmail mailboxes (one per Google login), Pub/Sub topics and push subscriptions, the Gmail quota."""
        return GmailService.of(self.context)

    # Recorded requests -------------------------------------------------------------------------

    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    def count(self, *, host: str | None = None, path: str | None = None, method: str | None = None) -> int:
        return len(self.find_requests(host=host, path=path, method=method))

    def find_requests(
        self, *, host: str | None = None, path: str | None = None, method: str | None = None
    ) -> list[RecordedRequest]:
        return [
            r
            for r in self.requests
            if (host is None or r.host == host)
            and (path is None or r.path == path)
            and (method is None or r.method == method.upper())
        ]

    def reset_requests(self) -> int:
        with self._lock:
            cleared = len(self._requests)
            self._requests.clear()
            return cleared

    # Faults ------------------------------------------------------------------------------------

    def inject_fault(self, fault: Fault) -> None:
        with self._lock:
            self._faults.append(_ActiveFault(fault, fault.times))

    @property
    def faults(self) -> list[Fault]:
        """Faults still waiting to fire."""
        with self._lock:
            return [active.fault for active in self._faults]

    def clear_faults(self) -> int:
        with self._lock:
            cleared = len(self._faults)
            self._faults.clear()
            return cleared

    def _take_fault(self, host: str, path: str, method: str) -> Fault | None:
        with self._lock:
            for active in self._faults:
                if active.matches(host, path, method):
                    if active.remaining is not None:
                        active.remaining -= 1
                        if active.remaining == 0:
                            self._faults.remove(active)
                    return active.fault
        return None

    # User and token controls -------------------------------------------------------------------

    def revoke_user_grants(self, *, provider: Provider, login: str) -> int:
        """The user removes the app in the provider's account settings: all their tokens die."""
        return self.store.revoke_user_grants(provider, login)

    def expire_access_tokens(self, *, provider: Provider) -> int:
        """Every live access token of the provider expires now; refresh tokens keep working."""
        return self.store.expire_access_tokens(provider)

    def live_refresh_tokens(self, provider: Provider) -> int:
        return self.store.live_refresh_tokens(provider)

    def live_access_tokens(self, provider: Provider) -> int:
        return self.store.live_access_tokens(provider)

    # WSGI --------------------------------------------------------------------------------------

    def __call__(self, environ: "WSGIEnvironment", start_response: "StartResponse") -> Iterable[bytes]:
        request = Request(environ)
        if request.path == CONTROL_PREFIX or request.path.startswith(CONTROL_PREFIX + "/"):
            response = self._control.dispatch(request)
        else:
            response = self._serve_provider(request)
        return response(environ, start_response)

    def _serve_provider(self, request: Request) -> Response:
        at = self._clock()
        host, _, rest = request.path.lstrip("/").partition("/")
        path = "/" + rest
        method = request.method.upper()
        response: Response | None = None
        fault = self._take_fault(host, path, method)
        if fault is not None:
            if fault.delay_seconds:
                self._sleep(fault.delay_seconds)
            if fault.status is not None:
                response = self._fault_response(fault, host, path, method)
        if response is None:
            response = self._route(request, host, path, method)
        recorded = RecordedRequest(
            method=method,
            host=host,
            path=path,
            query=request.args.to_dict(flat=False),
            status=response.status_code,
            at=at,
        )
        with self._lock:
            self._requests.append(recorded)
        if self._request_log is not None:
            route = self.router.route_for(host, path, method)
            self._request_log.record(
                method=method,
                host=host,
                rule=route.path if route else None,
                status=response.status_code,
                user_agent=request.headers.get("User-Agent", ""),
            )
        return response

    def _fault_response(self, fault: Fault, host: str, path: str, method: str) -> Response:
        assert fault.status is not None
        if fault.body is None and fault.reason is not None:
            response = json_response(google_api_error_body(fault.status, reason_code=fault.reason), fault.status)
        elif fault.body is None:
            response = self.router.style_for(host, path, method)(fault.status, None)
        elif isinstance(fault.body, str):
            response = Response(fault.body, status=fault.status, content_type="text/plain; charset=utf-8")
            if not fault.body:
                del response.headers["Content-Type"]
        else:
            response = json_response(fault.body, fault.status)
        if fault.retry_after is not None:
            response.headers["Retry-After"] = str(fault.retry_after)
        return response

    def _route(self, request: Request, host: str, path: str, method: str) -> Response:
        style = self.router.style_for(host, path, method)
        try:
            route, values = self.router.match(host, path, method)
        except MethodNotAllowed as exc:
            response = style(405, None)
            response.headers["Allow"] = ", ".join(exc.valid_methods or [])
            return response
        except HTTPException as exc:
            return style(exc.code or 404, None)
        try:
            return route.handler(request, values)
        except Exception as exc:
            # A sandbox bug should be loud in the logs but still answer, in the provider's shape.
            logger.exception("provider sandbox handler failed: %s %s%s", method, host, path)
            return style(500, f"provider sandbox error: {exc}")
