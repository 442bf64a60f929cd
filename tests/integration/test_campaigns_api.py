"""Tracker's campaigns and pitches over the API: CRUD, validation that names the problem, versioning."""

from __future__ import annotations

from typing import Any

import httpx

from tests.support.api import LocalUser


def _create_campaign(http: httpx.Client, user: LocalUser, **fields: Any) -> dict[str, Any]:
    body = {"title": "Autumn radio push", "artist": "The Lanterns", "type": "radio", **fields}
    response = http.post("/api/campaigns", headers=user.headers, json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def _create_pitch(http: httpx.Client, user: LocalUser, campaign_id: str, **fields: Any) -> dict[str, Any]:
    body = {"contact_name": "Annie Mac", "email": "annie@radio.example", "outlet": "Radio 1", **fields}
    response = http.post(f"/api/campaigns/{campaign_id}/pitches", headers=user.headers, json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def test_a_campaign_is_created_read_listed_updated_and_deleted(http: httpx.Client, user: LocalUser) -> None:
    # GIVEN a new campaign
    created = _create_campaign(http, user, release="Glow (single)", start_date="2026-12-01", notes="BBC first")
    assert created["version"] == 1
    assert created["status"] == "draft"
    campaign_id = created["campaign_id"]
    # WHEN it is read and listed THEN it is there as created
    assert http.get(f"/api/campaigns/{campaign_id}", headers=user.headers).json() == created
    listed = http.get("/api/campaigns", headers=user.headers).json()
    assert [c["campaign_id"] for c in listed["campaigns"]] == [campaign_id]
    # WHEN its status changes at the version read
    response = http.patch(
        f"/api/campaigns/{campaign_id}", headers=user.headers, json={"version": 1, "status": "active"}
    )
    # THEN only that field changes and the version moves on
    updated = response.json()
    assert response.status_code == 200, response.text
    assert updated["status"] == "active"
    assert updated["title"] == created["title"]
    assert updated["version"] == 2
    # WHEN deleted at the current version THEN it is gone
    assert http.delete(f"/api/campaigns/{campaign_id}?version=2", headers=user.headers).status_code == 204
    assert http.get(f"/api/campaigns/{campaign_id}", headers=user.headers).status_code == 404


def test_a_stale_update_is_refused_with_the_current_record(http: httpx.Client, user: LocalUser) -> None:
    # GIVEN two people who both loaded version 1
    campaign = _create_campaign(http, user)
    path = f"/api/campaigns/{campaign['campaign_id']}"
    assert http.patch(path, headers=user.headers, json={"version": 1, "notes": "from Ann"}).status_code == 200
    # WHEN the second saves on top of version 1
    response = http.patch(path, headers=user.headers, json={"version": 1, "notes": "from Bob"})
    # THEN it is refused with 409 and the current record, and Ann's edit survives
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "version_conflict"
    assert error["details"]["current_version"] == 2
    assert error["details"]["campaign"]["notes"] == "from Ann"
    assert http.get(path, headers=user.headers).json()["notes"] == "from Ann"


def test_stale_delete_is_refused(http: httpx.Client, user: LocalUser) -> None:
    campaign = _create_campaign(http, user)
    path = f"/api/campaigns/{campaign['campaign_id']}"
    http.patch(path, headers=user.headers, json={"version": 1, "status": "active"})
    assert http.delete(f"{path}?version=1", headers=user.headers).status_code == 409
    assert http.get(path, headers=user.headers).status_code == 200


def test_bad_input_names_the_field_and_changes_nothing(http: httpx.Client, user: LocalUser) -> None:
    campaign = _create_campaign(http, user)
    path = f"/api/campaigns/{campaign['campaign_id']}"
    cases: list[tuple[dict[str, Any], str]] = [
        ({"version": 1, "type": "tv"}, "type"),
        ({"version": 1, "start_date": "next week"}, "start_date"),
        ({"version": 1, "title": None}, "title"),
        ({"version": 1, "owner": "someone-else"}, "owner"),
        ({"status": "active"}, "version"),
        ({"version": 1, "start_date": "2026-12-10", "end_date": "2026-12-01"}, "end_date"),
    ]
    for body, field in cases:
        response = http.patch(path, headers=user.headers, json=body)
        assert response.status_code == 400, body
        assert field in response.json()["error"]["message"], (body, response.text)
    assert http.get(path, headers=user.headers).json() == campaign
    not_json = http.post("/api/campaigns", headers=user.headers, content=b"{title:")
    assert not_json.status_code == 400
    assert "not valid JSON" in not_json.json()["error"]["message"]
    missing = http.post("/api/campaigns", headers=user.headers, json={"artist": "x"})
    assert "title" in missing.json()["error"]["message"]


def test_pitches_belong_to_their_campaign_and_track_status(http: httpx.Client, user: LocalUser) -> None:
    # GIVEN a campaign with a pitch
    campaign_id = _create_campaign(http, user)["campaign_id"]
    pitch = _create_pitch(http, user, campaign_id, region="UK", role="Presenter")
    assert pitch["status"] == "pending"
    path = f"/api/campaigns/{campaign_id}/pitches/{pitch['pitch_id']}"
    # WHEN it is sent and then replied to
    sent = http.patch(
        path, headers=user.headers, json={"version": 1, "status": "sent", "sent_at": "2026-12-01T09:30:00Z"}
    ).json()
    replied = http.patch(path, headers=user.headers, json={"version": 2, "status": "replied"}).json()
    # THEN the pitch carries each change
    assert sent["sent_at"] == "2026-12-01T09:30:00Z"
    assert replied["status"] == "replied"
    assert replied["version"] == 3
    listed = http.get(f"/api/campaigns/{campaign_id}/pitches", headers=user.headers).json()
    assert [p["pitch_id"] for p in listed["pitches"]] == [pitch["pitch_id"]]


def test_pitch_validation_names_the_problem(http: httpx.Client, user: LocalUser) -> None:
    campaign_id = _create_campaign(http, user)["campaign_id"]
    bad_email = http.post(
        f"/api/campaigns/{campaign_id}/pitches", headers=user.headers, json={"email": "annie-at-radio"}
    )
    assert bad_email.status_code == 400
    assert "email" in bad_email.json()["error"]["message"]
    bad_status = http.post(
        f"/api/campaigns/{campaign_id}/pitches",
        headers=user.headers,
        json={"email": "a@b.example", "status": "maybe"},
    )
    assert "status" in bad_status.json()["error"]["message"]


def test_a_pitch_needs_an_existing_campaign(http: httpx.Client, user: LocalUser) -> None:
    response = http.post("/api/campaigns/cmp_missing/pitches", headers=user.headers, json={"email": "a@b.example"})
    assert response.status_code == 404


def test_deleting_a_campaign_deletes_its_pitches(http: httpx.Client, user: LocalUser) -> None:
    campaign_id = _create_campaign(http, user)["campaign_id"]
    pitch = _create_pitch(http, user, campaign_id)
    assert http.delete(f"/api/campaigns/{campaign_id}?version=1", headers=user.headers).status_code == 204
    # a new campaign cannot see the old pitches, and the old pitch is gone
    path = f"/api/campaigns/{campaign_id}/pitches/{pitch['pitch_id']}"
    assert http.get(path, headers=user.headers).status_code == 404


def test_lists_page_with_an_opaque_cursor_and_refuse_a_tampered_one(http: httpx.Client, user: LocalUser) -> None:
    # GIVEN five campaigns
    ids = [_create_campaign(http, user, title=f"Campaign {n}")["campaign_id"] for n in range(5)]
    # WHEN listed two at a time
    seen: list[str] = []
    cursor: str | None = None
    while True:
        params = {"limit": "2", **({"cursor": cursor} if cursor else {})}
        page = http.get("/api/campaigns", headers=user.headers, params=params).json()
        seen += [c["campaign_id"] for c in page["campaigns"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    # THEN every campaign comes back once, in creation order
    assert seen == ids
    # AND a made-up cursor is a clear 400
    bad = http.get("/api/campaigns", headers=user.headers, params={"cursor": "eyJwayI6IlVTRVIjb3RoZXIifQ"})
    assert bad.status_code == 400
    assert "cursor" in bad.json()["error"]["message"]
    too_many = http.get("/api/campaigns", headers=user.headers, params={"limit": "1000"})
    assert too_many.status_code == 400
    assert "limit" in too_many.json()["error"]["message"]
