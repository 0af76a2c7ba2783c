"""The flagship's committed migration history, proven on a real PostgreSQL.

Uses the repo's own files (schema/, generated/, pyproject.toml, alembic.ini),
copied to a temp folder: ``alembic upgrade head`` must produce exactly what
``create_all`` of the generated models (plus the declared extensions) produces,
``alembic check`` must find nothing, ``alembic downgrade base`` must leave no
table and no type behind, and ``python -m alembic upgrade head`` (what users
type) must work from the project root.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from alembic import command
from migration_harness import (
    OUTPUT,
    alembic,
    alembic_config,
    assert_matches_models,
    declared_extensions,
    project_env,
    revisions,
    schemagen,
)
from pgcluster import PgCluster

REPO = Path(__file__).resolve().parents[2]


def _schema_files(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root / "schema")): p.read_text(encoding="utf-8")
        for p in sorted((root / "schema").rglob("*.y*ml"))
    }


def _public_objects(pg: PgCluster, db: str) -> list[str]:
    """Tables, sequences, views and types left in the public schema (not alembic's)."""
    out = pg.sql(
        "SELECT c.relkind::text || ':' || c.relname FROM pg_class c "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'S', 'v', 'm') "
        "AND c.relname <> 'alembic_version' "
        "UNION ALL SELECT 'type:' || t.typname::text FROM pg_type t "
        "JOIN pg_namespace n ON n.oid = t.typnamespace "
        "WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd', 'c') "
        "AND NOT EXISTS (SELECT 1 FROM pg_class c WHERE c.reltype = t.oid)",
        db,
    )
    return sorted(out.split())


@pytest.fixture
def flagship(flagship_copy: Path) -> Path:
    """The copied flagship project; fails when its migration history is missing.

    ``schemagen build`` rewrites only files whose content changed, so on an
    up-to-date checkout it changes nothing (``schemagen check`` guards that);
    it fills in models.py, env.py and alembic.ini where they are not committed.
    """
    assert revisions(flagship_copy), (
        f"no committed revisions under {OUTPUT}/migrations/versions: run "
        "`schemagen migrate -m 'initial schema'` in the repo"
    )
    schemagen(flagship_copy, "build")
    return flagship_copy


def test_upgrade_head_equals_create_all_and_downgrade_base_empties(
    pg: PgCluster, pg_db: str, flagship: Path
) -> None:
    url = pg.url(pg_db)
    alembic(flagship, url, "upgrade", "head")
    extensions = declared_extensions(_schema_files(flagship))
    assert_matches_models(pg, pg_db, flagship / OUTPUT / "models.py", extensions, "flagship")

    # `alembic check` with the project's own env.py: nothing left to autogenerate.
    with project_env(flagship, url):
        command.check(alembic_config(flagship))

    alembic(flagship, url, "downgrade", "base")
    assert _public_objects(pg, pg_db) == []
    assert pg.sql("SELECT count(*) FROM alembic_version", pg_db).strip() == "0"


def test_every_revision_downgrades_and_upgrades_again(
    pg: PgCluster, pg_db: str, flagship: Path
) -> None:
    """Walk the history one step at a time down and up again: each step works."""
    url = pg.url(pg_db)
    alembic(flagship, url, "upgrade", "head")
    before = pg.sql("SELECT version_num FROM alembic_version", pg_db).strip()
    for _ in revisions(flagship):
        alembic(flagship, url, "downgrade", "-1")
    assert _public_objects(pg, pg_db) == []
    for _ in revisions(flagship):
        alembic(flagship, url, "upgrade", "+1")
    assert pg.sql("SELECT version_num FROM alembic_version", pg_db).strip() == before
    assert_matches_models(
        pg, pg_db, flagship / OUTPUT / "models.py",
        declared_extensions(_schema_files(flagship)), "flagship after a round trip",
    )


def test_python_m_alembic_upgrade_head_from_project_root(
    pg: PgCluster, pg_db: str, flagship: Path
) -> None:
    """What users type: ``DATABASE_URL=... python -m alembic upgrade head``."""
    env = dict(os.environ, DATABASE_URL=pg.url(pg_db), PYTHONDONTWRITEBYTECODE="1")
    result = subprocess.run(
        [sys.executable, "-m", "alembic", "upgrade", "head"],
        cwd=flagship, env=env, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "s3cret" not in result.stdout + result.stderr  # the password is never printed
    head = revisions(flagship)[-1].name.split("_", 1)[0]
    assert pg.sql("SELECT version_num FROM alembic_version", pg_db).strip() == head
    tables = pg.sql(
        "SELECT count(*) FROM pg_tables WHERE schemaname = 'public' "
        "AND tablename <> 'alembic_version'",
        pg_db,
    )
    assert int(tables) == 15
