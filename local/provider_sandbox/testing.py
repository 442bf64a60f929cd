"""Play the user's browser on a sandbox consent page: open the authorization URL, fill the form, submit.

It reads the page's real form (action, hidden inputs, checkboxes), so tests exercise what a person
would click rather than a hand-built POST:

    callback_url = approve(authorization_url, login="ann@example.com")
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser

import httpx


@dataclass
class ConsentForm:
    action: str
    fields: list[tuple[str, str]] = field(default_factory=list)
    # Checkbox scopes offered on the page (all ticked by default).
    scope_checkboxes: list[str] = field(default_factory=list)
    login: str = ""


class _FormParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.form: ConsentForm | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.form = ConsentForm(action=values.get("action", ""))
        elif tag == "input" and self.form is not None:
            kind, name, value = values.get("type", "text"), values.get("name", ""), values.get("value", "")
            if kind == "hidden":
                self.form.fields.append((name, value))
            elif kind == "checkbox" and name == "granted_scope" and "checked" in values:
                self.form.scope_checkboxes.append(value)
            elif kind == "text" and name == "login":
                self.form.login = value


def read_consent_form(html: str) -> ConsentForm:
    parser = _FormParser()
    parser.feed(html)
    if parser.form is None:
        raise ValueError("no consent form on the page")
    return parser.form


def submit_consent(
    authorization_url: str,
    *,
    decision: str = "allow",
    login: str | None = None,
    untick: Iterable[str] = (),
    client: httpx.Client | None = None,
) -> httpx.Response:
    """GET the consent page, then POST its form with `decision`; returns the (unfollowed) response."""
    http = client or httpx.Client()
    try:
        page = http.get(authorization_url)
        page.raise_for_status()
        form = read_consent_form(page.text)
        unticked = set(untick)
        pairs = [
            *form.fields,
            ("login", login if login is not None else form.login),
            *[("granted_scope", scope) for scope in form.scope_checkboxes if scope not in unticked],
            ("decision", decision),
        ]
        data: dict[str, list[str]] = {}
        for name, value in pairs:
            data.setdefault(name, []).append(value)
        return http.post(page.url.join(form.action), data=data, follow_redirects=False)
    finally:
        if client is None:
            http.close()


def approve(
    authorization_url: str,
    *,
    login: str | None = None,
    untick: Iterable[str] = (),
    client: httpx.Client | None = None,
) -> str:
    """Click Allow; returns the redirect target (the client's callback URL with code and state)."""
    response = submit_consent(authorization_url, login=login, untick=untick, client=client)
    if response.status_code != 302:
        raise AssertionError(f"consent did not redirect: {response.status_code} {response.text[:200]}")
    return response.headers["Location"]


def deny(authorization_url: str, *, client: httpx.Client | None = None) -> str:
    """Click Cancel/Deny; returns the redirect target (callback URL with error=access_denied)."""
    response = submit_consent(authorization_url, decision="deny", client=client)
    if response.status_code != 302:
        raise AssertionError(f"consent did not redirect: {response.status_code} {response.text[:200]}")
    return response.headers["Location"]
