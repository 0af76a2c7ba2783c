"""``schemagen import`` of serial columns whose sequence has options of its own
(``ALTER SEQUENCE orders_id_seq START WITH 1000 INCREMENT BY 5 CACHE 20``, a
counter counting down, a number that cycles): import listed each such column as
not expressible; it now writes them under ``sequence:`` as ``sequences:`` entries
say them, and the adopted project makes, checks and numbers those very sequences."""

from __future__ import annotations

from pathlib import Path

import psycopg
from adopt_harness import round_trip
from migration_harness import alembic, schemagen
from pgcluster import PgCluster

SOURCE = """
CREATE TABLE orders (id serial PRIMARY KEY, note text);
INSERT INTO orders (note) VALUES ('a'), (NULL), ('a');
ALTER SEQUENCE orders_id_seq START WITH 1000 INCREMENT BY 5 CACHE 20 RESTART;
CREATE TABLE counters (label text, down serial, ring bigserial);
INSERT INTO counters (label) VALUES ('x'), (NULL), ('x');
ALTER SEQUENCE counters_down_seq INCREMENT BY -1 MINVALUE -1000 MAXVALUE -1 START WITH -1
  RESTART;
ALTER SEQUENCE counters_ring_seq MAXVALUE 99 CYCLE;
CREATE TABLE carts (id smallserial PRIMARY KEY);
ALTER TABLE carts RENAME TO baskets;
ALTER SEQUENCE carts_id_seq START WITH 10 RESTART;
"""

_OPTIONS = """
SELECT sequencename, data_type::text, start_value, increment_by, min_value, max_value,
       cycle, cache_size
FROM pg_sequences ORDER BY 1
"""

_SEQUENCES = [
    ("carts_id_seq", "smallint", 10, 1, 1, 32767, False, 1),
    ("counters_down_seq", "integer", -1, -1, -1000, -1, False, 1),
    ("counters_ring_seq", "bigint", 1, 1, 1, 99, True, 1),
    ("orders_id_seq", "integer", 1000, 5, 1, 2147483647, False, 20),
]


def _findings(root: Path, url: str) -> list[str]:
    out = schemagen(root, "check", "--no-cache", "--database", url, expect_exit=1)
    return [
        line.strip() for line in out.splitlines()
        if line.startswith("  ") and not line.startswith("  ->")
    ]


def test_serial_sequence_options_import_and_round_trip(pg: PgCluster, tmp_path: Path) -> None:
    source, fresh = pg.create_database("serial_options"), pg.create_database("options_fresh")
    try:
        pg.sql(SOURCE, source)
        url = pg.url(source)
        root = round_trip(pg, source, tmp_path / "adopted", "serial options")
        orders = (root / "schema" / "orders.yaml").read_text()
        assert (
            "id: {type: serial, primary_key: true, sequence: {increment: 5, start: 1000, "
            "cache: 20}}" in orders
        ), orders
        counters = (root / "schema" / "counters.yaml").read_text()
        assert "down: {type: serial, sequence: {increment: -1, min: -1000}}" in counters
        assert "ring: {type: bigserial, sequence: {max: 99, cycle: true}}" in counters
        baskets = (root / "schema" / "baskets.yaml").read_text()
        assert (
            "id: {type: smallserial, primary_key: true, sequence: {name: carts_id_seq, "
            "start: 10}}" in baskets
        ), baskets
        alembic(root, pg.url(fresh), "upgrade", "head")
        with psycopg.connect(pg.libpq_url(fresh)) as conn:
            assert conn.execute(_OPTIONS).fetchall() == _SEQUENCES
            row = conn.execute("INSERT INTO orders DEFAULT VALUES RETURNING id").fetchone()
            assert row == (1000,)
            row = conn.execute("INSERT INTO counters DEFAULT VALUES RETURNING down, ring")
            assert row.fetchone() == (-1, 1)
            row = conn.execute("INSERT INTO baskets DEFAULT VALUES RETURNING id").fetchone()
            assert row == (10,)
        with psycopg.connect(pg.libpq_url(source)) as conn:
            assert conn.execute(_OPTIONS).fetchall() == _SEQUENCES
            row = conn.execute("INSERT INTO orders DEFAULT VALUES RETURNING id").fetchone()
            assert row == (1000,)
            # drift: options changed by hand
            conn.execute("ALTER SEQUENCE orders_id_seq CACHE 1")
            conn.execute("ALTER SEQUENCE counters_ring_seq NO CYCLE")
        findings = _findings(root, url)
        assert len(findings) == 2, findings
        assert [f.split(":")[0] for f in sorted(findings)] == [
            "sequence counters_ring_seq", "sequence orders_id_seq",
        ], findings
    finally:
        pg.drop_database(source)
        pg.drop_database(fresh)
