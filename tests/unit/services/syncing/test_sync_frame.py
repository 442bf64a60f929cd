"""The shared run frame: the rules where providers' runs differ, and the ones no integration test reaches.

The collaborators are in-memory fakes of the stores and services the frame is wired with (they
subclass the real classes, so mypy checks them against the real signatures, and set up no client).
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.support.fakes import FakeIntegrations, FakeLeases, FakeQuotas, UnusedTracker
from tests.support.settings import unit_settings
from tracker_integrations.errors import (
    NotFound,
    PermanentProviderError,
    RateLimited,
    ReauthRequired,
    SyncInProgress,
    VersionConflict,
)
from tracker_integrations.models.connection import Connection, ConnectionStatus, LastError, ProviderKey
from tracker_integrations.models.sync_log import SyncLog, SyncLogError
from tracker_integrations.services.connecting.tokens import TokenService
from tracker_integrations.services.notifications import Notifier
from tracker_integrations.services.syncing.sync_frame import (
    Notice,
    ProviderRun,
    RunServices,
    Sync,
    SyncFrame,
    SyncProfile,
    SyncStopped,
)

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
USER = "usr_1"


class UnusedTokens(TokenService):
    """The frame itself never asks for tokens: the provider's sync does."""

    def __init__(self) -> None:
        pass


class FakeNotifier(Notifier):
    def __init__(self) -> None:
        self.told: list[LastError | None] = []

    def sync_finished(self, user_id: str, provider: ProviderKey, failure: LastError | None) -> None:
        self.told.append(failure)


def _partial(log: SyncLog, at: datetime) -> LastError:
    return LastError(code="partial", message="Some rows failed.", action="See the log.", at=at)


PROFILE = SyncProfile(
    provider="gmail",
    direction="from_provider",
    label="test sync",
    metric="TestSync",
    in_progress="already running",
    not_connected="not connected",
    reauth=Notice("Access was refused.", "Reconnect."),
    unavailable=Notice("Busy.", "Nothing to do."),
    card_records=lambda card, log: card.records_synced + log.records_updated,
)


class Frame:
    def __init__(
        self,
        profile: SyncProfile = PROFILE,
        *,
        status: ConnectionStatus = ConnectionStatus.CONNECTED,
        integrations: FakeIntegrations | None = None,
    ) -> None:
        self.integrations = integrations or FakeIntegrations()
        self.leases = FakeLeases()
        self.quotas = FakeQuotas()
        self.notifier = FakeNotifier()
        services = RunServices(
            integrations=self.integrations,
            tracker=UnusedTracker(),
            tokens=UnusedTokens(),
            leases=self.leases,
            quotas=self.quotas,
            notifier=self.notifier,
            settings=unit_settings(),
        )
        self.frame = SyncFrame(profile, services, now=lambda: NOW)
        self.integrations.connections[(USER, profile.provider)] = Connection(
            user_id=USER,
            provider=profile.provider,
            connection_id="con_1",
            status=status,
            connected_at=NOW,
            updated_at=NOW,
            records_synced=5,
        )

    def card(self) -> Connection:
        card = self.integrations.get_connection(USER, PROFILE.provider)
        assert card is not None
        return card


def _succeeds(run: ProviderRun) -> SyncLog:
    run.calls = {"get": 2}
    return run.log.model_copy(update={"outcome": "success", "records_updated": 3})


def _partly(run: ProviderRun) -> SyncLog:
    errors = [SyncLogError(code="bad_row", message="Row 4 is bad.")]
    return run.log.model_copy(update={"outcome": "partial", "records_updated": 1, "errors": errors})


def _raises(error: Exception) -> Sync:
    def sync(run: ProviderRun) -> SyncLog:
        run.calls = {"get": 1}
        raise error

    return sync


def test_a_successful_run_logs_counts_and_marks_the_card_synced_at_its_start() -> None:
    # GIVEN a connection
    given = Frame()
    # WHEN it syncs
    log = given.frame.run(USER, _succeeds)
    # THEN the log, the quota, the card and the notifier all see one success
    assert (log.outcome, log.provider_calls, log.started_at) == ("success", 2, NOW)
    assert given.integrations.logs == [log]
    assert given.quotas.counted == 3
    card = given.card()
    assert (card.status, card.last_sync_at, card.records_synced, card.last_error) == (
        ConnectionStatus.CONNECTED,
        NOW,
        8,
        None,
    )
    assert given.notifier.told == [None]
    assert not given.leases.held


def test_a_request_left_on_the_lease_is_handed_on_with_its_release_whether_the_run_succeeds_or_fails() -> None:
    # GIVEN a request left on the connection's lease by a job that found the run going
    given = Frame()
    handed: list[str] = []
    given.leases.reruns["sync#gmail"] = "job left waiting"
    # WHEN a run ends, for a caller that takes such requests (the worker)
    given.frame.run(USER, _succeeds, on_rerun=handed.append)
    # THEN the request came with the lease's release, and is no longer on the lease
    assert handed == ["job left waiting"]
    assert not given.leases.reruns
    assert not given.leases.held
    # AND a failed run hands its request on too
    given.leases.reruns["sync#gmail"] = "another"
    with pytest.raises(RateLimited):
        given.frame.run(
            USER, _raises(RateLimited("slow", provider="google", status=429, retry_after=30)), on_rerun=handed.append
        )
    assert handed == ["job left waiting", "another"]
    # AND a run for a caller that does not take requests (an import) leaves it for the next holder
    given.leases.reruns["sync#gmail"] = "left"
    given.frame.run(USER, _succeeds)
    assert given.leases.reruns == {"sync#gmail": "left"}


def test_a_run_already_going_or_a_connection_gone_raises_with_the_profiles_message() -> None:
    # GIVEN a held lease, then a removed connection
    given = Frame()
    given.leases.held.add("sync#gmail")
    # WHEN a run starts THEN it raises, logging nothing
    with pytest.raises(SyncInProgress, match="already running"):
        given.frame.run(USER, _succeeds)
    given.leases.held.clear()
    given.integrations.connections.clear()
    with pytest.raises(NotFound, match="not connected"):
        given.frame.run(USER, _succeeds)
    assert not given.integrations.logs
    assert not given.leases.held


def test_a_rate_limit_is_recorded_then_raised_for_the_queue() -> None:
    # GIVEN a provider rate limiting
    given = Frame()
    limited = RateLimited("slow down", provider="google", status=429, retry_after=30)
    # WHEN the run hits it THEN it raises it, after logging the failure and the calls made
    with pytest.raises(RateLimited):
        given.frame.run(USER, _raises(limited))
    (log,) = given.integrations.logs
    assert (log.outcome, log.provider_calls) == ("failed", 1)
    assert log.errors == [SyncLogError(code="rate_limited", message="Busy. Nothing to do.")]
    card = given.card()
    assert (card.status, card.last_sync_at, card.records_synced) == (ConnectionStatus.CONNECTED, None, 5)
    assert card.last_error is not None
    assert card.last_error.message == "Busy."
    assert given.quotas.counted == 0


def test_refused_access_marks_the_card_needs_reauth_even_when_the_user_paused_it() -> None:
    # GIVEN a paused connection whose access is refused
    given = Frame()
    given.integrations.connections[(USER, "gmail")] = given.card().model_copy(update={"settings": {"paused": True}})
    # WHEN it syncs
    log = given.frame.run(USER, _raises(ReauthRequired("refused", provider="google")))
    # THEN the card asks for a reconnection
    assert log.outcome == "failed"
    card = given.card()
    assert card.status == ConnectionStatus.NEEDS_REAUTH
    assert card.last_error is not None
    assert card.last_error.code == "needs_reauth"
    assert given.notifier.told == [card.last_error]


def test_a_permanent_provider_error_escapes_unless_the_profile_says_what_to_tell() -> None:
    refused = PermanentProviderError("bad request", provider="google", status=400)
    # GIVEN a profile without a refused notice WHEN the provider refuses THEN nothing is recorded
    given = Frame()
    with pytest.raises(PermanentProviderError):
        given.frame.run(USER, _raises(refused))
    assert not given.integrations.logs
    assert given.card().last_error is None
    assert not given.leases.held
    # GIVEN one with it THEN the run fails with an ERROR card
    telling = Frame(PROFILE.replace(refused=Notice("Refused.", "Try later.")))
    log = telling.frame.run(USER, _raises(refused))
    assert log.outcome == "failed"
    assert telling.card().status == ConnectionStatus.ERROR


def test_the_quota_pauses_the_run_after_the_ready_check() -> None:
    # GIVEN the month's records used up
    given = Frame()
    given.quotas.full = LastError(code="quota_reached", message="Used up.", action="Wait.", at=NOW)
    # WHEN it syncs THEN it is paused without syncing
    log = given.frame.run(USER, _raises(AssertionError("must not sync")))
    assert (log.outcome, given.card().status) == ("failed", ConnectionStatus.PAUSED)

    # AND a profile's ready check that stops the run speaks first
    def ready(connection: Connection) -> None:
        raise SyncStopped("not_configured", "Nothing chosen.", "Choose.", status=ConnectionStatus.CONNECTED)

    unready = Frame(PROFILE.replace(ready=ready))
    unready.quotas.full = given.quotas.full
    unready.frame.run(USER, _succeeds)
    card = unready.card()
    assert card.status == ConnectionStatus.CONNECTED
    assert card.last_error is not None
    assert card.last_error.code == "not_configured"


def test_a_partial_run_is_a_recovery_only_when_its_card_is_clean() -> None:
    # GIVEN a profile that leaves the card clean after a partial run, and one that names the failure
    clean = Frame()
    naming = Frame(PROFILE.replace(partial_error=_partial))
    # WHEN each runs partly
    clean.frame.run(USER, _partly)
    naming.frame.run(USER, _partly)
    # THEN the first says it is syncing again, the second shows what to fix and tells nobody
    assert (clean.card().last_error, clean.notifier.told) == (None, [None])
    assert naming.card().last_error == _partial(naming.integrations.logs[0], NOW)
    assert naming.notifier.told == []
    # AND both count as synced
    assert clean.card().last_sync_at == naming.card().last_sync_at == NOW


def test_a_needs_reauth_set_during_the_run_is_kept_only_where_the_profile_says_so() -> None:
    for keeps, expected in ((True, ConnectionStatus.NEEDS_REAUTH), (False, ConnectionStatus.CONNECTED)):
        # GIVEN the token service marking the connection while the run goes on
        given = Frame(PROFILE.replace(keeps_reauth_mark=keeps))

        def sync(run: ProviderRun, given: Frame = given) -> SyncLog:
            # As the token service writes it: on the stored version, bumping it (version 3 after the syncing mark).
            card = given.card()
            marked = card.model_copy(update={"status": ConnectionStatus.NEEDS_REAUTH, "version": card.version + 1})
            given.integrations.connections[(USER, "gmail")] = marked
            return _succeeds(run)

        # WHEN the run succeeds THEN the card keeps the mark, or not
        given.frame.run(USER, sync)
        assert given.card().status == expected


def test_the_card_is_marked_syncing_while_the_run_goes_on_and_cleared_when_it_ends() -> None:
    # GIVEN a connection
    given = Frame()
    seen: list[datetime | None] = []

    def watching(run: ProviderRun) -> SyncLog:
        seen.append(given.card().sync_started_at)
        # The run's own copy is the stored one: a write the sync makes (a token refresh) is not refused as stale.
        assert run.connection == given.card()
        return _succeeds(run)

    # WHEN it syncs
    given.frame.run(USER, watching)
    # THEN the stored card said when the run started while it ran, and says nothing once it ended
    assert seen == [NOW]
    assert given.card().sync_started_at is None


def test_a_run_failing_to_the_queue_does_not_leave_its_card_syncing() -> None:
    # GIVEN a profile that lets a provider's refusal escape to the queue
    given = Frame()
    # WHEN the run fails that way
    with pytest.raises(PermanentProviderError):
        given.frame.run(USER, _raises(PermanentProviderError("bad request", provider="google", status=400)))
    # THEN the card no longer says a run is under way
    assert given.card().sync_started_at is None


class RacedOnce(FakeIntegrations):
    """Someone else writes the connection just before the first write made here: that write is refused."""

    def __init__(self) -> None:
        super().__init__()
        self.refused: list[int | None] = []

    def save_connection(self, connection: Connection, *, expected_version: int | None) -> None:
        if not self.refused:
            self.refused.append(expected_version)
            raise VersionConflict("written meanwhile")
        super().save_connection(connection, expected_version=expected_version)


def test_a_run_whose_syncing_mark_loses_a_write_race_still_runs_and_finishes_the_card() -> None:
    # GIVEN a connection written by someone else between the run's read and its syncing mark
    raced = RacedOnce()
    given = Frame(integrations=raced)
    # WHEN it syncs
    log = given.frame.run(USER, _succeeds)
    # THEN the run went on without the mark, and its card is updated as usual
    assert raced.refused == [1]
    assert log.outcome == "success"
    assert (given.card().records_synced, given.card().sync_started_at) == (8, None)


class CountedReads(FakeIntegrations):
    """Counts the connection reads a run makes."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    def get_connection(self, user_id: str, provider: ProviderKey) -> Connection | None:
        self.reads += 1
        return super().get_connection(user_id, provider)


def test_a_run_given_the_connection_just_read_reads_it_no_more_when_nothing_else_writes_it() -> None:
    # GIVEN the connection as the worker read it to check its job
    counted = CountedReads()
    given = Frame(integrations=counted)
    read = given.card()
    counted.reads = 0
    # WHEN the run goes on that read
    log = given.frame.run(USER, _succeeds, read=read)
    # THEN it read the connection no more: the syncing mark and the card landed on the versions it knew
    assert counted.reads == 0
    assert log.outcome == "success"
    card = given.card()
    assert (card.version, card.records_synced, card.last_sync_at, card.sync_started_at) == (3, 8, NOW, None)


def test_a_run_given_a_stale_read_goes_on_what_is_stored_under_the_lease() -> None:
    # GIVEN the worker's read, then a write by someone else (a renamed tab) before the run's lease
    counted = CountedReads()
    given = Frame(integrations=counted)
    read = given.card()
    renamed = read.model_copy(update={"settings": {"tab": "Renamed"}, "version": read.version + 1})
    counted.connections[(USER, PROFILE.provider)] = renamed
    counted.reads = 0
    seen: list[Connection] = []

    def watching(run: ProviderRun) -> SyncLog:
        seen.append(run.connection)
        return _succeeds(run)

    # WHEN the run goes on the worker's read
    given.frame.run(USER, watching, read=read)
    # THEN its syncing mark was refused, so it read the connection under the lease and ran on what is stored
    assert counted.reads == 1
    assert seen[0].settings == {"tab": "Renamed"}
    assert seen[0].version == renamed.version + 1
    # AND the card kept the other writer's change
    assert (given.card().settings, given.card().records_synced) == ({"tab": "Renamed"}, 8)


def test_a_connection_gone_before_the_run_is_not_found_even_with_the_workers_read() -> None:
    given = Frame()
    read = given.card()
    given.integrations.delete_connection(USER, PROFILE.provider)
    with pytest.raises(NotFound, match="not connected"):
        given.frame.run(USER, _succeeds, read=read)
    # AND nothing was written back for it
    assert given.integrations.get_connection(USER, PROFILE.provider) is None
