"""Syncing: sync now and deletion approvals, running a queued job, the run frame, the queue-action table, imports."""
