"""`GET /api/me`: who the signed-in member is, in which account, with which role and plan."""

from pydantic import BaseModel, ConfigDict

from tracker_integrations.models.account import Plan, PlanLimits
from tracker_integrations.models.team import Identity, Role
from tracker_integrations.store.integrations import IntegrationsStore


class Me(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    user_id: str
    team_id: str | None
    role: Role
    plan: Plan
    limits: PlanLimits


class Profile:
    def __init__(self, store: IntegrationsStore) -> None:
        self._store = store

    def me(self, identity: Identity) -> Me:
        account = self._store.get_account(identity.account_id)
        return Me(
            user_id=identity.user_id,
            team_id=identity.team_id,
            role=identity.role,
            plan=account.plan,
            limits=account.limits,
        )
