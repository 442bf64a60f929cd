"""In Lambda the collector is paused from the package's import to the end of the first invocation; elsewhere untouched.

Each case runs in a new interpreter: the collector's state is process-wide."""

from __future__ import annotations

from tests.support.fresh_interpreter import fresh_interpreter

_FIRST_INVOCATION = """
import gc
import tracker_integrations
from local_stack.events import LambdaContextStub
from tracker_integrations.observability import logger

@logger.inject_lambda_context
def handler(event, context):
    return gc.isenabled()

paused_at_import = not gc.isenabled()
during_first = handler({}, LambdaContextStub(function_name="f"))
after_first = gc.isenabled()
during_second = handler({}, LambdaContextStub(function_name="f"))
print(paused_at_import, during_first, after_first, during_second, gc.get_freeze_count() > 0)
"""


def test_in_lambda_the_collector_waits_for_the_end_of_the_first_invocation() -> None:
    # GIVEN Lambda's environment WHEN a handler is imported and invoked twice
    seen = fresh_interpreter(_FIRST_INVOCATION, AWS_LAMBDA_FUNCTION_NAME="f")
    # THEN paused from the import through the first invocation, running (what was built frozen) from then on
    assert seen == "True False True True True"


def test_elsewhere_the_collector_is_left_alone() -> None:
    assert fresh_interpreter(_FIRST_INVOCATION) == "False True True True False"
