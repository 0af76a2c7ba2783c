"""The package layout is the pipeline: later stages import earlier ones, never the reverse.

Every import in ``generator/schemagen`` (at module level, inside functions and
under ``TYPE_CHECKING`` alike) is read with ``ast`` and resolved to the module
it names. A test fails on an import from an earlier stage into a later one, and
on any import cycle between modules, naming the file, line and import.
"""

from __future__ import annotations

import ast
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "generator" / "schemagen"

#: The stages in pipeline order. A module may import its own stage and earlier ones.
#: The first entry is the foundation every stage may use; the last is the public edge.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("errors", "config", "findings"),
    ("util",),
    ("model",),
    ("source",),
    ("language",),
    ("normalize",),
    ("validate",),
    ("docs",),
    ("render",),
    ("operations",),
    ("diff",),
    ("revision",),
    ("live",),
    ("adopt",),
    ("seed",),
    ("prove",),
    ("check",),
    ("scaffold", "api", "cli", "__init__"),
)
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}
#: Top-level modules besides the subpackages (``__init__`` included).
MAX_TOP_LEVEL_MODULES = 8


@dataclass(frozen=True)
class Import:
    importer: str  # dotted module, e.g. "schemagen.diff.compare"
    target: str  # dotted module it names
    file: str
    line: int
    text: str

    def where(self) -> str:
        return f"{self.file}:{self.line}: {self.text}"


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {
        module_name(p): p for p in sorted(PACKAGE.rglob("*.py")) if "templates" not in p.parts
    }


def resolve(importer: str, is_package: bool, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = importer.split(".") if is_package else importer.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def imports_of(name: str, path: Path, known: dict[str, Path]) -> list[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    rel = str(path.relative_to(REPO))
    found: list[Import] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = resolve(name, path.name == "__init__.py", node)
            # ``from pkg import mod`` names the module pkg.mod when there is one.
            targets = [
                f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base
                for alias in node.names
            ]
        else:
            continue
        text = ast.get_source_segment(path.read_text(encoding="utf-8"), node) or ""
        for target in targets:
            if target == "schemagen" or target.startswith("schemagen."):
                found.append(Import(name, target, rel, node.lineno, " ".join(text.split())))
    return found


def stage(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def all_imports() -> list[Import]:
    known = modules()
    return [imp for name, path in known.items() for imp in imports_of(name, path, known)]


def test_every_stage_has_a_rank() -> None:
    stages = {stage(m) for m in modules()}
    unranked = sorted(stages - RANK.keys())
    assert not unranked, f"add these packages or modules to LAYERS in {__file__}: {unranked}"


def test_no_import_from_a_later_stage() -> None:
    wrong = [
        f"{imp.where()}  ({stage(imp.importer)} may not import the later stage "
        f"{stage(imp.target)})"
        for imp in all_imports()
        if RANK.get(stage(imp.target), 0) > RANK.get(stage(imp.importer), 0)
    ]
    assert not wrong, "imports against the pipeline order:\n" + "\n".join(wrong)


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of module names (first repeated at the end), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_no_import_cycle() -> None:
    graph: dict[str, set[str]] = {}
    where: dict[tuple[str, str], Import] = {}
    for imp in all_imports():
        if imp.target != imp.importer:
            graph.setdefault(imp.importer, set()).add(imp.target)
            where.setdefault((imp.importer, imp.target), imp)
    cycle = find_cycle(graph)
    if cycle:
        steps = [where[(a, b)].where() for a, b in zip(cycle, cycle[1:], strict=False)]
        pytest.fail("import cycle " + " -> ".join(cycle) + ":\n" + "\n".join(steps))


def test_find_cycle_names_the_cycle() -> None:
    """The checker itself can fail: a made-up api <-> loading cycle is found."""
    graph = {"schemagen.api": {"schemagen.loading"}, "schemagen.loading": {"schemagen.api"}}
    assert find_cycle(graph) == ["schemagen.api", "schemagen.loading", "schemagen.api"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_top_level_stays_small() -> None:
    top = sorted(p.name for p in PACKAGE.glob("*.py"))
    assert len(top) <= MAX_TOP_LEVEL_MODULES, f"too many top-level modules: {top}"


def test_every_subpackage_says_what_it_owns_and_is_packaged() -> None:
    packages = sorted(p.parent for p in PACKAGE.glob("*/__init__.py"))
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(pyproject["tool"]["setuptools"]["packages"])
    for init in packages:
        doc = ast.get_docstring(ast.parse((init / "__init__.py").read_text(encoding="utf-8")))
        assert doc and "Owns:" in doc and "May import:" in doc, f"{init}/__init__.py docstring"
        assert f"schemagen.{init.name}" in listed, f"schemagen.{init.name} not in pyproject"
