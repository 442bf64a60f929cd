"""Column mapping: which provider column feeds which Tracker field, in which direction, with which values."""

from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from tracker_integrations.sync.fields import FIELDS, DateOrder, InvalidValue, normalise_header, to_canonical

Direction = Literal["both", "to_provider", "from_provider"]
ConflictPolicy = Literal["tracker_wins", "provider_wins"]
DEFAULT_ID_HEADER = "Tracker ID"


class ColumnMapping(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    header: str = Field(min_length=1, max_length=100)
    field: str
    # None: both ways for pitch fields, Tracker to provider for campaign fields.
    direction: Direction | None = None
    # Provider text -> Tracker value, e.g. {"R": "replied", "Yes!": "interested"}.
    value_map: dict[str, str] = Field(default_factory=dict, max_length=50)

    @field_validator("field")
    @classmethod
    def _known_field(cls, value: str) -> str:
        if value not in FIELDS:
            raise ValueError(f"unknown field '{value}': use one of {', '.join(FIELDS)}")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        spec = FIELDS[self.field]
        if not spec.writable_from_provider and self.direction not in {None, "to_provider"}:
            raise ValueError(
                f"{self.field} is shared by every pitch of a campaign, so it can only flow from Tracker "
                "to the sheet (direction 'to_provider')"
            )
        for provider_text, tracker_value in self.value_map.items():
            try:
                canonical = to_canonical(spec, tracker_value, {})
            except InvalidValue as exc:
                raise ValueError(f"value map for '{self.header}': {exc}") from exc
            if not provider_text.strip():
                raise ValueError(f"value map for '{self.header}' has an empty provider value")
            if canonical != tracker_value:
                raise ValueError(f"value map for '{self.header}': write '{canonical}' instead of '{tracker_value}'")
        return self

    @property
    def effective_direction(self) -> Direction:
        if self.direction is not None:
            return self.direction
        return "both" if FIELDS[self.field].writable_from_provider else "to_provider"

    @property
    def to_provider(self) -> bool:
        return self.effective_direction in {"both", "to_provider"}

    @property
    def from_provider(self) -> bool:
        return self.effective_direction in {"both", "from_provider"}


class SyncMapping(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    columns: list[ColumnMapping] = Field(min_length=1, max_length=50)
    id_header: str = Field(default=DEFAULT_ID_HEADER, min_length=1, max_length=100)
    conflict_policy: ConflictPolicy = "tracker_wins"
    # A sync where more than this share of synced records vanished stops and asks (at least min rows).
    max_delete_share: float = Field(default=0.2, ge=0, le=1)
    # A spreadsheet holds at most 10 million cells, so no sheet has more rows than that.
    mass_delete_min_rows: int = Field(default=3, ge=1, le=10_000_000)
    # How short dates like 3/5/2024 read: None follows the spreadsheet's locale (en_US month first, en_GB and
    # most others day first); "DMY" or "MDY" overrides it.
    date_order: DateOrder | None = None

    @model_validator(mode="after")
    def _unique(self) -> Self:
        headers = [normalise_header(c.header) for c in self.columns] + [normalise_header(self.id_header)]
        duplicates = sorted({h for h in headers if headers.count(h) > 1})
        if duplicates:
            raise ValueError(f"each column can be mapped once; repeated: {', '.join(duplicates)}")
        fields = [c.field for c in self.columns]
        repeated = sorted({f for f in fields if fields.count(f) > 1})
        if repeated:
            raise ValueError(f"each field can be mapped once; repeated: {', '.join(repeated)}")
        return self


def auto_map(headers: list[str]) -> list[ColumnMapping]:
    """Map columns whose header names a field (its label, key or a common synonym); the rest stay unmapped."""
    by_name: dict[str, str] = {}
    for key, spec in FIELDS.items():
        for name in (spec.label, key, key.split(".", 1)[1], *spec.synonyms):
            by_name.setdefault(normalise_header(name), key)
    mapped: list[ColumnMapping] = []
    taken: set[str] = set()
    for header in headers:
        field_key = by_name.get(normalise_header(header))
        if field_key and field_key not in taken and normalise_header(header) != normalise_header(DEFAULT_ID_HEADER):
            taken.add(field_key)
            mapped.append(ColumnMapping(header=header.strip(), field=field_key))
    return mapped


def follow_headers(mapping: SyncMapping, headers: list[str], offered: list[str]) -> tuple[SyncMapping, list[str]]:
    """The mapping after the provider's columns changed, and the columns to offer for mapping: a new column
    whose header names a campaign field (such as Campaign) is mapped, since it only ever receives Tracker's
    values; any other new column stays unmapped, offered, until the user maps it."""
    taken = {normalise_header(c.header) for c in mapping.columns} | {normalise_header(mapping.id_header)}
    new = [h.strip() for h in headers if h.strip() and normalise_header(h) not in taken]
    fields = {c.field for c in mapping.columns}
    recognised = [c for c in auto_map(new) if c.field not in fields and not FIELDS[c.field].writable_from_provider]
    mapped_now = {normalise_header(c.header) for c in recognised}
    still_offered = [h for h in new if normalise_header(h) not in mapped_now]
    if not recognised:
        return mapping, still_offered
    return mapping.model_copy(update={"columns": [*mapping.columns, *recognised]}), still_offered
