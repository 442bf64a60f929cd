"""Which of a two-way sync's flows run: the Configure screen's "Sync options". All run unless turned off."""

from pydantic import BaseModel, ConfigDict


class SyncOptions(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    # "New campaigns → new rows": a pitch new to the sync is appended as a row.
    new_records_to_rows: bool = True
    # "Status updates → update rows": a change made in Tracker is written into the pitch's row.
    tracker_updates_to_rows: bool = True
    # "Sheet edits → update Tracker": an edited row changes its pitch, and a new row adds one.
    row_edits_to_tracker: bool = True
