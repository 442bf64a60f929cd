"""The signed-in member's role and plan come from GET /api/me; where that route is missing (404), the page falls
back to the local sign-in's role and the plan its token was issued for.

/api/me is answered here by the browser (Playwright's routing) in the shape its contract gives, so both cases are
tested whichever of them the API on this branch serves."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.pages import card, sign_in

AGENCY_MEMBER = {
    "user_id": "",
    "team_id": "t-promo",
    "role": "member",
    "plan": "agency",
    "limits": {
        "max_integrations": None,
        "records_per_month": None,
        "automatic_sync": True,
        "sync_interval_minutes": 15,
    },
}


def _answer_me(page: Page, status: int, body: dict[str, object]) -> None:
    def answer(route: Route) -> None:
        route.fulfill(status=status, content_type="application/json", body=json.dumps(body))

    page.route("**/api/me", answer)


def test_the_role_and_plan_the_api_gives_decide_what_the_page_offers(page: Page, user_name: str) -> None:
    # GIVEN /api/me saying the user is a member of an agency team, though they signed in choosing free and owner
    _answer_me(page, 200, {**AGENCY_MEMBER, "user_id": user_name})
    # WHEN they sign in
    sign_in(page, user_name, plan="free", role="owner")
    # THEN the page goes by the API: the agency plan's unlimited integrations, and a member's actions only
    expect(page.get_by_role("status").filter(has_text="Signed in as")).to_contain_text("(agency, member)")
    expect(
        page.get_by_text("Plan: agency · 0 of unlimited integrations in use · unlimited records synced")
    ).to_be_visible()
    expect(card(page, "Google Sheets").get_by_role("button", name="Connect", exact=True)).to_have_count(0)


@pytest.mark.parametrize(("role", "connect_offered"), [("owner", 1), ("member", 0)])
def test_without_api_me_the_sign_in_s_role_and_the_token_s_plan_stand(
    page: Page, user_name: str, role: str, connect_offered: int
) -> None:
    # GIVEN an API without /api/me (404)
    _answer_me(page, 404, {"message": "Not Found"})
    # WHEN they sign in on the pro plan with a role
    sign_in(page, user_name, plan="pro", role=role)
    # THEN the page goes by what they chose, and still works
    expect(page.get_by_role("status").filter(has_text="Signed in as")).to_contain_text(f"(pro, {role})")
    expect(page.get_by_text("Plan: pro · 0 of 3 integrations in use · 1,000 records synced a month")).to_be_visible()
    connect = card(page, "Google Sheets").get_by_role("button", name="Connect", exact=True)
    expect(connect).to_have_count(connect_offered)
