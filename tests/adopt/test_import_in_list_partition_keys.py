"""``schemagen import`` writes the IN lists of a partition key's expressions as
``x IN (...)``, as it does for checks, predicates, index keys and exclusions
(adopt.inlists). PostgreSQL prints ``PARTITION BY LIST ((status IN ('held',
'paid')))`` over a varchar column as ``((status)::text = ANY ((ARRAY['held'::character
varying, ...])::text[]))``, which reads back as another expression (the cast pushed
into the elements): imported as printed, a fresh copy's key differed from the
source's (its dump too), and check --database reported the fresh copy's key. The
key's IN lists are written back, and check --database reads the database's key
with its IN lists as import writes them."""

from __future__ import annotations

from pathlib import Path

import yaml
from adopt_harness import round_trip
from migration_harness import schemagen
from pgcluster import PgCluster

SOURCE_SQL = """
CREATE TABLE bookings (
  id integer NOT NULL,
  status varchar(20),
  room integer
) PARTITION BY LIST ((status IN ('held', 'paid')));
CREATE TABLE bookings_live PARTITION OF bookings FOR VALUES IN (true);
CREATE TABLE bookings_rest PARTITION OF bookings DEFAULT;
CREATE TABLE stays (
  id integer NOT NULL,
  kind varchar(10),
  night integer NOT NULL
) PARTITION BY RANGE ((CASE WHEN kind NOT IN ('void', 'gone') THEN night END), id);
CREATE TABLE stays_all PARTITION OF stays DEFAULT;
INSERT INTO bookings VALUES (1, 'held', 1), (2, 'gone', 1), (3, NULL, NULL), (4, 'held', 1);
INSERT INTO stays VALUES (1, 'void', 3), (2, NULL, 3), (3, 'ok', 3), (3, 'ok', 3);
"""


def test_in_lists_of_partition_keys(pg: PgCluster, tmp_path: Path) -> None:
    source = pg.create_database("in_list_partitions")
    try:
        pg.sql(SOURCE_SQL, source)
        root = round_trip(pg, source, tmp_path / "adopted", "partition key IN lists")
        bookings = yaml.safe_load((root / "schema" / "bookings.yaml").read_text())
        assert bookings["entities"]["Booking"]["partition_by"] == {
            "list": [
                {"expression": "((status) IN ('held'::character varying, "
                 "'paid'::character varying))"}
            ]
        }  # fmt: skip
        stays = (root / "schema" / "stays.yaml").read_text()
        assert "NOT IN ('void'::character varying, 'gone'::character varying)" in stays
        assert "ARRAY[" not in stays, stays
        # a key changed by hand is still reported
        pg.sql(
            "DROP TABLE stays; CREATE TABLE stays (id integer NOT NULL, kind varchar(10), "
            "night integer NOT NULL) PARTITION BY RANGE ((CASE WHEN kind NOT IN ('void') "
            "THEN night END), id); CREATE TABLE stays_all PARTITION OF stays DEFAULT",
            source,
        )
        out = schemagen(root, "check", "--no-cache", "--database", pg.url(source), expect_exit=1)
        findings = [line.strip() for line in out.splitlines() if line.startswith("  table")]
        assert len(findings) == 1 and findings[0].startswith("table stays: partitioned by"), out
    finally:
        pg.drop_database(source)
