"""`make bench`: every benchmark, each figure beside its goal."""

from __future__ import annotations

import sys

from bench import cost, engine, fanout, gmail_push, import_time, replies, sheets_sync
from bench.results import RESULTS_PATH, write


def main() -> int:
    figures = import_time.run() + engine.run() + sheets_sync.run() + fanout.run() + cost.run() + replies.run()
    figures += gmail_push.run()
    for figure in figures:
        print(figure.line())
    write(figures)
    print(f"\nwritten to {RESULTS_PATH.relative_to(RESULTS_PATH.parents[1])}")
    return 0 if all(f.met for f in figures) else 1


if __name__ == "__main__":
    sys.exit(main())
