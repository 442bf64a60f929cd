"""Import planning: which campaign each row joins and what it does, row by row, in words naming the row."""

from __future__ import annotations

from datetime import UTC, datetime

from tracker_integrations.sync.engine import Merger, ProviderRow
from tracker_integrations.sync.importer import CampaignChoice, ExistingPitch, ImportPlanner
from tracker_integrations.sync.mapping import ColumnMapping, SyncMapping

NOW = datetime(2026, 12, 3, tzinfo=UTC)
HER_COLUMNS = [
    ColumnMapping(header="Name", field="pitch.contact_name"),
    ColumnMapping(header="E-mail", field="pitch.email"),
    ColumnMapping(header="Status", field="pitch.status"),
]
WITH_CAMPAIGN = [*HER_COLUMNS, ColumnMapping(header="Campaign", field="campaign.title")]


def planner(
    columns: list[ColumnMapping],
    *,
    fallback: CampaignChoice | None = None,
    pitches: list[ExistingPitch] = (),  # type: ignore[assignment]
    on_sheet: dict[str, int] | None = None,
) -> ImportPlanner:
    merger = Merger(SyncMapping(columns=columns), now=NOW)
    return ImportPlanner(merger, {"c1": "Autumn push"}, list(pitches), fallback=fallback, on_provider=on_sheet or {})


def row(locator: int, **cells: object) -> ProviderRow:
    return ProviderRow(locator, None, dict(cells))


def test_statuses_in_any_case_and_blank_rows() -> None:
    plan = planner(HER_COLUMNS, fallback=CampaignChoice("My sheet — Sheet1")).plan(
        [row(2, Name="Annie", **{"E-mail": "A@x.example"}, Status="REPLIED"), row(3)], set()
    )
    first, blank = plan.rows
    assert (first.action, first.values["pitch.status"], first.values["pitch.email"]) == (
        "create",
        "replied",
        "a@x.example",
    )
    assert (blank.action, blank.reason) == ("skip", "row 3 is blank")
    assert plan.campaigns_to_create() == ["My sheet — Sheet1"]


def test_a_row_without_a_campaign_says_which_row_and_how_to_place_it() -> None:
    (without_column,) = planner(HER_COLUMNS).plan([row(7, Name="Jo", **{"E-mail": "jo@x.example"})], set()).rows
    assert without_column.reason == "row 7 has no campaign: add a Campaign column or choose a campaign for the import"
    (empty_cell,) = planner(WITH_CAMPAIGN).plan([row(7, Name="Jo", **{"E-mail": "jo@x.example"})], set()).rows
    assert empty_cell.reason == "row 7 has no campaign: fill in its Campaign cell or choose a campaign for the import"


def test_rows_match_pitches_by_email_within_their_campaign() -> None:
    annie = ExistingPitch("p1", "c1", "annie@x.example", {"pitch.status": "sent", "pitch.email": "annie@x.example"})
    plan = planner(WITH_CAMPAIGN, pitches=[annie]).plan(
        [
            row(2, Campaign="autumn PUSH", **{"E-mail": "Annie@x.example"}, Status="Interested"),
            row(3, Campaign="Autumn push", **{"E-mail": "annie@x.example"}),
            row(4, Campaign="Spring", **{"E-mail": "annie@x.example"}),
        ],
        set(),
    )
    matched, repeated, other_campaign = plan.rows
    assert (matched.action, matched.pitch_id, matched.changes) == ("update", "p1", {"pitch.status": "interested"})
    assert (repeated.action, repeated.reason) == ("skip", "row 3 has the same e-mail as row 2 in 'Autumn push'")
    assert (other_campaign.action, other_campaign.campaign) == ("create", CampaignChoice("Spring"))


def test_a_row_already_linked_is_left_alone() -> None:
    linked = ProviderRow(2, "p1", {"E-mail": "annie@x.example"})
    (done,) = planner(HER_COLUMNS).plan([linked], {"p1"}).rows
    assert (done.action, done.reason) == ("skip", "row 2 is already in Tracker")


def test_a_bad_cell_names_its_row_and_column() -> None:
    fallback = CampaignChoice("Autumn push", "c1")
    (bad,) = (
        planner(HER_COLUMNS, fallback=fallback).plan([row(5, **{"E-mail": "x@x.example"}, Status="Maybe")], set()).rows
    )
    assert bad.action == "skip"
    assert bad.reason.startswith("row 5, Status: 'Maybe' is not a known status")
