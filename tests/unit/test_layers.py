"""The library's layers: no import cycle, and the lower layers never import upwards.

Every ``import``/``from ... import`` of every module of ``workflow/lib/cgexplain`` is
read with :mod:`ast`, those inside functions included (a lazy import is still a
dependency). A module is a node; ``from cgexplain.a import b`` is an edge to
``cgexplain.a.b`` when that is a module, else to ``cgexplain.a``. A top-level package
(``cgexplain.md``, ``cgexplain.lrp``, ``cgexplain.io`` ...) is the module's first two
name parts.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

import pytest

LIB = Path(__file__).resolve().parents[2] / "workflow" / "lib"

#: what :mod:`cgexplain.potentials` may import of the library (besides itself): the
#: package root (the SchNetPack shim) and the leaf modules below it
POTENTIALS_MAY_IMPORT = {
    "cgexplain",
    "cgexplain._compat",
    "cgexplain.settings",
    "cgexplain.config",
    "cgexplain.units",
    "cgexplain.columns",
    "cgexplain.runlog",
    "cgexplain.errors",
    "cgexplain.potentials",
}
#: packages above :mod:`cgexplain.potentials` and :mod:`cgexplain.settings`
UPPER = ("cgexplain.md", "cgexplain.lrp", "cgexplain.cg", "cgexplain.io", "cgexplain.analysis",
         "cgexplain.plots")  # fmt: skip

#: package edges known to point upwards and not yet removed (each closes a package
#: cycle); the test fails once one is gone, so that it is taken off this list (none left:
#: the configuration checks read the liquid builders from :mod:`cgexplain.liquids`)
KNOWN_UPWARD: set[tuple[str, str]] = set()


def module_files(root: Path = LIB) -> dict[str, Path]:
    """Dotted module name -> file, for every module of the library."""
    modules = {}
    for path in sorted((root / "cgexplain").rglob("*.py")):
        parts = list(path.relative_to(root).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        modules[".".join(parts)] = path
    return modules


def _owner(name: str, modules: Iterable[str]) -> str | None:
    """The longest module that ``name`` is or lies in; None outside the library."""
    while name and name not in modules:
        name = name.rpartition(".")[0]
    return name or None


def imports_of(module: str, path: Path, modules: Mapping[str, Path]) -> set[str]:
    """The library modules that ``module`` imports, anywhere in its file."""
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parts = parts[: len(parts) - (node.level - 1)]
                base = ".".join([*parts, base] if base else parts)
            names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                     for alias in node.names]  # fmt: skip
        else:
            continue
        for name in names:
            if name == "cgexplain" or name.startswith("cgexplain."):
                if name not in modules:
                    raise AssertionError(f"{module} imports {name}, which is not a module")
                found.add(name)
    found.discard(module)
    return found


def import_graph(root: Path = LIB) -> dict[str, set[str]]:
    """Module -> the library modules it imports."""
    modules = module_files(root)
    return {module: imports_of(module, path, modules) for module, path in modules.items()}


def package_of(module: str) -> str:
    """``cgexplain.md.sampling`` -> ``cgexplain.md``; ``cgexplain.io`` -> itself."""
    return ".".join(module.split(".")[:2])


def cycles(graph: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan), sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in graph.get(node, ()):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                other = stack.pop()
                on_stack.discard(other)
                component.append(other)
                if other == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def package_graph(graph: Mapping[str, Iterable[str]], skip=frozenset()) -> dict[str, set[str]]:
    """Top-level package -> the packages it imports; ``skip``: (module, module) edges left out."""
    packages: dict[str, set[str]] = {}
    for module, targets in graph.items():
        for target in targets:
            if (module, target) in skip or package_of(target) == package_of(module):
                continue
            packages.setdefault(package_of(module), set()).add(package_of(target))
    return packages


@pytest.fixture(scope="module")
def graph() -> dict[str, set[str]]:
    return import_graph()


def test_the_graph_sees_lazy_and_relative_imports(graph):
    assert "cgexplain.potentials.fast_so3" in graph["cgexplain.potentials.loading"]  # lazy
    assert "cgexplain.lrp.adapters.base" in graph["cgexplain.lrp.adapters.painn"]
    assert package_of("cgexplain.md.sampling") == "cgexplain.md"
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_import_cycle_between_modules(graph):
    assert cycles(graph) == []


def test_no_import_cycle_between_packages(graph):
    assert cycles(package_graph(graph, skip=KNOWN_UPWARD)) == []
    still_there = {edge for edge in KNOWN_UPWARD if edge[1] in graph.get(edge[0], ())}
    assert still_there == KNOWN_UPWARD, "a known upward import is gone: drop it from the list"


def test_potentials_imports_only_the_layers_below_it(graph):
    upward = {
        module: sorted(t for t in targets if package_of(t) not in POTENTIALS_MAY_IMPORT)
        for module, targets in graph.items()
        if package_of(module) == "cgexplain.potentials"
    }
    assert {k: v for k, v in upward.items() if v} == {}


def test_potentials_and_settings_import_nothing_above_them(graph):
    upward = {
        module: sorted(t for t in targets if package_of(t) in UPPER)
        for module, targets in graph.items()
        if package_of(module) in ("cgexplain.potentials", "cgexplain.settings")
    }
    assert {k: v for k, v in upward.items() if v} == {}
