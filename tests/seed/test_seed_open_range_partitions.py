"""seed routes rows into range partitions open at one end or both (``FROM (MINVALUE)``,
``TO (MAXVALUE)``): each such partition gets rows inside its bounds, whatever the key
column's type (date, timestamptz, integer, numeric), and rows the table already holds
(NULLs, repeats) stay. A partition from MINVALUE to MAXVALUE (the only one) takes
rows too."""

from __future__ import annotations

from pathlib import Path

import pytest
from migration_harness import write_schema
from pgcluster import PgCluster
from schemagen.seed.run import seed_connection
from seed_checks import created, project_schema, violations

SCHEMA = """
database: {name: ledger}
entities:
  Entry:
    primary_key: [id, key]
    columns:
      id: {type: bigint, primary_key: true}
      key: {type: %s, primary_key: true}
      note: {type: string, length: 20, nullable: true}
    partition_by: {range: [key]}
    partitions:
      entries_old: {from: MINVALUE, to: %s}
      entries_mid: {from: %s, to: %s}
      entries_new: {from: %s, to: MAXVALUE}
"""

#: the key's type, the two bounds between the partitions, a key in each partition
#: (the bounds of integer and smallint lie within 1,000 of the type's least and most)
KEYS = {
    "date": ("date", "2026-01-01", "2026-07-01", "'2020-01-01'", "'2026-03-01'", "'2030-01-01'"),
    "timestamptz": (
        "timestamptz",
        "2026-01-01 00:00:00+00",
        "2026-07-01 00:00:00+00",
        "'2020-01-01+00'",
        "'2026-03-01+00'",
        "'2030-01-01+00'",
    ),
    "integer": ("integer", "-2147483000", "2147483000", "-2147483500", "0", "2147483500"),
    "smallint": ("smallint", "-32000", "32000", "-32500", "0", "32500"),
    "numeric": ("numeric, precision: 12, scale: 2", "10", "100", "1.5", "55.25", "1000"),
    "bigint": ("bigint", "0", "100", "-5", "50", "105"),
}


@pytest.mark.parametrize("kind", sorted(KEYS))
def test_open_range_partitions_get_rows(
    pg: PgCluster, tmp_path: Path, kind: str
) -> None:
    type_, low, high, old, mid, new = KEYS[kind]
    write_schema(tmp_path, {"schema.yaml": SCHEMA % (type_, low, low, high, high)})
    db = pg.create_database()
    try:
        with created(pg, db, tmp_path) as conn:
            # rows already there: one in each partition, a NULL note, a note repeated
            conn.execute(
                f"INSERT INTO entries VALUES (1, {old}, NULL), (2, {mid}, 'same'), "
                f"(3, {new}, 'same'), (4, {mid}, NULL)"
            )
            conn.commit()
            seed_connection(conn, project_schema(tmp_path), rows=300, seed=5, append=True)
            rows = dict(
                conn.execute(
                    "SELECT tableoid::regclass::text, count(*) FROM entries GROUP BY 1"
                ).fetchall()
            )
            assert rows == {"entries_old": 101, "entries_mid": 102, "entries_new": 101}, rows
            assert violations(conn, project_schema(tmp_path)) == []
            kept = conn.execute(
                "SELECT count(*) FROM entries e JOIN (VALUES (1, NULL), (2, 'same'), "
                "(3, 'same'), (4, NULL)) v(id, note) ON e.id = v.id "
                "AND e.note IS NOT DISTINCT FROM v.note"
            ).fetchone()
            assert kept == (4,)
    finally:
        pg.drop_database(db)


WHOLE = """
database: {name: ledger}
entities:
  Entry:
    primary_key: [id, day]
    columns:
      id: {type: bigint, primary_key: true}
      day: {type: %s, primary_key: true}
    partition_by: {range: [day]}
    partitions:
      entries_all: {from: MINVALUE, to: MAXVALUE}
"""


@pytest.mark.parametrize("type_", ["date", "timestamptz", "integer", "numeric"])
def test_one_partition_from_minvalue_to_maxvalue_gets_rows(
    pg: PgCluster, tmp_path: Path, type_: str
) -> None:
    write_schema(tmp_path, {"schema.yaml": WHOLE % type_})
    db = pg.create_database()
    try:
        with created(pg, db, tmp_path) as conn:
            seed_connection(conn, project_schema(tmp_path), rows=50, seed=5)
            assert conn.execute("SELECT count(*) FROM entries_all").fetchone() == (50,)
            assert violations(conn, project_schema(tmp_path)) == []
    finally:
        pg.drop_database(db)


NARROW = """
database: {name: ledger}
entities:
  Price:
    primary_key: false   # a key (id, amount) would need amounts apart: all are 10.00
    columns:
      id: {type: bigint}
      amount: {type: numeric, precision: 12, scale: 2}
      note: {type: string, length: 20, nullable: true}
    partition_by: {range: [amount]}
    partitions:
      prices_cent: {from: 10, to: 10.01}
      prices_rest: {from: 10.01, to: MAXVALUE}
"""


def test_a_numeric_range_keeps_its_rows_below_its_upper_bound(
    pg: PgCluster, tmp_path: Path
) -> None:
    """A value inside a numeric range, made at the column's scale, is cut to it, not
    rounded: FROM (10) TO (10.01) on numeric(12,2) took 10 + 0.01 * r, which the
    column rounds to 10.01 for r >= 0.5, the next partition's bound (its rows went
    there, or failed where none is above)."""
    write_schema(tmp_path, {"schema.yaml": NARROW})
    db = pg.create_database()
    try:
        with created(pg, db, tmp_path) as conn:
            conn.execute("INSERT INTO prices VALUES (1, 10, NULL), (2, 10, 'x'), (3, 12.5, 'x')")
            conn.commit()
            seed_connection(conn, project_schema(tmp_path), rows=200, seed=5, append=True)
            rows = dict(
                conn.execute(
                    "SELECT tableoid::regclass::text, count(*) FROM prices GROUP BY 1"
                ).fetchall()
            )
            assert rows == {"prices_cent": 102, "prices_rest": 101}, rows
            assert violations(conn, project_schema(tmp_path)) == []
    finally:
        pg.drop_database(db)
