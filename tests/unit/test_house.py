"""The shape of the house (DESIGN.md): imports flow one way and nothing imports itself round.

    stacks/   the Pulumi program: imports nothing of the auditor
    checks/   model, sources, check library: imports nothing above it
    policies/ the assessment: imports checks/ only
    reports/  renderers: import policies/ and checks/, never scripts/
    scripts/  the command: wires everything except stacks/

Every import statement counts, wherever it sits (inside a function, or under TYPE_CHECKING):
the graph is read from the source, not from what happens to run.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
AUDITOR = ("checks", "policies", "reports", "scripts")
MAY_IMPORT = {
    "checks": {"checks"},
    "policies": {"checks", "policies"},
    "reports": {"checks", "policies", "reports"},
    "scripts": {"checks", "policies", "reports", "scripts"},
}


def _modules() -> dict[str, Path]:
    """Every module of the house by its import name. The stacks' modules are imported with
    stacks/ on the path (as Pulumi runs the program), so `billing.network`, `hardening`."""
    found = {}
    for top in AUDITOR:
        for path in (REPO / top).rglob("*.py"):
            name = ".".join(path.relative_to(REPO).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    for path in (REPO / "stacks").rglob("*.py"):
        name = ".".join(path.relative_to(REPO / "stacks").with_suffix("").parts)
        found["stacks:" + name.removesuffix(".__init__")] = path
    return found


def _imported(module: str, path: Path) -> Iterator[str]:
    """The dotted names a module's import statements name (relative ones resolved)."""
    package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package[: len(package) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def _graph() -> dict[str, set[str]]:
    """Module → the modules of the house it imports, parent packages included (importing
    a.b.c runs a/__init__.py and a/b/__init__.py first)."""
    modules = _modules()
    edges: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        prefix = "stacks:" if name.startswith("stacks:") else ""
        own = name.removeprefix(prefix)
        for target in _imported(own, path):
            parts = target.split(".")
            for i in range(1, len(parts) + 1):
                candidate = prefix + ".".join(parts[:i])
                if candidate in modules and candidate != name:
                    edges[name].add(candidate)
    return edges


def _imports_against_the_flow() -> list[str]:
    wrong = []
    for name, path in _modules().items():
        own = name.removeprefix("stacks:")
        layer = "stacks" if name.startswith("stacks:") else name.split(".")[0]
        allowed = set() if layer == "stacks" else MAY_IMPORT[layer]
        for target in set(_imported(own, path)):
            top = target.split(".")[0]
            if top in AUDITOR + ("stacks",) and top not in allowed and top != layer:
                wrong.append(f"{path.relative_to(REPO)} imports {target}")
            if layer == "stacks" and top in AUDITOR:
                wrong.append(f"{path.relative_to(REPO)} imports {target}")
    return sorted(set(wrong))


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
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
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
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
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_imports_flow_one_way():
    assert _imports_against_the_flow() == []


def test_no_module_imports_itself_round():
    assert _cycles(_graph()) == []


def test_a_service_module_of_checks_imports_no_other_service_module():
    # Shared helpers live in checks/support; a check needing another's judgement calls a shared
    # predicate there, never the other check.
    edges = _graph()
    service = {name for name in edges if name.startswith("checks.aws.")}
    crossing = sorted(f"{a} -> {b}" for a in service for b in edges[a] if b in service)
    assert crossing == []


def test_the_checker_sees_a_cycle_and_a_wrong_import():
    # The test above must be able to fail: a made-up graph with a cycle is caught.
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []
    edges = _graph()
    assert "checks.registry" in edges["checks.evaluate"]
