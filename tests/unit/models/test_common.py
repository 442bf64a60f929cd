"""Ids sort in creation order, even within one millisecond, and are not guessable."""

from __future__ import annotations

from tracker_integrations.models.common import new_id


def test_ids_made_in_a_burst_sort_in_creation_order() -> None:
    # GIVEN a thousand ids made as fast as possible (many share a millisecond)
    ids = [new_id("cmp") for _ in range(1000)]
    # THEN sorting them gives creation order, and none repeats
    assert sorted(ids) == ids
    assert len(set(ids)) == 1000


def test_ids_carry_their_prefix_and_80_random_bits() -> None:
    first, second = new_id("pit"), new_id("pit")
    assert first.startswith("pit_")
    assert len(first) == len("pit_") + 26
    assert first != second
