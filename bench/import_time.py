"""Cold import time of every Lambda handler module, each in a fresh interpreter.

Cold starts are paid on user-facing routes, so each handler must import in under 250 ms here, and
must not load provider modules (httpx clients, provider hooks) until a request needs them.
The probes run in a virtual environment holding exactly what the Lambda layer ships
(layers/common/requirements.txt), not the dev environment with its test and build tools.
"""

from __future__ import annotations

import hashlib
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

from bench.results import Figure
from local_stack.template import REPO_ROOT, HandlerRef, functions

RUNS = 7
GOAL_MS = 250.0

_PROBE = """
import json, sys, time
start = time.perf_counter()
import {module}
elapsed = (time.perf_counter() - start) * 1000
providers = sorted(m for m in sys.modules if m.startswith("tracker_integrations.providers.") and m.count(".") >= 3)
print(json.dumps({{"ms": elapsed, "providers": providers}}))
"""


def handler_modules() -> dict[str, str]:
    return {
        name: HandlerRef(code_uri=str(f["Properties"]["CodeUri"]), handler=str(f["Properties"]["Handler"])).module
        for name, f in functions().items()
    }


def lambda_python() -> Path:
    """The interpreter of a venv with the layer's requirements, (re)built when they change."""
    venv = REPO_ROOT / ".bench" / "lambda-venv"
    requirements = REPO_ROOT / "layers" / "common" / "requirements.txt"
    digest = hashlib.sha256(requirements.read_bytes()).hexdigest()
    stamp = venv / ".requirements-sha256"
    python = venv / "bin" / "python"
    if not python.exists() or not stamp.exists() or stamp.read_text() != digest:
        print("building .bench/lambda-venv from layers/common/requirements.txt ...", flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "--quiet", "-r", str(requirements)], check=True)
        stamp.write_text(digest)
    return python


def measure(python: Path, module: str) -> tuple[float, list[str]]:
    samples: list[float] = []
    providers: list[str] = []
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": f"{REPO_ROOT / 'layers' / 'common'}{os.pathsep}{REPO_ROOT}"}
    for _ in range(RUNS):
        out = subprocess.run(
            [str(python), "-c", _PROBE.format(module=module)],
            cwd=REPO_ROOT,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        result = json.loads(out.strip().splitlines()[-1])
        samples.append(float(result["ms"]))
        providers = list(result["providers"])
    return statistics.median(samples), providers


def run() -> list[Figure]:
    figures: list[Figure] = []
    python = lambda_python()
    for name, module in sorted(handler_modules().items()):
        median_ms, providers = measure(python, module)
        figures.append(
            Figure(
                name=f"cold import {name} (median of {RUNS})",
                value=round(median_ms, 1),
                unit="ms",
                goal=f"< {GOAL_MS:.0f} ms",
                met=median_ms < GOAL_MS and not providers,
            )
        )
        if providers:
            print(f"  {name} loads provider modules at import: {', '.join(providers)}")
    return figures
