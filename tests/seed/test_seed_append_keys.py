"""``seed --append`` on tables whose unique key is made of foreign keys (a link
table's primary key, a composite foreign key's columns with an enum): seed counts
through the key's combinations from the row number, so it made again the
combinations of the rows already there (rows another program wrote, in any order)
and the whole seed failed ('duplicate key value violates unique constraint
"pk_store_tags"'). Seed now leaves out the combinations the table holds."""

from __future__ import annotations

from pathlib import Path

from migration_harness import write_schema
from pgcluster import PgCluster
from schemagen.seed.run import seed_connection
from seed_checks import created, project_schema, violations

SCHEMA = """
database: {name: shop}
enums:
  Side: {values: [left, right]}
entities:
  Store:
    columns:
      id: {type: integer, primary_key: true}
  Tag:
    columns:
      id: {type: integer, primary_key: true}
  StoreTag:
    primary_key: [store_id, tag_id]
    columns:
      store_id: {references: Store, back_populates: store_tags}
      tag_id: {references: Tag, back_populates: store_tags}
  Shelf:
    primary_key: [store_id, code]
    columns:
      store_id: {references: Store, back_populates: shelves}
      code: {type: string, length: 10}
  Slot:
    columns:
      id: {type: integer, primary_key: true}
      store_id: {type: integer}
      code: {type: string, length: 10}
      side: {type: enum, enum: Side}
      note: {type: text, nullable: true}
    foreign_keys:
      fk_slots_shelf: {columns: [store_id, code], references: Shelf}
    unique:
      uq_slots_place: [store_id, code, side]
"""

ROWS = """
INSERT INTO stores SELECT FROM generate_series(1, 3);
INSERT INTO tags SELECT FROM generate_series(1, 3);
INSERT INTO store_tags VALUES (3, 3), (2, 1), (1, 2);
INSERT INTO shelfs VALUES (1, 'a'), (2, 'a'), (3, 'b');
INSERT INTO slots (store_id, code, side, note) VALUES
  (3, 'b', 'right', NULL), (1, 'a', 'left', 'x'), (2, 'a', 'right', 'x');
"""


def test_append_leaves_out_the_keys_there(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(ROWS)  # type: ignore[arg-type]
        conn.commit()
        for seed in (1, 2):  # and once more, over the rows the first run made
            seed_connection(
                conn, schema, rows=40, rows_per={"stores": 2, "tags": 2, "shelfs": 3},
                seed=seed, append=True,
            )  # fmt: skip (store_tags' and slots' 40 shared out: capped at the pairs)
            assert violations(conn, schema) == []
        row = conn.execute(
            "SELECT (SELECT count(*) FROM store_tags), (SELECT count(*) FROM slots),"
            " (SELECT count(*) FROM shelfs)"
        ).fetchone()
    # 7 stores and 7 tags at the end: every pair once; 9 shelves (3 there, 3 a run),
    # each slot a shelf's side: all 2 * 6 after the first run, all 2 * 9 after the second
    assert row == (49, 18, 9)
