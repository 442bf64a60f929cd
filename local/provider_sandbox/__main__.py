"""Run the sandbox on its own: `python -m provider_sandbox --port 8081` (clients via the control API)."""

import argparse
import threading

from provider_sandbox.app import ProviderSandbox
from provider_sandbox.server import serve


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the provider sandbox over HTTP.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8081)
    parser.add_argument("--mount", default="/sandbox")
    args = parser.parse_args()
    running = serve(ProviderSandbox(), args.host, args.port, mount=args.mount, log_requests=True)
    print(f"provider sandbox at {running.public_base_url} (control API: {running.public_base_url}/_control/)")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        running.stop()


if __name__ == "__main__":
    main()
