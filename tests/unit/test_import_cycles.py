"""No import cycles inside ``creditbank``: each module can be understood, tested and moved apart.

grimp (import-linter's graph) reads every import statement of the package; the strongly
connected components of that graph with more than one module (or a module importing itself)
are the cycles. Imports under ``if TYPE_CHECKING:`` are left out: they never run, so they
cannot make an import order matter (grimp's ``exclude_type_checking_imports``). A failure
prints each cycle: its modules, one shortest loop through them, and the import lines that
make the loop.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterable, Mapping

import grimp

PACKAGE = "creditbank"


def _graph() -> grimp.ImportGraph:
    return grimp.build_graph(PACKAGE, exclude_type_checking_imports=True, cache_dir=None)


def strongly_connected(edges: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative: the components of the graph, each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    components: list[list[str]] = []
    counter = 0
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    components.append(sorted(component))
            elif child not in index:
                index[child] = low[child] = counter
                counter += 1
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(edges.get(child, ())))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return components


def shortest_loop(edges: Mapping[str, Iterable[str]], members: list[str]) -> list[str]:
    """A shortest loop from the first member back to itself, within the component."""
    inside = set(members)
    start = members[0]
    came_from: dict[str, str] = {}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        for child in sorted(edges.get(node, ())):
            if child not in inside:
                continue
            if child == start:
                path = [node]
                while path[-1] != start:
                    path.append(came_from[path[-1]])
                return [*reversed(path), start]
            if child not in came_from:
                came_from[child] = node
                queue.append(child)
    raise AssertionError(f"{start} is in no loop")  # pragma: no cover - members of an SCC


def cycles(graph: grimp.ImportGraph) -> list[list[str]]:
    """The import cycles among the package's modules: components of two or more modules, or a
    module that imports itself."""
    edges = {m: graph.find_modules_directly_imported_by(m) for m in graph.modules}
    return [
        component
        for component in strongly_connected(edges)
        if len(component) > 1 or component[0] in edges[component[0]]
    ]


def describe(graph: grimp.ImportGraph, component: list[str]) -> str:
    edges = {m: graph.find_modules_directly_imported_by(m) for m in component}
    loop = shortest_loop(edges, component)
    lines = [f"- {len(component)} modules: {', '.join(component)}", "  a loop:"]
    for importer, imported in itertools.pairwise(loop):
        details = graph.get_import_details(importer=importer, imported=imported)
        where = "; ".join(f"line {d['line_number']}: {d['line_contents']}" for d in details)
        lines.append(f"    {importer} -> {imported} ({where})")
    return "\n".join(lines)


def test_the_cycle_finder_finds_a_planted_cycle() -> None:
    graph = grimp.ImportGraph()
    for name in ("a", "b", "c", "d", "e"):
        graph.add_module(name)
    graph.add_import(importer="a", imported="b", line_number=1, line_contents="import b")
    graph.add_import(importer="b", imported="c", line_number=1, line_contents="import c")
    graph.add_import(importer="c", imported="a", line_number=1, line_contents="import a")
    graph.add_import(importer="c", imported="d", line_number=2, line_contents="import d")
    graph.add_import(importer="e", imported="e", line_number=1, line_contents="import e")
    assert cycles(graph) == [["a", "b", "c"], ["e"]]
    assert "a -> b (line 1: import b)" in describe(graph, ["a", "b", "c"])


def test_there_are_no_import_cycles() -> None:
    graph = _graph()
    found = cycles(graph)
    report = "\n".join(describe(graph, component) for component in found)
    assert not found, f"{len(found)} import cycle(s) inside {PACKAGE}:\n{report}"
