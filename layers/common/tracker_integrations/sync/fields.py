"""The Tracker fields a sheet or table can map, and how cell values convert to and from them.

Every value is compared in a canonical text form (enum values, ISO dates, trimmed text), so a
sync can tell "changed" from "written differently": `R`, `Replied` and `replied` are one status.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict

from tracker_integrations.models.campaign import CampaignStatus, CampaignType, PitchStatus

FieldKind = Literal["text", "email", "enum", "date", "datetime"]
DateOrder = Literal["DMY", "MDY"]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_SHEETS_EPOCH = date(1899, 12, 30)  # day 0 of Google Sheets (and Excel) date serials


class FieldSpec(BaseModel):
    model_config = ConfigDict(frozen=True)

    key: str  # "pitch.status", "campaign.title"
    label: str  # what a column for it is usually called
    kind: FieldKind
    choices: tuple[str, ...] = ()
    # Campaign fields are shared by every row of the campaign: they flow from Tracker only.
    writable_from_provider: bool = True
    synonyms: tuple[str, ...] = ()


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


def _parse_date(text: str, order: DateOrder) -> date:
    try:
        return date.fromisoformat(text[:10]) if len(text) >= 10 and text[4] == "-" else _parse_slashed(text, order)
    except ValueError as exc:
        raise InvalidValue(f"'{text}' is not a date: use YYYY-MM-DD") from exc


def _parse_slashed(text: str, order: DateOrder) -> date:
    parts = re.split(r"[/.\-]", text.strip())
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        raise ValueError(text)
    first, second, year = (int(p) for p in parts)
    if year < 100:
        year += 2000
    day, month = (first, second) if order == "DMY" else (second, first)
    return date(year, month, day)


def to_canonical(spec: FieldSpec, raw: object, value_map: dict[str, str], date_order: DateOrder = "DMY") -> str:
    """A provider cell as the field's canonical text ('' for empty); raises InvalidValue."""
    if isinstance(raw, int | float) and not isinstance(raw, bool) and spec.kind in {"date", "datetime"}:
        serial = _SHEETS_EPOCH + timedelta(days=float(raw))
        return (
            serial.isoformat()
            if spec.kind == "date"
            else datetime.combine(serial, datetime.min.time(), UTC).isoformat()
        )
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
        return _parse_date(text, date_order).isoformat()
    return _parse_datetime(text, date_order)


def _parse_datetime(text: str, order: DateOrder) -> str:
    try:
        parsed = datetime.fromisoformat(text.replace(" ", "T", 1) if " " in text and text[4] == "-" else text)
    except ValueError:
        return datetime.combine(_parse_date(text, order), datetime.min.time(), UTC).isoformat()
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).isoformat()


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
