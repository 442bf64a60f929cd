"""Tracker's integrations page, served at /app: static HTML, CSS and JavaScript modules (static/).

The page talks only to the public API (openapi.json) with a token from /local/token. Every /app path
answers the same HTML (the page routes on the client: connect, configure, activity, campaigns), so the
OAuth callback can land on /app/integrations/<provider>/configure. Files under /app/static/ are served
as they are, so the folder deploys to any static host; only the API base is filled into the HTML.
"""

from __future__ import annotations

from functools import lru_cache
from html import escape
from pathlib import Path

from werkzeug.wrappers import Response

STATIC_DIR = Path(__file__).parent / "static"
STATIC_PREFIX = "/app/static/"
_TYPES = {".js": "text/javascript", ".css": "text/css", ".html": "text/html", ".svg": "image/svg+xml"}


@lru_cache(maxsize=1)
def _page() -> str:
    return (STATIC_DIR / "app.html").read_text()


def render_app_page(api_base: str) -> str:
    return _page().replace("__BASE__", escape(api_base, quote=True))


def app_response(path: str, api_base: str) -> Response:
    """The page for any /app path, or one of its static files (404 for anything outside static/)."""
    if not path.startswith(STATIC_PREFIX):
        return Response(render_app_page(api_base), mimetype="text/html")
    name = path.removeprefix(STATIC_PREFIX)
    file = (STATIC_DIR / name).resolve()
    if file.parent != STATIC_DIR.resolve() or not file.is_file() or file.suffix not in _TYPES:
        return Response("Not Found", status=404, mimetype="text/plain")
    return Response(file.read_bytes(), mimetype=_TYPES[file.suffix], headers={"Cache-Control": "no-cache"})
