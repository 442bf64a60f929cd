"""Bringing a provider's existing rows into Tracker: which campaign each row joins, and what each row does.

Provider-neutral and pure, like the merge: it reads the rows a provider sync read (Google Sheets rows
now, Airtable records later), Tracker's campaigns and pitches, and the user's choice, and says row by
row whether the import creates a pitch, updates one (matched by e-mail within the campaign, so a
second import creates nothing), or skips the row, and why, in words that name the row and what it
lacks. Applying the plan is the service's job; the merge then links each row to its pitch.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final, Literal

from tracker_integrations.records import FrozenRecord, Record
from tracker_integrations.sync.engine import Merger, ProviderRow
from tracker_integrations.sync.fields import FIELDS, InvalidValue, normalise_header, to_canonical

if TYPE_CHECKING:
    # Built only by `describe`, for an import: a sync job never builds these models.
    from tracker_integrations.models.imports import ImportedAction, ImportedCampaign, ImportedRow, ImportResult

RowAction = Literal["create", "update", "skip"]


class CampaignChoice(FrozenRecord):
    """Where rows without a campaign of their own go: an existing campaign, or one to create by title."""

    __slots__ = ("campaign_id", "title")

    def __init__(self, title: str, campaign_id: str | None = None) -> None:
        self.title: Final = title
        self.campaign_id: Final = campaign_id  # None: created by the import


class ExistingPitch(FrozenRecord):
    __slots__ = ("campaign_id", "email", "pitch_id", "values")

    def __init__(self, pitch_id: str, campaign_id: str, email: str, values: dict[str, str]) -> None:
        self.pitch_id: Final = pitch_id
        self.campaign_id: Final = campaign_id
        self.email: Final = email
        self.values: Final = values  # field -> canonical, as the merge compares them


class RowPlan(Record):
    __slots__ = ("action", "campaign", "changes", "locator", "pitch_id", "reason", "values")

    def __init__(  # noqa: PLR0913 - a row's every fact, as the planner finds them
        self,
        locator: int,
        action: RowAction,
        reason: str,
        campaign: CampaignChoice | None = None,
        values: dict[str, str] | None = None,
        changes: dict[str, str] | None = None,
        pitch_id: str | None = None,
    ) -> None:
        self.locator = locator  # the provider's row number, as the user sees it
        self.action = action
        self.reason = reason
        self.campaign = campaign
        self.values: dict[str, str] = {} if values is None else values  # field -> canonical, what the row brings
        self.changes: dict[str, str] = {} if changes is None else changes  # for an update: the fields that differ
        self.pitch_id = pitch_id  # the matched pitch (update, or skip of a row already in Tracker)


class ImportPlan(Record):
    __slots__ = ("rows",)

    def __init__(self, rows: list[RowPlan] | None = None) -> None:
        self.rows: list[RowPlan] = [] if rows is None else rows

    def campaigns_to_create(self) -> list[str]:
        titles: dict[str, str] = {}
        for row in self.rows:
            if row.action != "skip" and row.campaign is not None and row.campaign.campaign_id is None:
                titles.setdefault(normalise_header(row.campaign.title), row.campaign.title)
        return list(titles.values())


def no_campaign_reason(locator: int, campaign_header: str | None) -> str:
    """What a row that cannot be placed lacks, and the two ways to give it."""
    if campaign_header is None:
        return f"row {locator} has no campaign: add a Campaign column or choose a campaign for the import"
    return f"row {locator} has no campaign: fill in its {campaign_header} cell or choose a campaign for the import"


def campaign_for(
    row: ProviderRow, campaign_header: str | None, by_title: dict[str, CampaignChoice], fallback: CampaignChoice | None
) -> CampaignChoice | None:
    """The campaign a row names in its campaign column (existing, or new by that title), else the fallback."""
    title = str(row.cells.get(campaign_header) or "").strip() if campaign_header else ""
    if title:
        return by_title.get(normalise_header(title)) or CampaignChoice(title=title)
    return fallback


class ImportPlanner:
    def __init__(
        self,
        merger: Merger,
        campaigns: dict[str, str],  # campaign id -> title
        pitches: list[ExistingPitch],
        *,
        fallback: CampaignChoice | None,
        on_provider: dict[str, int],  # pitch id -> the row that already carries it
    ) -> None:
        self._merger = merger
        self._by_title = {normalise_header(t): CampaignChoice(title=t, campaign_id=i) for i, t in campaigns.items()}
        self._pitches = {(p.campaign_id, p.email): p for p in pitches}
        self._fallback = fallback
        self._on_provider = on_provider
        mapping = merger.mapping
        self._campaign_header = next((c.header for c in mapping.columns if c.field == "campaign.title"), None)
        self._email_header = next((c.header for c in mapping.columns if c.field == "pitch.email"), None)

    def plan(self, rows: list[ProviderRow], known_ids: set[str]) -> ImportPlan:
        plan = ImportPlan()
        claimed: dict[tuple[str, str], int] = {}  # (campaign, email) -> the first row that brings it
        for row in rows:
            plan.rows.append(self._row(row, known_ids, claimed))
        return plan

    def _row(self, row: ProviderRow, known_ids: set[str], claimed: dict[tuple[str, str], int]) -> RowPlan:
        at = row.locator
        settled = self._settled(row, known_ids)
        if settled is not None:
            return settled
        values, problem = self._values(row)
        if problem is not None:
            return RowPlan(at, "skip", problem)
        campaign = campaign_for(row, self._campaign_header, self._by_title, self._fallback)
        if campaign is None:
            return RowPlan(at, "skip", no_campaign_reason(at, self._campaign_header))
        email = values.get("pitch.email", "")
        if not email:
            where = f"its {self._email_header} cell is empty" if self._email_header else "add an Email column"
            return RowPlan(at, "skip", f"row {at} has no e-mail, which Tracker needs for a contact: {where}")
        key = (campaign.campaign_id or normalise_header(campaign.title), email)
        if key in claimed:
            return RowPlan(at, "skip", f"row {at} has the same e-mail as row {claimed[key]} in '{campaign.title}'")
        claimed[key] = at
        existing = self._pitches.get((campaign.campaign_id, email)) if campaign.campaign_id else None
        if existing is None:
            return RowPlan(at, "create", f"new contact in '{campaign.title}'", campaign, values)
        if existing.pitch_id in self._on_provider:
            other = self._on_provider[existing.pitch_id]
            return RowPlan(at, "skip", f"row {at} is the same contact as row {other}", campaign, values, {})
        changes = {k: v for k, v in values.items() if v and existing.values.get(k, "") != v}
        if not changes:
            return RowPlan(
                at,
                "update",
                f"already in '{campaign.title}' with the same details: linked",
                campaign,
                values,
                {},
                existing.pitch_id,
            )
        labels = ", ".join(FIELDS[k].label.lower() for k in changes)
        return RowPlan(
            at,
            "update",
            f"already in '{campaign.title}' (matched by e-mail): {labels} from the row",
            campaign,
            values,
            changes,
            existing.pitch_id,
        )

    def _settled(self, row: ProviderRow, known_ids: set[str]) -> RowPlan | None:
        """A row the import leaves alone whatever it holds: already linked to a pitch, or blank."""
        at = row.locator
        if row.record_id:
            if row.record_id in known_ids:
                return RowPlan(at, "skip", f"row {at} is already in Tracker", pitch_id=row.record_id)
            id_header = self._merger.mapping.id_header
            return RowPlan(at, "skip", f"row {at} has a {id_header} no pitch has: clear that cell to import the row")
        if all(str(v if v is not None else "").strip() == "" for v in row.cells.values()):
            return RowPlan(at, "skip", f"row {at} is blank")
        return None

    def _values(self, row: ProviderRow) -> tuple[dict[str, str], str | None]:
        """The row's values for the fields it may set, or what is wrong with the first bad cell."""
        values: dict[str, str] = {}
        for column in self._merger.mapping.columns:
            if not column.from_provider:
                continue
            spec = FIELDS[column.field]
            try:
                # Dates as the sync reads them: the sheet's locale and time zone, or the mapping's date_order.
                values[column.field] = to_canonical(
                    spec, row.cells.get(column.header), column.value_map, self._merger.dates
                )
            except InvalidValue as exc:
                return {}, f"row {row.locator}, {column.header}: {exc}"
        return values, None


_DONE: dict[RowAction, ImportedAction] = {"create": "created", "update": "updated", "skip": "skipped"}


class ImportOutcome(FrozenRecord):
    """What running the plan did (empty for a preview)."""

    __slots__ = ("failed", "placed")

    def __init__(self, placed: dict[int, str] | None = None, failed: dict[int, str] | None = None) -> None:
        self.placed: Final[dict[int, str]] = {} if placed is None else placed  # row -> the pitch it now carries
        # row -> why Tracker refused what the plan said
        self.failed: Final[dict[int, str]] = {} if failed is None else failed


def describe(
    plan: ImportPlan,
    *,
    dry_run: bool,
    source: str,
    campaigns: dict[str, str],  # campaign id -> title, after the import created its campaigns
    outcome: ImportOutcome,
) -> ImportResult:
    """The import row by row, in the words the preview and the run share."""
    from tracker_integrations.models.imports import ImportedCampaign, ImportedRow, ImportResult

    placed, failed = outcome.placed, outcome.failed
    rows: list[ImportedRow] = []
    for row in plan.rows:
        action, reason = _DONE[row.action], row.reason
        if row.locator in failed:
            action, reason = "skipped", f"row {row.locator} could not be added: {failed[row.locator]}"
        rows.append(
            ImportedRow(
                row=row.locator,
                action=action,
                reason=reason,
                campaign=row.campaign.title if row.campaign and action != "skipped" else None,
                contact=row.values.get("pitch.contact_name") or row.values.get("pitch.email", ""),
                pitch_id=placed.get(row.locator, row.pitch_id),
            )
        )
    ids = {normalise_header(title): campaign_id for campaign_id, title in campaigns.items()}
    new = {normalise_header(t) for t in plan.campaigns_to_create()}
    counted: dict[str, ImportedCampaign] = {}
    for done in rows:
        if done.campaign is None:
            continue
        key = normalise_header(done.campaign)
        before = counted.get(key)
        counted[key] = ImportedCampaign(
            title=done.campaign,
            campaign_id=ids.get(key),
            created=key in new,
            rows=(before.rows if before else 0) + 1,
        )
    return ImportResult(
        dry_run=dry_run,
        source=source,
        created=sum(1 for r in rows if r.action == "created"),
        updated=sum(1 for r in rows if r.action == "updated"),
        skipped=sum(1 for r in rows if r.action == "skipped"),
        campaigns=list(counted.values()),
        rows=rows,
    )
