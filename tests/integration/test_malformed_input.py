"""Malformed client input is a 400 naming the field, never a 5xx, and stores nothing.

Each case here was a 5xx when the API was attacked with malformed requests (issue 9, item 3).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from tests.support.api import LocalUser, connect

_JSON = {"Content-Type": "application/json"}


def _refused(response: httpx.Response, field: str) -> dict[str, Any]:
    """The response is our 400 with the error body, naming `field` first."""
    assert response.status_code == 400, response.text[:500]
    error = response.json()["error"]
    assert error["code"] == "invalid_request"
    assert error["message"].startswith(f"{field}: "), error["message"]
    assert error["details"]["errors"][0]["field"] == field
    return dict(error)


def _campaign(http: httpx.Client, user: LocalUser) -> dict[str, Any]:
    response = http.post("/api/campaigns", headers=user.headers, json={"title": "Autumn radio push"})
    assert response.status_code == 201, response.text
    return dict(response.json())


def _campaign_titles(http: httpx.Client, user: LocalUser) -> list[str]:
    return [c["title"] for c in http.get("/api/campaigns", headers=user.headers).json()["campaigns"]]


def test_json_nested_ten_thousand_deep_is_refused_naming_the_field(http: httpx.Client, user: LocalUser) -> None:
    # GIVEN a body whose title is an array nested 10,000 deep, and a body that is only nesting
    deep_title = '{"title": ' + "[" * 10_000 + "]" * 10_000 + "}"
    deep_body = "[" * 10_000 + "]" * 10_000
    # WHEN each is posted THEN each is a 400 naming where the nesting is, and nothing is created
    error = _refused(http.post("/api/campaigns", headers={**user.headers, **_JSON}, content=deep_title), "title")
    assert "nested" in error["message"]
    _refused(http.post("/api/campaigns", headers={**user.headers, **_JSON}, content=deep_body), "body")
    _refused(
        http.put("/api/integrations/gmail/settings", headers={**user.headers, **_JSON}, content=deep_title), "title"
    )
    assert _campaign_titles(http, user) == []


def test_a_lone_surrogate_in_a_text_field_is_refused_naming_it(http: httpx.Client, user: LocalUser) -> None:
    # GIVEN a campaign, and text fields holding a lone UTF-16 surrogate (not a character at all)
    campaign = _campaign(http, user)
    path = f"/api/campaigns/{campaign['campaign_id']}"
    # WHEN a pitch or an update carries one THEN it is a 400 naming the field
    error = _refused(
        http.post(
            f"{path}/pitches",
            headers={**user.headers, **_JSON},
            content=b'{"email": "annie@radio.example", "notes": "call back \\ud800"}',
        ),
        "notes",
    )
    assert "character" in error["message"]
    _refused(
        http.patch(path, headers={**user.headers, **_JSON}, content=b'{"version": 1, "artist": "\\udfff"}'), "artist"
    )
    # A key is a field too.
    _refused(http.post("/api/campaigns", headers={**user.headers, **_JSON}, content=b'{"\\ud800": 1}'), "\\ud800")
    # AND nothing changed: no pitch, the campaign as it was
    assert http.get(f"{path}/pitches", headers=user.headers).json()["pitches"] == []
    assert http.get(path, headers=user.headers).json() == campaign
    # A proper pair (an emoji) is text like any other.
    emoji = http.patch(path, headers={**user.headers, **_JSON}, content=b'{"version": 1, "notes": "\\ud83c\\udfb8"}')
    assert emoji.status_code == 200, emoji.text
    assert emoji.json()["notes"] == "\N{GUITAR}"


def test_a_thousand_character_id_in_the_path_is_refused_naming_it(http: httpx.Client, user: LocalUser) -> None:
    # GIVEN a real campaign and ids 1,000 characters long
    campaign_id = _campaign(http, user)["campaign_id"]
    long_id = "c" * 1000
    # WHEN they are used in the path THEN each is a 400 naming the path parameter
    _refused(http.get(f"/api/campaigns/{long_id}", headers=user.headers), "campaign_id")
    _refused(
        http.post(f"/api/campaigns/{long_id}/pitches", headers=user.headers, json={"email": "a@radio.example"}),
        "campaign_id",
    )
    _refused(http.get(f"/api/campaigns/{campaign_id}/pitches/{long_id}", headers=user.headers), "pitch_id")
    _refused(http.get(f"/api/integrations/{long_id}", headers=user.headers), "provider")
    _refused(
        http.post(
            f"/api/integrations/google-sheets/pending-deletions/{long_id}",
            headers=user.headers,
            json={"decision": "approve"},
        ),
        "record_id",
    )
    # Characters no id has are refused too (a space, a quote).
    _refused(http.get("/api/campaigns/cmp 1'", headers=user.headers), "campaign_id")
    # AND nothing was created under the long id
    assert http.get(f"/api/campaigns/{campaign_id}/pitches", headers=user.headers).json()["pitches"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (b'{"version": 1, "notes": "x", "status": 1e400}', "status"),
        (b'{"version": 1e400}', "version"),
        (b'{"version": -1e400}', "version"),
        (b'{"version": NaN}', "version"),
        (b'{"version": Infinity}', "version"),
        (b'{"version": 1' + b"0" * 5000 + b"}", "version"),
    ],
)
def test_a_number_out_of_range_is_refused_naming_it(
    http: httpx.Client, user: LocalUser, body: bytes, field: str
) -> None:
    # GIVEN a campaign WHEN an update carries a number JSON cannot hold as a finite value
    campaign = _campaign(http, user)
    path = f"/api/campaigns/{campaign['campaign_id']}"
    error = _refused(http.patch(path, headers={**user.headers, **_JSON}, content=body), field)
    # THEN it is a 400 naming the field, and the campaign is unchanged
    assert "number" in error["message"]
    assert http.get(path, headers=user.headers).json() == campaign


def test_a_number_beyond_what_a_setting_allows_is_refused(http: httpx.Client, user: LocalUser) -> None:
    # An integer setting without an upper bound reached the database as a 41-digit number.
    response = http.put(
        "/api/integrations/google-sheets/settings",
        headers=user.headers,
        json={
            "mapping": {
                "columns": [{"header": "Name", "field": "pitch.contact_name"}],
                "mass_delete_min_rows": 10**40,
            }
        },
    )
    _refused(response, "mapping.mass_delete_min_rows")


def test_an_invalid_page_token_on_the_spreadsheet_list_is_a_400_naming_it(
    http: httpx.Client, new_user: Callable[[str], LocalUser]
) -> None:
    # GIVEN a user with Google Sheets connected and a spreadsheet Tracker made
    user = new_user("pro")
    assert connect(http, user, "google-sheets", login=f"{user.name}@example.com").connected
    created = http.post("/api/integrations/google-sheets/spreadsheets", headers=user.headers, json={"title": "Q4"})
    assert created.status_code == 201, created.text
    listing = "/api/integrations/google-sheets/spreadsheets"
    # WHEN the list is asked for with a token Google refuses (made up, or a list token of another query)
    for token in ["not-a-token", "eyJvIjogMSwgImYiOiAiMDAwMDAwMDAwMDAwMDAwMCJ9"]:
        error = _refused(http.get(listing, headers=user.headers, params={"page_token": token}), "page_token")
        # THEN it is our 400 naming page_token and saying what to do
        assert "next_page_token" in error["message"]
    # AND one no Google token could be (a space, a control character) is refused before asking Google
    _refused(http.get(listing, headers=user.headers, params={"page_token": "a b\x01"}), "page_token")
    # AND the first page still lists the spreadsheet
    first = http.get(listing, headers=user.headers)
    assert first.status_code == 200, first.text
    assert [s["name"] for s in first.json()["spreadsheets"]] == ["Q4"]
