"""Benchmarks that run the real code paths in a local stack of their own (moto, sandbox, API)."""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench.results import Figure
from local_stack.server import LocalStack, serve_local_stack
from tracker_integrations.observability import logger


def in_local_stack(measure: Callable[[str, LocalStack], list[Figure]]) -> list[Figure]:
    """`measure(base_url, stack)` on a fresh local stack, stopped afterwards; the figures, not a log line per call."""
    logger.setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory() as state_dir:
        running = serve_local_stack("127.0.0.1", 0, state_dir=Path(state_dir), quiet=True)
        try:
            return measure(running.base_url, running.stack)
        finally:
            running.stop()
