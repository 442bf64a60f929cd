"""Turning outside data into models, with errors that name each field and what is wrong with it."""

import json
import math
import re
from functools import cache
from typing import Annotated, Any

from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from tracker_integrations.errors import ValidationFailed

# No request of ours nests deeper than a handful of levels (settings.mapping.columns[].value_map).
MAX_JSON_DEPTH = 32
MAX_JSON_CHARS = 1_000_000
# DynamoDB numbers hold 38 significant digits; a longer integer cannot be stored or compared.
_MAX_INT_DIGITS = 38
# A JSON string token (escapes included) or one structural character, for the depth scan.
_JSON_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}:,]', re.DOTALL)

# Every path parameter (provider keys, campaign, pitch and record ids) is a short slug.
PathSegment = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]
# The same limits as a JSON schema, for the API's OpenAPI document.
PATH_SEGMENT_SCHEMA: dict[str, object] = {
    "type": "string",
    "minLength": 1,
    "maxLength": 64,
    "pattern": "^[A-Za-z0-9_-]+$",
}


class _OutOfRange:
    """What an integer too long to hold parses to, so the walk can name its field."""


_OUT_OF_RANGE = _OutOfRange()


def describe(errors: list[Any]) -> tuple[str, list[dict[str, str]]]:
    described = [
        {"field": ".".join(str(part) for part in e["loc"]) or "body", "message": str(e["msg"])} for e in errors
    ]
    return "; ".join(f"{d['field']}: {d['message']}" for d in described), described


def _refuse(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(f"{field}: {message}", details={"errors": [{"field": field, "message": message}]})


def parse_model[ModelT: BaseModel](model: type[ModelT], data: object) -> ModelT:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        message, described = describe(exc.errors())
        raise ValidationFailed(message, details={"errors": described}) from exc


@cache
def _path_parameters() -> TypeAdapter[dict[str, PathSegment]]:
    # Built on the first request, not at import: cold starts pay for imports.
    return TypeAdapter(dict[str, PathSegment])


def check_path_parameters(parameters: dict[str, str]) -> None:
    """A 400 naming the path parameter that no id could be (too long, or characters ids never have)."""
    if not parameters:
        return
    try:
        _path_parameters().validate_python(parameters)
    except ValidationError as exc:
        message, described = describe(exc.errors())
        raise ValidationFailed(message, details={"errors": described}) from exc


def _int_in_range(text: str) -> int | _OutOfRange:
    return int(text) if len(text.lstrip("-")) <= _MAX_INT_DIGITS else _OUT_OF_RANGE


def _field(path: list[str | int]) -> str:
    # A key may itself hold a lone surrogate: name it escaped, so the answer and the logs stay valid UTF-8.
    return ".".join(str(part).encode("utf-8", "backslashreplace").decode() for part in path) or "body"


def _too_deep_at(text: str) -> str | None:
    """The field holding nesting deeper than MAX_JSON_DEPTH, found without parsing (the parser would
    recurse once per level); None when the nesting is within bounds."""
    path: list[str | int] = []  # per open container: the key or index being read in it
    arrays: list[bool] = []
    last_string = ""
    for match in _JSON_TOKEN.finditer(text):
        lexeme = match.group()
        if lexeme[0] == '"':
            last_string = lexeme
        elif lexeme in "[{":
            if len(arrays) >= MAX_JSON_DEPTH:
                # Name the top-level field it hangs from (the body itself when that is an array).
                return _field(path[:1]) if path and isinstance(path[0], str) else "body"
            arrays.append(lexeme == "[")
            path.append(0 if lexeme == "[" else "")
        elif lexeme in "]}":
            if arrays:
                arrays.pop()
                path.pop()
        elif lexeme == ":" and path:
            try:
                path[-1] = str(json.loads(last_string))
            except ValueError:
                path[-1] = last_string.strip('"')
        elif lexeme == "," and arrays and arrays[-1]:
            path[-1] = int(path[-1]) + 1
    return None


def _check_values(value: object, path: list[str | int]) -> None:
    """Refuse what JSON can say but no field can hold: lone surrogates, infinite or huge numbers."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise _refuse(
                _field(path), "contains a lone surrogate (\\ud800-\\udfff), which is not a character"
            ) from exc
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise _refuse(_field(path), "number is out of range (NaN, Infinity and numbers past 1e308 are not allowed)")
    elif isinstance(value, _OutOfRange):
        raise _refuse(_field(path), f"number is out of range (integers have at most {_MAX_INT_DIGITS} digits)")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_values(key, [*path, key])
            _check_values(item, [*path, key])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_values(item, [*path, index])


def parse_json(text: str) -> object:
    """A JSON document from outside, or a 400 naming the field that no handler could take safely."""
    if len(text) > MAX_JSON_CHARS:
        raise _refuse("body", f"is larger than {MAX_JSON_CHARS:,} characters")
    deep = _too_deep_at(text)
    if deep is not None:
        raise _refuse(deep, f"nested more than {MAX_JSON_DEPTH} levels deep")
    try:
        data = json.loads(text, parse_int=_int_in_range)
    except json.JSONDecodeError as exc:
        raise _refuse("body", f"not valid JSON (line {exc.lineno}, column {exc.colno})") from exc
    _check_values(data, [])
    return data
