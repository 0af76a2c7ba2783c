"""A column whose checks list its values (``kind IN ('a', 'b')``, ``grade = 7``, a
domain's ``VALUE IN (...)``) carries no unique key: seed took such a text or integer
column for one it builds from the row number, gave it its listed values instead, and
the insert failed ('duplicate key value violates unique constraint
"uq_items_store_kind"') even where the key's combinations held every row asked. Such
a column is now a digit of the key counted through, as an enum or a boolean, taking
its listed values in turn (an enum's or a boolean's less those a check forbids: an
enum digit took every value of its type, 'b' too where ``kind <> 'b'``). A key made
only of such columns holds as many rows as their values multiply to: asking for more
is refused before any row is written, naming the table, the key and the rows it
holds; it was the raw duplicate key error, or, for an enum or a boolean, a table
silently capped at the key's combinations."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import psycopg
import pytest
from migration_harness import schemagen, write_schema
from pgcluster import PgCluster
from schemagen.seed.refusals import SeedError
from schemagen.seed.run import seed_connection
from seed_checks import created, project_schema, table_digest, violations
from test_seed_partial_uniques import partial_violations

SCHEMA = """
database: {name: shop}
enums:
  Kind: {values: [a, b, c, d]}
domains:
  grade:
    type: text
    checks:
      grade_ok: "VALUE IN ('A', 'B', 'C', 'D', 'E')"
entities:
  Store:
    columns:
      id: {type: integer, primary_key: true}
      name: {type: string, length: 60}
  Item:
    columns:
      id: {type: integer, primary_key: true}
      store_id: {references: Store, back_populates: items}
      kind: {type: text}
      size: {type: integer}
      note: {type: text, nullable: true}
    checks:
      kind_ok: "kind IN ('a', 'b')"
      size_fixed: "size = 7"
    unique:
      uq_items_store_kind: [store_id, kind, size]
  Tag:
    columns:
      id: {type: integer, primary_key: true}
      kind: {type: enum, enum: Kind}
      flag: {type: boolean}
      note: {type: text, nullable: true}
    checks:
      tag_kind_ok: "kind IN ('b', 'c', 'd') AND kind <> 'c'"
    unique:
      uq_tags_kind_flag: [kind, flag]
  Mark:
    columns:
      id: {type: integer, primary_key: true}
      grade: {type: grade, unique: true}
      note: {type: text, nullable: true}
  Label:
    columns:
      id: {type: integer, primary_key: true}
      code: {type: text}
      archived: {type: boolean, default: false}
      note: {type: text, nullable: true}
    checks:
      code_ok: "code IN ('a', 'b', 'c')"
    indexes:
      uq_labels_live_code:
        columns: [code]
        unique: true
        where: "NOT archived"
"""

#: Rows there: NULL notes, repeated kinds, notes and stores (store 1 holds most).
THERE = """
INSERT INTO stores VALUES (1, 's1'), (2, 's2'), (3, 's3'), (4, 's4');
INSERT INTO items VALUES (1, 1, 'b', 7, NULL), (2, 3, 'a', 7, 'x'), (3, 1, 'a', 7, 'x'),
  (4, 2, 'b', 7, NULL);
INSERT INTO tags VALUES (1, 'd', true, NULL), (2, 'b', false, 'x');
INSERT INTO marks VALUES (1, 'C', NULL), (2, 'A', 'x');
INSERT INTO labels VALUES (1, 'a', false, NULL), (2, 'a', true, 'x'), (3, 'a', true, 'x'),
  (4, 'c', false, NULL);
"""

#: What is asked: items' and tags' free combinations exactly, marks' free grades.
ASKED = {"stores": 0, "items": 4, "tags": 2, "marks": 3, "labels": 300}


def _seeded(pg: PgCluster, root: Path) -> tuple[dict[str, tuple[int, str]], tuple[Any, ...]]:
    """A fresh database holding THERE, appended as ASKED with seed 5: each table's
    row count and digest, and what the rows hold."""
    schema = project_schema(root)
    dbname = pg.create_database()
    try:
        with created(pg, dbname, root) as conn:
            conn.execute(THERE)
            conn.commit()
            result = seed_connection(conn, schema, rows_per=ASKED, seed=5, append=True)
            assert {t.table: (t.rows, t.note) for t in result.tables} == {
                table: (rows, None) for table, rows in ASKED.items()
            }
            assert violations(conn, schema) == []
            assert partial_violations(conn, schema.entity_by_table("labels")) == []
            digests = {ent.table: table_digest(conn, ent) for ent in schema.entities}
            return digests, _held(conn)
    finally:
        pg.drop_database(dbname)


def _held(conn: psycopg.Connection[Any]) -> tuple[Any, ...]:
    row = conn.execute(
        "SELECT (SELECT count(DISTINCT (store_id, kind)) FROM items),"
        " (SELECT count(DISTINCT (kind, flag)) FROM tags),"
        " (SELECT count(*) FROM tags WHERE kind IN ('a', 'c')),"
        " (SELECT string_agg(grade, '' ORDER BY grade) FROM marks),"
        " (SELECT count(DISTINCT code) FILTER (WHERE NOT archived) FROM labels),"
        " (SELECT count(*) FILTER (WHERE archived) FROM labels),"
        " (SELECT count(note) FROM labels)"
    ).fetchone()
    assert row is not None
    return tuple(row)


def test_listed_columns_count_through_their_keys(
    pg: PgCluster, tmp_path: Path
) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    digests, held = _seeded(pg, tmp_path)
    pairs, tag_pairs, forbidden, grades, live_codes, archived, notes = held
    # every (store, kind) of 4 stores and 2 kinds; (b|d) x (false|true); A to E once
    assert (pairs, tag_pairs, forbidden, grades) == (8, 4, 0, "ABCDE")
    # a, b, c live once each (two there), the rest archived, notes NULL in a share
    assert live_codes == 3 and archived == 300 - 1 + 2 and 0 < notes < 304
    counts = {table: count for table, (count, _) in digests.items()}
    assert counts == {"stores": 4, "items": 8, "tags": 4, "marks": 5, "labels": 304}
    # the same seed over the same rows gives the same rows
    assert _seeded(pg, tmp_path) == (digests, held)


REFUSED = """
database: {name: shop}
enums:
  Kind: {values: [a, b, c]}
entities:
  Item:
    columns:
      id: {type: integer, primary_key: true}
      kind: {type: text, unique: true}
      note: {type: text, nullable: true}
    checks:
      kind_ok: "kind IN ('a', 'b', 'c')"
  Tag:
    columns:
      id: {type: integer, primary_key: true}
      kind: {type: enum, enum: Kind}
      flag: {type: boolean}
    unique:
      uq_tags_kind_flag: [kind, flag]
"""


@pytest.mark.parametrize(
    ("asked", "there", "message"),
    [
        (
            {"items": 10, "tags": 0},
            "",
            "cannot seed items: its unique key uq_items_kind (kind) holds at most 3 rows "
            "(kind takes 3 values: its checks, enum or type allow no other), and 10 are "
            "asked; ask for fewer (--rows-per items=3)",
        ),
        (
            {"items": 0, "tags": 5},
            "INSERT INTO items VALUES (1, 'b', NULL), (2, 'c', 'x'), (3, 'a', 'x');",
            "cannot seed tags: its unique key uq_tags_kind_flag (kind, flag) holds at most "
            "6 rows (kind takes 3, flag takes 2 values: its checks, enum or type allow no "
            "other); rows there hold 2 of them, room for 4 more, and 5 are asked; ask for fewer "
            "(--rows-per tags=4)",
        ),
    ],
)
def test_a_key_its_values_cannot_hold_is_refused(
    pg: PgCluster, pg_db: str, tmp_path: Path, asked: dict[str, int], there: str, message: str
) -> None:
    write_schema(tmp_path, {"schema.yaml": REFUSED})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        # rows there: a NULL note, a flag twice
        conn.execute("INSERT INTO tags VALUES (1, 'a', true), (2, 'c', true);" + there)
        conn.commit()
        before = [table_digest(conn, ent) for ent in schema.entities]
        conn.rollback()
        with pytest.raises(SeedError) as caught:
            seed_connection(conn, schema, rows_per=asked, seed=1, append=True)
        assert str(caught.value).startswith(message)
        rows = [f"--rows-per={table}={count}" for table, count in asked.items()]
        output = schemagen(
            tmp_path, "seed", "--database", pg.url(pg_db), *rows, "--append", expect_exit=2
        )
        assert message in output and "Traceback" not in output
        assert [table_digest(conn, ent) for ent in schema.entities] == before


HELD = """
database: {name: shop}
entities:
  Store:
    columns:
      id: {type: integer, primary_key: true}
      name: {type: string, length: 60}
  Item:
    columns:
      id: {type: integer, primary_key: true}
      kind: {type: text, nullable: true}
      note: {type: text, nullable: true}
    checks:
      kind_ok: "kind IN ('a', 'b', 'c')"
    unique:
      uq_items_kind: [kind]
  Shelf:
    table: shelves
    columns:
      id: {type: integer, primary_key: true}
      store_id: {references: Store, back_populates: shelves}
      side: {type: text, nullable: true}
    checks:
      side_ok: "side IN ('l', 'r')"
    unique:
      uq_shelves_store_side: [store_id, side]
"""


def test_rows_there_holding_no_combination_leave_it_free(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    """A row there holding NULL in a column of the counted key takes none of its
    combinations: they were all counted as taken, so items asked for the two kinds
    left was refused ('room for 0') and shelves were capped at 3 of the 5 asked."""
    write_schema(tmp_path, {"schema.yaml": HELD})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(  # NULL kinds and sides, a note twice, store 1 thrice
            "INSERT INTO stores VALUES (1, 's1'), (2, 's2'), (3, 's3');"
            "INSERT INTO items VALUES (1, NULL, 'n'), (2, NULL, 'n'), (3, NULL, NULL),"
            " (4, 'b', NULL);"
            "INSERT INTO shelves VALUES (1, 1, NULL), (2, 1, NULL), (3, 1, 'l');"
        )
        conn.commit()
        result = seed_connection(
            conn, schema, rows_per={"stores": 0, "items": 2, "shelves": 5}, seed=6, append=True
        )
        assert {t.table: (t.rows, t.note) for t in result.tables} == {
            "stores": (0, None), "items": (2, None), "shelves": (5, None),
        }  # fmt: skip
        assert violations(conn, schema) == []
        row = conn.execute(
            "SELECT (SELECT string_agg(kind, '' ORDER BY kind) FROM items),"
            " (SELECT count(DISTINCT (store_id, side)) FROM shelves WHERE side IS NOT NULL)"
        ).fetchone()
    assert row == ("abc", 6)


def test_a_key_of_a_column_seed_cannot_count_names_it_and_the_way_out(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    """A unique time is built from the row number by no generator of seed's and is no
    column to count through: the refusal said only 'no way to make at distinct'."""
    write_schema(tmp_path, {"schema.yaml": """
database: {name: shop}
entities:
  Slot:
    columns:
      id: {type: integer, primary_key: true}
      at: {type: time}
      open: {type: boolean}
    unique:
      uq_slots_at_open: [at, open]
"""})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        with pytest.raises(SeedError) as caught:
            seed_connection(conn, schema, rows=5, seed=1)
        count = conn.execute("SELECT count(*) FROM slots").fetchone()
    assert str(caught.value) == (
        "cannot seed slots: its unique key uq_slots_at_open (at, open) has no column seed "
        "can make distinct row by row (at, a time, is built from the row number by no "
        "generator of seed's, and is no foreign key, enum, boolean or column of listed "
        "values to count through); give it a value generator, e.g. under "
        'entities.Slot.columns.at: seed: {sql: "<SQL expression over n, the row number>"}'
    )
    assert count == (0,)


KEYED = """
database: {name: shop}
enums:
  Kind: {values: [a, b, c]}
entities:
  Grade:
    columns:
      kind: {type: enum, enum: Kind, primary_key: true}
      flag: {type: boolean, primary_key: true}
      note: {type: text, nullable: true}
  Slot:
    columns:
      at: {type: time, primary_key: true}
      open: {type: boolean, primary_key: true}
"""


@pytest.mark.parametrize(
    ("asked", "message"),
    [
        (
            {"grades": 10, "slots": 0},
            "cannot seed grades: its primary key (kind, flag) holds at most 6 rows (kind "
            "takes 3, flag takes 2 values: its checks, enum or type allow no other); rows "
            "there hold 1 of them, room for 5 more, and 10 are asked",
        ),
        (
            {"grades": 0, "slots": 3},
            "cannot seed slots: its primary key (at, open) has no column seed can make "
            "distinct row by row (at, a time,",
        ),
    ],
)
def test_a_primary_key_is_named_as_one_in_a_refusal(
    pg: PgCluster, pg_db: str, tmp_path: Path, asked: dict[str, int], message: str
) -> None:
    """A refusal named a primary key 'its unique key primary key'."""
    write_schema(tmp_path, {"schema.yaml": KEYED})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        # a row there, its note NULL
        conn.execute("INSERT INTO grades VALUES ('b', false, NULL)")
        conn.commit()
        before = [table_digest(conn, ent) for ent in schema.entities]
        with pytest.raises(SeedError) as caught:
            seed_connection(conn, schema, rows_per=asked, seed=1, append=True)
        conn.rollback()
        assert str(caught.value).startswith(message)
        assert "unique key primary key" not in str(caught.value)
        assert [table_digest(conn, ent) for ent in schema.entities] == before
