"""The local stand-in for Tracker's Integrations screen: cards, connect, disconnect, campaigns.

Plain HTML and fetch() (static/app.html): it talks to the same API routes the real Tracker UI would,
with a token from /local/token. Connect sends the browser to the provider's consent page (the
sandbox, locally); the callback sends it back here with the outcome in the query string.
"""

from __future__ import annotations

from functools import lru_cache
from html import escape
from pathlib import Path


@lru_cache(maxsize=1)
def _page() -> str:
    return (Path(__file__).parent / "static" / "app.html").read_text()


def render_app_page(api_base: str) -> str:
    return _page().replace("__BASE__", escape(api_base, quote=True))
