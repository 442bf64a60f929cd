"""Linked-record fields shown as the linked records' names (read-only: Tracker never writes them).

Airtable lists a link cell as the linked record ids; its webhook payloads may carry `{"id", "name"}` objects.
The cache keeps a mapped link cell as `[{"id", "name"}, ...]` in Airtable's order, so the merge reads the
names joined with ", " and an incremental run resolves only the cells that arrived without names: a run
gathers those distinct ids per linked table and reads them in batches of 100 (`filterByFormula` on
RECORD_ID(), only the primary field returned), once per run. A linked record that no longer exists is left
out. A rename in the linked table reaches the cache at the next full read of the table (at most 12 hours).
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

from tracker_integrations.models.airtable import AirtableLink
from tracker_integrations.providers.airtable.client import AirtableClient
from tracker_integrations.providers.airtable.store import RecordCache

# Airtable's record ids; anything else in a link cell is never put into a formula.
_RECORD_ID = re.compile(r"^rec[A-Za-z0-9]{3,30}$")


def _entries(cell: object) -> list[tuple[str, str | None]]:
    """A link cell's (record id, name if known), in Airtable's order."""
    entries: list[tuple[str, str | None]] = []
    for item in cell if isinstance(cell, list) else []:
        if isinstance(item, str):
            entries.append((item, None))
        elif isinstance(item, dict) and isinstance(item.get("id"), str):
            name = item.get("name")
            entries.append((item["id"], name if isinstance(name, str) else None))
    return entries


def _name(value: object) -> str:
    """A primary-field value as text (a computed primary field may hold a list)."""
    if isinstance(value, list):
        return ", ".join(_name(v) for v in value)
    if isinstance(value, dict):
        return str(value.get("name") or "")
    return "" if value is None else str(value)


def resolve_links(client: AirtableClient, base_id: str, links: dict[str, AirtableLink], cache: RecordCache) -> int:
    """Give every mapped link cell of the cache its linked records' names; the distinct ids read."""
    if not links:
        return 0
    wanted: dict[str, set[str]] = defaultdict(set)  # linked table id -> ids without a name
    for record in cache.records.values():
        for field_id, link in links.items():
            wanted[link.table_id].update(
                i for i, name in _entries(record.cells.get(field_id)) if name is None and _RECORD_ID.match(i)
            )
    primary = {link.table_id: link.primary_field_id for link in links.values()}
    names: dict[str, str] = {}
    for table_id, ids in wanted.items():
        if ids:
            read = client.primary_values(base_id, table_id, sorted(ids), primary[table_id])
            names |= {record_id: _name(value) for record_id, value in read.items()}
    for record in cache.records.values():
        for field_id in links:
            if field_id not in record.cells:
                continue
            cell: list[dict[str, Any]] = [
                {"id": i, "name": name if name is not None else names[i]}
                for i, name in _entries(record.cells[field_id])
                if name is not None or i in names
            ]
            if cell:
                record.cells[field_id] = cell
            else:
                del record.cells[field_id]  # every linked record is gone: an empty cell, as Airtable omits it
    return sum(len(ids) for ids in wanted.values())
