"""The pure parts of an Airtable sync: webhook payloads applied to the cached table, and the mapping's type
checks."""

from __future__ import annotations

from typing import Any

import pytest

from tracker_integrations.errors import ValidationFailed
from tracker_integrations.providers.airtable.setup import check_mapping, table_of
from tracker_integrations.providers.airtable.store import CachedRecord, RecordCache
from tracker_integrations.providers.airtable.sync import apply_payloads, cell_text
from tracker_integrations.sync.mapping import ColumnMapping, SyncMapping

TABLE = "tblPitches1"


def test_payloads_create_change_clear_and_destroy_records_in_order() -> None:
    # GIVEN a cached table of two linked records
    cache = RecordCache(
        records={
            "rec1": CachedRecord("pit_1", {"fldStatus": "Sent", "fldNotes": "hi"}),
            "rec2": CachedRecord("pit_2", {"fldStatus": "Sent"}),
        }
    )
    payloads: list[dict[str, Any]] = [
        {
            "changedTablesById": {
                TABLE: {"changedRecordsById": {"rec1": {"current": {"cellValuesByFieldId": {"fldStatus": "Replied"}}}}}
            }
        },
        {
            "changedTablesById": {
                TABLE: {
                    "changedRecordsById": {
                        "rec1": {"current": {"cellValuesByFieldId": {"fldNotes": None, "fldOther": 3}}}
                    }
                }
            }
        },
        {
            "changedTablesById": {
                TABLE: {"createdRecordsById": {"rec3": {"cellValuesByFieldId": {"fldStatus": "Sent"}}}}
            }
        },
        {"changedTablesById": {TABLE: {"destroyedRecordIds": ["rec2"]}}},
        {"changedTablesById": {"tblOther1": {"destroyedRecordIds": ["rec1"]}}},
    ]
    # WHEN they are applied
    touched = apply_payloads(cache, payloads, TABLE, {"fldStatus", "fldNotes"})
    # THEN the later change wins, a cleared cell is gone, unmapped fields and other tables are ignored
    assert touched == 3
    assert cache.records["rec1"] == CachedRecord("pit_1", {"fldStatus": "Replied"})
    assert cache.records["rec3"] == CachedRecord(None, {"fldStatus": "Sent"})
    assert "rec2" not in cache.records


def test_cell_values_read_as_text() -> None:
    assert cell_text(["a", "b"]) == "a, b"
    assert cell_text({"name": "Dan"}) == "Dan"
    assert cell_text(True) == "true"
    assert cell_text(3.5) == 3.5


_SCHEMA = table_of(
    {
        "id": TABLE,
        "name": "Pitches",
        "fields": [
            {
                "id": "fldStatus",
                "name": "Status",
                "type": "singleSelect",
                "options": {"choices": [{"name": "Sent"}, {"name": "Yes!"}]},
            },
            {"id": "fldBudget", "name": "Budget", "type": "number"},
            {"id": "fldLink", "name": "Campaign", "type": "multipleRecordLinks", "options": {"linkedTableId": "tblC1"}},
        ],
        "views": [],
    }
)


def test_a_single_select_maps_to_the_status_only_when_every_choice_reads_as_one() -> None:
    loose = SyncMapping(columns=[ColumnMapping(header="Status", field="pitch.status")])
    with pytest.raises(ValidationFailed, match="'Yes!'"):
        check_mapping(loose, _SCHEMA, strict=True)
    mapped = SyncMapping(
        columns=[ColumnMapping(header="Status", field="pitch.status", value_map={"Yes!": "interested"})]
    )
    assert check_mapping(mapped, _SCHEMA, strict=True) == {"Status": "fldStatus"}


def test_numbers_cannot_be_mapped_and_linked_records_only_into_tracker_text() -> None:
    with pytest.raises(ValidationFailed, match="number field"):
        check_mapping(SyncMapping(columns=[ColumnMapping(header="Budget", field="pitch.notes")]), _SCHEMA, strict=False)
    # GIVEN a linked-record field: WHEN mapped so that Tracker would write it THEN it is refused as read-only
    with pytest.raises(ValidationFailed, match="'Campaign' is read-only because it links to another table"):
        check_mapping(
            SyncMapping(columns=[ColumnMapping(header="Campaign", field="campaign.title")]), _SCHEMA, strict=False
        )
    # WHEN mapped one way into a Tracker text field THEN it is accepted; not into a status
    one_way = ColumnMapping(header="Campaign", field="pitch.outlet", direction="from_provider")
    assert check_mapping(SyncMapping(columns=[one_way]), _SCHEMA, strict=True) == {"Campaign": "fldLink"}
    status = ColumnMapping(header="Campaign", field="pitch.status", direction="from_provider")
    with pytest.raises(ValidationFailed, match="cannot hold status"):
        check_mapping(SyncMapping(columns=[status]), _SCHEMA, strict=False)
