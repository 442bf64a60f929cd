"""Plan changes from Tracker's billing: an EventBridge event on the billing bus.

`detail` names the account (a user's own, or a team's), the new plan and when it took effect; the
event's own `id` is EventBridge's, which a retry delivers again unchanged.
"""

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from tracker_integrations.models.account import Plan
from tracker_integrations.models.team import Identity

BILLING_SOURCE = "tracker.billing"
PLAN_CHANGED = "Plan Changed"


class PlanChange(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", defer_build=True)

    account_id: str = Field(min_length=1, max_length=256)
    account_type: Literal["user", "team"] = "user"
    plan: Plan
    effective_at: AwareDatetime

    @property
    def account_key(self) -> str:
        """The account as this system keys it (a team's id lives apart from user ids)."""
        if self.account_type == "team":
            return Identity(user_id="billing", team_id=self.account_id).account_id
        return self.account_id


class PlanChangedEvent(BaseModel):
    """EventBridge's envelope around a plan change (only the fields read)."""

    model_config = ConfigDict(frozen=True, extra="ignore", populate_by_name=True, defer_build=True)

    id: str
    source: Literal["tracker.billing"]
    detail_type: Literal["Plan Changed"] = Field(alias="detail-type")
    detail: PlanChange


def plan_changed_event(change: PlanChange, *, at: datetime) -> dict[str, Any]:
    """The event as EventBridge delivers it (what billing emits, and the local token route too)."""
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": PLAN_CHANGED,
        "source": BILLING_SOURCE,
        "account": "000000000000",
        "time": at.isoformat().replace("+00:00", "Z"),
        "region": "eu-west-2",
        "resources": [],
        "detail": change.model_dump(mode="json"),
    }
