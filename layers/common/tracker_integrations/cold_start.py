"""The cyclic garbage collector stays out of a Lambda cold start.

Importing the handler's modules and serving its first request build hundreds of thousands of long-lived
objects (modules, classes, pydantic validators, botocore's service models), and the collector kept
walking them all as they grew: about a tenth of each function's cold start. In a Lambda environment
(`AWS_LAMBDA_FUNCTION_NAME` is one of its reserved variables) the package's import pauses the collector;
the end of the first invocation (the handler wrapper in `observability`) freezes what was built so far
out of its reach for good and resumes it, so warm invocations collect only what they create. Reference
counting frees everything else as usual meanwhile; anywhere else (tests, the local stack, tools) nothing
changes.
"""

from __future__ import annotations

import gc
import os

_paused = False


def pause() -> None:
    """Pause the collector until `resume`, in a Lambda environment only (and only if it was running)."""
    global _paused  # noqa: PLW0603 - one flag per process
    in_lambda = "AWS_LAMBDA_FUNCTION_NAME" in os.environ  # noqa: TID251 - the runtime's own variable, read before Settings exist
    if in_lambda and gc.isenabled() and not _paused:
        gc.disable()
        _paused = True


def resume() -> None:
    """After the first invocation: freeze what exists (never collected again) and resume collecting."""
    global _paused  # noqa: PLW0603
    if _paused:
        _paused = False
        gc.freeze()
        gc.enable()
