"""How provider modules plug into the sandbox.

A provider module is any object with `install(router)`; it is built from the shared `SandboxContext`
and registers its routes (host + path + handler + error style) and its own test controls (under
/_control/) on the same router. Adding a provider (Sheets, Gmail, Drive, Airtable records, Mailchimp
reports...) means writing one module and listing it in `app.DEFAULT_MODULES`; nothing else lists them.
"""

import threading
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, cast

from pydantic import BaseModel, JsonValue, ValidationError
from werkzeug.exceptions import MethodNotAllowed, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from provider_sandbox.oauth import Clock, GrantStore
from provider_sandbox.responses import ErrorStyle, generic_error_style

# (request, URL values from the rule's converters) -> response
Handler = Callable[[Request, Mapping[str, Any]], Response]


class ControlError(Exception):
    """A control request the sandbox refuses: answered as {"error", "details"} with `status`."""

    def __init__(self, status: int, message: str, details: JsonValue = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.details = details


def parse_control_body[M: BaseModel](model: type[M], request: Request) -> M:
    """The control request's JSON body as `model`; ControlError 400 with the validation errors otherwise."""
    try:
        return model.model_validate_json(request.get_data() or b"{}")
    except ValidationError as exc:
        details: JsonValue = [
            {"loc": ".".join(str(part) for part in error["loc"]), "msg": error["msg"]} for error in exc.errors()
        ]
        raise ControlError(400, f"invalid {model.__name__} body", details) from exc


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
    _controls: Map = field(default_factory=lambda: Map(strict_slashes=False))
    _control_keys: set[tuple[str, str]] = field(default_factory=set)

    def add(
        self, host: str, path: str, methods: Iterable[str], handler: Handler, error_style: ErrorStyle | None = None
    ) -> None:
        route = Route(host, path, tuple(m.upper() for m in methods), handler, error_style)
        self._map.add(Rule(f"/{host}{path}", methods=list(route.methods), endpoint=route))

    def routes(self) -> list[Route]:
        return [rule.endpoint for rule in self._map.iter_rules() if isinstance(rule.endpoint, Route)]

    def add_control(self, path: str, method: str, handler: Handler) -> None:
        """Serve the control `method path` (werkzeug rule syntax); modules sharing a control add it once."""
        if (path, method) in self._control_keys:
            return
        self._control_keys.add((path, method))
        self._controls.add(Rule(path, methods=[method], endpoint=handler))

    def match_control(self, path: str, method: str) -> tuple[Handler, Mapping[str, Any]]:
        """Raises werkzeug's NotFound or MethodNotAllowed."""
        handler, values = self._controls.bind("sandbox").match(path, method)
        return cast("Handler", handler), values

    def control_endpoints(self) -> list[str]:
        return sorted(f"{method} {rule.rule}" for rule in self._controls.iter_rules() for method in rule.methods or ())

    def host_style(self, host: str, style: ErrorStyle) -> None:
        """How unknown paths and faults on `host` are answered when no route says otherwise."""
        self._host_styles[host] = style

    def match(self, host: str, path: str, method: str) -> tuple[Route, Mapping[str, Any]]:
        """Raises werkzeug's NotFound or MethodNotAllowed."""
        route, values = self._map.bind("sandbox").match(f"/{host}{path}", method)
        assert isinstance(route, Route)
        return route, values

    def route_for(self, host: str, path: str, method: str) -> Route | None:
        """The route serving `method path` on `host`, or None where the host answers in its own style."""
        try:
            route, _ = self.match(host, path, method)
        except (NotFound, MethodNotAllowed):
            return None
        return route

    def style_for(self, host: str, path: str, method: str) -> ErrorStyle:
        host_style = self._host_styles.get(host, generic_error_style)
        route = self.route_for(host, path, method)
        return (route.error_style if route else None) or host_style
