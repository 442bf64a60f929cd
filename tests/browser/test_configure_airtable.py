"""Configure for Airtable: base, table and view from the user's own bases, the fields matched by name, the import
previewed before anything is written, then Save & Start Sync; an edit made in Airtable then reaches Tracker."""

from __future__ import annotations

import httpx
from playwright.sync_api import Page, expect
from pyairtable import Api

from local_stack.server import RunningStack
from provider_sandbox.airtable_workspace import FieldSpec, TableSpec
from tests.browser.conftest import screenshot
from tests.browser.pages import card, sign_in
from tests.support.airtable import unpaced_sandbox
from tests.support.api import connect
from tests.support.api import sign_in as api_sign_in
from tests.support.waiting import deliver_pushes_and_run_jobs, wait_until

# The user's own script edits right after the app's sync, faster than a person would; Airtable's rate limit is
# measured by `make bench` (bench/airtable.py), so here it is off as in the other Airtable tests.
__all__ = ["unpaced_sandbox"]

RECORDS = [
    {"Contact": "Jess Iszatt", "Email": "jess@6music.example", "Status": "Sent"},
    {"Contact": "Huw Stephens", "Email": "huw@radiowales.example", "Status": "Sent"},
]


def test_a_base_and_table_are_chosen_imported_and_kept_in_sync(
    page: Page, http: httpx.Client, stack: RunningStack, user_name: str
) -> None:
    # GIVEN an agency user whose Airtable has a base of pitches with a view of its own, and Airtable connected
    login = f"{user_name}@example.com"
    fields = [
        FieldSpec(name="Contact"),
        FieldSpec(name="Email", type="email"),
        FieldSpec(name="Status", type="singleSelect", choices=["Sent", "Replied", "Interested"]),
    ]
    base = stack.stack.sandbox.airtable.create_base(
        login, "Agency pitches", [TableSpec(name="Pitches", fields=fields, records=RECORDS)]
    )
    user = api_sign_in(http, plan="agency", name=user_name)
    assert connect(http, user, "airtable", login=login).connected
    sign_in(page, user_name, plan="agency")
    # WHEN they open Configure and choose the base and table (the whole table, no view)
    card(page, "Airtable").get_by_role("button", name="Configure").click()
    page.get_by_label("Base", exact=True).select_option(label="Agency pitches")
    page.get_by_label("Table", exact=True).select_option(label="Pitches")
    expect(page.get_by_label("View", exact=True).locator("option")).not_to_have_count(0)
    page.get_by_role("button", name="Use this table").click()
    expect(page.get_by_role("status").filter(has_text="Table chosen")).to_be_visible()
    # THEN the fields are matched by name to Tracker's fields
    expect(page.get_by_label("Tracker field for column Email")).to_have_value("pitch.email")
    expect(page.get_by_label("Tracker field for column Status")).to_have_value("pitch.status")
    # WHEN they preview the import
    page.get_by_role("button", name="Preview import").click()
    # THEN it says what would be created, and nothing is written yet
    expect(page.locator("#preview")).to_contain_text("2 to create")
    screenshot(page, "configure-airtable")
    assert http.get("/api/campaigns", headers=user.headers).json()["campaigns"] == []
    # WHEN they import, then save and start the sync in real time
    page.get_by_role("button", name="Import these rows").click()
    expect(page.get_by_role("status").filter(has_text="Imported: 2 created")).to_be_visible()
    page.get_by_label("Sync frequency").select_option("real_time")
    page.get_by_role("button", name="Save & Start Sync").click()
    expect(page.get_by_role("status").filter(has_text="Saved.")).to_be_visible()
    detail = http.get("/api/integrations/airtable", headers=user.headers).json()
    assert detail["settings"]["airtable"]["target"]["table_id"] == base.tables[0].id
    stack.stack.run_queued_jobs()
    # AND an edit made in Airtable by the user's own script (pyairtable) reaches Tracker through the webhook
    token = stack.stack.sandbox.airtable.issue_token(login)
    table = Api(token, endpoint_url=f"{stack.base_url}/sandbox/api.airtable.com").table(base.id, base.tables[0].id)
    huw = next(r for r in table.all() if r["fields"].get("Email") == "huw@radiowales.example")
    table.update(huw["id"], {"Status": "Interested"})

    def huw_interested() -> bool:
        campaigns = http.get("/api/campaigns", headers=user.headers).json()["campaigns"]
        for campaign in campaigns:
            path = f"/api/campaigns/{campaign['campaign_id']}/pitches"
            for pitch in http.get(path, headers=user.headers).json()["pitches"]:
                if pitch["email"] == "huw@radiowales.example":
                    return bool(pitch["status"] == "interested")
        return False

    wait_until(huw_interested, "Huw's edit in Airtable to reach Tracker", between=deliver_pushes_and_run_jobs(stack))
