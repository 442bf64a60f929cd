"""Running a probe in a new interpreter, as a Lambda cold start does, with the layer and functions on its path."""

from __future__ import annotations

import os
import subprocess
import sys

from local_stack.template import REPO_ROOT


def fresh_interpreter(probe: str, **environment: str) -> str:
    """The last line `probe` prints, run in a new interpreter with only `environment` beside the paths."""
    path = os.pathsep.join([str(REPO_ROOT), str(REPO_ROOT / "layers" / "common")])
    out = subprocess.run(  # noqa: S603 - our own interpreter and probe
        [sys.executable, "-c", probe],
        cwd=REPO_ROOT,
        env={"PATH": os.environ.get("PATH", ""), "PYTHONPATH": path, **environment},  # noqa: TID251 - a fresh interpreter's path
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip().splitlines()[-1]
