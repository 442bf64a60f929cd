"""Unit tests of the sandbox's A1 notation and cell values (what Sheets makes of typed input)."""

import pytest

from provider_sandbox.a1 import A1Error, A1Range, Span, column_index, column_letters, format_a1, parse_a1
from provider_sandbox.cells import Cell, NumberFormat, entered, evaluate, parse_user_entered

# A1 notation ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Sheet1!A1:B2", A1Range("Sheet1", Span(0, 2, 0, 2))),
        ("Sheet1!A:A", A1Range("Sheet1", Span(None, None, 0, 1))),
        ("Sheet1!1:2", A1Range("Sheet1", Span(0, 2, None, None))),
        ("Sheet1!A5:A", A1Range("Sheet1", Span(4, None, 0, 1))),
        ("Sheet1", A1Range("Sheet1", None)),
        ("A1", A1Range(None, Span(0, 1, 0, 1))),
        ("Q1", A1Range(None, Span(0, 1, 16, 17))),
        ("b2:a1", A1Range(None, Span(0, 2, 0, 2))),
        ("'My Sheet'!A1", A1Range("My Sheet", Span(0, 1, 0, 1))),
        ("'Jon''s Data'!A1:D5", A1Range("Jon's Data", Span(0, 5, 0, 4))),
        ("'Jon's_Data'!A1:D5", A1Range("Jon's_Data", Span(0, 5, 0, 4))),
        ("'A1'", A1Range("A1", None)),
        ("'Q3 / 2024!'!AA10", A1Range("Q3 / 2024!", Span(9, 10, 26, 27))),
    ],
)
def test_a1_parses_the_forms_sheets_accepts(text: str, expected: A1Range) -> None:
    # GIVEN an A1 range as the Sheets docs write them
    # WHEN it is parsed
    # THEN the sheet and zero-based half-open bounds come out
    assert parse_a1(text) == expected


@pytest.mark.parametrize("text", ["", "!A1", "Sheet1!A0", "Sheet1!1", "Sheet1!A1:", "Sheet1!A1:B2:C3", "'Open!A1"])
def test_a1_rejects_text_that_is_not_a_range(text: str) -> None:
    # GIVEN malformed A1 text
    # WHEN it is parsed THEN it is refused
    with pytest.raises(A1Error):
        parse_a1(text)


def test_a1_columns_round_trip_through_letters() -> None:
    # GIVEN column indexes across one-, two- and three-letter names
    # WHEN they become letters and back
    # THEN nothing is lost, and ZZZ is the last column Sheets has
    for index in (0, 25, 26, 51, 701, 702, 18277):
        assert column_index(column_letters(index)) == index
    assert column_letters(18277) == "ZZZ"
    assert column_index("aa") == 26


def test_a1_formats_ranges_the_way_google_echoes_them() -> None:
    # GIVEN sheet titles that need quoting and ones that do not
    # WHEN ranges are formatted
    # THEN plain titles stay bare, the rest are quoted with '' escapes
    assert format_a1("Sheet1", Span(0, 2, 0, 2)) == "Sheet1!A1:B2"
    assert format_a1("My Sheet", Span(0, 1, 0, 1)) == "'My Sheet'!A1"
    assert format_a1("Jon's", Span(None, None, 0, 1)) == "'Jon''s'!A:A"
    assert format_a1("A1", Span(0, 2, None, None)) == "'A1'!1:2"
    assert format_a1("Leads") == "Leads"


# Cells --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "unformatted", "formatted"),
    [
        ("42", 42, "42"),
        ("-3.5", -3.5, "-3.5"),
        ("1,234", 1234, "1,234"),
        ("12.5%", 0.125, "12.5%"),
        ("TRUE", True, "TRUE"),
        ("false", False, "FALSE"),
        ("2024-03-05", 45356, "2024-03-05"),
        ("3/5/2024", 45356, "3/5/2024"),
        ("2024-03-05 14:30", 45356.604166666664, "2024-03-05 14:30"),
        ("+44 new single", "#ERROR!", "#ERROR!"),  # a leading + starts a formula: a parse error
        ("2024-02-30", "2024-02-30", "2024-02-30"),
        ("'=1+1", "=1+1", "=1+1"),
        ("'42", "42", "42"),
    ],
)
def test_user_entered_text_is_parsed_like_the_sheets_ui(
    typed: str, unformatted: str | float | bool, formatted: str
) -> None:
    # GIVEN text typed into a cell (USER_ENTERED)
    cell = parse_user_entered(typed)

    # WHEN it is rendered unformatted and formatted
    # THEN numbers, booleans and dates are recognised and shown in the form typed; the rest stays text
    assert cell.render("UNFORMATTED_VALUE") == unformatted
    assert cell.render("FORMATTED_VALUE") == formatted


def test_dates_render_as_formatted_strings_when_asked() -> None:
    # GIVEN a date typed in ISO form
    cell = parse_user_entered("2024-03-05")

    # WHEN rendered unformatted with dateTimeRenderOption FORMATTED_STRING
    # THEN the text comes back instead of the serial, and the inferred format is a DATE
    assert cell.render("UNFORMATTED_VALUE", "FORMATTED_STRING") == "2024-03-05"
    assert cell.number_format == NumberFormat("DATE", "yyyy-mm-dd")


def test_raw_input_keeps_strings_as_typed() -> None:
    # GIVEN RAW input that would parse as a formula, a number and a date when user-entered
    # WHEN it is entered RAW
    # THEN every string stays a string; JSON numbers and booleans keep their type; null skips; "" clears
    assert entered("=SUM(A1)", "RAW") == Cell("stringValue", "=SUM(A1)")
    assert entered("42", "RAW") == Cell("stringValue", "42")
    assert entered(42, "RAW") == Cell("numberValue", 42.0)
    assert entered(True, "USER_ENTERED") == Cell("boolValue", True)
    assert entered(None, "RAW") is None
    assert entered("", "USER_ENTERED") == Cell()


def test_formulas_keep_their_text_and_only_trivial_ones_compute() -> None:
    # GIVEN formulas the sandbox understands and one it does not
    # WHEN they are evaluated
    # THEN arithmetic, literals and HYPERLINK labels compute; the rest is #ERROR!; FORMULA shows the text
    assert evaluate("=1+2*3") == 7
    assert evaluate('=HYPERLINK("https://x.example","Listen")') == "Listen"
    assert evaluate('="a ""quoted"" word"') == 'a "quoted" word'
    unknown = parse_user_entered("=SUM(A1:A3)")
    assert unknown.render("FORMATTED_VALUE") == "#ERROR!"
    assert unknown.render("FORMULA") == "=SUM(A1:A3)"
    assert parse_user_entered("=1/0").render("FORMATTED_VALUE") == "#DIV/0!"
