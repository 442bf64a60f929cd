"""The frame every provider sync runs in: lease, quota, failure handling, sync log, card, notification.

A provider's sync service brings only what is its own: the sync itself and a `SyncProfile` (its
messages for each failure class and the few rules where providers differ). The frame makes every
run end the same way: one sync log, the connection's card updated, the user told once.

Failures are typed data, mapped by class, never by text:

- `SyncStopped` (the provider's own stops, and the monthly quota): recorded with its status; acked.
- `ReauthRequired` (access refused even after a refresh): `needs_reauth`; acked, only the user fixes it.
- `RateLimited`, `TransientProviderError`: recorded, then re-raised so the queue runs the job again.
- `PermanentProviderError`: recorded as ERROR when the profile says what to tell the user, else it
  escapes to the queue (retried, then the DLQ).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Final

from tracker_integrations.config import Settings
from tracker_integrations.errors import (
    NotFound,
    PermanentProviderError,
    ProviderError,
    RateLimited,
    ReauthRequired,
    SyncInProgress,
    TransientProviderError,
    VersionConflict,
)
from tracker_integrations.models.common import new_id, utcnow
from tracker_integrations.models.connection import (
    SYNC_RUN_LIMIT,
    Connection,
    ConnectionStatus,
    LastError,
    ProviderKey,
)
from tracker_integrations.models.sync_log import SyncDirection, SyncLog, SyncLogError
from tracker_integrations.observability import logger, metrics
from tracker_integrations.providers.registry import get_spec
from tracker_integrations.records import FrozenRecord, Record
from tracker_integrations.services.accounts.analytics import Analytics
from tracker_integrations.services.connecting.tokens import TokenService
from tracker_integrations.services.notifications import Notifier
from tracker_integrations.services.quotas import Quotas
from tracker_integrations.store.integrations import IntegrationsStore
from tracker_integrations.store.leases import LeaseStore
from tracker_integrations.store.tracker import TrackerStore

# Longer than the worker's timeout (120 s): a killed run's lease lapses before its message returns.
SYNC_LEASE = SYNC_RUN_LIMIT


def sync_lease(provider: ProviderKey) -> str:
    """The lease one connection's runs share: one run at a time per user and provider."""
    return f"sync#{provider}"


class SyncStopped(Exception):
    """The run cannot go on; carries what the card and the log should say."""

    def __init__(
        self, code: str, message: str, action: str, *, status: ConnectionStatus = ConnectionStatus.ERROR
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.action = action
        self.status = status


class Notice(FrozenRecord):
    """What the card and the notification say about a failure: what happened, and what to do."""

    __slots__ = ("action", "message")

    def __init__(self, message: str, action: str) -> None:
        self.message: Final = message
        self.action: Final = action


class SyncProfile(FrozenRecord):
    """What differs between providers' runs: messages as data, plus a few small rules."""

    __slots__ = (
        "card_records",
        "direction",
        "in_progress",
        "keeps_reauth_mark",
        "label",
        "metric",
        "not_connected",
        "partial_error",
        "provider",
        "ready",
        "reauth",
        "refused",
        "run_notice",
        "unavailable",
    )

    def __init__(  # noqa: PLR0913 - one keyword per way the providers' runs differ
        self,
        *,
        provider: ProviderKey,
        direction: SyncDirection,
        label: str,
        metric: str,
        in_progress: str,
        not_connected: str,
        reauth: Notice,
        unavailable: Notice,
        card_records: Callable[[Connection, SyncLog], int],
        refused: Notice | None = None,
        partial_error: Callable[[SyncLog, datetime], LastError] | None = None,
        run_notice: Callable[[SyncLog, datetime], LastError | None] | None = None,
        ready: Callable[[Connection], object] | None = None,
        keeps_reauth_mark: bool = False,
    ) -> None:
        self.provider: Final = provider
        self.direction: Final = direction
        self.label: Final = label  # names the run in operator logs ("<label> finished")
        self.metric: Final = metric  # a run counts as "<metric>Success", "<metric>Partial" or "<metric>Failed"
        self.in_progress: Final = in_progress  # SyncInProgress's message
        self.not_connected: Final = not_connected  # NotFound's message
        self.reauth: Final = reauth
        self.unavailable: Final = unavailable  # rate limited or down
        self.refused: Final = refused  # a PermanentProviderError; None lets it escape to the queue
        # The card's record count after a run that did not fail.
        self.card_records: Final = card_records
        # What the card says after a partial run; None leaves it clean (and the run counts as a recovery).
        self.partial_error: Final = partial_error
        # What the card says after a clean run that still has something to tell (e.g. a formula was kept).
        self.run_notice: Final = run_notice
        # Checked before the quota, so a run that has nothing to sync says that rather than "quota reached".
        self.ready: Final = ready
        # A needs_reauth the token service set while the run went on outlives a run that did not see it.
        self.keeps_reauth_mark: Final = keeps_reauth_mark


class ProviderRun(Record):
    """One run as the provider's sync sees it."""

    __slots__ = ("calls", "connection", "log")

    def __init__(self, connection: Connection, log: SyncLog, calls: Mapping[str, int] | None = None) -> None:
        self.connection = connection  # read under the lease
        self.log = log  # to fill in and return
        # The run's clients share one call counter (a token refresh carries it over to the new client),
        # so a run that fails still logs the calls it made.
        self.calls: Mapping[str, int] = {} if calls is None else calls

    @property
    def user_id(self) -> str:
        return self.connection.user_id


Sync = Callable[[ProviderRun], SyncLog]


class RunServices(FrozenRecord):
    """What every provider's sync runs with: the platform's side of a run, passed as one."""

    __slots__ = ("integrations", "leases", "notifier", "quotas", "settings", "tokens", "tracker", "usage")

    def __init__(  # noqa: PLR0913 - the platform's services, each named
        self,
        integrations: IntegrationsStore,
        tracker: TrackerStore,
        tokens: TokenService,
        leases: LeaseStore,
        quotas: Quotas,
        notifier: Notifier,
        settings: Settings,
        usage: Analytics | None = None,
    ) -> None:
        self.integrations: Final = integrations
        self.tracker: Final = tracker
        self.tokens: Final = tokens
        self.leases: Final = leases
        self.quotas: Final = quotas
        self.notifier: Final = notifier
        self.settings: Final = settings
        self.usage: Final = usage  # the operator's usage counters and per-provider metrics


class SyncFrame:
    def __init__(self, profile: SyncProfile, services: RunServices, *, now: Callable[[], datetime] = utcnow) -> None:
        self._profile = profile
        self._integrations = services.integrations
        self._leases = services.leases
        self._quotas = services.quotas
        self._notifier = services.notifier
        self._usage = services.usage
        self._now = now

    def run(
        self,
        user_id: str,
        sync: Sync,
        *,
        read: Connection | None = None,
        on_rerun: Callable[[str], None] | None = None,
    ) -> SyncLog:
        """Run `sync` once under the connection's lease. Raises only what a queue should retry (rate
        limits, outages, a run already going) and NotFound when the connection is gone.

        `read`: the connection as the caller read it just before (the worker, to check its job). The syncing
        mark is written on that version: when it lands, nothing wrote the connection since, so the run does
        not read it a second time; when it does not, the run reads it under the lease as it would anyway.

        `on_rerun`: given (the worker), the request another job left on the lease while this run held it
        is taken with the lease's release and handed to it, whether the run succeeded or failed."""
        provider = self._profile.provider
        run_id = new_id("run")
        lease = self._leases.acquire(user_id, sync_lease(provider), owner=run_id, ttl=SYNC_LEASE, now=self._now())
        if lease is None:
            raise SyncInProgress(self._profile.in_progress)
        try:
            marked = None if read is None else self._mark_syncing(read)
            current = marked is not None  # the mark is the last write to the connection the run knows of
            if marked is None:
                # Read under the lease: what a previous run wrote (settings, card) is already there.
                connection = self._integrations.get_connection(user_id, provider)
                if connection is None:
                    raise NotFound(self._profile.not_connected)
                marked = self._mark_syncing(connection)
                current = marked is not None
                # Written meanwhile: the run goes on, its card just does not say syncing.
                marked = marked or connection
            try:
                return self._run(marked, run_id, sync, current=current)
            except Exception:
                self._clear_syncing(marked)  # a failure left to the queue: the card does not say syncing meanwhile
                raise
        finally:
            waiting = self._leases.release(user_id, lease, take_rerun=on_rerun is not None)
            if waiting is not None and on_rerun is not None:
                on_rerun(waiting)

    def _mark_syncing(self, connection: Connection) -> Connection | None:
        """The card says "syncing" while the run goes on; the mark lapses by itself if the worker dies.

        Written on the version read, under the lease: a mark that lands proves `connection` was current.
        None when the connection was written (or deleted) since it was read."""
        marked = connection.model_copy(update={"sync_started_at": self._now(), "version": connection.version + 1})
        try:
            self._integrations.save_connection(marked, expected_version=connection.version)
        except VersionConflict:
            return None
        return marked

    def _clear_syncing(self, marked: Connection) -> None:
        current = self._integrations.get_connection(marked.user_id, marked.provider)
        if current is None or current.sync_started_at != marked.sync_started_at:
            return
        cleared = current.model_copy(update={"sync_started_at": None, "version": current.version + 1})
        try:
            self._integrations.save_connection(cleared, expected_version=current.version)
        except VersionConflict:
            logger.info("connection changed as its run failed; its syncing mark lapses by itself")

    def _run(self, connection: Connection, run_id: str, sync: Sync, *, current: bool) -> SyncLog:
        clock = time.perf_counter()
        run = ProviderRun(
            connection=connection,
            log=SyncLog(
                user_id=connection.user_id,
                provider=self._profile.provider,
                run_id=run_id,
                started_at=self._now(),
                direction=self._profile.direction,
                outcome="failed",
            ),
        )
        log = run.log
        stop: SyncStopped | None = None
        retry: ProviderError | None = None
        try:
            log = self._attempt(run, sync)
        except SyncStopped as exc:
            stop = exc
        except ReauthRequired:
            stop = self._stop("needs_reauth", self._profile.reauth, ConnectionStatus.NEEDS_REAUTH)
        except (RateLimited, TransientProviderError) as exc:
            # Not a success and not the user's problem: the queue runs it again after a wait.
            stop = self._stop(exc.code, self._profile.unavailable, ConnectionStatus.CONNECTED)
            retry = exc
        except PermanentProviderError as exc:
            if self._profile.refused is None:
                raise
            stop = self._stop(exc.code, self._profile.refused, ConnectionStatus.ERROR)
        log = self._finish(run, log, stop, clock, current=current)
        if retry is not None:
            raise retry
        return log

    def _attempt(self, run: ProviderRun, sync: Sync) -> SyncLog:
        if self._profile.ready is not None:
            self._profile.ready(run.connection)
        exhausted = self._quotas.exhausted(run.user_id, self._now())
        if exhausted is not None:
            raise SyncStopped(exhausted.code, exhausted.message, exhausted.action, status=ConnectionStatus.PAUSED)
        return sync(run)

    @staticmethod
    def _stop(code: str, notice: Notice, status: ConnectionStatus) -> SyncStopped:
        return SyncStopped(code, notice.message, notice.action, status=status)

    def _finish(
        self, run: ProviderRun, log: SyncLog, stop: SyncStopped | None, clock: float, *, current: bool
    ) -> SyncLog:
        """Every run ends here: quota, sync log, card, notification."""
        user_id, provider = run.user_id, self._profile.provider
        error: LastError | None = None
        status = ConnectionStatus.CONNECTED
        if stop is not None:
            error = LastError(code=stop.code, message=stop.message, action=stop.action, at=self._now())
            status = stop.status
            log = log.model_copy(
                update={
                    "outcome": "failed",
                    "errors": [*log.errors, SyncLogError(code=error.code, message=f"{error.message} {error.action}")],
                }
            )
        if log.outcome != "failed":
            self._quotas.count(user_id, self._now(), log.records_created + log.records_updated)
        log = self._store_log(log, clock, sum(run.calls.values()))
        card_error = error
        if card_error is None and log.errors and self._profile.partial_error is not None:
            card_error = self._profile.partial_error(log, self._now())
        notice = None
        if card_error is None and log.outcome != "failed" and self._profile.run_notice is not None:
            notice = card_error = self._profile.run_notice(log, self._now())
        self._update_card(run.connection, log, card_error, status, current=current)
        if error is not None:
            self._notifier.sync_finished(user_id, provider, error)
        elif card_error is None or notice is not None:
            self._notifier.sync_finished(user_id, provider, None)
        # Otherwise a partial run whose card names what to fix: neither a new failure nor a recovery.
        return log

    def _store_log(self, log: SyncLog, clock: float, calls: int) -> SyncLog:
        finished = log.model_copy(
            update={
                "finished_at": self._now(),
                "duration_ms": int((time.perf_counter() - clock) * 1000),
                "provider_calls": calls,
            }
        )
        self._integrations.add_sync_log(finished)
        if self._usage is not None:
            self._usage.sync_finished(finished)
        metrics.add_metric(name=f"{self._profile.metric}{finished.outcome.capitalize()}", unit="Count", value=1)
        logger.info(
            f"{self._profile.label} finished",
            extra={"outcome": finished.outcome, "provider_calls": calls, "updated": finished.records_updated},
        )
        return finished

    def _update_card(
        self, connection: Connection, log: SyncLog, error: LastError | None, status: ConnectionStatus, *, current: bool
    ) -> None:
        """`current`: the run's own syncing mark (`connection`) is the last write to it the run knows of. The card
        is then written on that version first, and the connection read again only when something else wrote it
        since (a token refresh, the sync's own settings change): the same card either way, one read fewer."""
        if current:
            try:
                self._integrations.save_connection(
                    self._card(connection, log, error, status), expected_version=connection.version
                )
            except VersionConflict:
                pass  # written during the run: the card goes on what is stored now
            else:
                return
        latest = self._integrations.get_connection(connection.user_id, self._profile.provider) or connection
        try:
            self._integrations.save_connection(self._card(latest, log, error, status), expected_version=latest.version)
        except VersionConflict:
            logger.warning(f"connection changed during the {self._profile.label}; its card is updated by the next run")

    def _card(self, current: Connection, log: SyncLog, error: LastError | None, status: ConnectionStatus) -> Connection:
        """The connection as stored (`current`) with the run's outcome on its card."""
        if (
            self._profile.keeps_reauth_mark
            and status == ConnectionStatus.CONNECTED
            and current.status == ConnectionStatus.NEEDS_REAUTH
        ):
            status = ConnectionStatus.NEEDS_REAUTH
        if get_spec(current.provider).settings_of(current).paused and status != ConnectionStatus.NEEDS_REAUTH:
            status = ConnectionStatus.PAUSED  # the user paused it: a finished run does not resume it
        succeeded = log.outcome != "failed"
        return current.model_copy(
            update={
                "status": status,
                # When the run started: a change made (or a push sent) while it ran must not count as synced.
                "last_sync_at": log.started_at if succeeded else current.last_sync_at,
                "records_synced": self._profile.card_records(current, log) if succeeded else current.records_synced,
                "last_error": error,
                "sync_started_at": None,
                "updated_at": self._now(),
                "version": current.version + 1,
            }
        )
