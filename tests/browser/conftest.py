"""Browser fixtures: Debian's chromium driven by Playwright against the session's local stack.

Playwright's own browser download is not used (nor reachable from CI): the set-up installs Debian's
`chromium` with apt-get when it is missing and launches it by path. Screens are saved as test artefacts
under .artefacts/screens/ (gitignored) so a reviewer can look at every screen a run saw.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from local_stack.server import RunningStack

SCREENS = Path(__file__).resolve().parents[2] / ".artefacts" / "screens"
# Long enough for a sync queued through moto's SQS and a sandbox round trip; short enough to fail quickly.
TIMEOUT_MS = 15_000


def _chromium() -> str:
    found = shutil.which("chromium")
    if found:
        return found
    sudo = [] if os.geteuid() == 0 else ["sudo", "-n"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}  # noqa: TID251  # apt's own environment
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env)  # noqa: S603
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", "chromium"], check=True, env=env)  # noqa: S603
    installed = shutil.which("chromium")
    if installed is None:
        raise RuntimeError("apt-get installed chromium but it is not on PATH")
    return installed


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    launched = playwright_driver.chromium.launch(executable_path=_chromium(), headless=True)
    yield launched
    launched.close()


@pytest.fixture
def page(browser: Browser, stack: RunningStack) -> Iterator[Page]:
    context = browser.new_context(base_url=stack.base_url, viewport={"width": 1200, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    opened = context.new_page()
    yield opened
    context.close()


@pytest.fixture
def user_name() -> str:
    return f"ui-{uuid.uuid4().hex[:10]}"


def screenshot(page: Page, name: str) -> Path:
    SCREENS.mkdir(parents=True, exist_ok=True)
    path = SCREENS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
