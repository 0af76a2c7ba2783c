"""``schemagen import`` of a column declared nullable whose type is a NOT NULL domain
(``CREATE DOMAIN code AS text NOT NULL``, ``code code`` without NOT NULL), which
PostgreSQL accepts: the column is NOT NULL through its domain, its own attnotnull
false. Import wrote ``nullable: true`` as the catalog says, and build refused it
('says nullable: true, but domain code is NOT NULL'). What the database says is
what the YAML now says: ``nullable: true`` on a column of a NOT NULL domain is a
warning (PostgreSQL refuses NULL in it all the same), so the adopted project
builds, migrates to the same database and checks clean against the source."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from adopt_harness import round_trip
from migration_harness import alembic, schemagen, scratch_database
from pgcluster import PgCluster

SOURCE_SQL = """
CREATE DOMAIN code AS text NOT NULL CONSTRAINT code_not_blank CHECK (VALUE <> '');
CREATE TABLE parts (
  id integer PRIMARY KEY,
  code code,
  spare code NOT NULL,
  note text
);
INSERT INTO parts VALUES (1, 'a', 'x', NULL), (2, 'a', 'y', 'n'), (3, 'b', 'x', NULL);
"""

WARNING = (
    "entities.Part.columns.code.nullable: parts.code says nullable: true, but domain code "
    "is NOT NULL: PostgreSQL refuses NULL in it all the same (the column is declared "
    "nullable, as a database may have it); drop nullable: true unless the database has it so"
)


def test_nullable_column_of_a_not_null_domain(pg: PgCluster, tmp_path: Path) -> None:
    source = pg.create_database("domain_nullable")
    try:
        pg.sql(SOURCE_SQL, source)
        root = round_trip(pg, source, tmp_path / "adopted", "nullable column of a NOT NULL domain")
        text = (root / "schema" / "parts.yaml").read_text()
        assert "code: {type: code, nullable: true}" in text, text
        assert "spare: {type: code}" in text, text
        out = schemagen(root, "validate")
        assert WARNING in out, out
        schemagen(root, "validate", "--strict", expect_exit=2)
        migrated = scratch_database(pg, "mig")
        alembic(root, pg.url(migrated), "upgrade", "head")
        with psycopg.connect(pg.libpq_url(migrated)) as conn:
            nullable = conn.execute(
                "SELECT attname, attnotnull FROM pg_attribute WHERE attrelid = 'parts'::regclass"
                " AND attname IN ('code', 'spare') ORDER BY attname"
            ).fetchall()
            assert nullable == [("code", False), ("spare", True)]
            with pytest.raises(psycopg.errors.NotNullViolation, match="domain code"):
                conn.execute("INSERT INTO parts (id, spare) VALUES (9, 'x')")
        # seed fills the column though it is declared nullable (no NULL share)
        schemagen(root, "seed", "--rows", "30", "--database", pg.url(migrated))
        with psycopg.connect(pg.libpq_url(migrated)) as conn:
            counts = conn.execute("SELECT count(*), count(code) FROM parts").fetchone()
            assert counts == (30, 30)
    finally:
        pg.drop_database(source)
