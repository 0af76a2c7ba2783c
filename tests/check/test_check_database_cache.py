"""`check --database` reuses a remembered clean file check (the files and the
history, not rendered again) but compares the database every time."""

from __future__ import annotations

from pathlib import Path

import pytest
from check_projects import NOTE_YAML
from migration_harness import alembic, schemagen, write_schema
from pgcluster import PgCluster
from schemagen.check.run import check_project


def test_a_remembered_file_check_still_compares_the_database(
    pg: PgCluster, pg_db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.delenv("SCHEMAGEN_NO_CACHE", raising=False)
    root = tmp_path / "p"
    write_schema(root, {"s.yaml": NOTE_YAML})
    schemagen(root, "migrate", "-m", "initial")
    url = pg.url(pg_db)
    alembic(root, url, "upgrade", "head")

    first = check_project(root, url)
    assert first.ok and not first.cached, first.findings
    again = check_project(root, url)
    assert again.ok and again.cached and again.database is not None
    assert "no file changed since the last clean check" in again.summary()

    pg.sql("ALTER TABLE notes ADD COLUMN extra integer", pg_db)
    drifted = check_project(root, url)
    assert drifted.cached  # the files were not rendered again...
    assert [f.object for f in drifted.findings] == ["column notes.extra"]  # ...the database was

    # and a changed file is still found: the remembered result no longer applies
    models = root / "generated" / "models.py"
    models.write_text(models.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    edited = check_project(root, url)
    assert not edited.cached
    assert {f.kind for f in edited.findings} >= {"file"}, edited.findings
