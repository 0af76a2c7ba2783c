"""``schemagen import --schema sales`` of tables whose columns are of domains kept in
another PostgreSQL schema, one not read: AdventureWorks for PostgreSQL makes its
domains ("Name", "Flag", "AccountNumber", ...) in public and its tables in five
schemas of their own. Only the schemas read gave domains, so every column of such a
domain (and every view over one) was listed ('not expressible: type public."Name": of
column sales.store.name'; 114 objects of AdventureWorks), unless public was read too,
the schema the user did not ask for. The domains the columns (and views) read use are
now read wherever they live, and written with their ``schema:``; the other domains of
that schema are not."""

from __future__ import annotations

from pathlib import Path

import yaml
from adopt_harness import round_trip, source_database
from migration_harness import schemagen
from pgcluster import PgCluster

SOURCE = """
CREATE DOMAIN "Name" varchar(50) NULL;
CREATE DOMAIN "Flag" boolean NOT NULL;
CREATE DOMAIN "AccountNumber" varchar(15) NULL;
CREATE DOMAIN "Phone" varchar(25) NULL;
CREATE SCHEMA sales;
CREATE TABLE sales.store (
    businessentityid integer PRIMARY KEY,
    name "Name" NOT NULL,
    accounts "AccountNumber"[],
    online "Flag" NOT NULL DEFAULT true
);
CREATE VIEW sales.vstore AS SELECT businessentityid, name FROM sales.store WHERE online;
INSERT INTO sales.store VALUES
    (1, 'Next-Door Bike Store', NULL, true), (2, 'Next-Door Bike Store', '{AW1,AW1}', false),
    (3, 'Professional Sales and Service', '{NULL}', DEFAULT);
"""


def test_domains_of_a_schema_not_read_are_imported_where_they_live(
    pg: PgCluster, tmp_path: Path
) -> None:
    with source_database(pg, "dom_elsewhere", SOURCE) as source:
        # "Phone" (used by no column read) is not imported: the fresh copy lacks it
        pg.sql('DROP DOMAIN "Phone"', source)
        # import, build, migrate, check --database clean, a fresh copy dumps the same
        root = round_trip(pg, source, tmp_path / "p", "domains elsewhere", ("sales",))
        same = "SELECT count(*) FROM sales.store WHERE name = 'Next-Door Bike Store'"
        assert pg.sql(same, source).strip() == "2"
    docs = [yaml.safe_load(p.read_text()) for p in sorted((root / "schema").glob("*.yaml"))]
    domains = next(d["domains"] for d in docs if "domains" in d)
    assert domains == {
        "account_number": {"schema": "public", "db_name": "AccountNumber", "type": "string",
                           "length": 15},
        "flag": {"schema": "public", "db_name": "Flag", "type": "boolean", "not_null": True},
        "name_domain": {"schema": "public", "db_name": "Name", "type": "string", "length": 50},
    }  # fmt: skip


def test_only_the_domains_read_columns_use_are_imported(pg: PgCluster, tmp_path: Path) -> None:
    with source_database(pg, "dom_unused", SOURCE) as source:
        root = tmp_path / "q"
        from adopt_harness import new_project

        new_project(root)
        schemagen(root, "import", "--schema=sales", "--database", pg.url(source))
        text = (root / "schema" / "database.yaml").read_text()
    assert "db_name: Name" in text and "db_name: Phone" not in text
