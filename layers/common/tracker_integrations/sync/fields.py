"""The Tracker fields a sheet or table can map, and how cell values convert to and from them.

Every value is compared in a canonical text form (enum values, ISO dates, trimmed text), so a
sync can tell "changed" from "written differently": `R`, `Replied` and `replied` are one status.
"""

import re
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Final, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tracker_integrations.models.statuses import CampaignStatus, CampaignType, PitchStatus
from tracker_integrations.records import FrozenRecord

FieldKind = Literal["text", "email", "enum", "date", "datetime"]
DateOrder = Literal["DMY", "MDY"]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SHEETS_EPOCH = date(1899, 12, 30)  # day 0 of Google Sheets (and Excel) date serials


# Sheets locales that write short dates month first (M/d/yyyy); every other locale writes the day first
# (or the year first, which a four-digit first part shows by itself).
_MONTH_FIRST_LOCALES = frozenset({"en_US", "es_US", "en_PH", "fil_PH", "en_AS", "en_GU", "en_PR", "en_UM", "en_VI"})


def date_order_for_locale(locale: str | None) -> DateOrder:
    """How a spreadsheet's `properties.locale` ("en_US", "en-GB", "de_DE") orders short dates."""
    return "MDY" if (locale or "").replace("-", "_") in _MONTH_FIRST_LOCALES else "DMY"


def zone_for(time_zone: str | None) -> tzinfo:
    """A spreadsheet's `properties.timeZone` ("Europe/London"); UTC when missing or unknown."""
    try:
        return ZoneInfo(time_zone) if time_zone else UTC
    except (ZoneInfoNotFoundError, ValueError):
        return UTC


class DateReading(FrozenRecord):
    """How a provider's dates read: the short-date order, and the time zone of wall-clock date-times typed
    there (a spreadsheet's locale and time zone). Date-times Tracker writes (ISO text) stay UTC."""

    __slots__ = ("order", "time_zone")

    def __init__(self, order: DateOrder = "DMY", time_zone: str = "UTC") -> None:
        self.order: Final = order
        self.time_zone: Final = time_zone

    @property
    def zone(self) -> tzinfo:
        return zone_for(self.time_zone)


UTC_DAY_FIRST = DateReading()


class SheetMoment(FrozenRecord):
    """A cell Sheets holds as a date, time or date-time: the serial number (days since 1899-12-30, in the
    spreadsheet's wall-clock time), and the text the cell shows, which is what it reads as text."""

    __slots__ = ("kind", "serial", "shown")

    def __init__(self, serial: float, shown: str, kind: Literal["DATE", "TIME", "DATE_TIME"] = "DATE") -> None:
        self.serial: Final = serial
        self.shown: Final = shown
        self.kind: Final = kind

    def __str__(self) -> str:
        return self.shown


class FieldSpec(FrozenRecord):
    """One Tracker field a column can map. A plain record: the fields are written in code below."""

    __slots__ = ("choices", "key", "kind", "label", "synonyms", "writable_from_provider")

    def __init__(  # noqa: PLR0913 - one argument a field, as the model's were
        self,
        key: str,
        label: str,
        kind: FieldKind,
        choices: tuple[str, ...] = (),
        writable_from_provider: bool = True,
        synonyms: tuple[str, ...] = (),
    ) -> None:
        self.key: Final = key  # "pitch.status", "campaign.title"
        self.label: Final = label  # what a column for it is usually called
        self.kind: Final = kind
        self.choices: Final = choices
        # Campaign fields are shared by every row of the campaign: they flow from Tracker only.
        self.writable_from_provider: Final = writable_from_provider
        self.synonyms: Final = synonyms


def _enum(values: type[StrEnum]) -> tuple[str, ...]:
    return tuple(v.value for v in values)


FIELDS: dict[str, FieldSpec] = {
    spec.key: spec
    for spec in (
        FieldSpec(
            key="pitch.contact_name", label="Contact", kind="text", synonyms=("name", "contact name", "presenter")
        ),
        FieldSpec(
            key="pitch.email", label="Email", kind="email", synonyms=("e-mail", "email address", "contact email")
        ),
        FieldSpec(
            key="pitch.outlet", label="Outlet", kind="text", synonyms=("station", "publication", "playlist", "show")
        ),
        FieldSpec(key="pitch.role", label="Role", kind="text", synonyms=("title", "position", "job title")),
        FieldSpec(key="pitch.region", label="Region", kind="text", synonyms=("territory", "country", "area")),
        FieldSpec(
            key="pitch.status", label="Status", kind="enum", choices=_enum(PitchStatus), synonyms=("pitch status",)
        ),
        FieldSpec(key="pitch.sent_at", label="Sent", kind="datetime", synonyms=("sent at", "date sent", "sent on")),
        FieldSpec(key="pitch.subject", label="Subject", kind="text", synonyms=("email subject",)),
        FieldSpec(key="pitch.notes", label="Notes", kind="text", synonyms=("comments", "note")),
        FieldSpec(
            key="campaign.title",
            label="Campaign",
            kind="text",
            writable_from_provider=False,
            synonyms=("campaign title", "campaign name"),
        ),
        FieldSpec(key="campaign.artist", label="Artist", kind="text", writable_from_provider=False, synonyms=("act",)),
        FieldSpec(
            key="campaign.release",
            label="Release",
            kind="text",
            writable_from_provider=False,
            synonyms=("single", "track", "album"),
        ),
        FieldSpec(
            key="campaign.type",
            label="Campaign type",
            kind="enum",
            choices=_enum(CampaignType),
            writable_from_provider=False,
            synonyms=("type",),
        ),
        FieldSpec(
            key="campaign.status",
            label="Campaign status",
            kind="enum",
            choices=_enum(CampaignStatus),
            writable_from_provider=False,
        ),
        FieldSpec(
            key="campaign.start_date",
            label="Start date",
            kind="date",
            writable_from_provider=False,
            synonyms=("start",),
        ),
        FieldSpec(
            key="campaign.end_date", label="End date", kind="date", writable_from_provider=False, synonyms=("end",)
        ),
    )
}


class InvalidValue(ValueError):
    """A cell that cannot become the field's value; the message says what would be accepted."""


def normalise_header(header: str) -> str:
    return " ".join(header.replace("_", " ").split()).casefold()


def label_for(choice: str) -> str:
    """'not_interested' -> 'Not interested': how an enum value reads in a sheet."""
    return choice.replace("_", " ").capitalize()


def _text(raw: object) -> str:
    if raw is None:
        return ""
    if isinstance(raw, bool):
        return "TRUE" if raw else "FALSE"
    if isinstance(raw, float) and raw.is_integer():
        return str(int(raw))
    return str(raw).strip()


_LOCAL_MOMENT = re.compile(
    r"^(\d{1,4})[/.\-](\d{1,2})[/.\-](\d{1,4})"
    r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?\s*([AaPp][Mm])?)?$"
)


def _parse_local(text: str, order: DateOrder) -> tuple[date, time | None]:
    """A short date as typed ("3/5/2024", "03.05.2024", "2024/03/05"), with an optional time of day
    ("14:30", "2:30 PM")."""
    match = _LOCAL_MOMENT.fullmatch(text.strip())
    if match is None:
        raise ValueError(text)
    first, second, third = match.group(1), int(match.group(2)), match.group(3)
    if len(first) == 4:
        year, month, day = int(first), second, int(third)
    else:
        year = int(third) + (2000 if len(third) <= 2 else 0)
        day, month = (int(first), second) if order == "DMY" else (second, int(first))
    if match.group(4) is None:
        return date(year, month, day), None
    hour, minute, second_of_minute = int(match.group(4)), int(match.group(5)), int(match.group(6) or 0)
    meridiem = (match.group(7) or "").upper()
    if meridiem and not 1 <= hour <= 12:
        raise ValueError(text)
    if meridiem:
        hour = hour % 12 + (12 if meridiem == "PM" else 0)
    return date(year, month, day), time(hour, minute, second_of_minute)


def _example(order: DateOrder) -> str:
    return "DD/MM/YYYY" if order == "DMY" else "MM/DD/YYYY"


def _parse_date(text: str, order: DateOrder) -> date:
    try:
        return date.fromisoformat(text[:10]) if len(text) >= 10 and text[4] == "-" else _parse_local(text, order)[0]
    except ValueError as exc:
        raise InvalidValue(f"'{text}' is not a date: use YYYY-MM-DD or {_example(order)}") from exc


def _from_serial(serial: float) -> datetime:
    # Sheets serials count days from 1899-12-30 in the spreadsheet's wall-clock time; to the second.
    return datetime.combine(_SHEETS_EPOCH, time()) + timedelta(seconds=round(serial * 86400))


def _serial_canonical(spec: FieldSpec, serial: float, dates: DateReading) -> str:
    moment = _from_serial(serial)
    if spec.kind == "date":
        return moment.date().isoformat()
    return moment.replace(tzinfo=dates.zone).astimezone(UTC).isoformat()


def to_canonical(spec: FieldSpec, raw: object, value_map: dict[str, str], dates: DateReading = UTC_DAY_FIRST) -> str:
    """A provider cell as the field's canonical text ('' for empty); raises InvalidValue. Dates read per
    `dates`: short dates in its order, serials and typed date-times in its time zone."""
    if spec.kind in {"date", "datetime"}:
        if isinstance(raw, SheetMoment):
            return _serial_canonical(spec, raw.serial, dates)
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            return _serial_canonical(spec, float(raw), dates)
    text = _text(raw)
    if text == "":
        return ""
    mapped = {normalise_header(k): v for k, v in value_map.items()}.get(normalise_header(text))
    if mapped is not None:
        text = mapped
    if spec.kind == "text":
        return text
    if spec.kind == "email":
        if not _EMAIL.match(text):
            raise InvalidValue(f"'{text}' is not an e-mail address")
        return text.lower()
    if spec.kind == "enum":
        wanted = normalise_header(text)
        for choice in spec.choices:
            if wanted in {normalise_header(choice), normalise_header(label_for(choice))}:
                return choice
        allowed = ", ".join(label_for(c) for c in spec.choices)
        raise InvalidValue(f"'{text}' is not a known {spec.label.lower()}: use one of {allowed}")
    if spec.kind == "date":
        return _parse_date(text, dates.order).isoformat()
    return _parse_datetime(text, dates)


def _parse_datetime(text: str, dates: DateReading) -> str:
    if len(text) >= 10 and text[4] == "-":
        # ISO text is how Tracker writes date-times: without an offset it is UTC.
        try:
            parsed = datetime.fromisoformat(text.replace(" ", "T", 1))
        except ValueError as exc:
            raise InvalidValue(f"'{text}' is not a date and time: use YYYY-MM-DD HH:MM") from exc
        return (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    try:
        day, clock = _parse_local(text, dates.order)
    except ValueError as exc:
        raise InvalidValue(
            f"'{text}' is not a date and time: use YYYY-MM-DD HH:MM or {_example(dates.order)} HH:MM"
        ) from exc
    # Typed in the sheet: the spreadsheet's wall clock.
    return datetime.combine(day, clock or time(), dates.zone).astimezone(UTC).isoformat()


def from_tracker(spec: FieldSpec, value: object) -> str:
    """A Tracker model value as canonical text."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        moment = value if value.tzinfo else value.replace(tzinfo=UTC)
        return moment.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    return str(value).strip() if spec.kind != "email" else str(value).strip().lower()


def to_cell(spec: FieldSpec, canonical: str, value_map: dict[str, str]) -> str:
    """Canonical text as the sheet shows it: enum labels (or the user's own abbreviation), ISO dates."""
    if canonical == "":
        return ""
    for provider_text, tracker_value in value_map.items():
        if tracker_value == canonical:
            return provider_text
    if spec.kind == "enum":
        return label_for(canonical)
    if spec.kind == "datetime":
        moment = datetime.fromisoformat(canonical).astimezone(UTC)
        whole_minute = moment.second == 0 and moment.microsecond == 0
        return moment.strftime("%Y-%m-%d %H:%M") if whole_minute else moment.isoformat()
    return canonical
