"""Tracker's side of a two-way sync, the same for every integration that syncs rows or records.

Provider-neutral: Tracker's campaigns and pitches as the merge compares them, the campaign an import or a
new row joins (created the first time a title names none), pitches created in batches per campaign or
linked to the pitch the import planner matched, and the merge's changes applied as versioned updates.
The provider key says who wrote (`written_by`), so a sync's own writes are not sent back to it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from tracker_integrations.errors import NotFound, TrackerError, ValidationFailed, VersionConflict
from tracker_integrations.models.campaign import Campaign, Pitch
from tracker_integrations.models.connection import ProviderKey
from tracker_integrations.models.sync_log import SyncLogError
from tracker_integrations.records import Record
from tracker_integrations.services.campaigns import CampaignsService
from tracker_integrations.store.tracker import TrackerStore
from tracker_integrations.sync.engine import SyncPlan
from tracker_integrations.sync.fields import FIELDS, from_tracker, normalise_header
from tracker_integrations.sync.importer import CampaignChoice, ExistingPitch, ImportOutcome, ImportPlan

if TYPE_CHECKING:
    from tracker_integrations.models.campaign_inputs import PitchCreate
    from tracker_integrations.models.imports import ImportCampaign


def tracker_values(pitch: Pitch, campaign: Campaign | None) -> dict[str, str]:
    """A pitch and its campaign as the merge compares them: field -> canonical text."""
    values: dict[str, str] = {}
    for key, spec in FIELDS.items():
        scope, name = key.split(".", 1)
        source: Any = pitch if scope == "pitch" else campaign
        values[key] = from_tracker(spec, getattr(source, name, None) if source is not None else None)
    return values


def pitch_fields(values: dict[str, str]) -> dict[str, object]:
    """The pitch fields among canonical values, as PitchCreate/PitchUpdate take them."""
    fields: dict[str, object] = {}
    for key, canonical in values.items():
        scope, name = key.split(".", 1)
        if scope == "pitch":
            fields[name] = (canonical or None) if name == "sent_at" else canonical
    return fields


def pitch_create(values: dict[str, str]) -> PitchCreate:
    # The input models are loaded by the rows that write: a run that changes nothing in Tracker never builds them.
    from tracker_integrations.models.campaign_inputs import PitchCreate

    return PitchCreate.model_validate({k: v for k, v in pitch_fields(values).items() if v not in ("", None)})


class TrackerSnapshot(Record):
    """Tracker's campaigns and pitches at one moment of a run, and their values as the merge compares them."""

    __slots__ = ("campaigns", "pitches", "values")

    def __init__(
        self,
        campaigns: dict[str, Campaign] | None = None,
        pitches: dict[str, Pitch] | None = None,
        values: dict[str, dict[str, str]] | None = None,
    ) -> None:
        self.campaigns: dict[str, Campaign] = {} if campaigns is None else campaigns
        self.pitches: dict[str, Pitch] = {} if pitches is None else pitches
        self.values: dict[str, dict[str, str]] = {} if values is None else values

    def existing(self) -> list[ExistingPitch]:
        return [
            ExistingPitch(
                p.pitch_id, p.campaign_id, from_tracker(FIELDS["pitch.email"], p.email), self.values[p.pitch_id]
            )
            for p in self.pitches.values()
        ]

    def titles(self) -> dict[str, str]:
        return {c.campaign_id: c.title for c in self.campaigns.values()}

    def remembered(self, campaign_id: str | None) -> CampaignChoice | None:
        """The campaign the last import chose, while it exists: where new rows without a campaign go."""
        campaign = self.campaigns.get(campaign_id) if campaign_id else None
        return CampaignChoice(title=campaign.title, campaign_id=campaign.campaign_id) if campaign else None

    def chosen(
        self, requested: ImportCampaign | None, remembered: str | None, default_title: str
    ) -> CampaignChoice | None:
        """Where an import puts rows that name no campaign: the one asked for (by id, or by title, new when no
        campaign has it), else the one the last import chose."""
        if requested is None:
            return self.remembered(remembered)
        if requested.campaign_id is not None:
            campaign = self.campaigns.get(requested.campaign_id)
            if campaign is None:
                raise ValidationFailed(
                    "campaign.campaign_id: you have no campaign with this id; leave it out to create a new campaign"
                )
            return CampaignChoice(title=campaign.title, campaign_id=campaign.campaign_id)
        title = requested.title or default_title
        existing = self.by_title(title)
        return CampaignChoice(title=title, campaign_id=existing.campaign_id if existing else None)

    def by_title(self, title: str) -> Campaign | None:
        wanted = normalise_header(title)
        return next((c for c in self.campaigns.values() if normalise_header(c.title) == wanted), None)


class TrackerSide:
    def __init__(self, tracker: TrackerStore, campaigns: CampaignsService, provider: ProviderKey) -> None:
        self._tracker = tracker
        self._campaigns = campaigns
        self._provider = provider

    def snapshot(self, user_id: str) -> TrackerSnapshot:
        stored_campaigns, stored_pitches = self._tracker.campaigns_and_pitches(user_id)
        campaigns = {c.campaign_id: c for c in stored_campaigns}
        pitches = {p.pitch_id: p for p in stored_pitches}
        values = {pid: tracker_values(p, campaigns.get(p.campaign_id)) for pid, p in pitches.items()}
        return TrackerSnapshot(campaigns, pitches, values)

    def campaign(self, user_id: str, choice: CampaignChoice, snapshot: TrackerSnapshot) -> Campaign:
        """The chosen campaign, created the first time a row names a title no campaign has."""
        if choice.campaign_id is not None:
            return snapshot.campaigns[choice.campaign_id]
        found = snapshot.by_title(choice.title)
        if found is None:
            from tracker_integrations.models.campaign_inputs import CampaignCreate

            found = self._campaigns.create_campaign(user_id, CampaignCreate(title=choice.title))
            snapshot.campaigns[found.campaign_id] = found
        return found

    def update_from_row(self, user_id: str, pitch: Pitch, changes: dict[str, str]) -> None:
        fields = pitch_fields(changes)
        if fields:
            from tracker_integrations.models.campaign_inputs import PitchUpdate

            update = PitchUpdate.model_validate({"version": pitch.version, **fields})
            self._campaigns.update_pitch(user_id, pitch.campaign_id, pitch.pitch_id, update, written_by=self._provider)

    def place(self, user_id: str, plan: ImportPlan, snapshot: TrackerSnapshot) -> ImportOutcome:
        """Apply an import plan: campaigns, then pitches (a batch per campaign), or the matched pitch updated."""
        placed: dict[int, str] = {}
        failed: dict[int, str] = {}
        new: dict[str, list[tuple[int, PitchCreate]]] = {}  # campaign id -> the rows that create its pitches
        for row in plan.rows:
            if row.action == "skip" or row.campaign is None:
                continue
            try:
                campaign = self.campaign(user_id, row.campaign, snapshot)
                if row.pitch_id is None:
                    new.setdefault(campaign.campaign_id, []).append((row.locator, pitch_create(row.values)))
                    continue
                self.update_from_row(user_id, snapshot.pitches[row.pitch_id], row.changes)
                placed[row.locator] = row.pitch_id
            except ValidationError as exc:
                failed[row.locator] = "; ".join(str(e["msg"]) for e in exc.errors())
            except TrackerError as exc:
                failed[row.locator] = exc.message
        for campaign_id, creates in new.items():
            try:
                pitches = self._campaigns.create_pitches(
                    user_id, campaign_id, [data for _, data in creates], written_by=self._provider
                )
            except TrackerError as exc:
                failed.update({locator: exc.message for locator, _ in creates})
                continue
            placed.update({locator: p.pitch_id for (locator, _), p in zip(creates, pitches, strict=True)})
        return ImportOutcome(placed=placed, failed=failed)

    def apply_updates(self, user_id: str, plan: SyncPlan, pitches: dict[str, Pitch]) -> tuple[int, list[SyncLogError]]:
        """The merge's changes to Tracker; a refused one keeps its old base, so the next run tries again."""
        errors: list[SyncLogError] = []
        updated = 0
        for record_id, changes in plan.tracker_updates.items():
            from tracker_integrations.models.campaign_inputs import PitchUpdate  # loaded by the first change only

            pitch = pitches[record_id]
            try:
                update = PitchUpdate.model_validate({"version": pitch.version, **pitch_fields(changes)})
                self._campaigns.update_pitch(user_id, pitch.campaign_id, record_id, update, written_by=self._provider)
                updated += 1
            except (ValidationError, ValidationFailed, VersionConflict, NotFound) as exc:
                plan.keep_previous_base(record_id)
                message = exc.message if isinstance(exc, TrackerError) else str(exc)
                errors.append(
                    SyncLogError(code="tracker_update_failed", message=f"Pitch {record_id} not updated: {message}")
                )
        return updated, errors
