"""Waiting on a condition with a deadline: the one way tests wait for background work (no fixed sleeps)."""

from __future__ import annotations

import time
from collections.abc import Callable

from local_stack.server import RunningStack
from provider_sandbox.push import PushSender


def wait_until(
    condition: Callable[[], bool],
    what: str,
    *,
    within: float = 10.0,
    between: Callable[[], object] = lambda: None,
    poll: float = 0.1,
) -> None:
    """Return as soon as `condition()` holds; `between` runs before each check (flush pushes, run queued jobs).

    The deadline only bounds a hang: a test never asserts how long something took on these shared machines.
    """
    deadline = time.monotonic() + within
    while True:
        between()
        if condition():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting for {what} after {within:g} s")
        time.sleep(poll)


def deliver_pushes_and_run_jobs(stack: RunningStack) -> Callable[[], None]:
    """What happens in the background of a deployed stack: provider pushes arrive, the queue's poller runs."""
    sender = PushSender.of(stack.stack.sandbox.context)

    def step() -> None:
        sender.flush()
        stack.stack.run_queued_jobs()

    return step
