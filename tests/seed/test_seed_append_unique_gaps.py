"""``seed --append`` fills the gaps the rows there leave in a unique column's values:
seed built its rows' values from row numbers past the rows there and, where one met
a row there, numbered its rows past it, losing the room below. So a value space of
few values (``code LIKE 'T_'``: T0 to T9; a one-character text: 1 to 9) was refused
while it had room ('13 distinct values do not fit the 1 characters its patterns
leave free'). Now the new rows take the first row numbers, from 1, whose values meet
no row there, and a space with no room left is refused before any row is written,
saying how much room the rows there leave."""

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

SCHEMA = """
database: {name: shop}
entities:
  Tag:
    columns:
      id: {type: integer, primary_key: true}
      code: {type: text, unique: true}
      label: {type: text, nullable: true}%(alt)s
    checks:
      code_like: "code LIKE 'T_'"
"""
ALT = "\n      alt: {type: string, length: 1, unique: true}"

#: Rows there holding values seed itself makes (T0, T1 and T5: its rows 1, 2 and 6),
#: a NULL label and one twice.
THERE = "INSERT INTO tags (code, label) VALUES ('T0', NULL), ('T1', 'x'), ('T5', 'x')"
#: The same, each row also holding a one-character alt seed makes (9, 1, 3: its
#: rows 9, 1 and 3), so that the rows there leave 4 of the row numbers 1 to 9.
THERE_ALT = (
    "INSERT INTO tags (code, alt, label) VALUES ('T0', '9', NULL), ('T1', '1', 'x'), "
    "('T5', '3', 'x')"
)


def _tags(conn: psycopg.Connection[Any]) -> list[tuple[Any, ...]]:
    return conn.execute("SELECT code, label FROM tags WHERE id <= 3 ORDER BY id").fetchall()


def test_append_takes_the_values_the_rows_there_leave(pg: PgCluster, tmp_path: Path) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA % {"alt": ""}})
    schema = project_schema(tmp_path)
    digests = []
    for _ in range(2):  # the same rows there and the same seed give the same rows
        db = pg.create_database()
        try:
            with created(pg, db, tmp_path) as conn:
                conn.execute(THERE)
                conn.commit()
                seed_connection(conn, schema, rows_per={"tags": 7}, seed=3, append=True)
                assert violations(conn, schema) == []
                codes = conn.execute("SELECT array_agg(code ORDER BY code) FROM tags").fetchone()
                assert codes == ([f"T{d}" for d in range(10)],)
                assert _tags(conn) == [("T0", None), ("T1", "x"), ("T5", "x")]
                digests.append(table_digest(conn, schema.entity_by_table("tags")))
        finally:
            pg.drop_database(db)
    assert digests[0] == digests[1]


def test_two_keys_fill_the_numbers_both_leave_and_no_more(pg: PgCluster, tmp_path: Path) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA % {"alt": ALT}})
    schema = project_schema(tmp_path)
    db = pg.create_database()
    try:
        with created(pg, db, tmp_path) as conn:
            conn.execute(THERE_ALT)
            conn.commit()
            with pytest.raises(SeedError) as caught:
                seed_connection(conn, schema, rows_per={"tags": 5}, seed=3, append=True)
            assert conn.execute("SELECT count(*) FROM tags").fetchone() == (3,)
            assert (
                "cannot seed tags: rows there hold the values seed makes for its unique keys "
                "(uq_tags_alt, uq_tags_code) on 5 of the 9 row numbers it can make them "
                "for, leaving room for 4 of the 5 rows asked: cannot seed tags.alt: 10 "
                "distinct values do not fit 1 characters"
            ) in str(caught.value), caught.value
            seed_connection(conn, schema, rows_per={"tags": 4}, seed=3, append=True)
            assert violations(conn, schema) == []
            row = conn.execute(
                "SELECT array_agg(code ORDER BY code), array_agg(alt ORDER BY alt) "
                "FROM tags WHERE id > 3"
            ).fetchone()
            # row numbers 4, 5, 7 and 8: the ones neither key's rows there hold
            assert row == (["T3", "T4", "T6", "T7"], ["4", "5", "7", "8"])
            assert _tags(conn) == [("T0", None), ("T1", "x"), ("T5", "x")]
    finally:
        pg.drop_database(db)


def test_rows_there_outside_seeds_values_leave_it_all_its_room(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    """TA and TB keep the pattern but are none of seed's T0 to T9: numbered past the 2
    rows there, seed's 10 rows asked 12 numbers of 10 and were refused ('12 distinct
    values do not fit'); numbered from 1, they take all ten."""
    write_schema(tmp_path, {"schema.yaml": SCHEMA % {"alt": ""}})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute("INSERT INTO tags (code, label) VALUES ('TA', NULL), ('TB', NULL)")
        conn.commit()
        with pytest.raises(SeedError) as caught:
            seed_connection(conn, schema, rows_per={"tags": 11}, seed=3, append=True)
        assert "11 distinct values do not fit the 1 characters" in str(caught.value)
        assert conn.execute("SELECT count(*) FROM tags").fetchone() == (2,)
        seed_connection(conn, schema, rows_per={"tags": 10}, seed=3, append=True)
        assert violations(conn, schema) == []
        codes = conn.execute("SELECT array_agg(code ORDER BY code) FROM tags").fetchone()
    assert codes == ([f"T{d}" for d in range(10)] + ["TA", "TB"],)


ITEMS = """
database: {name: shop}
entities:
  Item:
    columns:
      id: {type: bigint, primary_key: true}
      code: {type: text, unique: true, seed: {sql: "item_code(n)"}}
"""

#: The user's value generator, a function whose calls the server counts.
ITEM_CODE = (
    "CREATE FUNCTION item_code(n bigint) RETURNS text LANGUAGE plpgsql AS "
    "$$ BEGIN RETURN 'I' || n; END $$"
)
CALLS = "SELECT coalesce(sum(calls), 0) FROM pg_stat_user_functions WHERE funcname = 'item_code'"


def _calls(conn: psycopg.Connection[Any]) -> int:
    """The calls of item_code so far, this session's flushed to the server's counters."""
    conn.execute("SELECT pg_stat_force_next_flush()")
    conn.commit()
    conn.execute("SELECT pg_stat_clear_snapshot()")
    row = conn.execute(CALLS).fetchone()
    conn.commit()
    assert row is not None
    return int(row[0])


def test_a_few_rows_appended_look_at_the_row_numbers_they_need_not_at_every_row_there(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    """5,000 items there, every tenth deleted: 10 more take the first ten gaps (I10 to
    I100). Finding them made the values of every row number from 1 to the rows there
    plus those asked (4,510 numbers: 4,521 calls of the value generator for 10 rows),
    so a few rows appended to a big table cost as much as the table; the gaps are now
    looked for from 1 in doubling windows (collisions._list_met), which stop once
    enough are free."""
    write_schema(tmp_path, {"schema.yaml": ITEMS})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(ITEM_CODE)
        conn.execute("SET track_functions = 'pl'")
        conn.commit()
        seed_connection(conn, schema, rows_per={"items": 5_000}, seed=1)
        conn.execute("DELETE FROM items WHERE id % 10 = 0")
        conn.commit()
        calls = _calls(conn)
        seed_connection(conn, schema, rows_per={"items": 10}, seed=2, append=True)
        calls = _calls(conn) - calls
        assert violations(conn, schema) == []
        new = conn.execute(
            "SELECT array_agg(code ORDER BY id) FROM items WHERE id > 5000"
        ).fetchone()
    assert new == ([f"I{10 * k}" for k in range(1, 11)],)
    # (measured: 4,521 calls before; 1,011 now: the first window's 1,000 numbers, 11 more)
    assert calls < 2_000, calls
