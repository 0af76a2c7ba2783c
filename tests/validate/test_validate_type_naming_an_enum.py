"""``type: Kind`` naming a declared enum, where the language says ``type: enum,
enum: Kind``: validate took it for a PostgreSQL type by name, models.py and the
revision made the column of type ``kind`` before any ``CREATE TYPE kind``, and
``alembic upgrade`` failed ("type kind does not exist"). A type by name that names a
declared enum (its YAML name in any case, or its PostgreSQL type name) is now a
located error that says what to write; the form it says builds and holds rows."""

from __future__ import annotations

from pathlib import Path

import psycopg
from fixtures.language.helpers import issues_of
from migration_harness import migrated_project, schemagen, write_schema
from pgcluster import PgCluster

SCHEMA = """
enums:
  Kind: {values: [small, large]}
  InvoiceStatus: {schema: billing, db_name: invoice_state, values: [draft, paid]}
entities:
  Thing:
    columns:
      id: {type: bigint, primary_key: true}
      k: {type: %s}
      ks: {type: array, of: %s, nullable: true}
      s: {type: %s, nullable: true}
      tag: {type: citext, nullable: true}
"""

DATABASE = "database: {name: things, extensions: [citext]}\n"


def _why(written: str, enum: str, wanted: str = "type: enum, enum: {}") -> str:
    return (
        f"type '{written}' names the enum {enum}, which is no PostgreSQL type by name: "
        f"write `{wanted.format(enum)}`"
    )


def test_a_type_by_name_naming_an_enum_is_refused(tmp_path: Path) -> None:
    issues = issues_of(
        tmp_path, {"s.yaml": DATABASE + SCHEMA % ("Kind", "kind", "invoice_state")}, database=False
    )
    assert issues == [
        "schema/s.yaml:10:11: entities.Thing.columns.k.type: " + _why("Kind", "Kind"),
        "schema/s.yaml:11:25: entities.Thing.columns.ks.of.type: "
        + _why("kind", "Kind", "of: {{type: enum, enum: {}}}"),
        "schema/s.yaml:12:11: entities.Thing.columns.s.type: "
        + _why("invoice_state", "InvoiceStatus"),
    ], issues


def test_migrate_writes_nothing(tmp_path: Path) -> None:
    root = tmp_path / "p"
    write_schema(root, {"s.yaml": DATABASE + SCHEMA % ("Kind", "enum, enum: Kind", "text")})
    out = schemagen(root, "migrate", "-m", "initial", expect_exit=2)
    assert "entities.Thing.columns.k.type: " + _why("Kind", "Kind") in out
    assert "Traceback" not in out
    assert not (root / "migrations").exists() and not (root / "generated").exists()


def test_the_form_it_says_builds_and_holds_rows(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    """``type: enum, enum: Kind`` (and of an array, and an enum of another schema)
    is made by the upgrade, and the table holds NULLs and a row twice."""
    text = DATABASE + SCHEMA % (
        "enum, enum: Kind",
        "{type: enum, enum: Kind}",
        "enum, enum: InvoiceStatus",
    )
    migrated_project(tmp_path / "p", text, pg.url(pg_db))
    with psycopg.connect(pg.libpq_url(pg_db), autocommit=True) as conn:
        conn.execute(
            "INSERT INTO things VALUES (1, 'small', '{small,large}', 'draft', 'a'),"
            " (2, 'small', '{small,large}', 'draft', 'a'), (3, 'large', NULL, NULL, NULL)"
        )
        types = conn.execute(
            "SELECT a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a"
            " WHERE a.attrelid = 'things'::regclass AND a.attnum > 0 ORDER BY a.attnum"
        ).fetchall()
        count = conn.execute("SELECT count(*), count(s) FROM things").fetchone()
    assert types == [
        ("id", "bigint"),
        ("k", "kind"),
        ("ks", "kind[]"),
        ("s", "billing.invoice_state"),
        ("tag", "citext"),
    ]
    assert count == (3, 2)
