"""`make dev`: start the local stack and say what to open."""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading

from local_stack.server import serve_local_stack


def main() -> int:
    parser = argparse.ArgumentParser(description="Tracker Integrations local stack")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=3000)
    args = parser.parse_args()
    try:
        running = serve_local_stack(args.host, args.port)
    except OSError as exc:
        print(f"cannot listen on {args.host}:{args.port}: {exc.strerror}. Is another `make dev` running?")
        return 1
    base = running.base_url
    real = ", ".join(running.stack.real_providers) or "none (all through the sandbox)"
    print(
        f"""
Tracker Integrations local stack is up on {base}

  Web page          {base}/app            (sign in as a local user, connect providers)
  Get a token       curl '{base}/local/token?user=dan&plan=pro'
  Call the API      curl -H "Authorization: Bearer $TOKEN" {base}/api/integrations
  Provider sandbox  {base}/sandbox/_control/requests   (see local/README.md)
  Real providers    {real}

AWS (DynamoDB, KMS) is emulated in this process: data lasts until you stop it (Ctrl+C).
""",
        flush=True,
    )
    poller = running.stack.start_queue_poller()  # delivers queued sync jobs to the worker, as Lambda would
    scheduler = running.stack.start_scheduler()  # fires the tiers' schedules at their template rates
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with contextlib.suppress(KeyboardInterrupt):
        stop.wait()
    poller.set()
    scheduler.set()
    running.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
