"""axe-core, run in the page: it comes from PyPI in axe-playwright-python, whose axe.min.js is all that is used."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from typing import Any

from playwright.sync_api import Page

WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]


@cache
def _axe_script() -> str:
    return files("axe_playwright_python").joinpath("axe.min.js").read_text()


def axe_violations(page: Page) -> list[str]:
    """axe-core's violations on the page as it is now, one line each: rule, impact, where, what to fix."""
    page.evaluate(_axe_script())
    results: dict[str, Any] = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", WCAG_AA
    )
    return [
        f"{v['id']} ({v['impact']}) at {node['target']}: {node['failureSummary']}"
        for v in results["violations"]
        for node in v["nodes"]
    ]
