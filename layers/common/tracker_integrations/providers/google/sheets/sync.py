"""One Google Sheets sync run: read the tab once, merge, write Tracker, write the sheet once, log.

Provider calls per run: one read (spreadsheets.get of the tab: its values, which cells hold formulas,
and the spreadsheet's locale and time zone) and, when anything must change in the sheet, one write
(spreadsheets.batchUpdate of stringValues, so text stays text). A renamed tab costs one extra
read to find it again by its sheet id. Every failure a user can fix ends the run with a status
and a message naming what to do; nothing half-written is recorded as a success. The lease, quota,
sync log, card and notification are the shared `SyncFrame`'s; this module brings the sync itself.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Final

from pydantic import ValidationError

from tracker_integrations.errors import NotFound, TrackerError, ValidationFailed
from tracker_integrations.models.campaign import Campaign, Pitch
from tracker_integrations.models.common import new_id, utcnow
from tracker_integrations.models.connection import Connection, ConnectionStatus, LastError, ProviderKey
from tracker_integrations.models.sheets import SheetsConnectionSettings, SheetsSettings, SheetTarget
from tracker_integrations.models.sync_log import ConflictDetail, SyncLog, SyncLogError, SyncOutcome
from tracker_integrations.providers.google.errors import GoogleRefused
from tracker_integrations.providers.google.sheets.client import (
    MAX_CELL_CHARACTERS,
    RangeNotFound,
    SheetsClient,
    SpreadsheetUnavailable,
    TabRead,
    a1_tab,
    column_letter,
)
from tracker_integrations.providers.google.sheets.drive_watch import DriveWatches
from tracker_integrations.records import FrozenRecord
from tracker_integrations.services.campaigns import CampaignsService
from tracker_integrations.services.syncing.sync_frame import (
    Notice,
    ProviderRun,
    RunServices,
    SyncFrame,
    SyncProfile,
    SyncStopped,
)
from tracker_integrations.services.syncing.tracker_side import (
    TrackerSide,
    TrackerSnapshot,
    pitch_create,
    tracker_values,
)
from tracker_integrations.store.journal import CreationJournal
from tracker_integrations.store.sync_state import SyncStateStore
from tracker_integrations.sync.codec import decode_state, encode_state
from tracker_integrations.sync.engine import (
    CellWrite,
    Conflict,
    Merger,
    ProviderRow,
    SyncPlan,
    SyncState,
    header_positions,
)
from tracker_integrations.sync.fields import FIELDS, DateReading, date_order_for_locale, normalise_header
from tracker_integrations.sync.importer import (
    CampaignChoice,
    ImportOutcome,
    ImportPlan,
    ImportPlanner,
    campaign_for,
    describe,
)
from tracker_integrations.sync.mapping import follow_headers

if TYPE_CHECKING:
    from tracker_integrations.models.imports import ImportRequest, ImportResult

PROVIDER: ProviderKey = "google-sheets"


def _snapshot(sheet: _Sheet) -> TrackerSnapshot:
    return TrackerSnapshot(sheet.campaigns, sheet.pitches, sheet.tracker)


def _sheets_settings(connection: Connection) -> SheetsSettings:
    sheet = SheetsConnectionSettings.model_validate(connection.settings).sheet
    if sheet is None:
        raise SyncStopped(
            "not_configured",
            "No spreadsheet is chosen yet, so there is nothing to sync.",
            "Choose or create a spreadsheet in the Google Sheets settings.",
            status=ConnectionStatus.CONNECTED,
        )
    return sheet


def _too_long(header: str, length: int, where: str) -> SyncLogError:
    return SyncLogError(
        code="value_too_long",
        message=f"'{header}' holds {length:,} characters; a Google Sheets cell holds at most "
        f"{MAX_CELL_CHARACTERS:,}, so it was not written. Shorten it in Tracker.",
        where=where,
    )


def _partial_error(log: SyncLog, at: datetime) -> LastError:
    """The card after a partial run: how many cells failed, and the first one to fix."""
    first = log.errors[0]
    return LastError(
        code=first.code,
        message=f"{len(log.errors)} row(s) or cell(s) could not be synced; everything else synced. "
        f"First: {first.message}",
        action=f"Fix what the sync log lists (first: {first.where or 'see the log'}).",
        at=at,
    )


def _formula_notice(log: SyncLog, at: datetime) -> LastError | None:
    """The card after a run where Tracker's value met a formula: the formula stays, Tracker keeps its value."""
    kept = [c for c in log.conflict_details if c.where]
    if not kept:
        return None
    cells = ", ".join(c.where or "" for c in kept[:3]) + (" and more" if len(kept) > 3 else "")
    return LastError(
        code="formula_kept",
        message=f"The sheet's formula wins in {cells}: a change made in Tracker was kept in Tracker, "
        "not written over the formula.",
        action="To have Tracker's value in the sheet, replace the formula with a value; to keep the formula, "
        "nothing to do.",
        at=at,
    )


PROFILE = SyncProfile(
    provider=PROVIDER,
    direction="both",
    label="sheets sync",
    metric="SheetsSync",
    in_progress="a Google Sheets sync of this connection is already running",
    not_connected="Google Sheets is not connected",
    reauth=Notice(
        "Google stopped accepting Tracker's access to your spreadsheets.",
        "Reconnect Google Sheets: your spreadsheet and column mapping are kept.",
    ),
    unavailable=Notice(
        "Google Sheets is busy or unavailable, so this sync did not finish.",
        "Nothing to do: Tracker tries again automatically.",
    ),
    # A request Google rejects for good would fail the same way on every retry: say so on the card instead
    # of letting the queue retry it into the DLQ.
    refused=Notice(
        "Google Sheets refused a request, so this sync did not finish.",
        "Try Sync now later; if it keeps happening, reconnect Google Sheets or contact support.",
    ),
    # A connection that needs reconnecting stays so until the user reconnects, whatever a run finds.
    keeps_reauth_mark=True,
    # The card shows how many records the sheet and Tracker share now.
    card_records=lambda _card, log: log.records_synced,
    partial_error=_partial_error,
    run_notice=_formula_notice,
    # With no spreadsheet chosen there is nothing to sync, whatever the quota.
    ready=_sheets_settings,
)


class _Sheet(FrozenRecord):
    """What one read of the tab gives a run, beside Tracker's side of the same moment."""

    __slots__ = ("campaigns", "columns", "dates", "grid", "headers", "pitches", "rows", "settings", "target", "tracker")

    def __init__(  # noqa: PLR0913 - the read, then Tracker's side of it
        self,
        target: SheetTarget,
        settings: SheetsSettings,
        grid: list[list[object]],
        headers: list[str],
        columns: dict[str, int],
        rows: list[ProviderRow],
        dates: DateReading,
        campaigns: dict[str, Campaign] | None = None,
        pitches: dict[str, Pitch] | None = None,
        tracker: dict[str, dict[str, str]] | None = None,
    ) -> None:
        self.target: Final = target
        self.settings: Final = settings
        self.grid: Final = grid
        self.headers: Final = headers
        self.columns: Final = columns
        self.rows: Final = rows
        # Short dates and typed date-times read as the spreadsheet's locale and time zone say.
        self.dates: Final = dates
        self.campaigns: Final[dict[str, Campaign]] = {} if campaigns is None else campaigns
        self.pitches: Final[dict[str, Pitch]] = {} if pitches is None else pitches
        self.tracker: Final[dict[str, dict[str, str]]] = {} if tracker is None else tracker


# An import run: the request, and where the run leaves its result for the caller.
_Importing = tuple["ImportRequest", list["ImportResult"]]


def _text(raw: object) -> str:
    return "" if raw is None else str(raw).strip()


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
            result.append(ProviderRow(row.locator, record_id, row.cells, row.formulas))
            adopted.append((row.locator, record_id))
        else:
            result.append(row)
    return result, adopted


class SheetsStorage(FrozenRecord):
    """What Sheets keeps of its own between runs: the merge state and the journal of records it created."""

    __slots__ = ("journal", "states")

    def __init__(self, states: SyncStateStore, journal: CreationJournal) -> None:
        self.states: Final = states
        self.journal: Final = journal


class SheetsSync:
    def __init__(
        self,
        services: RunServices,
        campaigns: CampaignsService,
        storage: SheetsStorage,
        watches: DriveWatches,
        *,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._frame = SyncFrame(PROFILE, services, now=now)
        self._journal = storage.journal
        self._watches = watches
        self._integrations = services.integrations
        self._tracker = services.tracker
        self._campaigns = campaigns
        self._side = TrackerSide(services.tracker, campaigns, PROVIDER)
        self._states = storage.states
        self._tokens = services.tokens
        self._settings = services.settings
        self._now = now

    def run(
        self, user_id: str, *, read: Connection | None = None, on_rerun: Callable[[str], None] | None = None
    ) -> SyncLog:
        """Sync now. Raises only what a queue should retry (rate limits, outages, a run already going)."""
        return self._frame.run(user_id, self._run, read=read, on_rerun=on_rerun)

    def _run(self, run: ProviderRun, importing: _Importing | None = None) -> SyncLog:
        """A sync run, or an import run (`importing`): Google's refusals and a stale token handled alike."""
        connection = run.connection
        sheets = _sheets_settings(connection)
        client = SheetsClient(self._settings, self._tokens.auth(connection))
        run.calls = client.calls
        try:
            return self._sync(connection, sheets, client, run.log, importing)
        except GoogleRefused as exc:
            # A refusal the user can act on (a full Drive, a Workspace policy): say so in Google's terms.
            raise SyncStopped(exc.code, exc.message, exc.action) from exc

    # -- the run ----------------------------------------------------------------------------------

    def _sync(
        self,
        connection: Connection,
        sheets: SheetsSettings,
        client: SheetsClient,
        log: SyncLog,
        importing: _Importing | None = None,
    ) -> SyncLog:
        user_id = connection.user_id
        sheet = self._load(user_id, connection, sheets, client, persist=True)
        target, mapping, columns = sheet.target, sheet.settings.mapping, sheet.columns
        stored = self._states.load(user_id, PROVIDER)
        state = decode_state(stored.blob) if stored.blob else None
        merger = Merger(mapping, now=self._now(), dates=sheet.dates, options=sheet.settings.options)
        placed: list[tuple[int, str]] = []
        if importing is not None:
            # An import is asked for by name, so it brings rows in whatever the sync options (as its preview did).
            importer = Merger(mapping, now=self._now(), dates=sheet.dates)
            placed = self._import(user_id, connection, sheet, importer, importing)
            sheet = self._reload_tracker(user_id, sheet)
        elif state is None:
            self._propose_import(sheet)
        rows = [
            ProviderRow(
                locator=r.locator,
                record_id=dict(placed).get(r.locator, r.record_id),
                cells=r.cells,
                formulas=r.formulas,
            )
            for r in sheet.rows
        ]
        pitches, tracker = sheet.pitches, sheet.tracker
        promised = self._journal.load(user_id, PROVIDER)
        rows, adopted = _adopt_promised_rows(rows, promised, merger, tracker)
        plan = merger.plan(tracker, rows, state or SyncState())
        for locator, record_id in [*adopted, *placed]:
            # Created by a run that died before writing the id back, or just imported: write the id now.
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
        created, create_errors = self._create_records(user_id, plan, merger, sheet)
        updated, update_errors = self._apply_tracker_updates(user_id, plan, pitches)
        errors += create_errors + update_errors + self._hold_oversized(plan, rows, columns, target)
        if importing is not None and importing[1]:
            created += importing[1][-1].created
            updated += importing[1][-1].updated
        cells, new_rows = self._sheet_writes(plan, columns, sheet.headers)
        if cells or new_rows:
            client.write_cells(target, cells, new_rows, first_new_row=len(sheet.grid))
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
                "conflict_details": [self._conflict(c, target, columns, plan, rows) for c in plan.conflicts],
                "errors": errors,
                "pending_deletions": len(plan.state.pending_deletions),
                "records_synced": len(plan.state.records),
            }
        )

    def _conflict(
        self, conflict: Conflict, target: SheetTarget, columns: dict[str, int], plan: SyncPlan, rows: list[ProviderRow]
    ) -> ConflictDetail:
        detail = ConflictDetail(
            record_id=conflict.record_id,
            field=conflict.field,
            winner=conflict.winner,
            losing_value=conflict.losing_value,
        )
        if not conflict.formula:
            return detail
        locator = next(r.locator for r in rows if r.record_id == conflict.record_id)
        cell = f"{a1_tab(target.tab_title)}!{self._cell(columns, conflict.header, locator)}"
        return detail.model_copy(
            update={
                "where": cell,
                "note": f"{cell} holds a formula, so the sheet keeps its formula there; "
                f"Tracker keeps its own {FIELDS[conflict.field].label.lower()}.",
            }
        )

    def _load(
        self, user_id: str, connection: Connection, sheets: SheetsSettings, client: SheetsClient, *, persist: bool
    ) -> _Sheet:
        """One read of the tab, the mapping brought up to date with its headers, its rows, and Tracker's side."""
        target, tab = self._read(connection, sheets, client)
        grid = tab.rows
        headers = [str(h) for h in grid[0]] if grid else []
        mapping, offered = follow_headers(sheets.mapping, headers, sheets.unmapped_headers)
        followed = sheets.model_copy(update={"target": target, "mapping": mapping, "unmapped_headers": offered})
        changed = followed != sheets.model_copy(update={"target": target})
        try:
            columns = self._check_headers(target, headers, followed)
        except SyncStopped:
            if persist and changed:  # a renamed column is offered for mapping even though this run stops
                self._update_settings(connection, followed.model_copy(update={"mapping": sheets.mapping}))
            raise
        if persist and changed:
            self._update_settings(connection, followed)
        mapping = followed.mapping
        by_index = {columns[normalise_header(c.header)]: c.header for c in mapping.columns}
        id_column = columns[normalise_header(mapping.id_header)]
        rows = []
        for index, raw in enumerate(grid[1:], start=1):
            rows.append(
                ProviderRow(
                    locator=index + 1,  # the sheet's row number, for this run's writes only
                    record_id=(
                        str(raw[id_column]).strip()
                        if id_column < len(raw) and raw[id_column] not in (None, "")
                        else None
                    ),
                    cells={
                        c.header: (
                            raw[columns[normalise_header(c.header)]]
                            if columns[normalise_header(c.header)] < len(raw)
                            else None
                        )
                        for c in mapping.columns
                    },
                    formulas=frozenset(by_index[c] for r, c in tab.formulas if r == index and c in by_index),
                )
            )
        dates = DateReading(order=date_order_for_locale(tab.locale), time_zone=tab.time_zone or "UTC")
        sheet = _Sheet(
            target=target, settings=followed, grid=grid, headers=headers, columns=columns, rows=rows, dates=dates
        )
        return self._reload_tracker(user_id, sheet)

    def _reload_tracker(self, user_id: str, sheet: _Sheet) -> _Sheet:
        stored_campaigns, stored_pitches = self._tracker.campaigns_and_pitches(user_id)
        campaigns = {c.campaign_id: c for c in stored_campaigns}
        pitches = {p.pitch_id: p for p in stored_pitches}
        tracker = {pid: tracker_values(p, campaigns.get(p.campaign_id)) for pid, p in pitches.items()}
        return sheet.replace(campaigns=campaigns, pitches=pitches, tracker=tracker)

    def _propose_import(self, sheet: _Sheet) -> None:
        """The first sync of a sheet that already has rows no campaign claims: Tracker does not guess where they
        belong (rows naming their campaign in a Campaign column need no import)."""
        mapping = sheet.settings.mapping
        campaign_header = next((c.header for c in mapping.columns if c.field == "campaign.title"), None)
        fallback = self._import_campaign(sheet)
        waiting = [
            r
            for r in sheet.rows
            if not r.record_id
            and any(_text(v) for v in r.cells.values())
            and campaign_for(r, campaign_header, {}, fallback) is None
        ]
        if not waiting:
            return
        target = sheet.target
        raise SyncStopped(
            "import_proposed",
            f"'{target.tab_title}' in '{target.spreadsheet_name or target.spreadsheet_id}' already has "
            f"{len(waiting)} row{'s' if len(waiting) != 1 else ''} that {'are' if len(waiting) != 1 else 'is'} "
            "not in Tracker yet, so nothing was synced: import them first.",
            "Preview the import (row by row: what it creates, updates and skips), choose a campaign for rows "
            "without a Campaign column, then import; syncing goes on by itself afterwards.",
            status=ConnectionStatus.CONNECTED,
        )

    def _hold_oversized(
        self, plan: SyncPlan, rows: list[ProviderRow], columns: dict[str, int], target: SheetTarget
    ) -> list[SyncLogError]:
        """Google refuses a whole write holding one cell over 50,000 characters: hold back such values (and a
        new row carrying one), keep the record's previous base so the next sync tries again, and say which."""
        errors: list[SyncLogError] = []
        record_of = {row.locator: row.record_id for row in rows}
        kept: list[CellWrite] = []
        for write in plan.cell_writes:
            record_id = record_of.get(write.locator)
            if len(write.text) <= MAX_CELL_CHARACTERS or record_id is None:
                kept.append(write)
                continue
            plan.keep_previous_base(record_id)
            where = f"{a1_tab(target.tab_title)}!{self._cell(columns, write.header, write.locator)}"
            errors.append(_too_long(write.header, len(write.text), where))
        plan.cell_writes = kept
        new_rows = []
        for new in plan.new_rows:
            long = next(((h, t) for h, t in new.cells.items() if len(t) > MAX_CELL_CHARACTERS), None)
            if long is None:
                new_rows.append(new)
                continue
            plan.keep_previous_base(new.record_id)
            errors.append(_too_long(long[0], len(long[1]), f"pitch {new.record_id} (not added to the sheet)"))
        plan.new_rows = new_rows
        return errors

    def _read(
        self, connection: Connection, sheets: SheetsSettings, client: SheetsClient
    ) -> tuple[SheetTarget, TabRead]:
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
                    f"Rename the column back to '{header}', or update the column mapping"
                    + (
                        f" (the tab's unmapped columns: {', '.join(repr(h) for h in sheets.unmapped_headers)})."
                        if sheets.unmapped_headers
                        else "."
                    ),
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
        self, user_id: str, plan: SyncPlan, merger: Merger, sheet: _Sheet
    ) -> tuple[int, list[SyncLogError]]:
        """New rows: each joins the campaign it names (created when missing) or the one the import chose; a
        row whose contact is already in that campaign is linked to its pitch instead of creating another."""
        errors: list[SyncLogError] = []
        created = 0
        tab = a1_tab(sheet.target.tab_title)
        rows = [ProviderRow(c.locator, None, c.cells, c.formulas) for c in plan.creates]
        planner = self._planner(merger, sheet, self._import_campaign(sheet))
        decided = {r.locator: r for r in planner.plan(rows, set(sheet.tracker)).rows}
        keys = _row_keys([create.cells for create in plan.creates], merger)
        promised = {key: new_id("pit") for key in keys}
        if promised:
            self._journal.save(user_id, PROVIDER, promised, now_epoch=int(self._now().timestamp()))
        campaigns = dict(sheet.campaigns)
        for create, key in zip(plan.creates, keys, strict=True):
            row = decided[create.locator]
            where = f"{tab}!{create.locator}:{create.locator}"
            if row.action == "skip" or row.campaign is None:
                errors.append(
                    SyncLogError(code="row_not_placed", message=f"New row not added: {row.reason}.", where=where)
                )
                continue
            if row.pitch_id is not None:  # the contact is already in the campaign: link the row to it
                try:
                    self._update_from_row(user_id, sheet.pitches[row.pitch_id], row.changes)
                except TrackerError as exc:
                    errors.append(SyncLogError(code=exc.code, message=f"Row not linked: {exc.message}", where=where))
                    continue
                plan.cell_writes.append(CellWrite(create.locator, merger.mapping.id_header, row.pitch_id))
                continue
            try:
                campaign = self._campaign(user_id, row.campaign, campaigns)
                pitch = self._campaigns.create_pitch(
                    user_id,
                    campaign.campaign_id,
                    pitch_create(row.values),
                    written_by=PROVIDER,
                    pitch_id=promised[key],
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

    def _campaign(self, user_id: str, choice: CampaignChoice, campaigns: dict[str, Campaign]) -> Campaign:
        """The chosen campaign, created the first time a row names a title no campaign has."""
        return self._side.campaign(user_id, choice, TrackerSnapshot(campaigns=campaigns))

    def _planner(self, merger: Merger, sheet: _Sheet, fallback: CampaignChoice | None) -> ImportPlanner:
        existing = _snapshot(sheet).existing()
        on_sheet = {r.record_id: r.locator for r in sheet.rows if r.record_id}
        titles = {c.campaign_id: c.title for c in sheet.campaigns.values()}
        return ImportPlanner(merger, titles, existing, fallback=fallback, on_provider=on_sheet)

    def _import_campaign(self, sheet: _Sheet) -> CampaignChoice | None:
        """Where new rows without a campaign go: the campaign the last import chose, while it exists."""
        return _snapshot(sheet).remembered(sheet.settings.import_campaign_id)

    def _update_from_row(self, user_id: str, pitch: Pitch, changes: dict[str, str]) -> None:
        self._side.update_from_row(user_id, pitch, changes)

    # -- import -----------------------------------------------------------------------------------

    def import_rows(self, user_id: str, request: ImportRequest) -> ImportResult:
        """Preview (dry_run) or run the import of the sheet's rows that are not in Tracker yet."""
        connection = self._integrations.get_connection(user_id, PROVIDER)
        if connection is None:
            raise NotFound("Google Sheets is not connected: connect it first")
        if not SheetsConnectionSettings.model_validate(connection.settings).is_configured():
            raise ValidationFailed("No spreadsheet is chosen yet: choose or create one in the Google Sheets settings")
        if request.dry_run:
            return self._preview(connection, request)
        results: list[ImportResult] = []
        log = self._frame.run(user_id, lambda run: self._run(run, (request, results)))
        if not results or log.outcome == "failed":
            stop = log.errors[-1].message if log.errors else "the import did not finish"
            raise ValidationFailed(f"Nothing was imported: {stop}")
        return results[0]

    def _preview(self, connection: Connection, request: ImportRequest) -> ImportResult:
        sheets = _sheets_settings(connection)
        access = self._tokens.current_tokens(connection).access_token.get_secret_value()
        client = SheetsClient(self._settings, access)
        try:
            sheet = self._load(connection.user_id, connection, sheets, client, persist=False)
        except SyncStopped as exc:
            raise ValidationFailed(f"{exc.message} {exc.action}") from exc
        except GoogleRefused as exc:  # as a sync says it: what happened and what the user can do
            raise ValidationFailed(f"{exc.message} {exc.action}") from exc
        merger = Merger(sheet.settings.mapping, now=self._now(), dates=sheet.dates)
        choice = self._choice(request, sheet)
        plan = self._planner(merger, sheet, choice).plan(sheet.rows, set(sheet.tracker))
        return self._describe(request, sheet, plan, {}, {})

    def _choice(self, request: ImportRequest, sheet: _Sheet) -> CampaignChoice | None:
        target = sheet.target
        default = f"{target.spreadsheet_name or 'Spreadsheet'} — {target.tab_title}"
        return _snapshot(sheet).chosen(request.campaign, sheet.settings.import_campaign_id, default)

    def _import(
        self, user_id: str, connection: Connection, sheet: _Sheet, merger: Merger, importing: _Importing
    ) -> list[tuple[int, str]]:
        """Apply the import plan: campaigns, then pitches; the rows it placed get their pitch's id."""
        request, results = importing
        choice = self._choice(request, sheet)
        plan = self._planner(merger, sheet, choice).plan(sheet.rows, set(sheet.tracker))
        snapshot = _snapshot(sheet)
        snapshot.campaigns = dict(sheet.campaigns)
        outcome = self._side.place(user_id, plan, snapshot)
        placed, failed, campaigns = outcome.placed, outcome.failed, snapshot.campaigns
        if choice is not None:
            chosen = choice.campaign_id or getattr(snapshot.by_title(choice.title), "campaign_id", None)
            if chosen is not None:
                current = self._integrations.get_connection(user_id, PROVIDER) or connection
                settings = _sheets_settings(current)
                self._update_settings(current, settings.model_copy(update={"import_campaign_id": chosen}))
        results.append(self._describe(request, sheet.replace(campaigns=campaigns), plan, placed, failed))
        return list(placed.items())

    @staticmethod
    def _describe(
        request: ImportRequest, sheet: _Sheet, plan: ImportPlan, placed: dict[int, str], failed: dict[int, str]
    ) -> ImportResult:
        target = sheet.target
        return describe(
            plan,
            dry_run=request.dry_run,
            source=f"'{target.spreadsheet_name or target.spreadsheet_id}' / '{target.tab_title}'",
            campaigns={c.campaign_id: c.title for c in sheet.campaigns.values()},
            outcome=ImportOutcome(placed=placed, failed=failed),
        )

    def _apply_tracker_updates(
        self, user_id: str, plan: SyncPlan, pitches: dict[str, Pitch]
    ) -> tuple[int, list[SyncLogError]]:
        return self._side.apply_updates(user_id, plan, pitches)

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

    def _update_settings(self, connection: Connection, sheets: SheetsSettings) -> None:
        current = self._integrations.get_connection(connection.user_id, PROVIDER) or connection
        updated = current.model_copy(
            update={
                "settings": {**current.settings, "sheet": sheets.model_dump(mode="json")},
                "version": current.version + 1,
                "settings_version": current.settings_version + 1,  # a client showing the old tab name is stale
            }
        )
        self._integrations.save_connection(updated, expected_version=current.version)

    def _save_state(self, user_id: str, blob: bytes, generation: int) -> None:
        self._states.save(user_id, PROVIDER, blob, expected_generation=generation)
