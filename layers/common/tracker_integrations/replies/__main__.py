"""``python -m tracker_integrations.replies FILE.eml [FILE.eml ...]``: one JSON line per file."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path

from tracker_integrations.replies.classifier import classify_raw

USAGE = "usage: python -m tracker_integrations.replies FILE.eml [FILE.eml ...]"


def main(argv: Sequence[str] | None = None) -> int:
    """Print one JSON object per readable file; exit 1 if any file could not be read, 2 on bad usage."""
    paths = list(sys.argv[1:] if argv is None else argv)
    if not paths or any(p in {"-h", "--help"} for p in paths):
        print(USAGE, file=sys.stderr)
        return 2 if not paths else 0
    status = 0
    for name in paths:
        try:
            raw = Path(name).read_bytes()
        except OSError as exc:
            print(f"error: cannot read {name}: {exc.strerror or type(exc).__name__}", file=sys.stderr)
            status = 1
            continue
        result = classify_raw(raw)
        print(json.dumps({"file": name, **result.model_dump(mode="json")}, ensure_ascii=False), flush=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
