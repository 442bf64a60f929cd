"""Return dates in out-of-office texts: formats and languages, with the year taken from the message date."""

from __future__ import annotations

from datetime import date

import pytest

from tracker_integrations.replies.dates import find_return_date

SENT = date(2026, 3, 2)  # a Monday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'm away and back on 12 March.", date(2026, 3, 12)),
        ("Back March 12th, 2027.", date(2027, 3, 12)),
        ("Out of the office until 03/04/2026.", date(2026, 4, 3)),
        ("Out until 04/23/2026.", date(2026, 4, 23)),
        ("Je serai de retour le 5 janvier.", date(2027, 1, 5)),
        ("Absent jusqu'au 1er avril.", date(2026, 4, 1)),
        ("Ich bin ab dem 7. Januar wieder im Büro.", date(2027, 1, 7)),
        ("Ich bin bis 13.03. nicht erreichbar.", date(2026, 3, 13)),
        ("Estaré fuera hasta el 3 de febrero.", date(2027, 2, 3)),
        ("Rientro il 9 marzo.", date(2026, 3, 9)),
        ("Estarei ausente até 15 de março.", date(2026, 3, 15)),
        ("Ik ben terug op 10 maart.", date(2026, 3, 10)),
        ("Away from 2 to 9 March.", date(2026, 3, 9)),
        ("Back in the office on 2026-03-20.", date(2026, 3, 20)),
        ("I will be back on Monday.", date(2026, 3, 9)),
    ],
)
def test_return_dates_are_found(text: str, expected: date) -> None:
    assert find_return_date(text, SENT) == expected


def test_times_and_plain_numbers_are_not_dates() -> None:
    # GIVEN office hours, a score and a phone number
    text = "Office hours 9am to 5.30pm. Call +44 20 7946 0000. Rated 1 out of 5."
    # THEN no date is found
    assert find_return_date(text, SENT) is None


def test_a_date_in_december_for_january_moves_to_next_year() -> None:
    assert find_return_date("Back on 5 January", date(2026, 12, 20)) == date(2027, 1, 5)
