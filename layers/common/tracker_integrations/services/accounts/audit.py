"""The audit log: every action on an account's integrations, with who, when and what changed.

Connect, reconnect and disconnect are recorded by the OAuth service (it knows the account linked);
the other actions taken through the API are recorded here, once the route has answered successfully,
from one table of audited routes, so a handler cannot forget to.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from tracker_integrations.access import AUDITED_ROUTES
from tracker_integrations.models.audit import AuditAction, AuditEntry, AuditPage
from tracker_integrations.models.common import new_id, utcnow
from tracker_integrations.models.connection import PROVIDER_KEYS, ProviderKey
from tracker_integrations.models.team import Identity
from tracker_integrations.store.activity import ActivityStore

_DECISIONS: dict[str, AuditAction] = {"approve": "deletion_approved", "reject": "deletion_rejected"}
_MAX_VALUE = 300  # a long mapping is cut: the entry says what changed, the settings hold the rest


def _text(value: Any) -> str | bool | None:
    if value is None or isinstance(value, bool | str):
        return value[:_MAX_VALUE] if isinstance(value, str) else value
    return json.dumps(value, sort_keys=True, default=str)[:_MAX_VALUE]


class AuditLog:
    def __init__(self, store: ActivityStore, *, now: Callable[[], datetime] = utcnow) -> None:
        self._store = store
        self._now = now

    def record_request(
        self, identity: Identity, route_key: str, path_parameters: Mapping[str, str], body: Mapping[str, Any]
    ) -> AuditEntry | None:
        """Record an audited route's successful request (None: the route is not audited)."""
        if route_key not in AUDITED_ROUTES:
            return None
        action = AUDITED_ROUTES[route_key] or _DECISIONS.get(str(body.get("decision")))
        if action is None:
            return None
        provider = path_parameters.get("provider")
        detail = {name: _text(value) for name, value in path_parameters.items() if name != "provider"}
        detail |= {name: _text(value) for name, value in body.items()}
        return self.record(
            identity.account_id,
            actor=identity.user_id,
            action=action,
            provider=provider if provider in PROVIDER_KEYS else None,
            detail=detail,
        )

    def record(
        self,
        account_id: str,
        *,
        actor: str | None,
        action: AuditAction,
        provider: ProviderKey | None = None,
        detail: dict[str, str | bool | None] | None = None,
    ) -> AuditEntry:
        entry = AuditEntry(
            user_id=account_id,
            entry_id=new_id("aud"),
            at=self._now(),
            actor=actor,
            action=action,
            provider=provider,
            detail=detail or {},
        )
        self._store.add_audit_entry(entry)
        return entry

    def page(self, account_id: str, *, limit: int, cursor: str | None) -> AuditPage:
        entries, next_cursor = self._store.audit_page(account_id, limit=limit, cursor=cursor)
        return AuditPage(entries=entries, next_cursor=next_cursor)
