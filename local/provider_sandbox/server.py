"""Serve a sandbox over real HTTP in a background thread (tests, demos, `python -m provider_sandbox`)."""

import threading
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from werkzeug.exceptions import NotFound
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication

    from provider_sandbox.app import ProviderSandbox


class _QuietHandler(WSGIRequestHandler):
    """Skips werkzeug's per-request access log line (the sandbox records requests itself)."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        return None

    def log(self, type: str, message: str, *args: Any) -> None:
        if type == "error":
            super().log(type, message, *args)


@dataclass
class RunningSandbox:
    sandbox: "ProviderSandbox"
    # http://HOST:PORT, without the mount point.
    base_url: str
    mount: str
    _server: BaseWSGIServer = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    @property
    def public_base_url(self) -> str:
        """Where the sandbox app answers: base_url + mount."""
        return self.base_url + self.mount

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)
        self._server.server_close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.stop()


def serve(
    sandbox: "ProviderSandbox",
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    mount: str = "/sandbox",
    log_requests: bool = False,
) -> RunningSandbox:
    """Start a threaded werkzeug server for `sandbox` mounted at `mount`; port 0 picks a free port."""
    mount = "/" + mount.strip("/") if mount.strip("/") else ""
    app: WSGIApplication = DispatcherMiddleware(NotFound(), {mount: sandbox}) if mount else sandbox
    server = make_server(host, port, app, threaded=True, request_handler=None if log_requests else _QuietHandler)
    # A short poll interval keeps stop() (and so every test teardown) fast.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, name="provider-sandbox", daemon=True
    )
    thread.start()
    shown_host = "127.0.0.1" if host in {"0.0.0.0", ""} else host
    return RunningSandbox(
        sandbox=sandbox,
        base_url=f"http://{shown_host}:{server.server_port}",
        mount=mount,
        _server=server,
        _thread=thread,
    )
