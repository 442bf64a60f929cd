"""One Airtable sync run: the table's changes (webhook payloads, or a full read), merge, write both sides, log.

Records are keyed by Airtable record id: the link to each Tracker pitch is kept by Tracker (the record
cache), so the user's table needs no id column and sorting, filtering or renaming fields breaks nothing.

Provider calls per run:
- incremental (a live webhook and a cache of the table): ceil(payloads / 50) payload reads, no record read;
- full (first sync, a changed table, view or mapping, a recreated webhook, or a view chosen): ceil(n / 100)
  record reads, plus creating the webhook when there is none;
- writes: ceil(records changed / 10) updates plus ceil(records added / 10) creates.

The merge is the shared engine's (field by field against the last synced state, conflicts settled by
policy and logged with the losing value, deletions pending approval, invalid values reported per field).
What the sync writes becomes the new base and the cache takes the values Airtable answered with, so our
own writes never come back as changes, whichever source Airtable's payloads name. New Airtable records
are placed by the import planner (their Campaign field, or the campaign the last import chose; matched by
e-mail within it), so a sync and an import place records alike.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from tracker_integrations.errors import NotFound, ValidationFailed
from tracker_integrations.models.airtable import AirtableConnectionSettings, AirtableSettings
from tracker_integrations.models.common import utcnow
from tracker_integrations.models.connection import Connection, ConnectionStatus, LastError, ProviderKey
from tracker_integrations.models.imports import ImportRequest, ImportResult
from tracker_integrations.models.sync_log import ConflictDetail, SyncLog, SyncLogError, SyncOutcome
from tracker_integrations.providers.airtable.client import AirtableClient, AirtableRecord, AirtableRefused
from tracker_integrations.providers.airtable.links import resolve_links
from tracker_integrations.providers.airtable.store import AirtableStore, CachedRecord, RecordCache, WebhookRecord
from tracker_integrations.providers.airtable.webhooks import AirtableWebhooks
from tracker_integrations.services.campaigns import CampaignsService
from tracker_integrations.services.syncing.sync_frame import (
    Notice,
    ProviderRun,
    RunServices,
    SyncFrame,
    SyncProfile,
    SyncStopped,
)
from tracker_integrations.services.syncing.tracker_side import TrackerSide, TrackerSnapshot
from tracker_integrations.store.sync_state import SyncStateStore
from tracker_integrations.sync.codec import decode_state, encode_state
from tracker_integrations.sync.engine import Merger, ProviderRow, SyncPlan, SyncState
from tracker_integrations.sync.importer import (
    CampaignChoice,
    ImportOutcome,
    ImportPlan,
    ImportPlanner,
    campaign_for,
    describe,
)

PROVIDER: ProviderKey = "airtable"
# A backstop behind the webhook (a payload Airtable dropped, a field deleted): a run reads the whole table when
# its last full read is this old, as the registry's reconciliation interval makes a sync due.
FULL_READ_EVERY = 12 * 3600


def airtable_settings(connection: Connection) -> AirtableSettings:
    chosen = AirtableConnectionSettings.model_validate(connection.settings).airtable
    if chosen is None:
        raise SyncStopped(
            "not_configured",
            "No Airtable base and table are chosen yet, so there is nothing to sync.",
            "Choose a base and a table in the Airtable settings.",
            status=ConnectionStatus.CONNECTED,
        )
    return chosen


def _partial_error(log: SyncLog, at: datetime) -> LastError:
    first = log.errors[0]
    return LastError(
        code=first.code,
        message=f"{len(log.errors)} record(s) or field(s) could not be synced; everything else synced. "
        f"First: {first.message}",
        action=f"Fix what the sync log lists (first: {first.where or 'see the log'}).",
        at=at,
    )


def cell_text(value: object) -> object:
    """An Airtable cell value as the merge reads it: text, a number, a date string (never a list or object)."""
    if isinstance(value, bool):
        return "true" if value else ""
    if isinstance(value, list):
        return ", ".join(str(cell_text(v)) for v in value)
    if isinstance(value, dict):
        return value.get("name") or value.get("email") or ""
    return value


def apply_payloads(cache: RecordCache, payloads: list[dict[str, Any]], table_id: str, field_ids: set[str]) -> int:
    """Bring the cached table up to date with webhook payloads, in order; how many records they touched."""
    touched: set[str] = set()
    for payload in payloads:
        table = (payload.get("changedTablesById") or {}).get(table_id)
        if not isinstance(table, dict):
            continue
        for record_id, created in (table.get("createdRecordsById") or {}).items():
            cells = dict((created or {}).get("cellValuesByFieldId") or {})
            known = cache.records.get(record_id)
            cache.records[record_id] = CachedRecord(
                known.tracker_id if known else None, {k: v for k, v in cells.items() if k in field_ids}
            )
            touched.add(record_id)
        for record_id, changed in (table.get("changedRecordsById") or {}).items():
            current = dict(((changed or {}).get("current") or {}).get("cellValuesByFieldId") or {})
            entry = cache.records.setdefault(record_id, CachedRecord(None, {}))
            for field_id, value in current.items():
                if field_id not in field_ids:
                    continue
                if value is None:
                    entry.cells.pop(field_id, None)
                else:
                    entry.cells[field_id] = value
            touched.add(record_id)
        for record_id in table.get("destroyedRecordIds") or []:
            cache.records.pop(record_id, None)
            touched.add(record_id)
    return len(touched)


@dataclass
class _Table:
    """One run's view of both sides."""

    settings: AirtableSettings
    cache: RecordCache
    tracker: TrackerSnapshot = field(default_factory=TrackerSnapshot)
    # Airtable record id <-> the locator the merge and the import number it by (1-based, in cache order).
    order: list[str] = field(default_factory=list)

    def rows(self) -> list[ProviderRow]:
        headers = self.settings.field_ids
        self.order = list(self.cache.records)
        return [
            ProviderRow(
                locator=index,
                record_id=record.tracker_id,
                cells={h: cell_text(record.cells.get(f)) for h, f in headers.items()},
            )
            for index, record in enumerate(self.cache.records.values(), start=1)
        ]

    def record_at(self, locator: int) -> str:
        return self.order[locator - 1]


@dataclass(frozen=True, slots=True)
class _Read:
    """What a run read of the table, and how far into the webhook's payloads."""

    cache: RecordCache
    recreated: bool = False  # the webhook was gone and a new one replaced it: this read is the catch-up
    hook: WebhookRecord | None = None
    cursor: int | None = None  # the payloads before it are in `cache`


@dataclass(frozen=True, slots=True)
class AirtableStorage:
    states: SyncStateStore
    store: AirtableStore


_Importing = tuple[ImportRequest, list[ImportResult]]


class AirtableSync:
    def __init__(
        self,
        services: RunServices,
        campaigns: CampaignsService,
        storage: AirtableStorage,
        webhooks: AirtableWebhooks,
        *,
        now: Callable[[], datetime] = utcnow,
    ) -> None:
        self._catch_ups: set[str] = set()  # runs that caught up after a webhook was recreated
        profile = SyncProfile(
            provider=PROVIDER,
            direction="both",
            label="airtable sync",
            metric="AirtableSync",
            in_progress="an Airtable sync of this connection is already running",
            not_connected="Airtable is not connected",
            reauth=Notice(
                "Airtable stopped accepting Tracker's access to your bases.",
                "Reconnect Airtable: your base, table and field mapping are kept.",
            ),
            unavailable=Notice(
                "Airtable is busy or unavailable, so this sync did not finish.",
                "Nothing to do: Tracker tries again automatically.",
            ),
            refused=Notice(
                "Airtable refused a request, so this sync did not finish.",
                "Try Sync now later; if it keeps happening, reconnect Airtable or contact support.",
            ),
            keeps_reauth_mark=True,
            card_records=lambda _card, log: log.records_synced,
            partial_error=_partial_error,
            run_notice=self._catch_up_notice,
            ready=airtable_settings,
        )
        self._frame = SyncFrame(profile, services, now=now)
        self._integrations = services.integrations
        self._tokens = services.tokens
        self._settings = services.settings
        self._side = TrackerSide(services.tracker, campaigns, PROVIDER)
        self._states = storage.states
        self._store = storage.store
        self._webhooks = webhooks
        self._now = now

    def _client(self, auth: httpx.Auth | str) -> AirtableClient:
        return AirtableClient(self._settings, auth)

    def run(
        self, user_id: str, *, read: Connection | None = None, on_rerun: Callable[[str], None] | None = None
    ) -> SyncLog:
        return self._frame.run(user_id, self._run, read=read, on_rerun=on_rerun)

    def _catch_up_notice(self, log: SyncLog, at: datetime) -> LastError | None:
        if log.run_id not in self._catch_ups:
            return None
        self._catch_ups.discard(log.run_id)
        return LastError(
            code="webhook_recreated",
            message="Airtable had stopped reporting changes to this table (its webhook expired or was deleted), "
            "so Tracker set up a new one and caught up with a full sync: nothing was missed.",
            action="Nothing to do.",
            at=at,
        )

    def _run(self, run: ProviderRun, importing: _Importing | None = None) -> SyncLog:
        connection = run.connection
        chosen = airtable_settings(connection)
        client = self._client(self._tokens.auth(connection))
        run.calls = client.calls
        try:
            return self._sync(connection, chosen, client, run.log, importing)
        except AirtableRefused as exc:
            raise self._refused(chosen, exc) from exc

    # -- reading the table ------------------------------------------------------------------------

    @staticmethod
    def _source(chosen: AirtableSettings) -> str:
        target = chosen.target
        return (
            f"{target.base_id}/{target.table_id}/{target.view_id or ''}/{','.join(sorted(chosen.field_ids.values()))}"
        )

    def _read(self, connection: Connection, chosen: AirtableSettings, client: AirtableClient) -> _Read:
        """The table as it is now, its linked-record fields given their names."""
        read = self._read_records(connection, chosen, client)
        resolve_links(client, chosen.target.base_id, chosen.links, read.cache)
        return read

    def _read_records(self, connection: Connection, chosen: AirtableSettings, client: AirtableClient) -> _Read:
        """The table as it is now: the cached copy brought up to date by the webhook's new payloads, or a full
        read (first sync, another table, view or mapping, a view chosen, the webhook gone, or 12 hours since the
        last full read)."""
        target = chosen.target
        cache = self._store.load_cache(connection.user_id)
        source = self._source(chosen)
        hook = self._webhooks.live(connection, target.base_id, target.table_id)
        now = int(self._now().timestamp())
        current = cache is not None and cache.source == source and now - cache.read_at < FULL_READ_EVERY
        if cache is not None and current and hook is not None and target.view_id is None:
            cursor, pages = hook.cursor, []
            try:
                while True:
                    page = client.payloads(target.base_id, hook.webhook_id, cursor)
                    pages += page.payloads
                    cursor = page.cursor
                    if not page.might_have_more:
                        break
            except AirtableRefused as exc:
                if exc.status != 404:
                    raise
                hook = None  # deleted at Airtable, or lapsed: recreated below, then a full read
            else:
                apply_payloads(cache, pages, target.table_id, set(chosen.field_ids.values()))
                return _Read(cache, hook=hook, cursor=cursor)
        recreated = False
        if hook is None:
            # Created before the read, so nothing changed between the read and the webhook goes unreported.
            ensured = self._webhooks.create(connection, target.base_id, target.table_id, client)
            recreated = ensured.recreated
        links = {rec: r.tracker_id for rec, r in (cache.records.items() if cache else [])}
        fresh = RecordCache(source=source, read_at=now, generation=cache.generation if cache else 0)
        for record in client.records(
            target.base_id, target.table_id, field_ids=list(chosen.field_ids.values()), view_id=target.view_id
        ):
            fresh.records[record.id] = CachedRecord(links.get(record.id), record.fields)
        return _Read(fresh, recreated=recreated)

    def _save_cache(self, user_id: str, read: _Read) -> None:
        """The cache, then the webhook's cursor past the payloads it now holds (never before: a run that fails
        in between reads them again)."""
        self._store.save_cache(user_id, read.cache)
        if read.hook is not None and read.cursor is not None:
            self._webhooks.moved(read.hook, read.cursor)

    def _refused(self, chosen: AirtableSettings, exc: AirtableRefused) -> SyncStopped:
        """A base, table or field that is gone, named, with what to do."""
        target = chosen.target
        base = target.base_name or target.base_id
        table = target.table_name or target.table_id
        if exc.error_type in {"UNKNOWN_FIELD_NAME", "INVALID_VALUE_FOR_COLUMN"} or "field" in exc.message.lower():
            return SyncStopped(
                "field_missing",
                f"A mapped field of '{table}' in '{base}' is gone or changed type ({exc.message}), so nothing was "
                "written.",
                "Update the field mapping in the Airtable settings (or restore the field in Airtable).",
            )
        if exc.status == 404 or exc.error_type in {"TABLE_NOT_FOUND", "NOT_FOUND", "MODEL_ID_NOT_FOUND"}:
            return SyncStopped(
                "table_missing",
                f"The table '{table}' can't be found in '{base}': it was deleted or renamed out of reach.",
                "Restore it from the base's trash in Airtable, or choose another table in the Airtable settings.",
            )
        return SyncStopped(
            "base_unavailable",
            f"The base '{base}' can't be opened: it was deleted, or Tracker's access to it was removed.",
            "Restore it in Airtable (Trash), or reconnect Airtable granting access to it, or choose another base.",
        )

    def _reload_tracker(self, user_id: str, table: _Table) -> None:
        table.tracker = self._side.snapshot(user_id)

    # -- the run ----------------------------------------------------------------------------------

    def _sync(
        self,
        connection: Connection,
        chosen: AirtableSettings,
        client: AirtableClient,
        log: SyncLog,
        importing: _Importing | None,
    ) -> SyncLog:
        user_id = connection.user_id
        read = self._read(connection, chosen, client)
        cache = read.cache
        if read.recreated:
            self._catch_ups.add(log.run_id)
        table = _Table(chosen, cache)
        self._reload_tracker(user_id, table)
        stored = self._states.load(user_id, PROVIDER)
        state = decode_state(stored.blob) if stored.blob else None
        merger = Merger(chosen.mapping, now=self._now())
        rows = table.rows()
        errors: list[SyncLogError] = []
        created = updated = 0
        unlinked = [r for r in rows if not r.record_id and any(str(v or "").strip() for v in r.cells.values())]
        if importing is None and state is None:
            self._propose_import(table, merger, unlinked)
        if unlinked:
            request = importing[0] if importing else None
            choice = self._choice(request, table) if request else self._import_campaign(table)
            plan = self._planner(merger, table, choice).plan(unlinked, set(table.tracker.values))
            outcome = self._place(user_id, connection, table, plan, choice if importing else None)
            created = sum(1 for r in plan.rows if r.action == "create" and r.locator in outcome.placed)
            updated = sum(1 for r in plan.rows if r.action == "update" and r.locator in outcome.placed)
            if importing is not None:
                importing[1].append(self._describe(importing[0], table, plan, outcome))
            else:
                errors += [
                    SyncLogError(
                        code="record_not_placed",
                        message=f"New record not added: {r.reason}.",
                        where=self._where(table, r.locator),
                    )
                    for r in plan.rows
                    if r.action == "skip" and r.pitch_id is None
                ]
                errors += [
                    SyncLogError(
                        code="record_not_placed",
                        message=f"New record not added: {why}",
                        where=self._where(table, locator),
                    )
                    for locator, why in outcome.failed.items()
                ]
            for locator, pitch_id in outcome.placed.items():
                cache.records[table.record_at(locator)].tracker_id = pitch_id
            if outcome.placed:
                self._reload_tracker(user_id, table)
            rows = table.rows()
        if importing is not None and not importing[1]:  # every record is in Tracker already: nothing to import
            importing[1].append(self._describe(importing[0], table, ImportPlan(), ImportOutcome()))
        linked = [r for r in rows if r.record_id]
        merged = merger.plan(table.tracker.values, linked, state or SyncState())
        errors += [
            SyncLogError(code="invalid_value", message=p.message, where=f"{self._where(table, p.locator)} / {p.header}")
            for p in merged.problems
        ]
        if merged.blocked is not None:
            blocked = merged.blocked
            self._states.save(
                user_id,
                PROVIDER,
                encode_state(merged.blocked_state(), merger.fields),
                expected_generation=stored.generation,
            )
            self._save_cache(user_id, read)
            raise SyncStopped(
                "mass_delete_blocked",
                f"{blocked.vanished} of {blocked.synced} synced records disappeared from "
                f"'{chosen.target.table_name or chosen.target.table_id}' at once, so nothing was synced and nothing "
                "was deleted.",
                "If you meant to remove them, approve the pending deletions; otherwise restore the records "
                "(Airtable keeps deleted records in the base's trash).",
            )
        t_updated, update_errors = self._side.apply_updates(user_id, merged, table.tracker.pitches)
        errors += update_errors
        written = self._write_airtable(client, table, merger, merged)
        # The links first: a run cut off before the state is saved leaves records the next merge fills in (no base
        # yet), never a Tracker pitch whose new record it cannot find.
        self._save_cache(user_id, read)
        if merged.state_changed or state is None or written or merged.new_rows:
            blob = encode_state(merged.state, merger.fields)
            self._states.save(user_id, PROVIDER, blob, expected_generation=stored.generation)
        outcome_: SyncOutcome = "partial" if errors else "success"
        return log.model_copy(
            update={
                "outcome": outcome_,
                "records_read": len(rows),
                "records_created": created + len(merged.new_rows),
                "records_updated": updated + t_updated + written,
                "records_unchanged": merged.unchanged,
                "conflicts": len(merged.conflicts),
                "conflict_details": [
                    ConflictDetail(record_id=c.record_id, field=c.field, winner=c.winner, losing_value=c.losing_value)
                    for c in merged.conflicts
                ],
                "errors": errors,
                "pending_deletions": len(merged.state.pending_deletions),
                "records_synced": len(merged.state.records),
            }
        )

    @staticmethod
    def _where(table: _Table, locator: int) -> str:
        return f"record {table.record_at(locator)}"

    def _propose_import(self, table: _Table, merger: Merger, unlinked: list[ProviderRow]) -> None:
        """The first sync of a table that already has records no campaign claims: import them first."""
        campaign_header = next((c.header for c in merger.mapping.columns if c.field == "campaign.title"), None)
        fallback = self._import_campaign(table)
        waiting = [r for r in unlinked if campaign_for(r, campaign_header, {}, fallback) is None]
        if not waiting:
            return
        target = table.settings.target
        raise SyncStopped(
            "import_proposed",
            f"'{target.table_name or target.table_id}' in '{target.base_name or target.base_id}' already has "
            f"{len(waiting)} record{'s' if len(waiting) != 1 else ''} not in Tracker yet, so nothing was synced: "
            "import them first.",
            "Preview the import (record by record: what it creates, updates and skips), choose a campaign for "
            "records without a Campaign field, then import; syncing goes on by itself afterwards.",
            status=ConnectionStatus.CONNECTED,
        )

    # -- Tracker side -----------------------------------------------------------------------------

    def _planner(self, merger: Merger, table: _Table, fallback: CampaignChoice | None) -> ImportPlanner:
        linked = {r.tracker_id: index for index, r in enumerate(table.cache.records.values(), start=1) if r.tracker_id}
        return ImportPlanner(
            merger, table.tracker.titles(), table.tracker.existing(), fallback=fallback, on_provider=linked
        )

    def _import_campaign(self, table: _Table) -> CampaignChoice | None:
        return table.tracker.remembered(table.settings.import_campaign_id)

    def _choice(self, request: ImportRequest, table: _Table) -> CampaignChoice | None:
        target = table.settings.target
        default = f"{target.base_name or 'Airtable'} — {target.table_name or target.table_id}"
        return table.tracker.chosen(request.campaign, table.settings.import_campaign_id, default)

    def _place(
        self, user_id: str, connection: Connection, table: _Table, plan: ImportPlan, chosen: CampaignChoice | None
    ) -> ImportOutcome:
        """Create the pitches of new records (a batch per campaign) or link them to the matched pitch; an import
        remembers its campaign for the records added later."""
        outcome = self._side.place(user_id, plan, table.tracker)
        if chosen is not None:
            remembered = chosen.campaign_id or getattr(table.tracker.by_title(chosen.title), "campaign_id", None)
            if remembered is not None:
                self._remember_import_campaign(connection, remembered)
        return outcome

    def _remember_import_campaign(self, connection: Connection, campaign_id: str) -> None:
        current = self._integrations.get_connection(connection.user_id, PROVIDER) or connection
        chosen = airtable_settings(current).model_copy(update={"import_campaign_id": campaign_id})
        updated = current.model_copy(
            update={
                "settings": {**current.settings, "airtable": chosen.model_dump(mode="json")},
                "version": current.version + 1,
                "settings_version": current.settings_version + 1,
            }
        )
        self._integrations.save_connection(updated, expected_version=current.version)

    # -- Airtable side ----------------------------------------------------------------------------

    def _write_airtable(self, client: AirtableClient, table: _Table, merger: Merger, plan: SyncPlan) -> int:
        """Changed fields as updates and Tracker's new pitches as new records, 10 a request. The cache takes
        Airtable's answer, and the state the fingerprint of what Airtable now holds, so the next run (and the
        webhook payload of this very write) sees no change."""
        target, ids = table.settings.target, table.settings.field_ids
        # Linked-record fields flow only into Tracker (the merge never writes them); the cache keeps them as this
        # run named them, not as Airtable's answer lists them (ids), so the next run need not name them again.
        links = set(table.settings.links)
        id_header = merger.mapping.id_header
        updates: dict[str, dict[str, Any]] = {}
        record_of: dict[str, str] = {}  # Airtable record id -> Tracker id
        for write in plan.cell_writes:
            record_id = table.record_at(write.locator)
            if write.header == id_header:
                continue  # links are Tracker's: kept in the cache, never written to the table
            updates.setdefault(record_id, {})[ids[write.header]] = write.text or None
            tracker_id = table.cache.records[record_id].tracker_id
            if tracker_id:
                record_of[record_id] = tracker_id
        answered: list[AirtableRecord] = client.update(target.base_id, target.table_id, updates) if updates else []
        creates = [
            {
                ids[h]: (t or None)
                for h, t in new.cells.items()
                if h != id_header and h in ids and t and ids[h] not in links
            }
            for new in plan.new_rows
        ]
        made = client.create(target.base_id, target.table_id, creates) if creates else []
        for new, record in zip(plan.new_rows, made, strict=True):
            table.cache.records[record.id] = CachedRecord(new.record_id, {})
            record_of[record.id] = new.record_id
        for record in [*answered, *made]:
            entry = table.cache.records.setdefault(record.id, CachedRecord(record_of.get(record.id), {}))
            named = {f: v for f, v in entry.cells.items() if f in links}
            entry.cells = {f: v for f, v in record.fields.items() if f in set(ids.values()) - links} | named
            base = plan.state.records.get(record_of.get(record.id, ""))
            if base is not None:
                base.row_fingerprint = merger.row_fingerprint(
                    {h: cell_text(entry.cells.get(f)) for h, f in ids.items()}
                )
        return len(updates)

    # -- import -----------------------------------------------------------------------------------

    def import_rows(self, user_id: str, request: ImportRequest) -> ImportResult:
        """Preview (dry_run) or run the import of the table's records that are not in Tracker yet."""
        connection = self._integrations.get_connection(user_id, PROVIDER)
        if connection is None:
            raise NotFound("Airtable is not connected: connect it first")
        if not AirtableConnectionSettings.model_validate(connection.settings).is_configured():
            raise ValidationFailed(
                "No Airtable table is chosen yet: choose a base and a table in the Airtable settings"
            )
        if request.dry_run:
            return self._preview(connection, request)
        results: list[ImportResult] = []
        log = self._frame.run(user_id, lambda run: self._run(run, (request, results)))
        if not results or log.outcome == "failed":
            stop = log.errors[-1].message if log.errors else "the import did not finish"
            raise ValidationFailed(f"Nothing was imported: {stop}")
        return results[0]

    def _preview(self, connection: Connection, request: ImportRequest) -> ImportResult:
        chosen = airtable_settings(connection)
        client = self._client(self._tokens.current_tokens(connection).access_token.get_secret_value())
        target = chosen.target
        cache = self._store.load_cache(connection.user_id) or RecordCache()
        links = {rec: r.tracker_id for rec, r in cache.records.items()}
        try:
            records = client.records(
                target.base_id, target.table_id, field_ids=list(chosen.field_ids.values()), view_id=target.view_id
            )
        except AirtableRefused as exc:
            stopped = self._refused(chosen, exc)
            raise ValidationFailed(f"{stopped.message} {stopped.action}") from exc
        previewed = RecordCache({r.id: CachedRecord(links.get(r.id), r.fields) for r in records})
        resolve_links(client, target.base_id, chosen.links, previewed)
        table = _Table(chosen, previewed)
        self._reload_tracker(connection.user_id, table)
        merger = Merger(chosen.mapping, now=self._now())
        rows = [r for r in table.rows() if not r.record_id]
        plan = self._planner(merger, table, self._choice(request, table)).plan(rows, set(table.tracker.values))
        return self._describe(request, table, plan, ImportOutcome())

    @staticmethod
    def _describe(request: ImportRequest, table: _Table, plan: ImportPlan, outcome: ImportOutcome) -> ImportResult:
        target = table.settings.target
        return describe(
            plan,
            dry_run=request.dry_run,
            source=f"'{target.base_name or target.base_id}' / '{target.table_name or target.table_id}'",
            campaigns=table.tracker.titles(),
            outcome=outcome,
        )
