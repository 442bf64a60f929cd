"""`make demo` keeps working: the demo's steps, run against the session's local stack, all pass."""

from __future__ import annotations

import uuid

from local_stack.demo import run_demo
from local_stack.server import RunningStack
from tests.support.waiting import wait_until


def _drain_sync_jobs(stack: RunningStack, user: str, *, within: float = 10.0) -> None:
    """Run what the demo left queued (Drive reports the last sync's own write, so one more sync is due a few
    seconds later): later tests that count the queue's messages must not see it arrive mid-test. Only the
    demo user's jobs are waited for: an earlier test may leave a retry delayed by a provider's Retry-After."""
    wait_until(
        lambda: not any(queued.body.get("user_id") == user for queued in stack.stack.queued_messages("SyncJobsQueue")),
        "the demo's queued sync jobs to run",
        within=within,
        between=stack.stack.run_queued_jobs,
    )


def test_every_step_of_the_demo_script_passes(stack: RunningStack) -> None:
    # GIVEN a fresh agency user (other tests share the stack, so the name is unique)
    printed: list[str] = []
    # WHEN the demo script runs, from connecting Google Sheets to the Gmail reply
    user = f"demo-{uuid.uuid4().hex[:10]}"
    results = run_demo(stack, user=user, out=printed.append)
    _drain_sync_jobs(stack, user)
    # THEN every step passed (the script stops at a failing one, whose line says why)
    transcript = "\n".join(printed)
    assert results, transcript
    assert all(result.passed for result in results), transcript
    assert results[-1].title == "Integration cards", transcript
    # AND it starts from the user's existing sheet: the first sync proposes the import, previewed before it runs
    titles = [result.title for result in results]
    assert (
        titles.index("The first sync proposes an import") < titles.index("Preview the import") < titles.index("Import")
    )
    # AND the changes that travel by themselves (pushes, the stream) arrived while the demo waited, with no
    # scheduled sync; how many seconds they took is the demo's printed figure, not asserted on a shared machine
    waited = {result.title for result in results if result.seconds is not None}
    assert {"Tracker knows", "Annie Mac replies", "A pitch bounces"} <= waited, transcript
    # AND Airtable's edits travel both ways by themselves too (its webhook ping; Tracker's table stream)
    assert {"Tracker follows Airtable", "Airtable follows Tracker"} <= waited, transcript
