"""The package layout keeps its promises: no import circle, no prefix families at the top,
and the layers import downwards only (docs/ARCHITECTURE.md)."""

from __future__ import annotations

import ast
from collections import Counter
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "wsdoctor"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {
    module_name(p): p
    for p in PACKAGE.rglob("*.py")
    if "redirect" not in p.parts  # child-side
}


def top_level_imports(name: str) -> set[str]:
    """The wsdoctor modules `name` imports when it loads (imports inside functions and under
    TYPE_CHECKING load later or never, so they cannot close a circle)."""
    path = MODULES[name]
    package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: set[str] = set()
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - (node.level - 1)]
            target = ".".join(base + ([node.module] if node.module else []))
        elif isinstance(node, ast.ImportFrom):
            target = node.module or ""
        else:
            continue
        submodules = {f"{target}.{a.name}" for a in node.names} & MODULES.keys()
        found |= submodules if len(submodules) == len(node.names) else {target} | submodules
    return {m for m in found if m in MODULES and m != name}


def cycles() -> list[list[str]]:
    """Strongly connected components of the import graph with more than one module."""
    graph = {name: top_level_imports(name) for name in MODULES}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for other in graph[node]:
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while (top := stack.pop()) != node:
                component.append(top)
            if component:
                found.append(sorted([node, *component]))

    for name in graph:
        if name not in index:
            visit(name)
    return found


def test_no_import_circle():
    assert cycles() == []


def test_no_family_of_prefixed_modules_at_the_package_top():
    stems = [p.stem for p in PACKAGE.glob("*.py") if not p.stem.startswith("_")]
    prefixes = Counter(stem.split("_")[0] for stem in stems if "_" in stem)
    assert [prefix for prefix, count in prefixes.items() if count > 1] == []


def test_the_network_boundary_and_the_renderers_import_downwards_only():
    def imports_of(package: str) -> set[str]:
        return {m for n in MODULES if n.startswith(package + ".") for m in top_level_imports(n)}

    assert {m for m in imports_of("wsdoctor.net") if m.startswith(("wsdoctor.checks",
            "wsdoctor.context", "wsdoctor.report"))} == set()  # fmt: skip
    assert {m for m in imports_of("wsdoctor.report") if m.startswith(("wsdoctor.net",
            "wsdoctor.checks"))} == set()  # fmt: skip
    assert {
        m for m in imports_of("wsdoctor.audit") if m.startswith("wsdoctor.lab.endpoints")
    } == set()
    assert {
        m for m in imports_of("wsdoctor.deepgram") if not m.startswith("wsdoctor.deepgram")
    } == set()
