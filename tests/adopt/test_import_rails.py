"""``schemagen import`` of a database a Rails application wrote, holding rows: integer
keys the application assigns (Shopify's own ids, no identity) round-trip (import,
build, migrate, stamp, ``check --database`` clean, a fresh upgrade dumps like the
source; see :mod:`adopt_harness`)."""

from __future__ import annotations

from pathlib import Path

import yaml
from adopt_harness import round_trip
from pgcluster import PgCluster

RAILS_SQL = """
CREATE TABLE shops (
  id bigint NOT NULL PRIMARY KEY,
  domain character varying NOT NULL
);
CREATE TABLE products (
  id bigint NOT NULL PRIMARY KEY,
  shop_id bigint NOT NULL REFERENCES shops (id),
  title character varying
);
INSERT INTO shops VALUES (548380009, 'a.myshopify.com'), (548380010, 'b.myshopify.com');
INSERT INTO products VALUES (632910392, 548380009, 'IPod Nano'), (921728736, 548380010, NULL);
"""


def test_rails_database_round_trip(pg: PgCluster, tmp_path: Path) -> None:
    source = pg.create_database("rails")
    try:
        pg.sql(RAILS_SQL, source)
        root = round_trip(pg, source, tmp_path / "p", "rails")
        assert pg.sql("SELECT count(*) FROM products", source).strip() == "2"
    finally:
        pg.drop_database(source)
    docs = [yaml.safe_load(p.read_text()) for p in sorted((root / "schema").glob("*.yaml"))]
    entities = {k: v for d in docs for k, v in (d.get("entities") or {}).items()}
    assert entities["Shop"]["columns"]["id"] == {
        "type": "bigint", "primary_key": True, "identity": False,
    }
    assert entities["Product"]["columns"]["id"]["identity"] is False
