"""The package's import graph, read from the source: layers, circles, private imports, long functions.

``python -m autometa.testing.imports`` prints the counts; ``tests/test_architecture.py``
fails on any circle, upward import or private cross-package import. The layers are
those of docs/architecture.md (:data:`LAYERS`, lowest first): a package may import
its own layer's foundation and anything below it, never above.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

__all__ = ["LAYERS", "Import", "circles", "imports", "long_functions", "private_imports", "upward_imports"]

ROOT = Path(__file__).resolve().parents[1]

#: package (first name under ``autometa``) -> layer; a package imports only from layers below its own
#: (and from itself). Equal layers do not import each other.
LAYERS: dict[str, int] = {
    "exceptions": 0, "_paths": 0, "_version": 0, "_interrupt": 0, "_io": 0, "_startup": 0,
    "_rules": 1, "_signing": 1, "metrics": 1,
    "metafeatures": 2, "pipelines": 2, "scoring": 2,
    "tasks": 3,
    "representations": 4, "maml": 4,
    "knowledge": 5,
    "metalearn": 6,
    "search": 7,
    "estimators": 8,
    "__init__": 9,
    "cli": 10, "testing": 10,
}


@dataclass(frozen=True)
class Import:
    """``source`` (a module, dotted) imports ``target`` (a module, dotted) at ``line``; ``names`` imported from it."""

    source: str
    target: str
    line: int
    names: tuple[str, ...]
    in_function: bool


def _module_name(path: Path, root: Path = ROOT) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def package_of(module: str) -> str:
    """``autometa.search._cost`` -> ``search``; ``autometa`` -> ``__init__``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _walk(tree: ast.AST) -> Iterator[tuple[ast.AST, bool]]:
    """Every node, with whether it sits inside a function (``TYPE_CHECKING`` blocks are skipped)."""
    stack: list[tuple[ast.AST, bool]] = [(tree, False)]
    while stack:
        node, inside = stack.pop()
        yield node, inside
        for child in ast.iter_child_nodes(node):
            if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.dump(node.test):
                continue
            stack.append((child, inside or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))))


def imports(root: Path = ROOT) -> list[Import]:
    """Every import of an ``autometa`` module by an ``autometa`` module."""
    found = []
    for path in sorted(root.rglob("*.py")):
        source = _module_name(path, root)
        is_package = path.name == "__init__.py"
        tree = ast.parse(path.read_text(), filename=str(path))
        for node, inside in _walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("autometa"):
                        found.append(Import(source, alias.name, node.lineno, (), inside))
            elif isinstance(node, ast.ImportFrom):
                if node.level:
                    base = source.split(".")[: len(source.split(".")) - node.level + is_package]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                if not target.startswith("autometa"):
                    continue
                names = tuple(a.name for a in node.names)
                # ``from autometa.search import _cost``: the submodule is the target
                modules = [n for n in names if (root.parent / (target + "." + n).replace(".", "/")).with_suffix(
                    ".py").exists() or (root.parent / (target + "." + n).replace(".", "/") / "__init__.py").exists()]
                for n in modules:
                    found.append(Import(source, f"{target}.{n}", node.lineno, (), inside))
                rest = tuple(n for n in names if n not in modules)
                if rest or not modules:
                    found.append(Import(source, target, node.lineno, rest, inside))
    return found


def upward_imports(found: list[Import]) -> list[Import]:
    """Imports from a package of a higher layer (or another package of the same layer)."""
    out = []
    for imp in found:
        a, b = package_of(imp.source), package_of(imp.target)
        if a != b and LAYERS.get(b, 99) >= LAYERS.get(a, -1):
            out.append(imp)
    return out


def private_imports(found: list[Import]) -> list[Import]:
    """Imports of another package's private module (``autometa.knowledge._evaluate``) or private name."""
    out = []
    for imp in found:
        a, b = package_of(imp.source), package_of(imp.target)
        if a == b or b.startswith("_"):  # the private foundation modules are shared by design
            continue
        parts = imp.target.split(".")[2:]
        if any(p.startswith("_") for p in parts) or any(n.startswith("_") for n in imp.names):
            out.append(imp)
    return out


def circles(found: list[Import]) -> list[list[str]]:
    """Package-level cycles (strongly connected components of more than one package)."""
    graph: dict[str, set[str]] = {}
    for imp in found:
        a, b = package_of(imp.source), package_of(imp.target)
        if a != b:
            graph.setdefault(a, set()).add(b)
            graph.setdefault(b, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def long_functions(root: Path = ROOT, limit: int = 80) -> list[tuple[str, str, int]]:
    """``(module, function, lines)`` of every function longer than ``limit`` lines (docstring included)."""
    out = []
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.end_lineno:
                n = node.end_lineno - node.lineno + 1
                if n > limit:
                    out.append((_module_name(path), node.name, n))
    return out


def main() -> None:
    found = imports()
    up, private, cycles = upward_imports(found), private_imports(found), circles(found)
    print(f"imports of autometa modules: {len(found)} ({sum(i.in_function for i in found)} inside functions)")
    print(f"package circles: {len(cycles)} {cycles}")
    print(f"upward imports: {len(up)}")
    for imp in up:
        print(f"  {imp.source}:{imp.line} -> {imp.target} {', '.join(imp.names)}")
    print(f"private cross-package imports: {len(private)}")
    for imp in private:
        print(f"  {imp.source}:{imp.line} -> {imp.target} {', '.join(imp.names)}")
    long = long_functions()
    print(f"functions over 80 lines: {len(long)}")
    if "-v" in sys.argv:
        for mod, fn, n in long:
            print(f"  {mod}.{fn}: {n}")


if __name__ == "__main__":
    main()
