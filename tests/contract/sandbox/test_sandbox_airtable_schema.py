"""Contract tests: Airtable's meta API (bases, tables with fields, types, options and views) and who may call.

pyairtable parses every answer into its own schema models, so a shape it does not expect fails here.
"""

import httpx
import pytest
from pyairtable.models.schema import (
    MultipleRecordLinksFieldConfig,
    NumberFieldConfig,
    SingleSelectFieldConfig,
)

from provider_sandbox import ProviderSandbox
from tests.contract.sandbox.airtable_support import (
    LOGIN,
    OTHER_LOGIN,
    STATUSES,
    airtable_failure,
    airtable_sandbox,
    campaign_base,
    oauth_token,
    pyairtable_api,
)
from tests.contract.sandbox.conftest import FakeClock


@pytest.fixture
def sandbox(fake_clock: FakeClock) -> ProviderSandbox:
    return airtable_sandbox(fake_clock)


def test_list_bases_shows_only_the_bases_the_login_collaborates_on(sandbox: ProviderSandbox, base: str) -> None:
    # GIVEN a base for Dan and one for Eve
    dans = campaign_base(sandbox)
    campaign_base(sandbox, login=OTHER_LOGIN)
    # WHEN Dan's personal access token lists bases through pyairtable
    bases = pyairtable_api(base, sandbox.airtable.issue_token(LOGIN)).bases()
    # THEN only Dan's base is there, with its name and permission level
    assert [(b.id, b.name) for b in bases] == [(dans.id, "Agency")]
    assert bases[0].permission_level == "create"


def test_base_schema_has_tables_fields_with_types_and_options_and_views(sandbox: ProviderSandbox, base: str) -> None:
    # GIVEN the campaign base (Campaigns, and Pitches linking to it)
    created = campaign_base(sandbox)
    api = pyairtable_api(base, sandbox.airtable.issue_token(LOGIN))
    # WHEN pyairtable reads the base schema
    schema = api.base(created.id).schema()
    # THEN each table has its primary field, typed fields with options, and its views
    campaigns, pitches = schema.tables
    assert campaigns.name == "Campaigns"
    assert campaigns.primary_field_id == campaigns.fields[0].id
    types = {f.name: f.type for f in pitches.fields}
    assert types == {
        "Name": "singleLineText",
        "Email": "email",
        "Status": "singleSelect",
        "Budget": "number",
        "Sent": "date",
        "Done": "checkbox",
        "Notes": "multilineText",
        "Campaign": "multipleRecordLinks",
        "Updated": "lastModifiedTime",
    }
    status = pitches.field("Status")
    assert isinstance(status, SingleSelectFieldConfig)
    assert [c.name for c in status.options.choices] == STATUSES
    assert all(c.id.startswith("sel") for c in status.options.choices)
    link = pitches.field("Campaign")
    assert isinstance(link, MultipleRecordLinksFieldConfig)
    assert link.options.linked_table_id == campaigns.id
    budget = pitches.field("Budget")
    assert isinstance(budget, NumberFieldConfig)
    assert budget.options.precision == 2
    assert [(v.name, v.type) for v in pitches.views] == [("Grid view", "grid"), ("Open", "grid")]
    assert all(v.id.startswith("viw") for v in pitches.views)


def test_schema_needs_the_schema_scope(sandbox: ProviderSandbox, base: str, http: httpx.Client) -> None:
    # GIVEN an OAuth token granted data.records:read only
    created = campaign_base(sandbox)
    api = pyairtable_api(base, oauth_token(base, http, "data.records:read"))
    # WHEN it reads the schema; THEN 403 INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND, while records still read
    refused = airtable_failure(lambda: api.base(created.id).schema())
    assert refused[:2] == (403, "INVALID_PERMISSIONS_OR_MODEL_NOT_FOUND")
    assert api.table(created.id, "Campaigns").all()[0]["fields"] == {"Name": "Spring launch"}


def test_another_logins_base_and_an_unknown_base_answer_403_alike(sandbox: ProviderSandbox, base: str) -> None:
    # GIVEN Eve's base
    eves = campaign_base(sandbox, login=OTHER_LOGIN)
    api = pyairtable_api(base, sandbox.airtable.issue_token(LOGIN))
    # WHEN Dan reads it, and a base that does not exist
    answers = [airtable_failure(api.table(base_id, "Campaigns").all) for base_id in (eves.id, "appDoesNotExist00")]
    # THEN both are the same 403: Airtable does not reveal which bases exist
    assert answers[0] == answers[1]
    assert answers[0][0] == 403


def test_no_or_unknown_token_answers_401(sandbox: ProviderSandbox, base: str, http: httpx.Client) -> None:
    # GIVEN a base
    created = campaign_base(sandbox)
    url = f"{base}/api.airtable.com/v0/{created.id}/Campaigns"
    # WHEN records are listed without a token and with a made-up one
    missing = http.get(url)
    unknown = http.get(url, headers={"Authorization": "Bearer patMadeUp.0000"})
    # THEN both are 401 AUTHENTICATION_REQUIRED
    for response in (missing, unknown):
        assert response.status_code == 401
        assert response.json()["error"]["type"] == "AUTHENTICATION_REQUIRED"


def test_unknown_table_answers_404_naming_it(sandbox: ProviderSandbox, base: str) -> None:
    # GIVEN a base
    created = campaign_base(sandbox)
    api = pyairtable_api(base, sandbox.airtable.issue_token(LOGIN))
    # WHEN a table it lacks is listed
    status, error_type, message = airtable_failure(lambda: api.table(created.id, "Deleted table").all())
    # THEN 404 with Airtable's envelope naming the table
    assert (status, error_type) == (404, "NOT_FOUND")
    assert "Deleted table" in message


def test_unknown_path_answers_not_found(sandbox: ProviderSandbox, base: str, http: httpx.Client) -> None:
    # GIVEN a token; WHEN a path Airtable does not serve is called
    token = sandbox.airtable.issue_token(LOGIN)
    response = http.get(f"{base}/api.airtable.com/v1/nothing", headers={"Authorization": f"Bearer {token}"})
    # THEN Airtable's bare 404
    assert response.status_code == 404
    assert response.json() == {"error": "NOT_FOUND"}


def test_a_deleted_field_table_or_base_answers_as_airtable_does(
    sandbox: ProviderSandbox, base: str, http: httpx.Client
) -> None:
    # GIVEN a base whose Pitches have a Status, and pyairtable reading them
    created = campaign_base(sandbox, pitches=[{"Name": "Ann", "Status": "Pitched"}])
    api = pyairtable_api(base, sandbox.airtable.issue_token(LOGIN))
    pitches = api.table(created.id, "Pitches")
    controls = f"{base}/_control/airtable/bases/{created.id}"
    # WHEN the user deletes the Status field
    assert http.delete(f"{controls}/tables/Pitches/fields/Status").status_code == 200
    # THEN it is gone from records and the schema, and naming it is UNKNOWN_FIELD_NAME
    assert set(pitches.all()[0]["fields"]) == {"Name", "Updated"}
    assert "Status" not in [f.name for f in api.base(created.id).schema(force=True).table("Pitches").fields]
    assert airtable_failure(lambda: pitches.all(fields=["Status"]))[:2] == (422, "UNKNOWN_FIELD_NAME")
    # WHEN the table goes; THEN 404 NOT_FOUND
    assert http.delete(f"{controls}/tables/Pitches").status_code == 200
    assert airtable_failure(pitches.all)[:2] == (404, "NOT_FOUND")
    # WHEN the base goes; THEN 403, and it is no longer listed
    assert http.delete(controls).status_code == 200
    assert airtable_failure(api.table(created.id, "Campaigns").all)[0] == 403
    assert api.bases(force=True) == []


def test_whoami_answers_for_a_personal_access_token(sandbox: ProviderSandbox, base: str) -> None:
    # GIVEN Dan's personal access token; WHEN pyairtable asks who it is
    me = pyairtable_api(base, sandbox.airtable.issue_token(LOGIN)).whoami()
    # THEN his Airtable user id and the token's scopes (no email: the token lacks user.email:read)
    assert me["id"].startswith("usr")
    assert set(me["scopes"]) == {"data.records:read", "data.records:write", "schema.bases:read", "webhook:manage"}
    assert "email" not in me


def test_a_revoked_grant_answers_401_while_the_users_own_token_still_works(
    sandbox: ProviderSandbox, base: str, http: httpx.Client
) -> None:
    # GIVEN the app's OAuth token and the user's own token on the same base
    created = campaign_base(sandbox)
    app = pyairtable_api(base, oauth_token(base, http, "data.records:read"))
    user = pyairtable_api(base, sandbox.airtable.issue_token(LOGIN))
    # WHEN the user removes the app from their Airtable account
    sandbox.revoke_user_grants(provider="airtable", login=LOGIN)
    # THEN the app's calls are 401 AUTHENTICATION_REQUIRED; the user's token is untouched
    assert airtable_failure(app.table(created.id, "Campaigns").all)[:2] == (401, "AUTHENTICATION_REQUIRED")
    assert user.table(created.id, "Campaigns").all() != []
