"""An integer column of a unique key whose checks bound it to fewer whole numbers
than the table's rows (``position BETWEEN 1 AND 5``, a domain's ``VALUE BETWEEN 1
AND 5``) cannot be built from the row number: seed did so and refused ('12 distinct
values do not fit its range') a slot table keyed by (store_id, position) whose
3 stores x 4 positions held every row asked, and a key bound by a partial index
(``WHERE kind = 'x'``) whose other rows are free. Such a column is now a digit of
the key counted through, taking its whole numbers in turn, those a ``<>`` forbids
skipped; a key of such digits alone that cannot hold the rows is refused naming
the key and the rows it holds. A column whose bounds hold the rows is built from
the row number as before."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from migration_harness import write_schema
from pgcluster import PgCluster
from schemagen.seed.refusals import SeedError
from schemagen.seed.run import seed_connection
from seed_checks import created, project_schema, table_digest, violations
from test_seed_partial_uniques import partial_violations

SCHEMA = """
database: {name: shop}
domains:
  level:
    type: integer
    checks:
      level_ok: "VALUE BETWEEN 1 AND 5"
entities:
  Store:
    columns:
      id: {type: integer, primary_key: true}
      name: {type: string, length: 60}
  Slot:
    columns:
      id: {type: integer, primary_key: true}
      store_id: {references: Store, back_populates: slots}
      position: {type: smallint}
      note: {type: text, nullable: true}
    checks:
      position_ok: "position BETWEEN 1 AND 5 AND position <> 3"
    unique:
      uq_slots_store_position: [store_id, position]
  Item:
    columns:
      id: {type: integer, primary_key: true}
      kind: {type: text}
      grade: {type: integer}
      rank: {type: integer, unique: true}
      note: {type: text, nullable: true}
    checks:
      kind_ok: "kind IN ('x', 'y')"
      grade_ok: "grade > 0 AND grade < 4"
      rank_ok: "rank BETWEEN 1 AND 100000"
    indexes:
      uq_items_x_grade:
        columns: [grade]
        unique: true
        where: "kind = 'x'"
  Mark:
    columns:
      id: {type: integer, primary_key: true}
      level: {type: level, unique: true}
"""

#: Rows there: NULL notes, a store and a grade repeated, a kind thrice.
THERE = """
INSERT INTO stores VALUES (1, 's1'), (2, 's2'), (3, 's3');
INSERT INTO slots VALUES (1, 1, 1, NULL), (2, 1, 2, 'n'), (3, 2, 5, 'n');
INSERT INTO items VALUES (1, 'x', 2, 7, NULL), (2, 'y', 2, 8, 'n'), (3, 'y', 1, 9, NULL);
INSERT INTO marks VALUES (1, 4);
"""


def _seeded(
    pg: PgCluster, root: Path, asked: dict[str, int]
) -> tuple[dict[str, tuple[int, str]], tuple[Any, ...]]:
    schema = project_schema(root)
    dbname = pg.create_database()
    try:
        with created(pg, dbname, root) as conn:
            conn.execute(THERE)
            conn.commit()
            result = seed_connection(conn, schema, rows_per=asked, seed=2, append=True)
            assert {t.table: (t.rows, t.note) for t in result.tables} == {
                table: (rows, None) for table, rows in asked.items()
            }
            assert violations(conn, schema) == []
            assert partial_violations(conn, schema.entity_by_table("items")) == []
            digests = {ent.table: table_digest(conn, ent) for ent in schema.entities}
            return digests, _held(conn)
    finally:
        pg.drop_database(dbname)


def _held(conn: psycopg.Connection[Any]) -> tuple[Any, ...]:
    row = conn.execute(
        "SELECT (SELECT count(DISTINCT (store_id, position)) FROM slots),"
        " (SELECT count(*) FROM slots WHERE position = 3),"
        " (SELECT count(*) FILTER (WHERE kind = 'x') FROM items),"
        " (SELECT count(DISTINCT rank) FROM items),"
        " (SELECT string_agg(level::text, '' ORDER BY level) FROM marks)"
    ).fetchone()
    assert row is not None
    return tuple(row)


def test_narrow_integers_count_through_their_keys(pg: PgCluster, tmp_path: Path) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    asked = {"stores": 0, "slots": 9, "items": 400, "marks": 4}
    digests, held = _seeded(pg, tmp_path, asked)
    counts = {table: count for table, (count, _) in digests.items()}
    assert counts == {"stores": 3, "slots": 12, "items": 403, "marks": 5}
    # every (store, position) of 3 stores and 1, 2, 4, 5; grades 1 to 3 once under
    # 'x' (2 there), the rest 'y'; rank, wide enough, built from the row number
    assert held == (12, 0, 3, 403, "12345")
    assert _seeded(pg, tmp_path, asked) == (digests, held)


def test_narrow_integers_that_cannot_hold_the_rows_are_refused(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(THERE)
        conn.commit()
        before = {ent.table: table_digest(conn, ent) for ent in schema.entities}
        conn.rollback()
        with pytest.raises(SeedError) as caught:
            seed_connection(
                conn, schema, rows_per={"stores": 0, "slots": 0, "items": 0, "marks": 5},
                seed=2, append=True,
            )  # fmt: skip
        after = {ent.table: table_digest(conn, ent) for ent in schema.entities}
    assert str(caught.value).startswith(
        "cannot seed marks: its unique key uq_marks_level (level) holds at most 5 rows "
        "(level takes 5 values: its checks, enum or type allow no other); rows there "
        "hold 1 of them, room for 4 more, and 5 are asked; ask for fewer (--rows-per marks=4)"
    )
    assert after == before
