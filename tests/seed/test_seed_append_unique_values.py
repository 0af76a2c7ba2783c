"""``seed --append`` on a table whose rows already hold the unique values seed
makes: its unique columns are built from the row number, which starts past the
rows there (rows + 1), so a table seeded, then thinned (rows deleted), or written
by hand with seed's very values, met them again ('duplicate key value violates
unique constraint "uq_items_ext_number"') and the whole seed failed. Seed now
looks, before it writes, for the rows there that its new rows' keys would meet,
and numbers its rows by the row numbers, from 1, whose values meet none of them."""

from __future__ import annotations

from pathlib import Path

from migration_harness import write_schema
from pgcluster import PgCluster
from schemagen.seed.run import seed_connection
from seed_checks import created, project_schema, table_digest, violations

SCHEMA = """
database: {name: shop}
entities:
  Item:
    columns:
      id: {type: integer, primary_key: true}
      sku: {type: string, length: 20, unique: true}
      ext_number: {type: integer, unique: true}
      weight: {type: numeric, precision: 10, scale: 2, unique: true}
      token: {type: uuid, unique: true}
      note: {type: text, nullable: true}
      color: {type: string, length: 20}
"""


def test_append_meets_none_of_the_values_there(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schema = project_schema(tmp_path)
    ent = schema.entity_by_table("items")
    with created(pg, pg_db, tmp_path) as conn:
        seed_connection(conn, schema, rows=300, seed=6)
        # thinned, and rows written by hand: a NULL note, a color many times, a
        # sku and a number seed makes further on
        conn.execute("DELETE FROM items WHERE id % 30 = 0")
        conn.execute(
            "INSERT INTO items (sku, ext_number, weight, token, note, color) VALUES"
            " ('SKU-00000330', 1000, 99.5, gen_random_uuid(), NULL, 'red'),"
            " ('hand-1', 345, 99.6, gen_random_uuid(), 'x', 'red'),"
            " ('hand-2', 2000, 99.7, gen_random_uuid(), NULL, 'red')"
        )
        conn.commit()
        before = table_digest(conn, ent)
        seed_connection(conn, schema, rows=100, seed=6, append=True)
        assert violations(conn, schema) == []
        row = conn.execute(
            "SELECT count(*), count(DISTINCT sku), count(DISTINCT ext_number),"
            " count(DISTINCT weight), count(DISTINCT token), count(note) FROM items"
        ).fetchone()
        kept = conn.execute(  # the rows there, untouched
            "SELECT count(*) FROM items WHERE sku IN ('SKU-00000330', 'hand-1', 'hand-2')"
        ).fetchone()
    assert before[0] == 293
    assert row is not None and row[:5] == (393,) * 5 and 0 < row[5] < 393
    assert kept == (3,)


def test_values_met_every_hundred_rows_are_passed_over(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    """Numbered past each row there it met, seed was refused after eight passes ('meet
    rows there again and again'); the new rows take the numbers no row there holds."""
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schema = project_schema(tmp_path)
    ent = schema.entity_by_table("items")
    with created(pg, pg_db, tmp_path) as conn:
        # a number seed makes every 100 rows on (row n makes n - 1), a NULL note each
        conn.execute(
            "INSERT INTO items (sku, ext_number, weight, token, note, color)"
            " SELECT 'hand-' || i, 100 * i, 99 + i, gen_random_uuid(), NULL, 'red'"
            " FROM generate_series(1, 12) AS i"
        )
        conn.commit()
        before = table_digest(conn, ent)
        seed_connection(conn, schema, rows=100, seed=6, append=True)
        assert violations(conn, schema) == []
        row = conn.execute(
            "SELECT count(*), count(DISTINCT ext_number), count(*) FILTER (WHERE ext_number"
            " % 100 = 0 AND ext_number > 0) FROM items"
        ).fetchone()
        kept = conn.execute(
            "SELECT count(*) FROM items WHERE sku LIKE 'hand-%' AND ext_number = 100 * id"
        ).fetchone()
    assert before[0] == 12
    assert row == (112, 112, 12)  # the hundreds are the rows there's alone
    assert kept == (12,)
