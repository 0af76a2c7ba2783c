"""source.locations looks each path up when asked: the same places as copying every mark.

The reference below is the map the loader used to build eagerly: every file's
marks in order, a top-level key from the first file that has it, a path
inside a definition (or ``database``) only from the file that holds it, then
each mixin column under the entities that use the mixin.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from schemagen.language.messages import check_structure
from schemagen.source.loader import SECTIONS, RawFile, merge, parse_text, read_file, schema_files
from schemagen.validate.pipeline import build_source_map, prune, prune_entities_with_broken_mixins

REPO = Path(__file__).resolve().parents[2]


def _copied(raws: list[RawFile], entities: dict[str, Any]) -> dict[tuple[str, ...], Any]:
    """Every mark copied into one map, as merge and build_source_map once did."""
    located: dict[tuple[str, ...], Any] = {}
    owner: dict[tuple[str, ...], str] = {}
    for raw in raws:
        if isinstance(raw.data, dict):
            _own(raw, owner, located)
            for path, mark in raw.marks.items():
                key = path[:1] if path[0] == "database" else path[:2]
                held = len(key) == 1 and path[0] != "database"
                if path not in located and (held or owner.get(key) == raw.path):
                    located[path] = (raw.path, *mark)
    for name, spec in entities.items():
        for mixin in (spec.get("mixins") if isinstance(spec, dict) else None) or []:
            for path, place in list(located.items()):
                if path[:3] == ("mixins", str(mixin), "columns") and len(path) > 3:
                    located.setdefault(("entities", name, *path[2:]), place)
    return located


def _own(raw: RawFile, owner: dict[tuple[str, ...], str], located: dict[Any, Any]) -> None:
    """The definitions (and `database`) that ``raw`` is the first to hold."""
    for key, value in raw.data.items():
        if key == "database" and ("database",) not in owner:
            owner[("database",)] = raw.path
            located[("database",)] = (raw.path, *raw.marks.get(("database",), (1, 1)))
        elif key in SECTIONS and isinstance(value, dict):
            for name in value:
                owner.setdefault((key, name), raw.path)


def _same_places(raws: list[RawFile]) -> None:
    for raw in raws:
        check_structure(raw)
    prune(raws)
    src, _ = merge(raws)
    prune_entities_with_broken_mixins(src)
    source_map = build_source_map(src)
    expected = _copied(raws, src.entities)
    assert dict(source_map.locations.items()) == expected
    for path in {*expected, *(p + ("x",) for p in expected), ("entities", "Nowhere", "c")}:
        probe, want = path, None
        while probe and want is None:
            want, probe = expected.get(probe), probe[:-1]
        found = source_map.find(path)
        assert (None if found is None else (found.file, found.line, found.column)) == want


def _folders() -> list[Path]:
    folders = [REPO / "schema", *sorted((REPO / "tests" / "corpus").glob("*/*"))]
    return [folder for folder in folders if folder.is_dir() and schema_files(folder)]


@pytest.mark.parametrize("folder", _folders(), ids=lambda f: f"{f.parent.name}/{f.name}")
def test_schema_folders(folder: Path) -> None:
    paths = schema_files(folder)
    _same_places([read_file(p, p.relative_to(folder).as_posix())[0] for p in paths])


def test_duplicates_merge_keys_and_mixins_across_files() -> None:
    texts = {
        "a.yaml": (  # `database` from a merge list: no mark says where it is
            "base: &b {database: {name: shop}}\n<<: [*b]\n"
            "mixins:\n  Stamp:\n    columns:\n      at: {type: timestamptz}\n"
            "entities:\n  A:\n    mixins: [Stamp, Gone]\n    columns:\n      id: {type: bigint}\n"
        ),
        "b.yaml": (
            "database: {name: again}\n"
            "entities:\n  A:\n    columns:\n      id: {type: text}\n      at: {type: date}\n"
            "  B:\n    mixins: [Stamp]\n    columns:\n      at: {type: date}\n"
        ),
        "c.yaml": "enums:\n  E: {values: [x]}\nentities: [not, a, mapping]\n",
        "d.yaml": "- a list\n",
    }
    _same_places([parse_text(text, name)[0] for name, text in texts.items()])
