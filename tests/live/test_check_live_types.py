"""PostgreSQL types by name against a real database: no drift after the migrations,
a name the server does not know is a finding of ``check --database`` and fails
``alembic upgrade``; vector and geometry values round-trip through the models."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from migration_harness import (
    OUTPUT,
    alembic,
    imported_models,
    metadata_of,
    schemagen,
    write_schema,
)
from migration_harness import (
    live_findings as _findings,
)
from pgcluster import PgCluster

NAMED = """
database: {name: t, extensions: [citext, postgis]}
entities:
  Venue:
    columns:
      id: {type: bigint, primary_key: true}
      email: {type: citext}
      search: {type: tsvector, nullable: true}
      during: {type: tstzrange, nullable: true}
      spot: {type: "geometry(Point,4326)", nullable: true}
      notes: {type: xml, nullable: true}
      hosts: {type: array, of: inet, nullable: true}
"""


def _project(root: Path, text: str) -> Path:
    write_schema(root, {"s.yaml": text})
    schemagen(root, "migrate", "-m", "initial")
    return root


def test_named_types_migrate_without_drift(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    root = _project(tmp_path / "p", NAMED)
    alembic(root, pg.url(pg_db), "upgrade", "head")
    assert _findings(root, pg.url(pg_db)) == []
    pg.sql("ALTER TABLE venues ALTER COLUMN spot TYPE geometry(Point,3857)", pg_db)
    assert _findings(root, pg.url(pg_db)) == [
        "column venues.spot: type is geometry(Point,3857) in the database, "
        "geometry(Point,4326) in the schema"
    ]


def test_varchar_without_a_length_is_compared(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    """``varchar`` with no length: no drift after the migration; a length the
    database has and the schema has not (or the reverse) is drift."""
    text = """
database: {name: t}
entities:
  Venue:
    columns:
      id: {type: bigint, primary_key: true}
      slug: {type: varchar, unique: true}
      code: {type: varchar(8), nullable: true}
      tags: {type: array, of: varchar, nullable: true}
"""
    root = _project(tmp_path / "p", text)
    alembic(root, pg.url(pg_db), "upgrade", "head")
    assert _findings(root, pg.url(pg_db)) == []
    pg.sql("ALTER TABLE venues ALTER COLUMN slug TYPE varchar(64)", pg_db)
    pg.sql("ALTER TABLE venues ALTER COLUMN code TYPE varchar", pg_db)
    assert _findings(root, pg.url(pg_db)) == [
        "column venues.code: type is character varying in the database, "
        "character varying(8) in the schema",
        "column venues.slug: type is character varying(64) in the database, "
        "character varying in the schema",
    ]


def test_time_precisions_and_interval_fields_are_compared(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    """A precision or interval fields the database has and the schema has not (or
    other ones) is drift, named as ``format_type`` prints the two types."""
    text = """
database: {name: t}
entities:
  Visit:
    columns:
      id: {type: bigint, primary_key: true}
      created_at: {type: timestamp, precision: 6}
      opens: {type: timetz, nullable: true}
      stay: {type: 'interval day to second(3)', nullable: true}
"""
    root = _project(tmp_path / "p", text)
    alembic(root, pg.url(pg_db), "upgrade", "head")
    assert _findings(root, pg.url(pg_db)) == []
    pg.sql("ALTER TABLE visits ALTER COLUMN created_at TYPE timestamp(3)", pg_db)
    pg.sql("ALTER TABLE visits ALTER COLUMN opens TYPE time(2) with time zone", pg_db)
    pg.sql("ALTER TABLE visits ALTER COLUMN stay TYPE interval", pg_db)
    assert _findings(root, pg.url(pg_db)) == [
        "column visits.created_at: type is timestamp(3) without time zone in the database, "
        "timestamp(6) without time zone in the schema",
        "column visits.opens: type is time(2) with time zone in the database, "
        "time with time zone in the schema",
        "column visits.stay: type is interval in the database, interval day to second(3) "
        "in the schema",
    ]


def test_a_type_the_server_does_not_know(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    text = NAMED.replace("notes: {type: xml", "notes: {type: xmlish")
    root = _project(tmp_path / "p", text)
    # A fresh database: the extension types are missing too, until the upgrade.
    assert _findings(root, pg.url(pg_db))[:3] == [
        "type citext: does not exist in the database (used by venues.email)",
        "type geometry: does not exist in the database (used by venues.spot)",
        "type xmlish: does not exist in the database (used by venues.notes)",
    ]
    with pytest.raises(sa.exc.ProgrammingError, match='type "xmlish" does not exist'):
        alembic(root, pg.url(pg_db), "upgrade", "head")


def _available(pg: PgCluster, extension: str) -> bool:
    found = pg.sql(f"SELECT count(*) FROM pg_available_extensions WHERE name = '{extension}'")
    return found.strip() == "1"


@pytest.mark.parametrize(
    ("extension", "column", "value", "read"),
    [
        ("vector", "{type: vector(3)}", "[1.5, 2, -3]", "[1.5,2,-3]"),
        ("postgis", '{type: "geometry(Point,4326)"}', "SRID=4326;POINT(1 2)", "POINT(1 2)"),
    ],
)
def test_extension_values_round_trip(
    pg: PgCluster, pg_db: str, tmp_path: Path, extension: str, column: str, value: str, read: str
) -> None:
    """A value written through the generated model reads back equal from PostgreSQL."""
    if not _available(pg, extension):
        pytest.skip(f"the {extension} extension is not installed in this PostgreSQL")
    text = (
        f"database: {{name: t, extensions: [{extension}]}}\n"
        "entities:\n  Thing:\n    columns:\n"
        "      id: {type: bigint, primary_key: true}\n"
        f"      value: {column}\n"
    )
    root = tmp_path / "p"
    write_schema(root, {"s.yaml": text})
    schemagen(root, "build")
    with imported_models(root / OUTPUT / "models.py") as models:
        engine = sa.create_engine(pg.url(pg_db))
        with engine.begin() as conn:
            conn.execute(sa.text(f"CREATE EXTENSION IF NOT EXISTS {extension}"))
            metadata_of(models).create_all(conn)
        with sa.orm.Session(engine) as session:
            stored = value if extension == "postgis" else [1.5, 2, -3]
            session.add(models.Thing(id=1, value=stored))
            session.commit()
        with engine.connect() as conn:
            text_sql = "value::text" if extension == "vector" else "ST_AsText(value)"
            assert conn.execute(sa.text(f"SELECT {text_sql} FROM things")).scalar() == read
        with sa.orm.Session(engine) as session:
            back = session.get(models.Thing, 1)
            assert back is not None and back.value is not None
        engine.dispose()
