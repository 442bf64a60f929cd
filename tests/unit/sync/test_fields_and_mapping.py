"""Cell values to Tracker values and back; mappings that cannot work are refused with the reason."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from tracker_integrations.sync.fields import FIELDS, DateOrder, DateReading, InvalidValue, to_canonical, to_cell
from tracker_integrations.sync.mapping import ColumnMapping, SyncMapping, auto_map, follow_headers

STATUS = FIELDS["pitch.status"]
SENT_AT = FIELDS["pitch.sent_at"]
START = FIELDS["campaign.start_date"]
EMAIL = FIELDS["pitch.email"]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("Replied", "replied"), ("NOT INTERESTED", "not_interested"), (" not_interested ", "not_interested"), ("", "")],
)
def test_statuses_are_read_by_value_or_label_in_any_case(raw: str, expected: str) -> None:
    assert to_canonical(STATUS, raw, {}) == expected


def test_value_maps_translate_the_users_own_words_both_ways() -> None:
    value_map = {"R": "replied", "Yes!": "interested"}
    assert to_canonical(STATUS, "r", value_map) == "replied"
    assert to_cell(STATUS, "interested", value_map) == "Yes!"
    assert to_cell(STATUS, "sent", value_map) == "Sent"


def test_an_unknown_status_names_the_allowed_ones() -> None:
    with pytest.raises(InvalidValue, match="use one of Pending, Sent"):
        to_canonical(STATUS, "Maybe", {})


@pytest.mark.parametrize(
    ("raw", "order", "expected"),
    [
        ("2026-12-01", "DMY", "2026-12-01"),
        ("01/12/2026", "DMY", "2026-12-01"),
        ("12/01/2026", "MDY", "2026-12-01"),
        (46357, "DMY", "2026-12-01"),  # a date serial, as UNFORMATTED_VALUE can give
    ],
)
def test_dates_in_the_sheets_usual_forms(raw: object, order: DateOrder, expected: str) -> None:
    assert to_canonical(START, raw, {}, DateReading(order=order)) == expected


def test_a_date_that_is_not_a_date_is_refused() -> None:
    with pytest.raises(InvalidValue, match="is not a date"):
        to_canonical(START, "next Tuesday", {})


def test_sent_times_round_trip_through_the_sheet() -> None:
    canonical = to_canonical(SENT_AT, "2026-12-01 09:30", {})
    assert canonical == "2026-12-01T09:30:00+00:00"
    assert to_canonical(SENT_AT, to_cell(SENT_AT, canonical, {}), {}) == canonical


def test_emails_are_checked_and_lower_cased() -> None:
    assert to_canonical(EMAIL, "Annie@Radio.Example", {}) == "annie@radio.example"
    with pytest.raises(InvalidValue):
        to_canonical(EMAIL, "annie at radio", {})


def test_campaign_fields_cannot_flow_from_the_sheet() -> None:
    with pytest.raises(ValidationError, match="can only flow from Tracker"):
        ColumnMapping(header="Campaign", field="campaign.title", direction="both")


def test_a_value_map_must_name_real_values() -> None:
    with pytest.raises(ValidationError, match="not a known status"):
        ColumnMapping(header="Status", field="pitch.status", value_map={"R": "reply"})


def test_a_column_or_field_mapped_twice_is_refused() -> None:
    with pytest.raises(ValidationError, match="repeated"):
        SyncMapping(
            columns=[
                ColumnMapping(header="Status", field="pitch.status"),
                ColumnMapping(header="status", field="pitch.notes"),
            ]
        )
    with pytest.raises(ValidationError, match="repeated"):
        SyncMapping(
            columns=[ColumnMapping(header="A", field="pitch.notes"), ColumnMapping(header="B", field="pitch.notes")]
        )


def test_unknown_fields_are_named() -> None:
    with pytest.raises(ValidationError, match=r"unknown field 'pitch\.mood'"):
        ColumnMapping(header="Mood", field="pitch.mood")


def test_auto_map_matches_headers_by_label_and_synonym_and_skips_the_rest() -> None:
    mapped = auto_map(["Name", "E-mail", "Station", "pitch status", "Tracker ID", "My column", "Email"])
    assert [(c.header, c.field) for c in mapped] == [
        ("Name", "pitch.contact_name"),
        ("E-mail", "pitch.email"),
        ("Station", "pitch.outlet"),
        ("pitch status", "pitch.status"),
    ]


def test_the_mapping_follows_new_columns_mapping_campaign_ones_and_offering_the_rest() -> None:
    # GIVEN a mapping of the user's own columns
    mapping = SyncMapping(columns=[ColumnMapping(header="Name", field="pitch.contact_name")])
    # WHEN the sheet gains a Campaign column, a column of hers and one named like a pitch field
    followed, offered = follow_headers(mapping, ["Name", "Campaign", "Mood", "Notes", "Tracker ID", ""], [])
    # THEN only the campaign column is mapped; the others are offered, unmapped, until she maps them
    assert [(c.header, c.field) for c in followed.columns] == [
        ("Name", "pitch.contact_name"),
        ("Campaign", "campaign.title"),
    ]
    assert offered == ["Mood", "Notes"]
    # AND a column she removed is no longer offered
    assert follow_headers(followed, ["Name", "Campaign", "Notes", "Tracker ID"], offered) == (followed, ["Notes"])
