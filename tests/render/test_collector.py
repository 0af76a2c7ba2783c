"""A large models.py pauses the cycle collector while it maps its classes
(``schemagen.render.collector``): typed and lint-clean, the collector left as it
was after the import and after the mappers' configuration, and the same tables
and DDL as the plain file."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from migration_harness import load_case, schemagen, write_schema
from schemagen.render import collector

REPO = Path(__file__).resolve().parents[2]

# In a fresh process: the listeners are global to SQLAlchemy, the collector to Python.
PROBE = """
import gc, sys
sys.path.insert(0, sys.argv[1])
if sys.argv[2] == "off":
    gc.disable()
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import configure_mappers
from sqlalchemy.schema import CreateIndex, CreateTable
import generated.models as models
after_import = gc.isenabled()
configure_mappers()
dialect = postgresql.dialect()
for table in models.Base.metadata.sorted_tables:
    print(CreateTable(table).compile(dialect=dialect))
    for index in sorted(table.indexes, key=lambda ix: str(ix.name)):
        print(CreateIndex(index).compile(dialect=dialect))
print(after_import, gc.isenabled(), gc.get_freeze_count() > 0, len(models.Base.registry.mappers))
"""


def _build(root: Path, files: dict[str, str]) -> Path:
    write_schema(root, files)
    schemagen(root, "build")
    return root / "generated" / "models.py"


def _probe(root: Path, collecting: str) -> list[str]:
    out = subprocess.run([sys.executable, "-c", PROBE, str(root), collecting],
                         capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return out.stdout.splitlines()


def test_large_models_pause_the_collector_and_keep_the_ddl(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = dict(load_case(REPO / "tests" / "corpus" / "01_create_table_all_constraints").after)
    files["moods.yaml"] = (
        "enums:\n  Mood: {values: [glad, sad]}\nentities:\n  Note:\n    columns:\n"
        "      id: {type: bigint, primary_key: true}\n      mood: {type: enum, enum: Mood}\n"
    )
    plain = _build(tmp_path / "plain", files)
    monkeypatch.setattr(collector, "PAUSE_FROM", 1)  # as if it had 200 tables
    paused = _build(tmp_path / "paused", files)

    assert "gc" not in plain.read_text(encoding="utf-8").split()
    text = paused.read_text(encoding="utf-8")
    assert "\n_pause_collector()\n" in text and text.endswith("\n_resume_collector()\n")
    # paused before the first class the module defines: the enums come before the tables
    assert text.index("\n_pause_collector()\n") < text.index("\nclass Mood(")
    for argv in (
        ["ruff", "check", "--no-cache", str(paused)],
        ["ruff", "format", "--check", "--no-cache", str(paused)],
        ["mypy", "--strict", "--no-incremental", "--cache-dir", str(tmp_path / ".m"), str(paused)],
    ):
        out = subprocess.run([sys.executable, "-m", *argv], capture_output=True, text=True)
        assert out.returncode == 0, out.stdout + out.stderr

    ddl = _probe(tmp_path / "plain", "on")
    assert ddl[-1].startswith("True True False ")
    on = _probe(tmp_path / "paused", "on")
    # the same tables, constraints and indexes, the collector back on, the mapping frozen
    assert on[:-1] == ddl[:-1] and on[-1].startswith("True True True ")
    off = _probe(tmp_path / "paused", "off")
    assert off[:-1] == ddl[:-1] and off[-1].startswith("False False True ")  # left off
