"""The sandbox's modules import in one direction: no cycle between the app, the controls and the providers.

Each provider module registers its own routes and controls on the router, so nothing needs to import back.
"""

from __future__ import annotations

import grimp


def _cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each a cycle of imports."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group: list[str] = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for module in sorted(graph.modules):
        if module not in index:
            visit(module)
    return groups


def test_the_sandbox_has_no_import_cycle() -> None:
    # GIVEN the sandbox's import graph WHEN its cycles are looked for THEN there are none
    graph = grimp.build_graph("provider_sandbox")
    assert "provider_sandbox.control" in graph.modules
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    # GIVEN a graph where a imports b and b imports a WHEN cycles are looked for THEN that one is found
    graph = grimp.ImportGraph()
    graph.add_import(importer="pkg.a", imported="pkg.b")
    graph.add_import(importer="pkg.b", imported="pkg.a")
    graph.add_import(importer="pkg.c", imported="pkg.a")
    assert _cycles(graph) == [["pkg.a", "pkg.b"]]
