"""Tracker integrations: the layer every function imports (see README, design)."""

from tracker_integrations import cold_start

cold_start.pause()  # first thing a handler's import runs of ours: resumed after its first invocation
