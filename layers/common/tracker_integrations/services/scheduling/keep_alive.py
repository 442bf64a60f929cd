"""Daily keep-alive: refresh the tokens of connections nobody has used for a day.

Providers expire refresh tokens that go unused (Airtable after about 60 days, Google after six
months); a connection that syncs rarely would otherwise die quietly. A refresh that fails marks the
connection needs_reauth and tells the user, as any refresh does.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict

from tracker_integrations.errors import ProviderError, TrackerError
from tracker_integrations.models.common import utcnow
from tracker_integrations.models.connection import PROVIDER_KEYS
from tracker_integrations.observability import logger, metrics
from tracker_integrations.providers.registry import PROVIDERS
from tracker_integrations.services.integration_hooks import HooksOf
from tracker_integrations.store.integrations import IntegrationsStore

if TYPE_CHECKING:
    from tracker_integrations.services.connecting.tokens import TokenService

IDLE_AFTER = timedelta(days=1)


class KeepAliveResult(BaseModel):
    model_config = ConfigDict(frozen=True, defer_build=True)

    idle: int
    refreshed: int
    failed: int
    renewed: int = 0  # push registrations renewed before they lapse (Gmail watches)


class KeepAlive:
    """`tokens` is taken on use: a day with no idle connection (most days, at first) loads no HTTP client."""

    def __init__(
        self,
        integrations: IntegrationsStore,
        tokens: "Callable[[], TokenService]",
        *,
        hooks: HooksOf,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._integrations = integrations
        self._tokens = tokens
        self._hooks = hooks
        self._now = now

    def run(self) -> KeepAliveResult:
        idle = refreshed = failed = 0
        for user_id, provider in list(self._integrations.idle_since(self._now() - IDLE_AFTER)):
            if provider not in PROVIDER_KEYS:
                continue
            idle += 1
            connection = self._integrations.get_connection(user_id, provider)
            if connection is None:
                continue
            try:
                self._tokens().current_tokens(connection, force_refresh=True)
                refreshed += 1
            except (ProviderError, TrackerError):
                # needs_reauth is recorded by the token service; a transient failure is retried tomorrow.
                failed += 1
        renewed = 0
        # Daily renewals of push registrations that lapse (Gmail watches).
        for spec in PROVIDERS.values():
            if not spec.sync.renews_push:
                continue
            try:
                renewed += self._hooks(spec.key).renew_push()
            except (ProviderError, TrackerError):
                logger.exception("a push renewal failed; it runs again tomorrow")
        metrics.add_metric(name="KeepAliveRefreshed", unit="Count", value=refreshed)
        logger.info("keep-alive done", extra={"idle": idle, "refreshed": refreshed, "failed": failed})
        return KeepAliveResult(idle=idle, refreshed=refreshed, failed=failed, renewed=renewed)
