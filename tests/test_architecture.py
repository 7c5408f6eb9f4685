"""The layout rules of docs/ARCHITECTURE.md, checked on the source: data flows one way
(files → store → validation / plans → web / cli), no import cycle between modules, no module
too long."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"
PACKAGE = "vitaalkg"

#: what each layer may import (the foundation is the package root, ``config`` and ``namespaces``)
ALLOWED: dict[str, set[str]] = {
    "foundation": {"foundation"},
    "store": {"foundation", "store"},
    "validation": {"foundation", "store", "validation"},
    "plans": {"foundation", "store", "validation", "plans"},
    "web": {"foundation", "store", "validation", "plans", "web"},
    "cli": {"foundation", "store", "validation", "plans", "web", "cli"},
}
#: the SHACL engine is a library of its own: nothing from vitaalkg outside it
SHACL = f"{PACKAGE}.validation.shacl"


def layer(module: str) -> str:
    parts = module.split(".")
    if len(parts) < 2 or parts[1] in ("config", "namespaces"):
        return "foundation"
    return parts[1]


def module_name(path: Path, root: Path) -> str:
    rel = path.relative_to(root).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(path: Path, root: Path) -> list[tuple[int, str]]:
    """(line, module) for every import of the package in a file, relative ones resolved; an
    import inside a function counts as much as one at the top."""
    name = module_name(path, root)
    is_package = path.name == "__init__.py"
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == PACKAGE]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != PACKAGE:
                continue
            if node.module is None or node.level and not node.module:
                # ``from . import x``: the imported names are modules of that package
                found += [(node.lineno, f"{target}.{a.name}") for a in node.names]
            else:
                found.append((node.lineno, target))
    return found


def known_module(target: str, modules: set[str]) -> str:
    """``a.b.c`` → the longest known module prefix (``from a.b import c`` names a class)."""
    parts = target.split(".")
    while parts and ".".join(parts) not in modules:
        parts.pop()
    return ".".join(parts)


def check_tree(root: Path) -> tuple[list[str], dict[str, set[str]]]:
    """Violations of the import direction, and the module import graph, of a source tree."""
    files = sorted((root / PACKAGE).rglob("*.py"))
    modules = {module_name(f, root) for f in files}
    problems: list[str] = []
    graph: dict[str, set[str]] = {m: set() for m in modules}
    for f in files:
        source = module_name(f, root)
        for line, target in imports_of(f, root):
            target = known_module(target, modules) or target
            if target != source:
                graph[source].add(target)
            where = f"{f.relative_to(root)}:{line}"
            if layer(target) not in ALLOWED[layer(source)]:
                problems.append(f"{where}: {layer(source)} may not import {target}")
            if source.startswith(SHACL) and not target.startswith(SHACL):
                problems.append(f"{where}: the SHACL engine may not import {target}")
    return problems, graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_imports_follow_the_data_flow() -> None:
    problems, _ = check_tree(SRC)
    assert problems == []


def test_no_import_cycle_between_modules() -> None:
    _, graph = check_tree(SRC)
    # a package's __init__ re-exporting its own modules is not a cycle of the layout
    flat = {m: {t for t in ts if not (m.startswith(t + ".") or t.startswith(m + "."))}
            for m, ts in graph.items()}
    assert cycles(flat) == []


def test_every_package_says_what_it_owns() -> None:
    for init in sorted((SRC / PACKAGE).rglob("__init__.py")):
        doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
        assert doc and len(doc) > 80, f"{init}: a docstring saying what the package owns"


def test_modules_stay_small() -> None:
    for f in sorted((SRC / PACKAGE).rglob("*.py")):
        lines = len(f.read_text(encoding="utf-8").splitlines())
        limit = 400 if "validation/shacl" in f.as_posix() else 600
        assert lines <= limit, f"{f.relative_to(SRC)}: {lines} lines (at most {limit})"


@pytest.mark.parametrize(("where", "text", "expected"), [
    ("store/planted.py", "from ..plans import registry\n", "store may not import"),
    ("validation/planted.py", "from vitaalkg.web import app\n", "validation may not import"),
    ("plans/planted.py", "def f():\n    from ..cli import main\n", "plans may not import"),
    ("web/planted.py", "from .. import cli\n", "web may not import"),
    ("validation/shacl/planted.py", "from ...store import base\n", "SHACL engine may not"),
])
def test_the_check_fails_on_a_planted_wrong_import(tmp_path: Path, where: str, text: str,
                                                   expected: str) -> None:
    tree = tmp_path / PACKAGE
    for package in ("", "store", "validation", "validation/shacl", "plans", "web", "cli"):
        (tree / package).mkdir(parents=True, exist_ok=True)
        (tree / package / "__init__.py").write_text('"""x"""\n')
    for module in ("store/base.py", "plans/registry.py", "web/app.py", "cli/main.py"):
        (tree / module).write_text("")
    (tree / where).write_text(text)
    problems, _ = check_tree(tmp_path)
    assert len(problems) == 1 and expected in problems[0], problems


def test_the_cycle_check_finds_a_cycle() -> None:
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
