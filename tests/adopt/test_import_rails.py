"""``schemagen import`` of a database a Rails application wrote, holding rows:
``timestamp(6) without time zone`` created_at/updated_at, other time precisions and
interval fields, and integer keys the application assigns (Shopify's own ids, no
identity) round-trip (import, build, migrate, stamp, ``check --database`` clean, a
fresh upgrade dumps like the source; see :mod:`adopt_harness`)."""

from __future__ import annotations

from pathlib import Path

import yaml
from adopt_harness import round_trip
from pgcluster import PgCluster

RAILS_SQL = """
CREATE TABLE schema_migrations (version character varying NOT NULL PRIMARY KEY);
CREATE TABLE shops (
  id bigint NOT NULL PRIMARY KEY,
  domain character varying NOT NULL,
  created_at timestamp(6) without time zone NOT NULL,
  updated_at timestamp(6) without time zone NOT NULL
);
CREATE TABLE products (
  id bigint NOT NULL PRIMARY KEY,
  shop_id bigint NOT NULL REFERENCES shops (id),
  title character varying,
  published_at timestamp(3) with time zone DEFAULT CURRENT_TIMESTAMP,
  opens time(0) with time zone,
  closes time with time zone,
  lead_time interval day to second(3),
  billing interval year to month,
  created_at timestamp(6) without time zone NOT NULL,
  updated_at timestamp(6) without time zone NOT NULL
);
INSERT INTO schema_migrations VALUES ('20240501100000');
INSERT INTO shops VALUES
  (548380009, 'a.myshopify.com', '2024-05-01 10:00:00.123456', '2024-05-01 10:00:00.654321'),
  (548380010, 'b.myshopify.com', '2024-05-02 11:00:00', '2024-05-02 11:00:00');
INSERT INTO products VALUES
  (632910392, 548380009, 'IPod Nano', '2024-05-01 10:00:00.1234+00', '08:00+02', NULL,
   '1 day 02:00:00.1234', '1 year 2 mons', '2024-05-01 10:00:00.123456', now()),
  (921728736, 548380010, NULL, NULL, NULL, '20:00+02', NULL, NULL, now(), now());
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
    columns = entities["Product"]["columns"]
    assert columns["created_at"] == {"type": "timestamp", "precision": 6}
    assert columns["published_at"] == {
        "type": "timestamptz", "precision": 3, "nullable": True, "default": "current_timestamp",
    }
    assert columns["opens"] == {"type": "timetz", "precision": 0, "nullable": True}
    assert columns["closes"] == {"type": "timetz", "nullable": True}
    assert columns["lead_time"] == {
        "type": "interval day to second", "precision": 3, "nullable": True,
    }
    assert columns["billing"] == {"type": "interval year to month", "nullable": True}
