"""``seed --append`` after rows written with their ids (a restore, a hand-made
fixture, ``OVERRIDING SYSTEM VALUE``): the identity or serial sequence had not moved,
so seed's first row took id 1 again and the whole seed failed ('duplicate key value
violates unique constraint "pk_accounts"'). Seed now moves such a sequence past the
table's largest value first (setval), only where the rows are beyond it, and says
so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from migration_harness import write_schema
from pgcluster import PgCluster
from schemagen.cli import main
from schemagen.seed.refusals import SeedError
from schemagen.seed.run import seed_connection
from seed_checks import created, project_schema, violations

SCHEMA = """
database: {name: shop}
entities:
  Account:
    columns:
      id: {type: bigint, primary_key: true}
      name: {type: text, nullable: true}
  Order:
    columns:
      id: {type: serial, primary_key: true}
      account_id: {references: Account, back_populates: orders}
      note: {type: text, nullable: true}
  Invoice:
    schema: billing
    columns:
      id: {type: integer, primary_key: true, identity: by default}
      total: {type: integer, nullable: true}
  Tag:
    columns:
      id: {type: bigint, primary_key: true}
      label: {type: text, nullable: true}
  Note:
    columns:
      id: {type: bigint, primary_key: true}
      body: {type: text, nullable: true}
"""

# accounts, orders and billing.invoices hold ids their sequences never gave; tags'
# rows took theirs from the sequence; notes' sequence was moved past its rows by hand
ROWS = """
INSERT INTO accounts OVERRIDING SYSTEM VALUE VALUES (1, 'a'), (2, 'a'), (7, NULL);
INSERT INTO orders VALUES (1, 1, NULL), (2, 7, 'x'), (3, 7, 'x');
INSERT INTO billing.invoices VALUES (40, NULL), (41, 5), (42, 5);
INSERT INTO tags (label) VALUES ('a'), ('a'), (NULL);
INSERT INTO notes OVERRIDING SYSTEM VALUE VALUES (5, 'x'), (6, NULL), (6 + 1, 'x');
SELECT setval('notes_id_seq', 100);
"""


def test_append_moves_a_sequence_behind_the_rows(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    write_schema(tmp_path, {"schema.yaml": SCHEMA})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(ROWS)  # type: ignore[arg-type]
        conn.commit()
        result = seed_connection(conn, schema, rows=20, seed=1, append=True)
        assert violations(conn, schema) == []
        lines = result.report_lines()
        assert [line for line in lines if "sequence" in line] == [
            "  moved sequence accounts_id_seq to 7: accounts.id holds up to 7",
            "  moved sequence billing.invoices_id_seq to 42: billing.invoices.id holds up to 42",
            "  moved sequence orders_id_seq to 3: orders.id holds up to 3",
        ], lines
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM accounts WHERE id > 7),"
            " (SELECT count(*) FROM orders WHERE id > 3),"
            " (SELECT count(*) FROM billing.invoices WHERE id > 42),"
            " (SELECT min(id) FROM notes WHERE id > 7),"
            " (SELECT count(*) FROM tags)"
        ).fetchone()
        assert counts is not None and counts[4] > 3
        inserted = {t.table: t.rows for t in result.tables}
        assert counts[:3] == (
            inserted["accounts"],
            inserted["orders"],
            inserted["billing.invoices"],
        )
        assert counts[3] == 101  # notes' sequence, already past its rows, was left alone
        # and once more: the sequences are past the rows now, nothing to move
        again = seed_connection(conn, schema, rows=20, seed=2, append=True)
        assert [line for line in again.report_lines() if "sequence" in line] == []
        assert violations(conn, schema) == []


BOUNDED = """
database: {name: shop}
entities:
  Order:
    columns:
      id: {type: serial, primary_key: true, sequence: {max: 100}}
      note: {type: text, nullable: true}
  Invoice:
    columns:
      id: {type: integer, primary_key: true, identity: {max: 1000}}
      total: {type: integer, nullable: true}
"""


def test_append_past_a_sequence_s_maxvalue_says_so(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    """orders holds an id (500) written by hand past its sequence's MAXVALUE (100):
    setval(orders_id_seq, 500) failed with PostgreSQL's 'setval: value 500 is out
    of bounds for sequence "orders_id_seq" (1..100)'. Seed now stops before it,
    naming the table, the sequence, the largest value and the bound, writes
    nothing, and says what to do."""
    write_schema(tmp_path, {"schema.yaml": BOUNDED})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        conn.execute(
            "INSERT INTO orders VALUES (1, NULL), (2, 'x'), (500, 'x'); "  # type: ignore[arg-type]
            "INSERT INTO invoices (total) VALUES (NULL), (3), (3)"
        )
        conn.commit()
        with pytest.raises(SeedError) as info:
            seed_connection(conn, schema, rows=20, seed=1, append=True)
        assert str(info.value) == (
            "cannot append to orders: orders.id holds up to 500, past the MAXVALUE 100 of "
            "its sequence orders_id_seq, so no new row can be numbered; raise the sequence's "
            "max: to 500 or more (or delete the rows above 100), then seed again"
        )
        conn.rollback()
        counts = conn.execute(
            "SELECT (SELECT count(*) FROM orders), (SELECT count(*) FROM invoices),"
            " (SELECT last_value FROM orders_id_seq)"
        ).fetchone()
        assert counts == (3, 3, 1)  # nothing written, the sequence where it was
        conn.execute("DELETE FROM orders WHERE id = 500")  # type: ignore[arg-type]
        conn.commit()
        result = seed_connection(conn, schema, rows=20, seed=1, append=True)
        assert violations(conn, schema) == []
        assert [line for line in result.report_lines() if "sequence" in line] == [
            "  moved sequence orders_id_seq to 2: orders.id holds up to 2",
        ]


def _state(conn: Any) -> tuple[Any, ...]:
    row = conn.execute(
        "SELECT (SELECT count(*) FROM orders), (SELECT count(*) FROM invoices),"
        " (SELECT last_value FROM orders_id_seq)"
    ).fetchone()
    assert row is not None
    return tuple(row)


def test_rows_past_a_sequence_s_room_are_refused_up_front(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    """More rows asked than a serial or identity sequence can still number failed
    mid-seed with 'nextval: reached maximum value of sequence "orders_id_seq" (100)',
    the sequence spent; with --append over a row at exactly the MAXVALUE, setval
    passed and the first insert failed the same way. Seed now refuses before any
    insert, naming each table, its sequence, the room left and the rows asked."""
    write_schema(tmp_path, {"schema.yaml": BOUNDED})
    schema = project_schema(tmp_path)
    with created(pg, pg_db, tmp_path) as conn:
        with pytest.raises(SeedError) as info:
            seed_connection(conn, schema, rows_per={"orders": 101, "invoices": 1001})
        assert str(info.value) == (
            "cannot seed invoices: its sequence invoices_id_seq numbers invoices.id up to "
            "its MAXVALUE 1000, room for 1000 more rows, and 1001 are asked; cannot seed "
            "orders: its sequence orders_id_seq numbers orders.id up to its MAXVALUE 100, "
            "room for 100 more rows, and 101 are asked. Ask for fewer (--rows-per TABLE=N) "
            "or raise the sequence's max (a serial's sequence: {max: N}, an identity's "
            "identity: {max: N}), then seed again"
        )
        conn.rollback()
        assert _state(conn) == (0, 0, 1)  # nothing written, no number spent
        result = seed_connection(conn, schema, rows_per={"orders": 100, "invoices": 1000})
        assert {t.table: t.rows for t in result.tables} == {"orders": 100, "invoices": 1000}
        assert violations(conn, schema) == []
    db = pg.create_database()
    try:
        with created(pg, db, tmp_path) as conn:
            # the largest id is the MAXVALUE: setval to it leaves no number
            conn.execute(
                "INSERT INTO orders VALUES (1, NULL), (2, 'x'), (100, 'x'); "  # type: ignore[arg-type]
                "INSERT INTO invoices (total) VALUES (NULL), (3), (3)"
            )
            conn.commit()
            with pytest.raises(SeedError) as info:
                seed_connection(conn, schema, rows=20, append=True)
            assert str(info.value).startswith(
                "cannot seed orders: its sequence orders_id_seq numbers orders.id up to its "
                "MAXVALUE 100, room for 0 more rows, and 20 are asked."
            ), info.value
            conn.rollback()
            assert _state(conn)[:2] == (3, 3)
            code, out = _seed_cli(tmp_path, pg.url(db), "--rows", "20", "--append")
            assert code == 2 and "room for 0 more rows" in out and "Traceback" not in out, out
            assert _state(conn)[:2] == (3, 3)
            code, out = _seed_cli(
                tmp_path, pg.url(db), "--rows-per", "orders=0", "--rows-per", "invoices=20",
                "--append",
            )
            assert code == 0, out
            assert _state(conn)[:2] == (3, 23)
            assert violations(conn, schema) == []
    finally:
        pg.drop_database(db)


def _seed_cli(root: Path, url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["seed", "--project", str(root), "--database", url, *args])
    return result.exit_code, result.output
