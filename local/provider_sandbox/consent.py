"""The authorize endpoint every provider shares: validate, render the consent page, act on the decision.

The page is a plain HTML form (POST to the same path, every original parameter as a hidden input), so
a browser, httpx or the headless demo can all "click" Allow by posting `decision=allow`.

Order of checks follows RFC 6749 §4.1.2.1: while client_id or redirect_uri is untrustworthy the user
sees an error page and is never redirected; later errors go back to the client as the provider chooses.
"""

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any, ClassVar

from werkzeug.wrappers import Request, Response

from provider_sandbox.models import DEFAULT_LOGIN, OAuthClientRegistration, Provider
from provider_sandbox.responses import ErrorStyle, reason, redirect_to
from provider_sandbox.routing import Router, SandboxContext

# Form fields the page adds; everything else is an original authorize parameter carried through.
_PAGE_FIELDS = frozenset({"decision", "login", "granted_scope", "granular"})


@dataclass(frozen=True)
class Brand:
    name: str
    colour: str
    allow_label: str = "Allow"
    deny_label: str = "Cancel"


@dataclass(frozen=True)
class AuthorizeProblem:
    error: str
    description: str
    # True: reported to the client through its (validated) redirect_uri; False: shown to the user.
    redirect: bool = False
    status: int = 400


@dataclass(frozen=True)
class ScopeLine:
    scope: str
    label: str
    # False for scopes the user cannot untick (Google's sign-in scopes; every Airtable scope).
    optional: bool


_STYLE = """
body{font-family:system-ui,sans-serif;background:#f4f4f5;margin:0;padding:2rem;color:#18181b}
main{max-width:32rem;margin:auto;background:#fff;border-radius:12px;padding:2rem;box-shadow:0 1px 4px #0002}
.bar{height:6px;border-radius:3px;margin:-1rem 0 1.5rem}
.note{font-size:.8rem;color:#71717a}
ul{padding-left:0;list-style:none}li{margin:.5rem 0}
input[type=text]{width:100%;padding:.5rem;box-sizing:border-box}
.buttons{display:flex;gap:1rem;justify-content:flex-end;margin-top:1.5rem}
button{padding:.6rem 1.2rem;border-radius:6px;border:1px solid #d4d4d8;background:#fff;cursor:pointer}
button[value=allow]{color:#fff;border:0}
code{word-break:break-all}
"""


def _page(brand: Brand, title: str, body: str) -> str:
    return (
        "<!doctype html>\n<html lang='en'><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><style>{_STYLE}button[value=allow]{{background:{brand.colour}}}</style>"
        f"</head><body><main><div class='bar' style='background:{brand.colour}'></div>{body}"
        f"<p class='note'>Provider sandbox: a local imitation of {escape(brand.name)}. No real account is used.</p>"
        "</main></body></html>\n"
    )


def render_error_page(brand: Brand, status: int, error: str, description: str) -> str:
    return _page(
        brand,
        f"Error {status}: {error}",
        f"<h1>Access blocked: this request is invalid</h1><p><strong>Error {status}: {escape(error)}</strong></p>"
        f"<p>{escape(description)}</p>",
    )


def render_consent_page(
    *,
    brand: Brand,
    action: str,
    client: OAuthClientRegistration,
    login: str,
    scopes: Sequence[ScopeLine],
    hidden: Sequence[tuple[str, str]],
) -> str:
    granular = any(line.optional for line in scopes)
    items = []
    for line in scopes:
        text = f"{escape(line.label)} <span class='note'><code>{escape(line.scope)}</code></span>"
        if line.optional:
            items.append(
                f"<li><label><input type='checkbox' name='granted_scope' value='{escape(line.scope)}' checked> "
                f"{text}</label></li>"
            )
        else:
            items.append(f"<li>&#10003; {text}</li>")
    hidden_inputs = "".join(
        f"<input type='hidden' name='{escape(name)}' value='{escape(value)}'>" for name, value in hidden
    )
    if granular:
        # Marks a page that offered checkboxes, so "nothing ticked" is not read as "plain form post".
        hidden_inputs += "<input type='hidden' name='granular' value='1'>"
    scope_block = f"<p>This will allow {escape(client.name)} to:</p><ul>{''.join(items)}</ul>" if items else ""
    return _page(
        brand,
        f"{brand.name}: {client.name} wants access",
        f"<h1>{escape(client.name)} wants to access your {escape(brand.name)} account</h1>"
        f"<form method='post' action='{escape(action)}'>{hidden_inputs}"
        f"<label for='login'>Signed in as</label>"
        f"<input type='text' id='login' name='login' value='{escape(login)}'>"
        f"{scope_block}"
        "<div class='buttons'>"
        f"<button type='submit' name='decision' value='deny'>{escape(brand.deny_label)}</button>"
        f"<button type='submit' name='decision' value='allow'>{escape(brand.allow_label)}</button>"
        "</div></form>",
    )


def html_error_style(brand: Brand) -> ErrorStyle:
    """Faults and unknown paths on consent pages answer with the provider's HTML error page."""

    def style(status: int, message: str | None) -> Response:
        page = render_error_page(brand, status, reason(status), message or reason(status))
        return Response(page, status=status, content_type="text/html; charset=utf-8")

    return style


class ConsentFlow(ABC):
    """One provider's authorize endpoint; subclasses supply the provider's rules."""

    provider: ClassVar[Provider]
    brand: ClassVar[Brand]
    host: ClassVar[str]
    path: ClassVar[str]

    def __init__(self, ctx: SandboxContext) -> None:
        self.ctx = ctx

    def install(self, router: Router) -> None:
        router.add(self.host, self.path, ["GET", "POST"], self.handle, html_error_style(self.brand))

    # Hooks -------------------------------------------------------------------------------------

    @abstractmethod
    def check_request(self, params: Mapping[str, str]) -> AuthorizeProblem | None:
        """Provider rules checked once client_id and redirect_uri are known good."""

    @abstractmethod
    def approve(
        self, params: Mapping[str, str], client: OAuthClientRegistration, login: str, granted: list[str]
    ) -> list[tuple[str, str]]:
        """Issue the code; return the query parameters of the success redirect."""

    def requested_scopes(self, params: Mapping[str, str]) -> list[str]:
        return list(dict.fromkeys(params.get("scope", "").split()))

    def scope_lines(self, scopes: list[str]) -> list[ScopeLine]:
        return [ScopeLine(scope, scope, optional=False) for scope in scopes]

    def problem_params(self, problem: AuthorizeProblem, params: Mapping[str, str]) -> list[tuple[str, str]]:
        return [("error", problem.error), ("error_description", problem.description), *self._state(params)]

    def deny_params(self, params: Mapping[str, str]) -> list[tuple[str, str]]:
        return [("error", "access_denied"), *self._state(params)]

    def client_problem(
        self, params: Mapping[str, str], client: OAuthClientRegistration | None
    ) -> AuthorizeProblem | None:
        client_id = params.get("client_id", "")
        redirect_uri = params.get("redirect_uri", "")
        if not client_id:
            return AuthorizeProblem("invalid_request", "Missing required parameter: client_id")
        if client is None:
            return AuthorizeProblem("invalid_client", "The OAuth client was not found.", status=401)
        if not redirect_uri:
            return AuthorizeProblem("invalid_request", "Missing required parameter: redirect_uri")
        if redirect_uri not in client.redirect_uris:
            return AuthorizeProblem(
                "redirect_uri_mismatch",
                f"The redirect URI in the request, {redirect_uri}, does not match the ones authorized "
                f"for the OAuth client.",
            )
        return None

    # Flow --------------------------------------------------------------------------------------

    def handle(self, request: Request, _values: Mapping[str, Any]) -> Response:
        params = self._params(request)
        client = self.ctx.store.client(self.provider, params.get("client_id", ""))
        problem = self.client_problem(params, client)
        if problem is not None or client is None:
            return self._error_page(problem or AuthorizeProblem("invalid_client", "Unknown client", status=401))
        problem = self.check_request(params)
        if problem is not None:
            if problem.redirect:
                return redirect_to(params["redirect_uri"], self.problem_params(problem, params))
            return self._error_page(problem)
        requested = self.requested_scopes(params)
        if request.method == "GET":
            return self._consent_page(request, params, client, requested)
        return self._decide(request, params, client, requested)

    def _decide(
        self, request: Request, params: Mapping[str, str], client: OAuthClientRegistration, requested: list[str]
    ) -> Response:
        redirect_uri = params["redirect_uri"]
        decision = request.form.get("decision") or request.args.get("decision", "")
        if decision not in {"allow", "deny"}:
            return self._error_page(AuthorizeProblem("invalid_request", "decision must be 'allow' or 'deny'"))
        granted = self._granted(request, requested)
        # Unticking every scope on the granular page amounts to declining.
        if decision == "deny" or (requested and not granted):
            return redirect_to(redirect_uri, self.deny_params(params))
        login = (request.form.get("login") or params.get("login") or DEFAULT_LOGIN).strip()
        return redirect_to(redirect_uri, self.approve(params, client, login, granted))

    @staticmethod
    def _params(request: Request) -> dict[str, str]:
        # GET carries the parameters in the query; the form POST carries them as hidden inputs.
        params = {k: v for k, v in request.args.items() if k not in _PAGE_FIELDS}
        if request.method == "POST":
            params.update({k: v for k, v in request.form.items() if k not in _PAGE_FIELDS})
        return params

    def _granted(self, request: Request, requested: list[str]) -> list[str]:
        if request.form.get("granular") != "1":
            return requested  # a plain form post: everything requested is granted
        ticked = set(request.form.getlist("granted_scope"))
        optional = {line.scope for line in self.scope_lines(requested) if line.optional}
        return [scope for scope in requested if scope not in optional or scope in ticked]

    def _consent_page(
        self, request: Request, params: Mapping[str, str], client: OAuthClientRegistration, requested: list[str]
    ) -> Response:
        page = render_consent_page(
            brand=self.brand,
            action=request.script_root + request.path,
            client=client,
            login=params.get("login_hint") or DEFAULT_LOGIN,
            scopes=self.scope_lines(requested),
            hidden=sorted(params.items()),
        )
        return Response(page, content_type="text/html; charset=utf-8", headers={"Cache-Control": "no-store"})

    def _error_page(self, problem: AuthorizeProblem) -> Response:
        page = render_error_page(self.brand, problem.status, problem.error, problem.description)
        return Response(page, status=problem.status, content_type="text/html; charset=utf-8")

    @staticmethod
    def _state(params: Mapping[str, str]) -> list[tuple[str, str]]:
        return [("state", params["state"])] if "state" in params else []
