"""One Google Sheets sync run: read the tab once, merge, write Tracker, write the sheet once, log.

Provider calls per run: one read (values.get of the tab) and, when anything must change in the
sheet, one write (values.batchUpdate, RAW so text stays text). A renamed tab costs one extra
read to find it again by its sheet id. Every failure a user can fix ends the run with a status
and a message naming what to do; nothing half-written is recorded as a success.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from pydantic import ValidationError

from tracker_integrations.config import Settings
from tracker_integrations.errors import (
    NotFound,
    ProviderError,
    RateLimited,
    ReauthRequired,
    SyncInProgress,
    TrackerError,
    TransientProviderError,
    ValidationFailed,
    VersionConflict,
)
from tracker_integrations.models.campaign import Campaign, Pitch, PitchCreate, PitchUpdate
from tracker_integrations.models.common import new_id, utcnow
from tracker_integrations.models.connection import Connection, ConnectionStatus, LastError, ProviderKey
from tracker_integrations.models.sheets import SheetsSettings, SheetTarget
from tracker_integrations.models.sync_log import ConflictDetail, SyncLog, SyncLogError, SyncOutcome
from tracker_integrations.observability import logger, metrics
from tracker_integrations.providers.google.sheets import (
    RangeNotFound,
    SheetsClient,
    SpreadsheetUnavailable,
    a1_tab,
    column_letter,
)
from tracker_integrations.services.campaigns import CampaignsService
from tracker_integrations.services.drive_watch import DriveWatches
from tracker_integrations.services.notifications import Notifier
from tracker_integrations.services.quotas import Quotas
from tracker_integrations.services.tokens import TokenService
from tracker_integrations.store.integrations import IntegrationsStore
from tracker_integrations.store.journal import CreationJournal
from tracker_integrations.store.leases import LeaseStore
from tracker_integrations.store.sync_state import SyncStateStore
from tracker_integrations.store.tracker import TrackerStore
from tracker_integrations.sync.codec import decode_state, encode_state
from tracker_integrations.sync.engine import CellWrite, Merger, ProviderRow, SyncPlan, SyncState, header_positions
from tracker_integrations.sync.fields import FIELDS, from_tracker, normalise_header

PROVIDER: ProviderKey = "google-sheets"
# Longer than the worker's timeout (120 s): a killed run's lease lapses before its message returns.
SYNC_LEASE = timedelta(seconds=180)


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


def _row_keys(rows: list[dict[str, object]], merger: Merger) -> list[str]:
    """A key per new row that a later run computes the same way: its cells' fingerprint, numbered among
    identical rows."""
    seen: dict[str, int] = {}
    keys = []
    for cells in rows:
        fingerprint = merger.row_fingerprint(cells)
        seen[fingerprint] = seen.get(fingerprint, 0) + 1
        keys.append(f"{fingerprint}#{seen[fingerprint]}")
    return keys


def _adopt_promised_rows(
    rows: list[ProviderRow], promised: dict[str, str], merger: Merger, tracker: dict[str, dict[str, str]]
) -> tuple[list[ProviderRow], list[tuple[int, str]]]:
    """Rows without an id whose pitch an interrupted run already created get that pitch's id."""
    if not promised:
        return rows, []
    blank = [row for row in rows if not row.record_id]
    keys = dict(zip((row.locator for row in blank), _row_keys([row.cells for row in blank], merger), strict=True))
    adopted: list[tuple[int, str]] = []
    result = []
    for row in rows:
        record_id = promised.get(keys.get(row.locator, ""))
        if not row.record_id and record_id is not None and record_id in tracker:
            result.append(ProviderRow(locator=row.locator, record_id=record_id, cells=row.cells))
            adopted.append((row.locator, record_id))
        else:
            result.append(row)
    return result, adopted


def tracker_values(pitch: Pitch, campaign: Campaign | None) -> dict[str, str]:
    values: dict[str, str] = {}
    for key, spec in FIELDS.items():
        scope, name = key.split(".", 1)
        source: Any = pitch if scope == "pitch" else campaign
        values[key] = from_tracker(spec, getattr(source, name, None) if source is not None else None)
    return values


def _pitch_value(field: str, canonical: str) -> object:
    """A canonical value as a PitchCreate/PitchUpdate field expects it."""
    if field == "sent_at":
        return canonical or None
    return canonical


class SheetsSync:
    def __init__(
        self,
        integrations: IntegrationsStore,
        tracker: TrackerStore,
        campaigns: CampaignsService,
        states: SyncStateStore,
        tokens: TokenService,
        leases: LeaseStore,
        quotas: Quotas,
        notifier: Notifier,
        settings: Settings,
        journal: CreationJournal,
        watches: DriveWatches,
        *,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._journal = journal
        self._watches = watches
        self._leases = leases
        self._quotas = quotas
        self._notifier = notifier
        self._integrations = integrations
        self._tracker = tracker
        self._campaigns = campaigns
        self._states = states
        self._tokens = tokens
        self._settings = settings
        self._now = now

    def run(self, user_id: str) -> SyncLog:
        """Sync now. Raises only what a queue should retry (rate limits, outages, a run already going)."""
        run_id = new_id("run")
        lease = self._leases.acquire(user_id, f"sync#{PROVIDER}", owner=run_id, ttl=SYNC_LEASE, now=self._now())
        if lease is None:
            raise SyncInProgress("a Google Sheets sync of this connection is already running")
        try:
            # Read under the lease: what a previous run wrote (settings, card) is already there.
            connection = self._integrations.get_connection(user_id, PROVIDER)
            if connection is None:
                raise NotFound("Google Sheets is not connected")
            return self._run(user_id, connection, run_id)
        finally:
            self._leases.release(user_id, lease)

    def _run(self, user_id: str, connection: Connection, run_id: str) -> SyncLog:
        clock = time.perf_counter()
        log = SyncLog(
            user_id=user_id,
            provider=PROVIDER,
            run_id=run_id,
            started_at=self._now(),
            direction="both",
            outcome="failed",
        )
        client: SheetsClient | None = None
        error: LastError | None = None
        status = ConnectionStatus.CONNECTED
        retry: ProviderError | None = None
        try:
            sheets = self._sheets_settings(connection)
            exhausted = self._quotas.exhausted(user_id, self._now())
            if exhausted is not None:
                raise SyncStopped(exhausted.code, exhausted.message, exhausted.action, status=ConnectionStatus.PAUSED)
            access = self._tokens.current_tokens(connection).access_token.get_secret_value()
            client = SheetsClient(self._settings, access)
            try:
                log = self._sync(user_id, connection, sheets, client, log)
            except ReauthRequired:
                # Google said 401 to a token we thought fresh: refresh once and go again; only a failed
                # refresh (revoked access) means the user must reconnect.
                current = self._integrations.get_connection(user_id, PROVIDER) or connection
                fresh = self._tokens.current_tokens(current, force_refresh=True).access_token.get_secret_value()
                calls = client.calls
                client = SheetsClient(self._settings, fresh)
                client.calls = calls
                log = self._sync(user_id, current, sheets, client, log)
        except SyncStopped as stop:
            error = LastError(code=stop.code, message=stop.message, action=stop.action, at=self._now())
            status = stop.status
        except ReauthRequired:
            error = LastError(
                code="needs_reauth",
                message="Google stopped accepting Tracker's access to your spreadsheets.",
                action="Reconnect Google Sheets: your spreadsheet and column mapping are kept.",
                at=self._now(),
            )
            status = ConnectionStatus.NEEDS_REAUTH
        except (RateLimited, TransientProviderError) as exc:
            # Not a success and not the user's problem: the queue runs it again after a wait.
            error = LastError(
                code=exc.code,
                message="Google Sheets is busy or unavailable, so this sync did not finish.",
                action="Nothing to do: Tracker tries again automatically.",
                at=self._now(),
            )
            retry = exc
        if error is not None:
            log = log.model_copy(
                update={
                    "outcome": "failed",
                    "errors": [*log.errors, SyncLogError(code=error.code, message=f"{error.message} {error.action}")],
                }
            )
        if log.outcome != "failed":
            self._quotas.count(user_id, self._now(), log.records_created + log.records_updated)
        log = self._store_log(log, clock, client)
        self._update_card(connection, log, error, status)
        if log.outcome == "failed" and error is not None:
            self._notifier.sync_finished(user_id, PROVIDER, error)
        elif log.outcome == "success":
            self._notifier.sync_finished(user_id, PROVIDER, None)
        if retry is not None:
            raise retry
        return log

    # -- the run ----------------------------------------------------------------------------------

    def _sync(
        self, user_id: str, connection: Connection, sheets: SheetsSettings, client: SheetsClient, log: SyncLog
    ) -> SyncLog:
        target, grid = self._read(connection, sheets, client)
        mapping = sheets.mapping
        headers = [str(h) for h in grid[0]] if grid else []
        columns = self._check_headers(target, headers, sheets)
        id_column = columns[normalise_header(mapping.id_header)]
        rows = [
            ProviderRow(
                locator=index + 1,  # the sheet's row number, for this run's writes only
                record_id=(
                    str(raw[id_column]).strip() if id_column < len(raw) and raw[id_column] not in (None, "") else None
                ),
                cells={
                    c.header: (
                        raw[columns[normalise_header(c.header)]]
                        if columns[normalise_header(c.header)] < len(raw)
                        else None
                    )
                    for c in mapping.columns
                },
            )
            for index, raw in enumerate(grid[1:], start=1)
        ]
        campaigns = {c.campaign_id: c for c in self._tracker.all_campaigns(user_id)}
        pitches = {p.pitch_id: p for p in self._tracker.all_pitches(user_id)}
        tracker = {pid: tracker_values(p, campaigns.get(p.campaign_id)) for pid, p in pitches.items()}
        stored = self._states.load(user_id, PROVIDER)
        state = decode_state(stored.blob) if stored.blob else None
        merger = Merger(mapping, now=self._now())
        promised = self._journal.load(user_id, PROVIDER)
        rows, adopted = _adopt_promised_rows(rows, promised, merger, tracker)
        plan = merger.plan(tracker, rows, state or SyncState())
        for locator, record_id in adopted:
            # Created by a run that died before writing the id back: write it now instead of creating again.
            plan.cell_writes.append(CellWrite(locator, mapping.id_header, record_id))
        errors = [
            SyncLogError(
                code="invalid_value",
                message=p.message,
                where=f"{a1_tab(target.tab_title)}!{self._cell(columns, p.header, p.locator)}",
            )
            for p in plan.problems
        ]
        if plan.blocked is not None:
            blocked = plan.blocked
            self._save_state(user_id, encode_state(plan.blocked_state(), merger.fields), stored.generation)
            raise SyncStopped(
                "mass_delete_blocked",
                f"{blocked.vanished} of {blocked.synced} synced rows disappeared from '{target.tab_title}' at once, "
                "so nothing was synced and nothing was deleted.",
                "If you meant to remove them, approve the pending deletions; otherwise restore the rows "
                "(File > Version history in Google Sheets).",
            )
        created, create_errors = self._create_records(user_id, plan, merger, campaigns, columns, target)
        updated, update_errors = self._apply_tracker_updates(user_id, plan, pitches)
        errors += create_errors + update_errors
        cells, new_rows = self._sheet_writes(plan, columns, headers)
        if cells or new_rows:
            client.write_cells(target.spreadsheet_id, target.sheet_id, cells, new_rows, first_new_row=len(grid))
        if plan.state_changed or state is None or adopted:
            self._save_state(user_id, encode_state(plan.state, merger.fields), stored.generation)
        if promised or plan.creates:
            self._journal.clear(user_id, PROVIDER)  # every promise is now kept, in Tracker and in the sheet
        self._watches.ensure(connection, target.spreadsheet_id, client)
        outcome: SyncOutcome = "partial" if errors else "success"
        return log.model_copy(
            update={
                "outcome": outcome,
                "records_read": plan.rows_read,
                "records_created": created + len(plan.new_rows),
                "records_updated": updated + len({w.locator for w in plan.cell_writes}),
                "records_unchanged": plan.unchanged,
                "conflicts": len(plan.conflicts),
                "conflict_details": [
                    ConflictDetail(record_id=c.record_id, field=c.field, winner=c.winner, losing_value=c.losing_value)
                    for c in plan.conflicts
                ],
                "errors": errors,
                "pending_deletions": len(plan.state.pending_deletions),
                "records_synced": len(plan.state.records),
            }
        )

    def _read(
        self, connection: Connection, sheets: SheetsSettings, client: SheetsClient
    ) -> tuple[SheetTarget, list[list[object]]]:
        target = sheets.target
        try:
            return target, client.read_tab(target.spreadsheet_id, target.tab_title)
        except SpreadsheetUnavailable as exc:
            raise self._unavailable(target) from exc
        except RangeNotFound:
            pass
        # The tab is not called that any more: find it again by its id (renamed), or say it is gone.
        try:
            info = client.spreadsheet(target.spreadsheet_id)
        except SpreadsheetUnavailable as exc:
            raise self._unavailable(target) from exc
        tab = next((s for s in info.sheets if s.sheet_id == target.sheet_id), None)
        if tab is None:
            raise SyncStopped(
                "tab_deleted",
                f"The tab '{target.tab_title}' was deleted from '{target.spreadsheet_name or info.title}', "
                "so nothing was synced.",
                "Choose another tab (or create a new spreadsheet) in the Google Sheets settings.",
            )
        renamed = target.model_copy(update={"tab_title": tab.title})
        self._update_settings(connection, sheets.model_copy(update={"target": renamed}))
        return renamed, client.read_tab(renamed.spreadsheet_id, renamed.tab_title)

    def _unavailable(self, target: SheetTarget) -> SyncStopped:
        name = target.spreadsheet_name or target.spreadsheet_id
        return SyncStopped(
            "spreadsheet_unavailable",
            f"The spreadsheet '{name}' can't be opened: it was deleted, or Tracker's access to it was removed.",
            "Restore it from Google Drive's bin or choose it again in Tracker (which shares it with Tracker), "
            "or pick another spreadsheet.",
        )

    def _check_headers(self, target: SheetTarget, headers: list[str], sheets: SheetsSettings) -> dict[str, int]:
        positions = header_positions(headers)
        wanted = [sheets.mapping.id_header, *(c.header for c in sheets.mapping.columns)]
        columns: dict[str, int] = {}
        for header in wanted:
            found = positions.get(normalise_header(header), [])
            if not found:
                raise SyncStopped(
                    "column_missing",
                    f"Column '{header}' is no longer in the tab '{target.tab_title}' (renamed or deleted), "
                    "so nothing was written.",
                    f"Rename the column back to '{header}', or update the column mapping.",
                )
            if len(found) > 1:
                letters = " and ".join(column_letter(i) for i in found)
                raise SyncStopped(
                    "column_duplicated",
                    f"Column '{header}' appears more than once in '{target.tab_title}' (columns {letters}), "
                    "so nothing was written.",
                    "Rename or remove the extra column.",
                )
            columns[normalise_header(header)] = found[0]
        return columns

    # -- Tracker side -----------------------------------------------------------------------------

    def _create_records(
        self,
        user_id: str,
        plan: SyncPlan,
        merger: Merger,
        campaigns: dict[str, Campaign],
        columns: dict[str, int],
        target: SheetTarget,
    ) -> tuple[int, list[SyncLogError]]:
        errors: list[SyncLogError] = []
        created = 0
        campaign_column = next((c.header for c in merger.mapping.columns if c.field == "campaign.title"), None)
        by_title = {normalise_header(c.title): c for c in campaigns.values()}
        keys = _row_keys([create.cells for create in plan.creates], merger)
        promised = {key: new_id("pit") for key in keys}
        if promised:
            self._journal.save(user_id, PROVIDER, promised, now_epoch=int(self._now().timestamp()))
        for create, key in zip(plan.creates, keys, strict=True):
            where = f"{a1_tab(target.tab_title)}!A{create.locator}"
            title = str(create.cells.get(campaign_column) or "").strip() if campaign_column else ""
            campaign = (
                by_title.get(normalise_header(title))
                if title
                else (next(iter(campaigns.values())) if len(campaigns) == 1 else None)
            )
            if campaign is None:
                hint = (
                    f"no campaign is called '{title}'" if title else "the row does not say which campaign it belongs to"
                )
                errors.append(
                    SyncLogError(
                        code="unknown_campaign",
                        message=f"New row not added: {hint}. Put a campaign's title in its Campaign column.",
                        where=where,
                    )
                )
                continue
            fields = {
                k.split(".", 1)[1]: _pitch_value(k.split(".", 1)[1], v)
                for k, v in create.values.items()
                if k.startswith("pitch.")
            }
            fields = {k: v for k, v in fields.items() if v not in ("", None)}
            try:
                data = PitchCreate.model_validate(fields)
                pitch = self._campaigns.create_pitch(
                    user_id, campaign.campaign_id, data, written_by=PROVIDER, pitch_id=promised[key]
                )
            except ValidationError as exc:
                problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
                errors.append(SyncLogError(code="invalid_row", message=f"New row not added ({problems}).", where=where))
                continue
            except TrackerError as exc:
                errors.append(SyncLogError(code=exc.code, message=f"New row not added: {exc.message}", where=where))
                continue
            merger.record_created(plan, create, pitch.pitch_id, tracker_values(pitch, campaign))
            created += 1
        return created, errors

    def _apply_tracker_updates(
        self, user_id: str, plan: SyncPlan, pitches: dict[str, Pitch]
    ) -> tuple[int, list[SyncLogError]]:
        errors: list[SyncLogError] = []
        updated = 0
        for record_id, changes in plan.tracker_updates.items():
            pitch = pitches[record_id]
            fields = {
                k.split(".", 1)[1]: _pitch_value(k.split(".", 1)[1], v)
                for k, v in changes.items()
                if k.startswith("pitch.")
            }
            try:
                update = PitchUpdate.model_validate({"version": pitch.version, **fields})
                self._campaigns.update_pitch(user_id, pitch.campaign_id, record_id, update, written_by=PROVIDER)
                updated += 1
            except (ValidationError, ValidationFailed, VersionConflict, NotFound) as exc:
                # Keep the old base: the next run sees the difference again and retries.
                plan.keep_previous_base(record_id)
                message = exc.message if isinstance(exc, TrackerError) else str(exc)
                errors.append(
                    SyncLogError(code="tracker_update_failed", message=f"Pitch {record_id} not updated: {message}")
                )
        return updated, errors

    # -- sheet side -------------------------------------------------------------------------------

    def _cell(self, columns: dict[str, int], header: str, row: int) -> str:
        return f"{column_letter(columns[normalise_header(header)])}{row}"

    def _sheet_writes(
        self, plan: SyncPlan, columns: dict[str, int], headers: list[str]
    ) -> tuple[list[tuple[int, int, str]], list[list[str | None]]]:
        """Cell writes as 0-based (row, column) and appended rows aligned to the sheet's columns."""
        cells = [(w.locator - 1, columns[normalise_header(w.header)], w.text) for w in plan.cell_writes]
        rows: list[list[str | None]] = []
        if plan.new_rows:
            width = max(len(headers), max(columns.values()) + 1)
            by_column = {index: header for header, index in columns.items()}
            for new in plan.new_rows:
                texts = {normalise_header(h): t for h, t in new.cells.items()}
                # Columns Tracker does not own stay empty in a new row.
                rows.append([texts.get(by_column[i], "") if i in by_column else None for i in range(width)])
        return cells, rows

    # -- bookkeeping ------------------------------------------------------------------------------

    def _sheets_settings(self, connection: Connection) -> SheetsSettings:
        raw = connection.settings.get("sheet")
        if raw is None:
            raise SyncStopped(
                "not_configured",
                "No spreadsheet is chosen yet, so there is nothing to sync.",
                "Choose or create a spreadsheet in the Google Sheets settings.",
                status=ConnectionStatus.CONNECTED,
            )
        return SheetsSettings.model_validate(raw)

    def _update_settings(self, connection: Connection, sheets: SheetsSettings) -> None:
        current = self._integrations.get_connection(connection.user_id, PROVIDER) or connection
        updated = current.model_copy(
            update={
                "settings": {**current.settings, "sheet": sheets.model_dump(mode="json")},
                "version": current.version + 1,
            }
        )
        self._integrations.save_connection(updated, expected_version=current.version)

    def _save_state(self, user_id: str, blob: bytes, generation: int) -> None:
        self._states.save(user_id, PROVIDER, blob, expected_generation=generation)

    def _store_log(self, log: SyncLog, clock: float, client: SheetsClient | None) -> SyncLog:
        calls = sum(client.calls.values()) if client else 0
        finished = log.model_copy(
            update={
                "finished_at": self._now(),
                "duration_ms": int((time.perf_counter() - clock) * 1000),
                "provider_calls": calls,
            }
        )
        self._integrations.add_sync_log(finished)
        metrics.add_metric(name=f"SheetsSync{finished.outcome.capitalize()}", unit="Count", value=1)
        logger.info("sheets sync finished", extra={"outcome": finished.outcome, "provider_calls": calls})
        return finished

    def _update_card(
        self, connection: Connection, log: SyncLog, error: LastError | None, status: ConnectionStatus
    ) -> None:
        current = self._integrations.get_connection(connection.user_id, PROVIDER) or connection
        if error is None and log.errors:
            first = log.errors[0]
            error = LastError(
                code=first.code,
                message=f"{len(log.errors)} cell(s) could not be synced; everything else synced. "
                f"First: {first.message}",
                action=f"Fix the cell{'s' if len(log.errors) > 1 else ''} listed in the sync log "
                f"(first: {first.where or 'see the log'}).",
                at=self._now(),
            )
        if current.settings.get("paused") and status != ConnectionStatus.NEEDS_REAUTH:
            status = ConnectionStatus.PAUSED  # the user paused it: a finished run does not resume it
        succeeded = log.outcome != "failed"
        updated = current.model_copy(
            update={
                "status": status,
                # When the run started: a change made while it ran may be missed, so it must not count as synced.
                "last_sync_at": log.started_at if succeeded else current.last_sync_at,
                "records_synced": log.records_synced if succeeded else current.records_synced,
                "last_error": error,
                "updated_at": self._now(),
                "version": current.version + 1,
            }
        )
        try:
            self._integrations.save_connection(updated, expected_version=current.version)
        except VersionConflict:
            logger.warning("connection changed during the sync; its card is updated by the next run")
