"""A full `check --database` compares the database in a child process while it renders
and compares the generated files; the report and its errors are those of one process.

The child starts once the schema is loaded and compares the schema itself
(``run._database_findings``), at head too: the head snapshot stands in for the
schema only when the files were remembered clean (``run._snapshot_findings``).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from check_projects import NOTE_YAML
from migration_harness import alembic, schemagen, write_schema
from pgcluster import PgCluster
from schemagen.check import run
from schemagen.check.drift import history_findings
from schemagen.check.run import check_project
from schemagen.config import load_project
from schemagen.errors import DatabaseError
from schemagen.findings import Finding
from schemagen.live.compare import check_database
from schemagen.validate.pipeline import load_schema


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SCHEMAGEN_NO_CACHE", "1")
    root = tmp_path / "p"
    write_schema(root, {"s.yaml": NOTE_YAML})
    schemagen(root, "migrate", "-m", "initial")
    return root


def test_file_and_database_drift_are_both_reported_files_first(
    project: Path, pg: PgCluster, pg_db: str
) -> None:
    url = pg.url(pg_db)
    alembic(project, url, "upgrade", "head")
    pg.sql("ALTER TABLE notes ADD COLUMN extra integer", pg_db)
    models = project / "generated" / "models.py"
    models.write_text(models.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    report = check_project(project, url)
    assert [(f.kind, f.object) for f in report.findings] == [
        ("file", "generated/models.py"),
        ("database", "column notes.extra"),
    ]
    assert report.exit_code == 1


def test_the_database_is_compared_in_another_process(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def where(*args: object) -> list[Finding]:
        return [Finding("database", f"pid {os.getpid()}", "compared here")]

    monkeypatch.setattr(run, "_database_findings", where)
    monkeypatch.setattr(run, "_snapshot_findings", where)
    report = check_project(project, "postgresql://u@127.0.0.1:1/x")
    (finding,) = report.findings
    assert finding.object != f"pid {os.getpid()}"


def test_a_database_error_in_the_child_is_raised_once(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = []

    def refused(*args: object) -> list[Finding]:
        calls.append(os.getpid())  # only this process's list: the child's is its own
        raise DatabaseError("cannot connect to postgresql://u:***@127.0.0.1:1/x: refused")

    monkeypatch.setattr(run, "_database_findings", refused)
    monkeypatch.setattr(run, "_snapshot_findings", refused)
    with pytest.raises(DatabaseError, match="refused"):
        check_project(project, "postgresql://u:secret@127.0.0.1:1/x")
    assert calls == []  # not compared again here


def test_a_bug_in_the_child_surfaces_here_with_its_own_type(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> list[Finding]:
        raise RuntimeError("a bug in the comparison")

    monkeypatch.setattr(run, "_database_findings", broken)
    monkeypatch.setattr(run, "_snapshot_findings", broken)
    with pytest.raises(RuntimeError, match="a bug in the comparison"):
        check_project(project, "postgresql://u@127.0.0.1:1/x")


def _marked(name: str) -> Callable[..., list[Finding]]:
    """A stand-in comparison that says which one ran, and in which process."""

    def found(*args: object) -> list[Finding]:
        return [Finding("database", name, f"compared in {os.getpid()}")]

    return found


def test_at_head_the_loaded_schema_is_compared_not_its_snapshot(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(run, "_snapshot_findings", _marked("snapshot"))
    monkeypatch.setattr(run, "_database_findings", _marked("schema"))
    (finding,) = check_project(project, "postgresql://u@127.0.0.1:1/x").findings
    assert finding.object == "schema" and finding.message != f"compared in {os.getpid()}"


def test_a_pending_change_is_compared_as_the_schema_says(
    project: Path, pg: PgCluster, pg_db: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = pg.url(pg_db)
    alembic(project, url, "upgrade", "head")
    pg.sql("ALTER TABLE notes ADD COLUMN extra integer", pg_db)
    path = project / "schema" / "s.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("{type: text}", "{type: text, nullable: true}"), encoding="utf-8")
    loaded = load_project(project)
    state, _ = history_findings(loaded)
    assert state is not None
    schema = load_schema(loaded).schema
    assert schema is not None
    expected = check_database(schema, url, history=state.ids, head=state.head)
    monkeypatch.setattr(run, "_snapshot_findings", _marked("snapshot"))
    report = check_project(project, url)
    assert [f for f in report.findings if f.kind == "database"] == expected
    assert "column notes.extra" in [f.object for f in expected]
    assert report.findings[0].kind == "pending"
