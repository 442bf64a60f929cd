"""Tracker's campaigns and pitches: list, create, read, update, delete, with optimistic versioning.

Every update names the version the client read; a stale version gets 409 with the current record
so a concurrent edit is never silently overwritten.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from tracker_integrations.errors import NotFound, ValidationFailed
from tracker_integrations.models.campaign import Campaign, Pitch
from tracker_integrations.models.common import new_id, utcnow
from tracker_integrations.models.statuses import ReplyCategory
from tracker_integrations.store.tracker import TrackerStore

if TYPE_CHECKING:
    from tracker_integrations.models.campaign_inputs import CampaignCreate, CampaignUpdate, PitchCreate, PitchUpdate
    from tracker_integrations.models.campaign_pages import CampaignPage, PitchPage, ReplyPage

_NULLABLE = frozenset({"start_date", "end_date", "sent_at"})


def _apply[Record: (Campaign, Pitch)](record: Record, update: CampaignUpdate | PitchUpdate, now: datetime) -> Record:
    """The record with the fields the client sent; fields it left out stay as they are."""
    changes: dict[str, Any] = {}
    for name in update.model_fields_set - {"version"}:
        new_value = getattr(update, name)
        if new_value is None and name not in _NULLABLE:
            raise ValidationFailed(f"{name} cannot be null", details={"field": name})
        changes[name] = new_value
    merged = record.model_dump() | changes | {"updated_at": now, "version": record.version + 1}
    try:
        return type(record).model_validate(merged)
    except ValidationError as exc:
        raise ValidationFailed(
            "; ".join(e["msg"] for e in exc.errors()), details={"errors": [str(e["loc"]) for e in exc.errors()]}
        ) from exc


class CampaignsService:
    def __init__(self, store: TrackerStore, *, now: Callable[[], datetime] = utcnow) -> None:
        self._store = store
        self._now = now

    # -- campaigns --------------------------------------------------------------------------------

    def replies(self, user_id: str, *, limit: int, category: ReplyCategory | None = None) -> ReplyPage:
        """The newest replies detected on the user's pitches (one per pitch: its latest), of one category or all."""
        from tracker_integrations.models.campaign_pages import DetectedReply, ReplyPage

        campaigns, pitches = self._store.campaigns_and_pitches(user_id)
        titles = {c.campaign_id: c.title for c in campaigns}
        found = [
            DetectedReply(
                campaign_id=p.campaign_id,
                campaign_title=titles.get(p.campaign_id, ""),
                pitch_id=p.pitch_id,
                pitch_version=p.version,
                pitch_status=p.status,
                contact_name=p.contact_name,
                email=p.email,
                reply=p.reply,
            )
            for p in pitches
            if p.reply is not None and (category is None or p.reply.category == category)
        ]
        found.sort(key=lambda r: r.reply.received_at, reverse=True)
        return ReplyPage(replies=found[:limit])

    def list_campaigns(self, user_id: str, *, limit: int, cursor: str | None) -> CampaignPage:
        from tracker_integrations.models.campaign_pages import CampaignPage

        campaigns, next_cursor = self._store.list_campaigns(user_id, limit=limit, cursor=cursor)
        return CampaignPage(campaigns=campaigns, next_cursor=next_cursor)

    def create_campaign(self, user_id: str, data: CampaignCreate) -> Campaign:
        now = self._now()
        campaign = Campaign(campaign_id=new_id("cmp"), created_at=now, updated_at=now, version=1, **data.model_dump())
        self._store.put_campaign(user_id, campaign, expected_version=None)
        return campaign

    def get_campaign(self, user_id: str, campaign_id: str) -> Campaign:
        campaign = self._store.get_campaign(user_id, campaign_id)
        if campaign is None:
            raise NotFound("campaign not found")
        return campaign

    def update_campaign(self, user_id: str, campaign_id: str, update: CampaignUpdate) -> Campaign:
        current = self.get_campaign(user_id, campaign_id)
        updated = _apply(current, update, self._now())
        self._store.put_campaign(user_id, updated, expected_version=update.version)
        return updated

    def delete_campaign(self, user_id: str, campaign_id: str, *, version: int) -> None:
        self._store.delete_campaign(user_id, campaign_id, expected_version=version)

    # -- pitches ----------------------------------------------------------------------------------

    def list_pitches(self, user_id: str, campaign_id: str, *, limit: int, cursor: str | None) -> PitchPage:
        from tracker_integrations.models.campaign_pages import PitchPage

        self.get_campaign(user_id, campaign_id)
        pitches, next_cursor = self._store.list_pitches(user_id, campaign_id, limit=limit, cursor=cursor)
        return PitchPage(pitches=pitches, next_cursor=next_cursor)

    def create_pitch(
        self,
        user_id: str,
        campaign_id: str,
        data: PitchCreate,
        *,
        written_by: str = "user",
        pitch_id: str | None = None,
    ) -> Pitch:
        """Create a pitch; a caller-chosen `pitch_id` makes a retried create fail with AlreadyExists, not duplicate."""
        now = self._now()
        pitch = Pitch(
            pitch_id=pitch_id or new_id("pit"),
            campaign_id=campaign_id,
            created_at=now,
            updated_at=now,
            version=1,
            **data.model_dump(),
        )
        self._store.put_pitch(user_id, pitch, expected_version=None, written_by=written_by)
        return pitch

    def create_pitches(
        self, user_id: str, campaign_id: str, items: list[PitchCreate], *, written_by: str = "user"
    ) -> list[Pitch]:
        """Create many pitches in one campaign at once (an import), in as few writes as the table allows."""
        now = self._now()
        pitches = [
            Pitch(
                pitch_id=new_id("pit"),
                campaign_id=campaign_id,
                created_at=now,
                updated_at=now,
                version=1,
                **data.model_dump(),
            )
            for data in items
        ]
        self._store.put_new_pitches(user_id, campaign_id, pitches, written_by=written_by)
        return pitches

    def get_pitch(self, user_id: str, campaign_id: str, pitch_id: str) -> Pitch:
        pitch = self._store.get_pitch(user_id, campaign_id, pitch_id)
        if pitch is None:
            raise NotFound("pitch not found")
        return pitch

    def update_pitch(
        self, user_id: str, campaign_id: str, pitch_id: str, update: PitchUpdate, *, written_by: str = "user"
    ) -> Pitch:
        current = self.get_pitch(user_id, campaign_id, pitch_id)
        updated = _apply(current, update, self._now())
        self._store.put_pitch(user_id, updated, expected_version=update.version, written_by=written_by)
        return updated

    def delete_pitch(self, user_id: str, campaign_id: str, pitch_id: str, *, version: int) -> None:
        self._store.delete_pitch(user_id, campaign_id, pitch_id, expected_version=version)
