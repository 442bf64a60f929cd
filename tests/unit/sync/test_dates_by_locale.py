"""Dates read the way the spreadsheet's locale and time zone say, unless the mapping says otherwise."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tracker_integrations.sync.engine import Merger
from tracker_integrations.sync.fields import (
    FIELDS,
    DateReading,
    InvalidValue,
    SheetMoment,
    date_order_for_locale,
    to_canonical,
)
from tracker_integrations.sync.mapping import ColumnMapping, SyncMapping

START = FIELDS["campaign.start_date"]
SENT_AT = FIELDS["pitch.sent_at"]
NOW = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("en_US", "MDY"), ("en-US", "MDY"), ("en_GB", "DMY"), ("de_DE", "DMY"), ("fr_FR", "DMY"), (None, "DMY")],
)
def test_each_locale_has_its_short_date_order(locale: str | None, expected: str) -> None:
    assert date_order_for_locale(locale) == expected


@pytest.mark.parametrize(
    ("locale", "typed", "expected"),
    [
        ("en_US", "3/5/2024", "2024-03-05"),
        ("en_GB", "3/5/2024", "2024-05-03"),
        ("de_DE", "03.05.2024", "2024-05-03"),
        ("en_US", "2024/03/05", "2024-03-05"),
        ("en_GB", "2024-03-05", "2024-03-05"),
    ],
)
def test_a_typed_short_date_reads_in_the_sheets_locale(locale: str, typed: str, expected: str) -> None:
    # GIVEN a spreadsheet in `locale` WHEN a user types the date as text THEN it is the date they meant
    reading = DateReading(order=date_order_for_locale(locale))
    assert to_canonical(START, typed, {}, reading) == expected


def test_an_impossible_date_names_the_sheets_own_form() -> None:
    with pytest.raises(InvalidValue, match="MM/DD/YYYY"):
        to_canonical(START, "25/12/2024", {}, DateReading(order="MDY"))


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("3/5/2024 14:30", "2024-03-05T19:30:00+00:00"),  # New York is UTC-5 in March
        ("3/5/2024 2:30 PM", "2024-03-05T19:30:00+00:00"),
        ("7/5/2024 14:30:15", "2024-07-05T18:30:15+00:00"),  # and UTC-4 in July
    ],
)
def test_a_typed_date_time_is_accepted_in_the_sheets_time_zone(typed: str, expected: str) -> None:
    reading = DateReading(order="MDY", time_zone="America/New_York")
    assert to_canonical(SENT_AT, typed, {}, reading) == expected


def test_a_date_time_cell_is_read_from_its_serial_in_the_sheets_time_zone() -> None:
    # GIVEN Sheets holds 5 March 2024 14:30 (its wall clock, London, GMT in March) shown in en_GB form
    moment = SheetMoment(serial=45356 + 14.5 / 24, shown="05/03/2024 14:30:00", kind="DATE_TIME")
    london = DateReading(order="DMY", time_zone="Europe/London")
    # THEN it is that moment, whatever the shown text's order; in Tokyo it is nine hours earlier in UTC
    assert to_canonical(SENT_AT, moment, {}, london) == "2024-03-05T14:30:00+00:00"
    assert to_canonical(SENT_AT, moment, {}, DateReading(time_zone="Asia/Tokyo")) == "2024-03-05T05:30:00+00:00"
    assert to_canonical(START, SheetMoment(serial=45356, shown="3/5/2024"), {}, DateReading(order="DMY")) == (
        "2024-03-05"
    )


def test_tracker_written_iso_date_times_stay_utc_in_any_time_zone() -> None:
    reading = DateReading(time_zone="America/New_York")
    assert to_canonical(SENT_AT, "2026-12-01 09:30", {}, reading) == "2026-12-01T09:30:00+00:00"


def test_an_unknown_time_zone_reads_as_utc() -> None:
    assert to_canonical(SENT_AT, "3/5/2024 14:30", {}, DateReading(time_zone="Mars/Olympus")) == (
        "2024-05-03T14:30:00+00:00"
    )


def test_the_mapping_follows_the_sheet_unless_its_date_order_overrides_it() -> None:
    column = ColumnMapping(header="Start", field="campaign.start_date", direction="to_provider")
    contact = ColumnMapping(header="Contact", field="pitch.contact_name")
    us_sheet = DateReading(order="MDY")
    follows = SyncMapping(columns=[contact, column])
    overrides = SyncMapping(columns=[contact, column], date_order="DMY")
    assert follows.date_order is None
    assert Merger(follows, now=NOW, dates=us_sheet).dates.order == "MDY"
    assert Merger(overrides, now=NOW, dates=us_sheet).dates.order == "DMY"
