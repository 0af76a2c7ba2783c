"""A digit of a unique key counted through its combinations (an enum, a listed or
narrow column: see uniques) takes its row's combination's value, so a check between
two columns must not move it: ``kind <> prior`` moved kind, the left one, off prior
where they met, onto another row's combination ('duplicate key value violates unique
constraint "uq_items_store_kind"'), and ``lo <= hi`` over two narrow columns of the
key took hi's value into lo. A ``<>`` now moves the other column (prior); where
both are digits of the key, or an order would move one, seed refuses before any
row is written, naming the check and the column to give a value generator."""

from __future__ import annotations

from pathlib import Path

import pytest
from migration_harness import write_schema
from pgcluster import PgCluster
from schemagen.seed.refusals import SeedError
from schemagen.seed.run import seed_connection
from seed_checks import created, project_schema, table_digest, violations

SCHEMA = """
database: {name: shop}
enums:
  Kind: {values: [a, b, c]}
entities:
  Store:
    columns:
      id: {type: integer, primary_key: true}
      name: {type: string, length: 60}
  Item:
    columns:
      id: {type: integer, primary_key: true}
      store_id: {references: Store, back_populates: items}
      kind: {type: enum, enum: Kind}
      prior: {type: enum, enum: Kind}
      note: {type: text, nullable: true}
    checks:
      kind_moved: "kind <> prior"
    unique:
      uq_items_store_kind: [store_id, kind]
"""

#: Rows there: NULL notes, store 1 twice, a prior thrice.
THERE = """
INSERT INTO stores VALUES (1, 's1'), (2, 's2'), (3, 's3'), (4, 's4');
INSERT INTO items VALUES (1, 1, 'a', 'b', NULL), (2, 1, 'c', 'b', 'n'), (3, 3, 'a', 'b', NULL);
"""


def _seeded(pg: PgCluster, root: Path) -> tuple[int, str]:
    schema = project_schema(root)
    dbname = pg.create_database()
    try:
        with created(pg, dbname, root) as conn:
            conn.execute(THERE)
            conn.commit()
            result = seed_connection(
                conn, schema, rows_per={"stores": 0, "items": 9}, seed=3, append=True
            )
            assert [(t.table, t.rows, t.note) for t in result.tables] == [
                ("stores", 0, None), ("items", 9, None),
            ]  # fmt: skip
            assert violations(conn, schema) == []
            row = conn.execute(
                "SELECT count(DISTINCT (store_id, kind)), count(*) FILTER (WHERE kind = prior),"
                " count(DISTINCT prior) FROM items"
            ).fetchone()
            assert row == (12, 0, 3)
            return table_digest(conn, schema.entity_by_table("items"))
    finally:
        pg.drop_database(dbname)


def test_a_counted_digit_is_not_moved_off_another_column(pg: PgCluster, tmp_path: Path) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    first = _seeded(pg, tmp_path)
    assert first[0] == 12 and _seeded(pg, tmp_path) == first


REFUSED = """
database: {name: shop}
entities:
  Move:
    columns:
      id: {type: integer, primary_key: true}
      src: {type: text}
      dst: {type: text}
    checks:
      move_ok: "src IN ('a', 'b', 'c') AND dst IN ('a', 'b', 'c')"
      apart: "src <> dst"
    unique:
      uq_moves: [src, dst]
  Pair:
    columns:
      id: {type: integer, primary_key: true}
      lo: {type: integer}
      hi: {type: integer}
    checks:
      pair_ok: "lo BETWEEN 1 AND 3 AND hi BETWEEN 1 AND 3"
      ordered: "lo <= hi"
    unique:
      uq_pairs: [lo, hi]
"""


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            "moves",
            "cannot seed moves: check apart (src <> dst) has a shape seed cannot satisfy "
            "(`<>` between two columns neither of which can take another value (dst is "
            "counted through a unique key's combinations))",
        ),
        (
            "pairs",
            "cannot seed pairs: its unique key uq_pairs (lo, hi) is counted through the "
            "values lo takes (its checks, enum or type allow few), and check ordered "
            "(lo <= hi) would move it on some rows onto another row's combination; give "
            "it a value generator, e.g. under entities.Pair.columns.lo: seed: {sql:",
        ),
    ],
)
def test_two_counted_digits_a_check_relates_are_refused(
    pg: PgCluster, pg_db: str, tmp_path: Path, table: str, message: str
) -> None:
    write_schema(tmp_path, {"schema.yaml": REFUSED})
    schema = project_schema(tmp_path)
    asked = {"moves": 0, "pairs": 0, table: 5}
    with created(pg, pg_db, tmp_path) as conn:
        with pytest.raises(SeedError) as caught:
            seed_connection(conn, schema, rows_per=asked, seed=3)
        count = conn.execute(f"SELECT count(*) FROM {table}").fetchone()  # type: ignore[arg-type]
    assert str(caught.value).startswith(message)
    assert count == (0,)
