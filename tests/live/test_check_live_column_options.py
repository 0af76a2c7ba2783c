"""Column options of issue 11 against a real database (collations, identity options,
serial columns, domains): no drift after the migrations, and a change made by hand
is a finding."""

from __future__ import annotations

from pathlib import Path

from migration_harness import alembic, schemagen, write_schema
from pgcluster import PgCluster
from schemagen.api import load_schema
from schemagen.config import load_project
from schemagen.live.compare import check_database


def _migrated(root: Path, text: str, url: str) -> Path:
    """A project of one schema file, migrated and upgraded to head at ``url``."""
    write_schema(root, {"s.yaml": text})
    schemagen(root, "migrate", "-m", "initial")
    alembic(root, url, "upgrade", "head")
    return root


def _findings(root: Path, url: str) -> list[str]:
    schema = load_schema(load_project(root)).schema
    assert schema is not None
    return [f"{f.object}: {f.message}" for f in check_database(schema, url)]


COLLATIONS = """
database: {name: t}
entities:
  Member:
    columns:
      id: {type: bigint, primary_key: true}
      handle: {type: string, length: 40, collation: "C"}
      name: {type: text, collation: "POSIX"}
      note: {type: text, nullable: true}
"""


def test_collations_are_compared(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    root = _migrated(tmp_path / "p", COLLATIONS, pg.url(pg_db))
    assert _findings(root, pg.url(pg_db)) == []
    pg.sql(
        'ALTER TABLE members ALTER COLUMN handle TYPE varchar(40);'
        'ALTER TABLE members ALTER COLUMN name TYPE text COLLATE "C";'
        'ALTER TABLE members ALTER COLUMN note TYPE text COLLATE "C"',
        pg_db,
    )
    assert _findings(root, pg.url(pg_db)) == [
        "column members.handle: collation is none in the database, C in the schema",
        "column members.name: collation is C in the database, POSIX in the schema",
        "column members.note: collation is C in the database, none in the schema",
    ]
