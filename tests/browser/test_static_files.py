"""How the local stack serves the page: one HTML for every /app path, and only the files of static/."""

from __future__ import annotations

import httpx
import pytest

from local_stack.server import RunningStack


@pytest.mark.parametrize("path", ["/app", "/app/campaigns", "/app/integrations/gmail/configure"])
def test_every_app_path_answers_the_page_with_the_api_base_filled_in(
    http: httpx.Client, stack: RunningStack, path: str
) -> None:
    page = http.get(path)
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert f'<meta name="api-base" content="{stack.base_url}">' in page.text
    assert "__BASE__" not in page.text


@pytest.mark.parametrize(("name", "media_type"), [("app.js", "text/javascript"), ("app.css", "text/css")])
def test_static_files_are_served_with_their_type_and_revalidated(
    http: httpx.Client, name: str, media_type: str
) -> None:
    served = http.get(f"/app/static/{name}")
    assert served.status_code == 200
    assert served.headers["content-type"].startswith(media_type)
    assert served.headers["cache-control"] == "no-cache"  # a changed page is picked up on the next load


@pytest.mark.parametrize(
    "path",
    # (a literal ../ never arrives: clients resolve it first; an encoded one does)
    [
        "/app/static/missing.js",
        "/app/static/%2e%2e/server.py",
        "/app/static/%2E%2E/webpage.py",
        "/app/static/__init__.py",
    ],
)
def test_nothing_outside_the_static_files_is_served(http: httpx.Client, path: str) -> None:
    assert http.get(path).status_code == 404
