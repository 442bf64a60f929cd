"""What a user does on the integrations page, in the words of its controls (their accessible names)."""

from __future__ import annotations

from playwright.sync_api import Locator, Page, expect


def sign_in(page: Page, user: str, *, plan: str = "free", role: str = "owner", team: str = "") -> None:
    page.goto("/app")
    page.get_by_label("User").fill(user)
    page.get_by_label("Plan").select_option(plan)
    page.get_by_label("Team").fill(team)
    page.get_by_label("Role").select_option(role)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("status").filter(has_text="Signed in as")).to_contain_text(user)


def card(page: Page, name: str) -> Locator:
    return page.get_by_role("listitem").filter(has=page.get_by_role("heading", name=name, exact=True))


def allow_in_popup(
    page: Page, login: str, *, allow: bool = True, button: str = "Connect with Google", allow_label: str = "Continue"
) -> None:
    """Connect from the connect screen: the consent popup, as `login`, its allow button (or Cancel)."""
    with page.expect_popup() as opened:
        page.get_by_role("button", name=button).click()
    popup = opened.value
    popup.get_by_label("Signed in as").fill(login)
    # Listening before the click: the popup may close before a wait that starts after it (a race seen under load).
    with popup.expect_event("close"):
        popup.get_by_role("button", name=allow_label if allow else "Cancel").click()


def press_tab_until_focused(page: Page, target: Locator, *, limit: int = 80) -> None:
    """Move the focus with Tab alone until it is on `target`; fail if Tab never gets there."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if target.evaluate("node => node === document.activeElement"):
            # WCAG 2.4.7: where the focus is must be visible.
            outline = target.evaluate("node => getComputedStyle(node).outlineStyle")
            assert outline != "none", f"the focus on {target} is not visible"
            return
    raise AssertionError(f"Tab never reached {target} in {limit} presses")
