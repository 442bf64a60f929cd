"""Which imitated routes anything calls: `python -m provider_sandbox.route_audit <log> [<log> ...]`.

Reads request logs written with SANDBOX_REQUEST_LOG (request_log.py) and prints every route the sandbox
registers, one line per method, in three groups: called by the product (Tracker's HTTP client), called only
by tests and provider client libraries (with the tests), called by nobody. A route nobody calls imitates
something the product never needs.
"""

import argparse
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from provider_sandbox.app import ProviderSandbox
from provider_sandbox.request_log import LoggedRequest, caller_of, read_request_log

# werkzeug answers HEAD and OPTIONS for every rule itself; they are no route of ours.
_IMPLICIT_METHODS = {"HEAD", "OPTIONS"}


@dataclass
class RouteUse:
    method: str
    host: str
    rule: str
    product_calls: int = 0
    other_calls: int = 0
    # test node id -> how many of its requests were not the product's
    other_tests: Counter[str] = field(default_factory=Counter)

    @property
    def name(self) -> str:
        return f"{self.method} {self.host}{self.rule}"


def route_uses(logged: Iterable[LoggedRequest]) -> tuple[list[RouteUse], list[LoggedRequest]]:
    """Every registered route with its calls, and the logged requests no registered route matched."""
    uses = {
        (method, route.host, route.path): RouteUse(method, route.host, route.path)
        for route in ProviderSandbox().router.routes()
        for method in route.methods
        if method not in _IMPLICIT_METHODS
    }
    unmatched: list[LoggedRequest] = []
    for request in logged:
        method = "GET" if request.method == "HEAD" else request.method
        use = uses.get((method, request.host, request.rule or ""))
        if use is None:
            unmatched.append(request)
        # From the agent rather than the logged caller, so a log written before the rule last changed reads right.
        elif caller_of(request.user_agent) == "product":
            use.product_calls += 1
        else:
            use.other_calls += 1
            use.other_tests[request.test or "(no test running)"] += 1
    return sorted(uses.values(), key=lambda use: (use.host, use.rule, use.method)), unmatched


def report(uses: Sequence[RouteUse], unmatched: Sequence[LoggedRequest], *, test_files_only: bool) -> str:
    product = [use for use in uses if use.product_calls]
    tests_only = [use for use in uses if not use.product_calls and use.other_calls]
    nobody = [use for use in uses if not use.product_calls and not use.other_calls]
    lines = [
        f"{len(uses)} routes: {len(product)} called by the product, {len(tests_only)} only by tests, "
        f"{len(nobody)} by nobody",
        "",
        "Called by the product (product calls / other calls):",
    ]
    lines += [f"  {use.name}  {use.product_calls} / {use.other_calls}" for use in product]
    lines += ["", "Called only by tests and client libraries (calls, then the tests):"]
    for use in tests_only:
        lines.append(f"  {use.name}  {use.other_calls}")
        tests = Counter[str]()
        for test, calls in use.other_tests.items():
            tests[test.split("::", 1)[0] if test_files_only else test] += calls
        lines += [f"      {test} ({calls})" for test, calls in sorted(tests.items())]
    lines += ["", "Called by nobody:"]
    lines += [f"  {use.name}" for use in nobody]
    if unmatched:
        lines += ["", "Requests no route matched (method host path-rule caller: count):"]
        counted = Counter(f"{r.method} {r.host} {r.rule} {r.caller}" for r in unmatched)
        lines += [f"  {key}: {count}" for key, count in sorted(counted.items())]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Which sandbox routes the product and the tests call.")
    parser.add_argument("logs", nargs="+", type=Path, help="files written with SANDBOX_REQUEST_LOG")
    parser.add_argument("--test-files", action="store_true", help="name test files rather than single tests")
    args = parser.parse_args(argv)
    logged = [request for path in args.logs for request in read_request_log(path)]
    uses, unmatched = route_uses(logged)
    print(report(uses, unmatched, test_files_only=args.test_files))


if __name__ == "__main__":
    main()
