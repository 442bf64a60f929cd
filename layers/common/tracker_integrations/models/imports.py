"""`POST /api/integrations/{provider}/import`: bring a provider's existing rows into Tracker, preview first."""

from typing import Literal, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

from tracker_integrations.models.common import ShortText


class ImportCampaign(BaseModel):
    """Where rows without a campaign of their own go: `campaign_id` names an existing campaign; otherwise a
    campaign with `title` is used (created when none has it), by default named after the spreadsheet and tab."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    campaign_id: str | None = Field(default=None, min_length=1, max_length=100)
    title: ShortText | None = Field(default=None, min_length=1)

    @model_validator(mode="after")
    def _one_of(self) -> Self:
        if self.campaign_id is not None and self.title is not None:
            raise ValueError("give campaign_id (an existing campaign) or title (a new one), not both")
        return self


class ImportRequest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    dry_run: bool = False
    # None: only rows that name their campaign (in a Campaign column) are imported.
    campaign: ImportCampaign | None = None


ImportedAction = Literal["created", "updated", "skipped"]


class ImportedRow(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    row: int  # as the provider numbers it (a sheet's header is row 1)
    action: ImportedAction
    reason: str
    campaign: str | None = None
    contact: str = ""
    pitch_id: str | None = None


class ImportedCampaign(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    title: str
    campaign_id: str | None  # None in a preview of a campaign the import would create
    created: bool
    rows: int


class ImportResult(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    dry_run: bool
    source: str  # e.g. "'Radio promo' / 'Pitches'"
    created: int
    updated: int
    skipped: int
    campaigns: list[ImportedCampaign]
    rows: list[ImportedRow]
