"""``schemagen import`` reads a materialized view's index keys with their options, as
a table index's: a key's collation and order (``DESC``, ``NULLS FIRST``, ``DESC NULLS
LAST``), an expression key (with its operator class), a column key's operator
class, ``INCLUDE`` columns and ``NULLS NOT DISTINCT``. It read each key as a bare
column (``INCLUDE`` columns among them) and listed a view with an expression key as
not expressible, so the migrated copy built other indexes (``(name, id)`` for
``(name COLLATE "C", id DESC)``) and dumped differently; migrations write them
since 4c2183e (corpus 128). An expression key's collation of its own
(``(lower(name)) COLLATE "C"``) was read as none, so the copy's index had none."""

from __future__ import annotations

from pathlib import Path

import yaml
from adopt_harness import round_trip
from pgcluster import PgCluster

SOURCE_SQL = """
CREATE TABLE stores (id bigint PRIMARY KEY, name text, city text);
INSERT INTO stores VALUES (1, 'b', 'Oslo'), (2, 'B', NULL), (3, 'a', 'Oslo'), (4, NULL, NULL),
  (5, 'b', 'Rome'), (6, 'b', 'Rome');
CREATE MATERIALIZED VIEW store_names AS SELECT id, name, city FROM stores;
CREATE INDEX ix_store_names_name ON store_names (name COLLATE "C", id DESC);
CREATE INDEX ix_store_names_city
  ON store_names (city DESC NULLS LAST, lower(name) text_pattern_ops);
CREATE INDEX ix_store_names_pattern ON store_names (name text_pattern_ops NULLS FIRST)
  INCLUDE (city) WHERE city IS NOT NULL;
CREATE UNIQUE INDEX ux_store_names_id ON store_names (id) NULLS NOT DISTINCT;
CREATE INDEX ix_store_names_lower ON store_names ((lower(name)) COLLATE "C", id);
"""

EXPECTED = {
    "ix_store_names_city": {
        "columns": [
            {"column": "city", "order": "desc", "nulls": "last"},
            {"expression": "lower(name)", "ops": "text_pattern_ops"},
        ]
    },
    "ix_store_names_lower": {"columns": [{"expression": "lower(name)", "collation": "C"}, "id"]},
    "ix_store_names_name": {"columns": [{"column": "name", "collation": "C"},
                                        {"column": "id", "order": "desc"}]},
    "ix_store_names_pattern": {
        "columns": [{"column": "name", "nulls": "first"}],
        "ops": {"name": "text_pattern_ops"},
        "where": "city IS NOT NULL",
        "include": ["city"],
    },
    "ux_store_names_id": {"columns": ["id"], "unique": True, "nulls_not_distinct": True},
}


def test_view_index_keys_keep_their_options(pg: PgCluster, tmp_path: Path) -> None:
    source = pg.create_database("view_index_keys")
    try:
        pg.sql(SOURCE_SQL, source)
        # imported, checked clean against the source, a fresh copy dumps exactly like it
        root = round_trip(pg, source, tmp_path / "adopted", "view index key options")
        text = "".join(p.read_text() for p in sorted((root / "schema").glob("*.yaml")))
        assert "not expressible" not in text
        views = next(
            doc["views"]
            for doc in (yaml.safe_load(p.read_text()) for p in (root / "schema").glob("*.yaml"))
            if doc and "views" in doc
        )
        assert views["StoreNames"]["indexes"] == EXPECTED, views
        # the source's rows read through the imported indexes' definitions
        assert pg.sql("SELECT count(*) || ':' || count(name) FROM store_names", source) == "6:5\n"
    finally:
        pg.drop_database(source)
