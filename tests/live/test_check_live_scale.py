"""`check --database` at scale: the statements sent to the server do not grow
with the tables, the synthetic benchmark schema at head has no drift, and the
check never imports the generated models."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from live_check import traced_check
from migration_harness import offline_sql
from pgcluster import PgCluster
from schemagen.api import build_project, load_project, migrate_project
from schemagen.live.compare import check_database
from schemagen.validate.pipeline import load_schema

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from synthetic import write_project  # noqa: E402


def migrated_synthetic(pg: PgCluster, root: Path, tables: int, policies: bool = False) -> str:
    """A synthetic project of ``tables`` tables, its first revision applied; the database.
    With ``policies``, every table has row-level security and a policy."""
    write_project(root, tables)
    if policies:
        for part in (root / "schema").glob("part_*.yaml"):
            text = part.read_text(encoding="utf-8").replace(
                "    mixins: [timestamps]\n",
                "    mixins: [timestamps]\n    row_level_security: true\n"
                "    policies: {positive: {using: \"amount >= 0 AND state <> 'archived'\"}}\n",
            )
            part.write_text(text, encoding="utf-8")
    build_project(root)
    migrate_project(root, "initial")
    script = root / "upgrade.sql"
    script.write_text(offline_sql(root, "head"), encoding="utf-8")
    name = pg.create_database()
    subprocess.run(
        [pg.bin("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", name, "-f", str(script)],
        env=pg.env(), check=True, capture_output=True, text=True,
    )
    return name


def test_statements_are_the_same_for_10_and_200_tables(
    pg: PgCluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent = {}
    for tables in (10, 200):
        root = tmp_path / f"p{tables}"
        dbname = migrated_synthetic(pg, root, tables, policies=True)
        try:
            sent[tables] = traced_check(pg, root, dbname, monkeypatch)
            if tables == 200:
                # drift is still seen through the batched printing: one default changed,
                # one policy's expression changed
                pg.sql(
                    "ALTER TABLE thing_0150s ALTER COLUMN amount SET DEFAULT 1;"
                    "ALTER POLICY positive ON thing_0151s USING (amount > 0)",
                    dbname,
                )
                schema = load_schema(load_project(root)).schema
                assert schema is not None
                lines = [f.message for f in check_database(schema, pg.url(dbname))]
                assert lines == [
                    "default is 1 in the database, 0 in the schema",
                    "USING is (amount > (0)::numeric) in the database, ((amount >= "
                    "(0)::numeric) AND (state <> 'archived'::state015)) in the schema",
                ], lines
        finally:
            pg.drop_database(dbname)
    assert sent[10] == sent[200]
    # A fixed handful: the catalog reads for tables (their row-level security and
    # policies included), plus those for functions, views and triggers (which add
    # none per table either).
    assert sent[10] < 30, sent


_MODELS_IMPORTED = """
import sys
from schemagen.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exit:
    print("exit", exit.code)
print("models imported:", "generated.models" in sys.modules)
"""


def test_check_database_does_not_import_the_models(
    pg: PgCluster, pg_db: str, flagship_copy: Path
) -> None:
    from migration_harness import alembic

    alembic(flagship_copy, pg.url(pg_db), "upgrade", "head")
    env = {**os.environ, "DATABASE_URL": pg.libpq_url(pg_db)}
    out = subprocess.run(
        [sys.executable, "-c", _MODELS_IMPORTED, "check", "--no-cache", "--database"],
        cwd=flagship_copy, env=env, capture_output=True, text=True,
    )
    assert "exit 0" in out.stdout, out.stdout + out.stderr
    assert "models imported: False" in out.stdout
