"""Parsing JSON from outside: depth, characters and numbers a field could not hold are refused by name."""

from __future__ import annotations

import pytest

from tracker_integrations.errors import ValidationFailed
from tracker_integrations.validation import MAX_JSON_DEPTH, check_path_parameters, parse_json


def _refused_field(text: str) -> str:
    with pytest.raises(ValidationFailed) as refused:
        parse_json(text)
    errors = refused.value.details["errors"]
    assert isinstance(errors, list)
    return str(errors[0]["field"])


def test_nesting_up_to_the_limit_parses_and_one_more_level_is_refused() -> None:
    at_limit = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert parse_json(at_limit) is not None
    assert _refused_field('{"mapping": ' + "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH + "}") == "mapping"


def test_brackets_and_quotes_inside_strings_are_text_not_nesting() -> None:
    text = '{"notes": "' + "[{" * 100 + '\\" still text", "title": "x"}'
    assert parse_json(text) == {"notes": "[{" * 100 + '" still text', "title": "x"}


def test_the_field_is_named_through_objects_and_arrays() -> None:
    assert _refused_field('{"mapping": {"columns": [{}, {"header": "\\ud800"}]}}') == "mapping.columns.1.header"
    assert _refused_field('{"a": [1, 2, 1e999]}') == "a.2"
    assert _refused_field('{"a": -' + "9" * 39 + "}") == "a"


def test_what_json_allows_and_fields_hold_still_parses() -> None:
    assert parse_json('{"n": 1e308, "i": -' + "9" * 38 + ', "s": "\\ud83c\\udfb8"}') == {
        "n": 1e308,
        "i": -int("9" * 38),
        "s": "\N{GUITAR}",
    }


def test_not_json_is_named_with_its_position() -> None:
    with pytest.raises(ValidationFailed, match=r"body: not valid JSON \(line 1, column 2\)"):
        parse_json("{title:")


@pytest.mark.parametrize("value", ["x" * 65, "", "a b", "a/b", "caf\N{LATIN SMALL LETTER E WITH ACUTE}"])
def test_path_parameters_are_short_slugs(value: str) -> None:
    with pytest.raises(ValidationFailed, match=r"^campaign_id: "):
        check_path_parameters({"campaign_id": value})
    check_path_parameters({"campaign_id": "cmp_01jd5z0k3q", "provider": "google-sheets"})
