"""Airtable field types as the sandbox keeps them: their schema options, and what a cell accepts.

A cell value is stored in Airtable's JSON cell format (cellFormat=json). Empty values (None, "", [], False)
are not stored: Airtable omits empty fields from records, and a checkbox left unticked is empty.
`typecast` converts strings the way Airtable's typecast does for the types kept here, and adds missing
select options; without it a value of the wrong kind is refused as Airtable refuses it.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Literal

from pydantic import JsonValue

FieldType = Literal[
    "singleLineText",
    "multilineText",
    "email",
    "url",
    "phoneNumber",
    "number",
    "checkbox",
    "date",
    "dateTime",
    "singleSelect",
    "multipleSelects",
    "multipleRecordLinks",
    "lastModifiedTime",
]
TEXT_TYPES = frozenset({"singleLineText", "multilineText", "email", "url", "phoneNumber"})
COMPUTED_TYPES = frozenset({"lastModifiedTime"})
_TRUE_STRINGS = frozenset({"true", "yes", "1", "checked", "on", "x"})
_CHOICE_COLORS = ("blueLight2", "cyanLight2", "tealLight2", "greenLight2", "yellowLight2", "orangeLight2")


class CellError(Exception):
    """A value a field refuses: Airtable's 422 error type and message."""

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message


@dataclass
class Choice:
    id: str
    name: str
    color: str


@dataclass
class Field:
    id: str
    name: str
    type: FieldType
    choices: list[Choice] = field(default_factory=list)
    linked_table_id: str | None = None
    precision: int = 0
    description: str | None = None

    @property
    def computed(self) -> bool:
        return self.type in COMPUTED_TYPES

    def schema(self) -> dict[str, JsonValue]:
        body: dict[str, JsonValue] = {"id": self.id, "name": self.name, "type": self.type}
        if self.description:
            body["description"] = self.description
        options = self._options()
        if options is not None:
            body["options"] = options
        return body

    def _options(self) -> dict[str, JsonValue] | None:
        date_format: dict[str, JsonValue] = {"format": "YYYY-MM-DD", "name": "iso"}
        datetime_options: dict[str, JsonValue] = {
            "timeZone": "utc",
            "dateFormat": date_format,
            "timeFormat": {"format": "HH:mm", "name": "24hour"},
        }
        match self.type:
            case "number":
                return {"precision": self.precision}
            case "checkbox":
                return {"color": "greenBright", "icon": "check"}
            case "date":
                return {"dateFormat": date_format}
            case "dateTime":
                return datetime_options
            case "singleSelect" | "multipleSelects":
                return {"choices": [{"id": c.id, "name": c.name, "color": c.color} for c in self.choices]}
            case "multipleRecordLinks":
                return {"linkedTableId": self.linked_table_id, "isReversed": False, "prefersSingleRecordLink": False}
            case "lastModifiedTime":
                return {
                    "isValid": True,
                    "referencedFieldIds": [],
                    "result": {"type": "dateTime", "options": datetime_options},
                }
            case _:
                return None

    def add_choice(self, name: str, new_id: str) -> None:
        self.choices.append(Choice(new_id, name, _CHOICE_COLORS[len(self.choices) % len(_CHOICE_COLORS)]))


def is_empty(value: Any) -> bool:
    return value is None or value is False or (isinstance(value, str | list) and not value)


def format_datetime(moment: datetime) -> str:
    """Airtable's timestamps: UTC, milliseconds, Z."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def parse_datetime(text: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _refuse(fld: Field) -> CellError:
    return CellError("INVALID_VALUE_FOR_COLUMN", f'Field "{fld.name}" cannot accept the provided value')


def _number(fld: Field, value: Any, typecast: bool) -> float | int:
    if isinstance(value, bool):
        raise _refuse(fld)
    if isinstance(value, int | float) and math.isfinite(value):
        return value
    if typecast and isinstance(value, str):
        try:
            number = float(value.replace(",", "").strip())
        except ValueError:
            raise _refuse(fld) from None
        return int(number) if number.is_integer() else number
    raise _refuse(fld)


def _date(fld: Field, value: Any, typecast: bool) -> str:
    if not isinstance(value, str):
        raise _refuse(fld)
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        moment = parse_datetime(value) if typecast else None
        if moment is None:
            raise _refuse(fld) from None
        return moment.date().isoformat()


def _datetime(fld: Field, value: Any) -> str:
    moment = parse_datetime(value) if isinstance(value, str) else None
    if moment is None:
        raise _refuse(fld)
    return format_datetime(moment)


def _choice(fld: Field, name: Any, typecast: bool, new_id: Callable[[], str]) -> str:
    if not isinstance(name, str):
        raise _refuse(fld)
    if any(c.name == name for c in fld.choices):
        return name
    if not typecast:
        raise CellError(
            "INVALID_MULTIPLE_CHOICE_OPTIONS", f'Insufficient permissions to create new select option ""{name}""'
        )
    fld.add_choice(name, new_id())
    return name


def _checkbox(fld: Field, value: Any, typecast: bool) -> bool:
    if isinstance(value, bool):
        return value
    if typecast and isinstance(value, str | int):
        return str(value).strip().lower() in _TRUE_STRINGS
    raise _refuse(fld)


def _text(fld: Field, value: Any, typecast: bool) -> str:
    if isinstance(value, str):
        return value.replace("\n", " ") if fld.type != "multilineText" else value
    if typecast and isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise _refuse(fld)


def convert(fld: Field, value: Any, *, typecast: bool, new_choice_id: Callable[[], str]) -> Any:
    """The stored value of `value` written to `fld`; raises CellError as Airtable would answer 422.

    Linked-record values are checked by the caller, which knows the linked table.
    """
    if fld.computed:
        raise CellError(
            "INVALID_VALUE_FOR_COLUMN", f'Field "{fld.name}" cannot accept a value because the field is computed'
        )
    if is_empty(value) and fld.type != "checkbox":
        return None
    match fld.type:
        case "number":
            return _number(fld, value, typecast)
        case "checkbox":
            return _checkbox(fld, value, typecast) if value is not None else False
        case "date":
            return _date(fld, value, typecast)
        case "dateTime":
            return _datetime(fld, value)
        case "singleSelect":
            return _choice(fld, value, typecast, new_choice_id)
        case "multipleSelects":
            names = [value] if typecast and isinstance(value, str) else value
            if not isinstance(names, list):
                raise _refuse(fld)
            return [_choice(fld, name, typecast, new_choice_id) for name in names]
        case "multipleRecordLinks":
            return value
        case _:
            return _text(fld, value, typecast)
