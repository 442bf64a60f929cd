"""`make bench`: every benchmark, each figure beside its goal."""

from __future__ import annotations

import sys

from bench import (
    airtable,
    cold_start,
    cost,
    engine,
    fanout,
    gmail_push,
    push_delivery,
    rate_limits,
    replies,
    sheets_sync,
    teams,
)
from bench.results import RESULTS_PATH, Figure, write

# One benchmark a line, so adding one is a one-line change.
BENCHMARKS = (
    cold_start,
    engine,
    sheets_sync,
    fanout,
    cost,
    replies,
    gmail_push,
    push_delivery,
    rate_limits,
    teams,
    airtable,
)


def main() -> int:
    figures: list[Figure] = []
    for benchmark in BENCHMARKS:
        figures += benchmark.run()
    for figure in figures:
        print(figure.line())
    write(figures)
    print(f"\nwritten to {RESULTS_PATH.relative_to(RESULTS_PATH.parents[1])}")
    return 0 if all(f.met for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
