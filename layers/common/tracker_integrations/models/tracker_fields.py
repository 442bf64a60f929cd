"""What Tracker offers a column or field mapping: its fields, their types and the ways they may flow."""

from pydantic import BaseModel, ConfigDict

from tracker_integrations.sync.fields import FieldKind
from tracker_integrations.sync.mapping import Direction


class TrackerField(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    key: str  # what a mapping names: "pitch.status"
    label: str  # the header a column for it is usually given: "Status"
    kind: FieldKind
    choices: list[str]  # an enum's values; empty for the other kinds
    # The directions a mapping may give it, the default first: campaign fields flow from Tracker only.
    directions: list[Direction]
    # Other headers recognised as this field when columns are matched automatically.
    synonyms: list[str]


class TrackerFieldList(BaseModel):
    """`GET /api/integrations/{provider}/fields`."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    provider: str
    id_header: str  # the column or field the sync owns for Tracker's ids (never mapped)
    fields: list[TrackerField]
