"""``schemagen import`` of serial columns whose sequence kept an old name: PostgreSQL
leaves a serial's sequence as it is when its table or column is renamed
(``ALTER TABLE orders RENAME TO purchases`` keeps ``orders_id_seq``, owned by
``purchases.id``). Import listed each such column as not expressible; it now writes
``sequence: {name: orders_id_seq}``, and the adopted project makes, checks and
numbers that very sequence."""

from __future__ import annotations

from pathlib import Path

import psycopg
from adopt_harness import round_trip
from migration_harness import alembic, schemagen
from pgcluster import PgCluster

SOURCE = """
CREATE TABLE orders (id serial PRIMARY KEY, note text, qty integer, code serial);
INSERT INTO orders (note, qty) VALUES ('a', 2), (NULL, 2), ('a', NULL), (NULL, NULL);
ALTER TABLE orders RENAME TO purchases;
ALTER TABLE purchases RENAME COLUMN code TO ref;
CREATE SCHEMA shop;
CREATE TABLE shop.carts (id serial PRIMARY KEY, opened date);
INSERT INTO shop.carts (opened) VALUES ('2025-01-01'), (NULL), ('2025-01-01');
ALTER TABLE shop.carts RENAME TO baskets;
"""

_OWNED = """
SELECT s.seqrelid::regclass::text, d.refobjid::regclass::text || '.' || a.attname
FROM pg_sequence s
JOIN pg_depend d ON d.objid = s.seqrelid AND d.deptype = 'a' AND d.refobjsubid > 0
JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid
ORDER BY 1
"""

_SEQUENCES = [
    ("orders_code_seq", "purchases.ref"),
    ("orders_id_seq", "purchases.id"),
    ("shop.carts_id_seq", "shop.baskets.id"),
]


def _findings(root: Path, url: str) -> list[str]:
    out = schemagen(root, "check", "--no-cache", "--database", url, expect_exit=1)
    return [
        line.strip() for line in out.splitlines()
        if line.startswith("  ") and not line.startswith("  ->")
    ]


def test_renamed_tables_serials_import_and_round_trip(pg: PgCluster, tmp_path: Path) -> None:
    source, fresh = pg.create_database("renamed_serial"), pg.create_database("renamed_fresh")
    try:
        pg.sql(SOURCE, source)
        url = pg.url(source)
        root = round_trip(pg, source, tmp_path / "adopted", "renamed serials", ("public", "shop"))
        public = (root / "schema" / "purchases.yaml").read_text()
        assert "id: {type: serial, primary_key: true, sequence: {name: orders_id_seq}}" in public
        assert "ref: {type: serial, sequence: {name: orders_code_seq}}" in public
        shop = (root / "schema" / "baskets.yaml").read_text()
        assert "id: {type: serial, primary_key: true, sequence: {name: carts_id_seq}}" in shop
        alembic(root, pg.url(fresh), "upgrade", "head")
        with psycopg.connect(pg.libpq_url(fresh)) as conn:
            assert conn.execute(_OWNED).fetchall() == _SEQUENCES
            row = conn.execute("INSERT INTO purchases (qty) VALUES (2) RETURNING id, ref")
            assert row.fetchone() == (1, 1)
            row = conn.execute("INSERT INTO shop.baskets DEFAULT VALUES RETURNING id")
            assert row.fetchone() == (1,)
        with psycopg.connect(pg.libpq_url(source)) as conn:
            row = conn.execute("INSERT INTO purchases (qty) VALUES (2) RETURNING id, ref")
            assert row.fetchone() == (5, 5)
            # drift: the sequence renamed by hand to what serial would name it
            conn.execute("ALTER SEQUENCE orders_id_seq RENAME TO purchases_id_seq")
        assert sorted(_findings(root, url)) == [
            "column purchases.id: default is nextval('purchases_id_seq'::regclass) in the "
            "database, nextval('orders_id_seq'::regclass) in the schema",
            "sequence orders_id_seq: missing from the database",
            "sequence purchases_id_seq: in the database but not in the schema",
        ]
    finally:
        pg.drop_database(source)
        pg.drop_database(fresh)
