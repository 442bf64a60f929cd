"""Browser fixtures: Debian's chromium driven by Playwright against the session's local stack.

Playwright's own browser download is not used (nor reachable from CI): the set-up installs Debian's
`chromium` with apt-get when it is missing and launches it by path. Screens are saved as test artefacts
under .artefacts/screens/ (gitignored) so a reviewer can look at every screen a run saw.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import threading
import uuid
from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, Playwright, expect, sync_playwright

from local_stack.server import RunningStack
from tests.support.waiting import wait_until

SCREENS = Path(__file__).resolve().parents[2] / ".artefacts" / "screens"
# Long enough for a sync queued through moto's SQS and a sandbox round trip; short enough to fail quickly.
TIMEOUT_MS = 15_000
# How often the pollers below deliver queued jobs and stream records: a change reaches the page within a
# refresh of the page (2 s) plus this.
POLL_SECONDS = 0.1
# A run the test started may still be due after it ends (a debounced sync, delayed a few seconds).
DRAIN_SECONDS = 8.0
expect.set_options(timeout=TIMEOUT_MS)


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


@pytest.fixture(scope="session", autouse=True)
def fresh_screens() -> None:
    """The screens folder holds one run's screens: none left over from an earlier run to mislead a reviewer."""
    for old in SCREENS.glob("*.png"):
        old.unlink()


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    launched = playwright_driver.chromium.launch(executable_path=_chromium(), headless=True)
    yield launched
    launched.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report: pytest.TestReport = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


_FAILED = pytest.StashKey[bool]()


@pytest.fixture
def page(browser: Browser, stack: RunningStack, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(base_url=stack.base_url, viewport={"width": 1200, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    opened = context.new_page()
    yield opened
    if request.node.stash.get(_FAILED, False):  # the screen a failing test ended on, for whoever reads the log
        screenshot(opened, f"FAILED-{request.node.name}")
    context.close()


@pytest.fixture
def user_name() -> str:
    return f"ui-{uuid.uuid4().hex[:10]}"


def screenshot(page: Page, name: str) -> Path:
    SCREENS.mkdir(parents=True, exist_ok=True)
    path = SCREENS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


@pytest.fixture
def pollers(stack: RunningStack) -> Iterator[RunningStack]:
    """Lambda's pollers while a browser test runs (make dev runs the same): queued sync jobs and table-stream
    records reach their functions by themselves, so the page sees a change travel as a user would."""
    stop = threading.Event()
    earlier = stack.stack.queued_messages("SyncJobsQueue")

    def deliver() -> None:
        while not stop.wait(POLL_SECONDS):
            try:
                stack.stack.run_queued_jobs()
            except Exception:  # a poller must survive a failing handler, as Lambda's does
                logging.getLogger("tests.browser").exception("queued jobs failed")

    thread = threading.Thread(target=deliver, name="browser-test-pollers", daemon=True)
    thread.start()
    yield stack
    stop.set()
    thread.join()
    # Nothing this test queued may arrive in the middle of a later test (what earlier tests left is theirs).
    wait_until(
        lambda: not stack.stack.messages_queued_since("SyncJobsQueue", earlier),
        "the test's queued sync jobs to run",
        within=DRAIN_SECONDS,
        between=stack.stack.run_queued_jobs,
    )
