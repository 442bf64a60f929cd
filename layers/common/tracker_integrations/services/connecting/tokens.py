"""Fresh access tokens for a connection: the service the sync work calls before every provider call.

A token close to expiry is refreshed; a rotated refresh token (Airtable) is persisted with a
version-conditional write before the new access token is handed out, so a lost write can never
leave us holding only a dead refresh token. `invalid_grant` marks the connection needs_reauth with
a message saying how to reconnect, and keeps every setting for when the user does.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Final

from tracker_integrations.config import Settings
from tracker_integrations.crypto.envelope import TokenCipher
from tracker_integrations.errors import NotFound, ReauthRequired, TransientProviderError, VersionConflict
from tracker_integrations.http.client import RefreshingBearer, RetryPolicy
from tracker_integrations.models.common import new_id, utcnow
from tracker_integrations.models.connection import Connection, ConnectionStatus, LastError, TokenSet
from tracker_integrations.observability import logger, metrics
from tracker_integrations.providers.registry import get_spec
from tracker_integrations.records import FrozenRecord
from tracker_integrations.services.connecting.credentials import context_for, seal, unseal
from tracker_integrations.store.integrations import IntegrationsStore
from tracker_integrations.store.leases import LeaseStore

if TYPE_CHECKING:
    from tracker_integrations.store.activity import ActivityStore

REFRESH_MARGIN = timedelta(minutes=5)
REFRESH_LEASE = timedelta(seconds=30)  # longer than a refresh call with its retries
_WAIT_STEP = 0.2
_BACKGROUND = RetryPolicy(max_attempts=4, base_delay=0.5, max_delay=8.0, max_wait=30.0)


class Clock(FrozenRecord):
    """Time as the token service reads it (expiry) and waits on it (another worker's refresh)."""

    __slots__ = ("now", "sleep")

    def __init__(self, now: Callable[[], datetime] = utcnow, sleep: Callable[[float], None] = time.sleep) -> None:
        self.now: Final = now
        self.sleep: Final = sleep


SYSTEM_CLOCK = Clock()


class TokenService:
    def __init__(  # noqa: PLR0913  # each collaborator by name, from the composition root
        self,
        store: IntegrationsStore,
        cipher: Callable[[], TokenCipher],
        settings: Settings,
        leases: LeaseStore,
        activity: Callable[[], ActivityStore],  # on use: only a refresh the provider refuses writes the audit log
        *,
        clock: Clock = SYSTEM_CLOCK,
    ) -> None:
        self._store = store
        self._activity = activity
        self._cipher = cipher
        self._settings = settings
        self._leases = leases
        self._now = clock.now
        self._sleep = clock.sleep

    def current_tokens(self, connection: Connection, *, force_refresh: bool = False) -> TokenSet:
        """Tokens valid for at least REFRESH_MARGIN, refreshing (and persisting) when needed."""
        if connection.status == ConnectionStatus.NEEDS_REAUTH:
            raise ReauthRequired(
                f"{get_spec(connection.provider).name} needs to be reconnected", provider=connection.provider
            )
        tokens = unseal(self._cipher(), connection)
        fresh_enough = tokens.expires_at is None or tokens.expires_at - self._now() > REFRESH_MARGIN
        if fresh_enough and not force_refresh:
            return tokens
        return self.refresh(connection, tokens)

    def auth(self, connection: Connection) -> RefreshingBearer:
        """A run's bearer auth: the current access token, refreshed once when the provider answers 401 to it
        (a token revoked or expired early at the provider although it looked fresh here)."""

        def refresh() -> str:
            # The refresh writes the connection: start from what is stored now, not what the run read.
            current = self._store.get_connection(connection.user_id, connection.provider) or connection
            return self.current_tokens(current, force_refresh=True).access_token.get_secret_value()

        return RefreshingBearer(self.current_tokens(connection).access_token.get_secret_value(), refresh)

    def refresh(self, connection: Connection, tokens: TokenSet) -> TokenSet:
        """One refresh at a time per connection across every container: the others wait for its result
        (a rotated refresh token used twice would get invalid_grant and kill the connection)."""
        lease_name = f"refresh#{connection.provider}"
        lease = self._leases.acquire(
            connection.user_id, lease_name, owner=uuid.uuid4().hex, ttl=REFRESH_LEASE, now=self._now()
        )
        if lease is None:
            return self._await_other_refresh(connection)
        try:
            current = self._store.get_connection(connection.user_id, connection.provider)
            if current is not None and current.version != connection.version and current.credentials is not None:
                # Someone refreshed between our read and the lease: use theirs.
                fresh = unseal(self._cipher(), current)
                if fresh.expires_at is None or fresh.expires_at - self._now() > REFRESH_MARGIN:
                    return fresh
                connection, tokens = current, fresh
            return self._refresh(connection, tokens)
        finally:
            self._leases.release(connection.user_id, lease)

    def _await_other_refresh(self, connection: Connection) -> TokenSet:
        waited = 0.0
        while waited < REFRESH_LEASE.total_seconds():
            self._sleep(_WAIT_STEP)
            waited += _WAIT_STEP
            current = self._store.get_connection(connection.user_id, connection.provider)
            if current is None:
                raise NotFound(f"{get_spec(connection.provider).name} is not connected")
            if current.status == ConnectionStatus.NEEDS_REAUTH:
                raise ReauthRequired(
                    f"{get_spec(connection.provider).name} needs to be reconnected", provider=current.provider
                )
            if current.version != connection.version and current.credentials is not None:
                return unseal(self._cipher(), current)
        raise TransientProviderError(
            "another worker's token refresh did not finish in time", provider=connection.provider
        )

    def _refresh(self, connection: Connection, tokens: TokenSet) -> TokenSet:
        spec = get_spec(connection.provider)
        if tokens.refresh_token is None:
            if tokens.expires_at is None:
                return tokens  # never expires (Mailchimp)
            self._mark_needs_reauth(connection, "the provider gave no refresh token")
            raise ReauthRequired(f"{spec.name} needs to be reconnected", provider=spec.key)
        # Here, not at import: most runs find their token fresh and never call the token endpoint.
        from tracker_integrations.services.connecting.token_endpoint import request_tokens

        form = {"grant_type": "refresh_token", "refresh_token": tokens.refresh_token.get_secret_value()}
        try:
            response = request_tokens(spec, self._settings, form, policy=_BACKGROUND)
        except ReauthRequired:
            self._mark_needs_reauth(connection, "invalid_grant")
            raise
        now = self._now()
        fresh = response.to_token_set(spec, now, previous=tokens)
        updated = connection.model_copy(
            update={
                "credentials": seal(
                    self._cipher(), fresh, context_for(connection.user_id, connection.connection_id, spec.key)
                ),
                "token_expires_at": fresh.expires_at,
                "granted_scopes": fresh.scopes,
                "updated_at": now,
                "version": connection.version + 1,
            }
        )
        try:
            self._store.save_connection(updated, expected_version=connection.version)
        except VersionConflict:
            # Someone else refreshed first. With rotating refresh tokens ours may be the newest:
            # log loudly; the sync pipeline serialises refreshes per connection so this stays rare.
            logger.warning("token refresh lost a write race", extra={"provider": spec.key})
            raise
        metrics.add_metric(name="TokenRefreshed", unit="Count", value=1)
        return fresh

    def _mark_needs_reauth(self, connection: Connection, reason: str) -> None:
        from tracker_integrations.models.audit import AuditEntry

        spec = get_spec(connection.provider)
        now = self._now()
        current = self._store.get_connection(connection.user_id, connection.provider)
        if current is None:
            raise NotFound(f"{spec.name} is not connected")
        updated = current.model_copy(
            update={
                "status": ConnectionStatus.NEEDS_REAUTH,
                "last_error": LastError(
                    code="needs_reauth",
                    message=f"{spec.name} stopped accepting Tracker's access (it was revoked or expired).",
                    action=f"Reconnect {spec.name}: your settings and mappings are kept.",
                    at=now,
                ),
                "updated_at": now,
                "version": current.version + 1,
            }
        )
        self._store.save_connection(updated, expected_version=current.version)
        self._activity().add_audit_entry(
            AuditEntry(
                user_id=connection.user_id,
                entry_id=new_id("aud"),
                at=now,
                action="token_refresh_failed",
                provider=spec.key,
                detail={"reason": reason},
            )
        )
        metrics.add_metric(name="ConnectionNeedsReauth", unit="Count", value=1)
