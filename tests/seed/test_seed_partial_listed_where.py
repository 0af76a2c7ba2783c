"""A partial unique key whose WHERE asks a column for listed values (``WHERE kind IN
('a', 'b')``, ``WHERE status = 'open'``) binds only the rows holding them: seed
counted through such a key's combinations and, not reading that WHERE, took it for
a full key, so the rows past the combinations were refused ('holds at most 6 rows')
though every other value the column's checks allow puts a row outside it. Such rows
now take the first value the column's checks, enum or type list that the WHERE does
not name ('c', 'paid'), as rows past a ``WHERE deleted_at IS NULL`` key's
combinations take a deletion time."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
from migration_harness import write_schema
from pgcluster import PgCluster
from schemagen.seed.run import seed_connection
from seed_checks import created, project_schema, table_digest, violations
from test_seed_partial_uniques import partial_violations

SCHEMA = """
database: {name: shop}
enums:
  Status: {values: [open, paid, void]}
entities:
  Store:
    columns:
      id: {type: integer, primary_key: true}
      name: {type: string, length: 60}
  Item:
    columns:
      id: {type: integer, primary_key: true}
      kind: {type: text}
      grade: {type: integer}
      note: {type: text, nullable: true}
    checks:
      kind_ok: "kind IN ('a', 'b', 'c')"
      grade_ok: "grade IN (1, 2)"
    indexes:
      uq_items_ab_grade:
        columns: [kind, grade]
        unique: true
        where: "kind IN ('a', 'b')"
  Cart:
    columns:
      id: {type: integer, primary_key: true}
      store_id: {references: Store, back_populates: carts}
      status: {type: enum, enum: Status}
      note: {type: text, nullable: true}
    indexes:
      uq_carts_open:
        columns: [store_id]
        unique: true
        where: "status = 'open'"
"""

#: Rows there: NULL notes, a kind and a status repeated, store 1 thrice.
THERE = """
INSERT INTO stores VALUES (1, 's1'), (2, 's2'), (3, 's3');
INSERT INTO items VALUES (1, 'a', 2, NULL), (2, 'c', 1, 'x'), (3, 'c', 1, 'x');
INSERT INTO carts VALUES (1, 1, 'open', NULL), (2, 1, 'void', 'x'), (3, 1, 'void', NULL);
"""

ASKED = {"stores": 0, "items": 200, "carts": 300}


def _seeded(pg: PgCluster, root: Path) -> tuple[dict[str, tuple[int, str]], tuple[Any, ...]]:
    schema = project_schema(root)
    dbname = pg.create_database()
    try:
        with created(pg, dbname, root) as conn:
            conn.execute(THERE)
            conn.commit()
            result = seed_connection(conn, schema, rows_per=ASKED, seed=8, append=True)
            assert {t.table: (t.rows, t.note) for t in result.tables} == {
                table: (rows, None) for table, rows in ASKED.items()
            }
            assert violations(conn, schema) == []
            for ent in schema.entities:
                assert partial_violations(conn, ent) == []
            digests = {ent.table: table_digest(conn, ent) for ent in schema.entities}
            return digests, _held(conn)
    finally:
        pg.drop_database(dbname)


def _held(conn: psycopg.Connection[Any]) -> tuple[Any, ...]:
    row = conn.execute(
        "SELECT (SELECT count(DISTINCT (kind, grade)) FILTER (WHERE kind <> 'c') FROM items),"
        " (SELECT count(*) FILTER (WHERE kind = 'c') FROM items),"
        " (SELECT count(DISTINCT store_id) FILTER (WHERE status = 'open') FROM carts),"
        " (SELECT count(*) FILTER (WHERE status = 'paid') FROM carts),"
        " (SELECT count(note) FROM carts)"
    ).fetchone()
    assert row is not None
    return tuple(row)


def test_rows_past_a_listed_where_go_outside_it(pg: PgCluster, tmp_path: Path) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    digests, held = _seeded(pg, tmp_path)
    counts = {table: count for table, (count, _) in digests.items()}
    assert counts == {"stores": 3, "items": 203, "carts": 303}
    pairs, outside_items, open_stores, paid, notes = held
    # (a|b) x (1|2) once each, one there; the rest 'c'; a store open once at most
    # (the key binds those alone: a row of a combination takes any status)
    assert pairs == 4 and 1 <= open_stores <= 3
    assert outside_items == 203 - 4 and paid >= 300 - 3 and 0 < notes < 303
    # the same seed over the same rows gives the same rows
    assert _seeded(pg, tmp_path) == (digests, held)
