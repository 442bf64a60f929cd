"""How provider modules plug into the sandbox.

A provider module is any object with `install(router)`; it is built from the shared `SandboxContext`
and registers its routes (host + path + handler + error style). Adding a provider (Sheets, Gmail, Drive,
Airtable records, Mailchimp reports...) means writing one module and listing it in `app.DEFAULT_MODULES`.
"""

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from provider_sandbox.oauth import Clock, GrantStore
from provider_sandbox.responses import ErrorStyle, generic_error_style

# (request, URL values from the rule's converters) -> response
Handler = Callable[[Request, Mapping[str, Any]], Response]


@dataclass
class SandboxContext:
    """What every provider module may use: the shared grant store, the clock and the public URL."""

    store: GrantStore
    clock: Clock
    # Fixed public base URL; None derives it from each request (host + mount point).
    public_base_url: str | None = None
    # The sandbox's one lock, for modules keeping state of their own.
    lock: threading.RLock = field(default_factory=threading.RLock)
    # State shared by several modules (e.g. the Drive files both Sheets and Drive serve), one per type.
    _components: dict[type, object] = field(default_factory=dict, repr=False)

    def component[T](self, kind: type[T], factory: Callable[[], T]) -> T:
        """The context's one `kind` instance, made by `factory` on first use."""
        with self.lock:
            if kind not in self._components:
                self._components[kind] = factory()
            return cast("T", self._components[kind])

    def base_url(self, request: Request) -> str:
        if self.public_base_url is not None:
            return self.public_base_url.rstrip("/")
        return request.host_url.rstrip("/") + request.script_root

    def url(self, request: Request, host: str, path: str = "") -> str:
        """The sandbox URL standing in for https://{host}{path}."""
        return f"{self.base_url(request)}/{host}{path}"


@dataclass(frozen=True)
class Route:
    host: str
    path: str
    methods: tuple[str, ...]
    handler: Handler
    # None: the host's style (resolved per request, so install order does not matter).
    error_style: ErrorStyle | None


class ProviderModule(Protocol):
    def install(self, router: "Router") -> None: ...


ModuleFactory = Callable[[SandboxContext], ProviderModule]


@dataclass
class Router:
    """Routes keyed by the real host and path; werkzeug rule syntax (converters) works in `path`."""

    _map: Map = field(default_factory=lambda: Map(strict_slashes=False, merge_slashes=False))
    _host_styles: dict[str, ErrorStyle] = field(default_factory=dict)

    def add(
        self, host: str, path: str, methods: Iterable[str], handler: Handler, error_style: ErrorStyle | None = None
    ) -> None:
        route = Route(host, path, tuple(m.upper() for m in methods), handler, error_style)
        self._map.add(Rule(f"/{host}{path}", methods=list(route.methods), endpoint=route))

    def host_style(self, host: str, style: ErrorStyle) -> None:
        """How unknown paths and faults on `host` are answered when no route says otherwise."""
        self._host_styles[host] = style

    def match(self, host: str, path: str, method: str) -> tuple[Route, Mapping[str, Any]]:
        """Raises werkzeug's NotFound or MethodNotAllowed."""
        route, values = self._map.bind("sandbox").match(f"/{host}{path}", method)
        assert isinstance(route, Route)
        return route, values

    def style_for(self, host: str, path: str, method: str) -> ErrorStyle:
        host_style = self._host_styles.get(host, generic_error_style)
        try:
            route, _ = self.match(host, path, method)
        except (NotFound, MethodNotAllowed):
            return host_style
        return route.error_style or host_style
