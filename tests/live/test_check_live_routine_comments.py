"""``check --database`` on the comments of views, materialized views, functions and
triggers: migrations write each object's ``description`` as its comment
(``COMMENT ON VIEW`` / ``FUNCTION`` / ``TRIGGER``), so one changed, added where the
YAML has no description, or removed by hand is drift, reported as a table's
comment is, with the statement that puts the declared text back (or removes the
extra one); read in the queries that read those objects (no query of their own),
and compared on a read-only database too (the declared text needs no temporary
object)."""

from __future__ import annotations

from pathlib import Path

import pytest
from live_check import check_command, drift_json
from migration_harness import assert_text_findings, by_hand, live_findings, migrated_database
from pgcluster import PgCluster

SCHEMA = """
database: {name: rcom}
entities:
  Store:
    columns:
      id: {type: bigint, primary_key: true}
      name: {type: string, length: 60, nullable: true}
      city: {type: string, length: 40, nullable: true}
    triggers:
      trg_stores_name:
        function: tidy_name
        events: [insert, update]
        description: Trims the name.
      trg_stores_city:
        function: tidy_name
        events: [update]
functions:
  tidy_name:
    returns: trigger
    description: Trims a store's name.
    body: |
      BEGIN
        NEW.name := btrim(NEW.name);
        RETURN NEW;
      END;
  city_count:
    language: sql
    volatility: stable
    arguments: [text]
    returns: bigint
    body: SELECT count(*) FROM stores WHERE city = $1
views:
  NamedStores:
    description: Stores with a name.
    sql: "SELECT id, name FROM stores WHERE name IS NOT NULL"
    columns: {id: {type: bigint}, name: {type: string, length: 60}}
  Cities:
    sql: "SELECT DISTINCT city FROM stores"
    columns: {city: {type: string, length: 40}}
  CityCounts:
    schema: audit
    view: city_counts
    materialized: true
    description: Stores per city.
    sql: "SELECT city, count(*) AS stores FROM stores GROUP BY city"
    columns: {city: {type: string, length: 40}, stores: {type: bigint}}
"""

ROWS = (
    # NULLs and duplicates in the columns the views read
    "INSERT INTO stores SELECT n, CASE WHEN n % 5 = 0 THEN NULL ELSE ' store ' || n % 7 END, "
    "CASE WHEN n % 4 = 0 THEN NULL ELSE 'city ' || n % 3 END FROM generate_series(1, 70) n;"
    "REFRESH MATERIALIZED VIEW audit.city_counts"
)

BEHIND = (
    "COMMENT ON VIEW named_stores IS 'Changed by hand.'",
    "COMMENT ON VIEW cities IS 'Every city.'",
    "COMMENT ON MATERIALIZED VIEW audit.city_counts IS NULL",
    "COMMENT ON FUNCTION tidy_name() IS 'Changed by hand.'",
    "COMMENT ON FUNCTION city_count(text) IS 'Counts.'",
    "COMMENT ON TRIGGER trg_stores_name ON stores IS NULL",
    "COMMENT ON TRIGGER trg_stores_city ON stores IS 'Also the city.'",
)

EXPECTED = [  # object, message, the hint's statement
    ("function city_count(text)", "comment is 'Counts.' in the database, none in the schema",
     "COMMENT ON FUNCTION public.city_count(text) IS NULL"),
    ("function tidy_name()",
     "comment is 'Changed by hand.' in the database, \"Trims a store's name.\" in the schema",
     "COMMENT ON FUNCTION public.tidy_name() IS 'Trims a store''s name.'"),
    ("materialized view audit.city_counts",
     "comment is none in the database, 'Stores per city.' in the schema",
     "COMMENT ON MATERIALIZED VIEW audit.city_counts IS 'Stores per city.'"),
    ("view cities", "comment is 'Every city.' in the database, none in the schema",
     "COMMENT ON VIEW public.cities IS NULL"),
    ("view named_stores",
     "comment is 'Changed by hand.' in the database, 'Stores with a name.' in the schema",
     "COMMENT ON VIEW public.named_stores IS 'Stores with a name.'"),
    ("trigger stores.trg_stores_city",
     "comment is 'Also the city.' in the database, none in the schema",
     "COMMENT ON TRIGGER trg_stores_city ON public.stores IS NULL"),
    ("trigger stores.trg_stores_name",
     "comment is none in the database, 'Trims the name.' in the schema",
     "COMMENT ON TRIGGER trg_stores_name ON public.stores IS 'Trims the name.'"),
]


@pytest.fixture
def db(pg: PgCluster, tmp_path: Path) -> tuple[Path, str]:
    return migrated_database(pg, tmp_path, "rcom", SCHEMA, ROWS)


def test_a_database_at_head_is_clean(pg: PgCluster, db: tuple[Path, str]) -> None:
    root, name = db
    assert live_findings(root, pg.url(name)) == []
    # the migration made the declared comments, and only those
    assert pg.sql(
        "SELECT count(*) FROM pg_description WHERE objsubid = 0 AND description IN "
        "('Stores with a name.', 'Stores per city.', 'Trims a store''s name.', "
        "'Trims the name.')",
        name,
    ) == "4\n"
    code, output = check_command(root, pg.url(name))
    assert code == 0, output


def test_comments_changed_by_hand_are_drift(pg: PgCluster, db: tuple[Path, str]) -> None:
    root, name = db
    url = pg.url(name)
    by_hand(pg, name, BEHIND)
    assert live_findings(root, url) == [f"{obj}: {msg}" for obj, msg, _ in EXPECTED]

    assert_text_findings(root, url, EXPECTED)

    findings = drift_json(root, url)
    assert [(f["object"], f["message"]) for f in findings] == [(o, m) for o, m, _ in EXPECTED]
    assert all(fix in f["hint"] for (_, _, fix), f in zip(EXPECTED, findings, strict=True))

    # on a read-only database (no temporary objects) the comments are compared all the same
    pg.sql(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    assert live_findings(root, url) == [f"{obj}: {msg}" for obj, msg, _ in EXPECTED]
    pg.sql(f'ALTER DATABASE "{name}" RESET default_transaction_read_only')

    # the hints' statements put the declared comments back: the database is at the schema
    for _, _, fix in EXPECTED:
        pg.sql(fix, name)
    assert live_findings(root, url) == []
