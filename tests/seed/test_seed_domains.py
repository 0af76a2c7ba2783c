"""seed reads a domain's checks as checks of every column typed by it (VALUE is the
column), and a pattern check seed's text misses fails whole, naming the check."""

from __future__ import annotations

from pathlib import Path

import pytest
from migration_harness import write_schema
from pgcluster import PgCluster
from schemagen.seed.refusals import SeedError
from schemagen.seed.run import seed_connection
from seed_checks import created, project_schema, violations

DOMAINS = """
database: {name: shop}
domains:
  rating:
    type: integer
    schema: billing
    checks:
      rating_range: "VALUE BETWEEN 3 AND 7 AND VALUE <> 5"
  short_note:
    type: text
    checks:
      short_note_length: "char_length(VALUE) < 9"
  sku:
    type: text
    checks:
      sku_shape: "VALUE ~ '^[A-Z]{3}-[0-9]+$'"
entities:
  Review:
    schema: billing
    columns:
      id: {type: integer, primary_key: true}
      stars: {type: rating}
      note: {type: short_note}
      code: {type: sku%s}
"""


def test_domain_checks_bound_the_values_and_a_missed_pattern_names_its_check(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    write_schema(tmp_path, {"schema.yaml": DOMAINS % ""})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        with pytest.raises(SeedError) as info:
            seed_connection(conn, schema, rows=200)
        message = str(info.value)
        assert "sku_shape" in message and "seed: {sql:" in message, message
        row = conn.execute("SELECT count(*) FROM billing.reviews").fetchone()
        assert row == (0,)  # the whole seed rolled back
    generator = ", seed: {sql: \"'ABC-' || n\"}"
    write_schema(tmp_path, {"schema.yaml": DOMAINS % generator})
    schema = project_schema(tmp_path)
    db = pg.create_database()
    try:
        with created(pg, db, tmp_path) as conn:
            seed_connection(conn, schema, rows=200)
            assert violations(conn, schema) == []
            stars = conn.execute("SELECT DISTINCT stars FROM billing.reviews ORDER BY 1")
            assert [r[0] for r in stars.fetchall()] == [3, 4, 6, 7]  # every value, none else
            longest = conn.execute("SELECT max(char_length(note)) FROM billing.reviews")
            assert longest.fetchone()[0] == 8  # type: ignore[index]
    finally:
        pg.drop_database(db)


CALLS = """
database: {name: shop}
functions:
  is_slug:
    language: sql
    volatility: immutable
    arguments: [text]
    returns: boolean
    body: SELECT $1 ~ '^[a-z0-9-]+$'
domains:
  slug:
    type: text
    checks:
      slug_ok: "is_slug(VALUE)"
entities:
  Account:
    columns:
      id: {type: integer, primary_key: true}
      name: {type: text, nullable: true}
      handle: {type: slug, nullable: true%s}
"""


#: rows the table holds first: NULLs, a value twice
HELD = "INSERT INTO accounts VALUES (1, NULL, NULL), (2, 'a', 'a'), (3, 'a', 'a')"


def test_a_check_calling_a_user_function_asks_for_a_generator_then_holds(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    """seed cannot know what a function of the user's accepts: it says so, naming
    the check, the function and the column's seed key, before any row; with a
    generator on the column the rows keep the check."""
    write_schema(tmp_path, {"schema.yaml": CALLS % ""})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(HELD)
        conn.commit()
        with pytest.raises(SeedError) as info:
            seed_connection(conn, schema, rows=50, append=True)
        message = str(info.value)
        assert "check slug_ok (domain of handle) (is_slug(handle))" in message, message
        assert "it calls the function is_slug()" in message, message
        assert "entities.Account.columns.handle: seed: {sql:" in message, message
        assert conn.execute("SELECT count(*) FROM accounts").fetchone() == (3,)
    write_schema(tmp_path, {"schema.yaml": CALLS % ", seed: {sql: \"'h-' || n\"}"})
    schema = project_schema(tmp_path)
    db = pg.create_database()
    try:
        with created(pg, db, tmp_path) as conn:
            conn.execute(HELD)
            conn.commit()
            seed_connection(conn, schema, rows=50, append=True)
            assert violations(conn, schema) == []
            bad = conn.execute("SELECT count(*) FROM accounts WHERE NOT is_slug(handle)")
            assert bad.fetchone() == (0,)
            assert conn.execute("SELECT count(*) FROM accounts").fetchone() == (53,)
    finally:
        pg.drop_database(db)
