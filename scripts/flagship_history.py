#!/usr/bin/env python3
"""Regenerate the flagship's migration history reproducibly.

In a temporary copy of the project:

Revisions 000 and 001 predate ``on_update_now: trigger``: for them the setting
is taken out and ``updated_at`` keeps its description of the time.

1. strip every entity-level ``indexes:`` map from the schema YAML and run
   ``schemagen migrate -m "initial schema"`` (revision 000: extensions, enums,
   tables with their keys, constraints and column-level indexes);
2. restore the indexes and run ``schemagen migrate -m "add performance
   indexes"`` (revision 001: the documented indexes, built CONCURRENTLY);
3. restore the full schema and run ``schemagen migrate -m "updated_at kept by
   a database trigger"`` (revision 002: ``database.on_update_now: trigger``, the
   trigger function and one trigger per table, the new column comments);
4. copy ``generated/migrations/{versions,snapshots,schemagen.sum}`` back.

Run from the repository root: ``python scripts/flagship_history.py``. The
output is byte-for-byte deterministic, so running it twice changes nothing.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

import yaml
from click.testing import CliRunner
from schemagen.cli import main
from schemagen.config import load_project

REPO = Path(__file__).resolve().parent.parent
MESSAGES = ("initial schema", "add performance indexes", "updated_at kept by a database trigger")
ORM_UPDATED_AT = "When the row was last changed through the ORM."


def before_trigger(schema_dir: Path) -> None:
    """The schema before revision 002: no ``on_update_now``, the old description."""
    for path in sorted(schema_dir.rglob("*.y*ml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        database = doc.get("database")
        if not isinstance(database, dict) or "on_update_now" not in database:
            continue
        del database["on_update_now"]
        mixin = (doc.get("mixins") or {}).get("timestamps") or {}
        column = (mixin.get("columns") or {}).get("updated_at")
        if isinstance(column, dict):
            column["description"] = ORM_UPDATED_AT
        path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True),
                        encoding="utf-8")


def strip_indexes(schema_dir: Path) -> int:
    """Remove ``entities.*.indexes`` from every YAML file; return how many maps went."""
    removed = 0
    for path in sorted(schema_dir.rglob("*.y*ml")):
        doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        entities = doc.get("entities") or {}
        changed = False
        for body in entities.values():
            if isinstance(body, dict) and "indexes" in body:
                del body["indexes"]
                removed += 1
                changed = True
        if changed:
            path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True),
                            encoding="utf-8")
    return removed


def schemagen(root: Path, *args: str) -> str:
    """Run a schemagen command on the project at ``root``; fail loudly."""
    result = CliRunner().invoke(main, [args[0], "--project", str(root), *args[1:]])
    if result.exit_code != 0:
        sys.exit(f"schemagen {' '.join(args)} failed ({result.exit_code}):\n{result.output}")
    return result.output


def schema_at(step: int, schema_dir: Path) -> list[str]:
    """Edit a copy of the full schema in ``schema_dir`` into the one revision
    ``step`` (0, 1 or 2) was made from; return what was done.

    Only the head revision keeps a snapshot, so this is also how the tests get
    the schema of an earlier revision (and they check it against the snapshot
    hash that revision recorded).
    """
    done = []
    if step < 2:
        before_trigger(schema_dir)
    if step < 1:
        done.append(f"stripped {strip_indexes(schema_dir)} indexes: maps")
    return done


def regenerate(repo: Path = REPO) -> list[str]:
    """Rebuild the history in a temp copy of ``repo`` and copy it back; return a report."""
    project = load_project(repo)
    schema_rel = project.schema_dir.relative_to(project.root)
    migrations_rel = project.migrations_dir.relative_to(project.root)
    report = []
    with tempfile.TemporaryDirectory(prefix="flagship-history-") as tmp:
        work = Path(tmp) / "project"
        work.mkdir()
        shutil.copy(repo / "pyproject.toml", work / "pyproject.toml")
        for step, message in enumerate(MESSAGES):
            shutil.rmtree(work / schema_rel, ignore_errors=True)
            shutil.copytree(repo / schema_rel, work / schema_rel)
            report += schema_at(step, work / schema_rel)
            report.append(schemagen(work, "migrate", "-m", message).splitlines()[0])
        target = repo / migrations_rel
        for name in ("versions", "snapshots"):
            shutil.rmtree(target / name, ignore_errors=True)
            shutil.copytree(work / migrations_rel / name, target / name,
                            ignore=shutil.ignore_patterns("__pycache__"))
        shutil.copy(work / migrations_rel / "schemagen.sum", target / "schemagen.sum")
    report.append(f"wrote {migrations_rel}/versions, snapshots and schemagen.sum")
    return report


if __name__ == "__main__":
    for line in regenerate():
        print(line)
