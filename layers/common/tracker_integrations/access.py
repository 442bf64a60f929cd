"""Which role each API route needs: one table, applied to every request before its route runs.

Owners and admins connect, configure, disconnect and approve deletions; members see everything and
may press Sync now and correct a reply's category. A route not named here needs a member to read
(GET) and an admin to change anything, so a route added later is never open to members by accident.
Campaigns and pitches are Tracker's own data, which every member works on; deleting them needs an admin.
"""

from __future__ import annotations

from tracker_integrations.models.audit import AuditAction
from tracker_integrations.models.team import Role

# "METHOD /path" as API Gateway's routeKey names it.
ROUTE_ROLES: dict[str, Role] = {
    "POST /api/integrations/{provider}/sync": Role.MEMBER,
    "PUT /api/campaigns/{campaign_id}/pitches/{pitch_id}/reply-category": Role.MEMBER,
    "POST /api/campaigns": Role.MEMBER,
    "PATCH /api/campaigns/{campaign_id}": Role.MEMBER,
    "POST /api/campaigns/{campaign_id}/pitches": Role.MEMBER,
    "PATCH /api/campaigns/{campaign_id}/pitches/{pitch_id}": Role.MEMBER,
    "GET /api/audit": Role.ADMIN,
}

# What a refused member is told they tried, by route (the rest: "change this").
_ACTIONS: dict[str, str] = {
    "POST /api/integrations/{provider}/connect": "connect integrations",
    "DELETE /api/integrations/{provider}/disconnect": "disconnect integrations",
    "PUT /api/integrations/{provider}/settings": "change an integration's settings",
    "POST /api/integrations/{provider}/pending-deletions/{record_id}": "approve or reject deletions",
    "POST /api/integrations/{provider}/import": "import records",
    "GET /api/audit": "read the audit log",
}


# The routes the audit log records once they succeed (connect and disconnect: the OAuth service does).
# Route key -> action; None: the body's `decision` names it (approve or reject a deletion).
AUDITED_ROUTES: dict[str, AuditAction | None] = {
    "PUT /api/integrations/{provider}/settings": "settings_changed",
    "POST /api/integrations/{provider}/sync": "sync_requested",
    "POST /api/integrations/{provider}/pending-deletions/{record_id}": None,
    "PUT /api/campaigns/{campaign_id}/pitches/{pitch_id}/reply-category": "category_corrected",
}


def required_role(route_key: str) -> Role:
    role = ROUTE_ROLES.get(route_key)
    if role is not None:
        return role
    return Role.MEMBER if route_key.startswith("GET ") else Role.ADMIN


def refusal(route_key: str, role: Role) -> str:
    """The 403 message: which role may, and which one the caller has."""
    needed = required_role(route_key)
    action = _ACTIONS.get(route_key, "make this change")
    return f"Only {needed.who_may()} of this team may {action}; you are a {role.value}. Ask an owner or admin."
