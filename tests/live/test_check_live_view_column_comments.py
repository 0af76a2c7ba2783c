"""``check --database`` on comments on a view's columns (``COMMENT ON COLUMN view.c``).

A view column's ``description`` is for the docs only: migrations make no comment
on it, and the language cannot declare one (``schemagen import`` lists each as
not expressible). One made by hand, on a view or a materialized view, in the
default PostgreSQL schema or another, is drift, reported as an extra object with
the statement that removes it; read in the query that reads the views (no query
of its own). A database at head, whose view columns have descriptions in the
YAML, checks clean."""

from __future__ import annotations

from pathlib import Path

import pytest
from live_check import check_command, drift_json
from migration_harness import assert_text_findings, by_hand, live_findings, migrated_database
from pgcluster import PgCluster

SCHEMA = """
database: {name: vcc}
entities:
  Sailing:
    columns:
      id: {type: bigint, primary_key: true}
      route: {type: string, length: 40, nullable: true, description: Where it goes.}
      fare: {type: numeric, precision: 10, scale: 2, nullable: true}
views:
  OpenSailings:
    description: Sailings still sold.
    sql: "SELECT id, route FROM sailings WHERE fare IS NOT NULL"
    columns:
      id: {type: bigint, description: The sailing.}
      route: {type: string, length: 40, description: Where it goes.}
  RouteCounts:
    schema: billing
    view: route_counts
    materialized: true
    sql: "SELECT route, count(*) AS sailings FROM sailings GROUP BY route"
    columns:
      route: {type: string, length: 40}
      sailings: {type: bigint, description: How many.}
"""

ROWS = (
    # NULLs and duplicates in the columns the views read
    "INSERT INTO sailings SELECT n, CASE WHEN n % 6 = 0 THEN NULL ELSE 'route ' || n % 4 END, "
    "CASE WHEN n % 5 = 0 THEN NULL ELSE (n % 9) * 7.5 END FROM generate_series(1, 80) n;"
    "REFRESH MATERIALIZED VIEW billing.route_counts"
)

BEHIND = (
    "COMMENT ON COLUMN open_sailings.route IS 'Where it goes.'",
    "COMMENT ON COLUMN billing.route_counts.sailings IS 'Sailings per route, refreshed nightly'",
)

EXPECTED = [  # by view key: billing.route_counts first
    ("comment on view column billing.route_counts.sailings",
     "COMMENT ON COLUMN billing.route_counts.sailings IS NULL"),
    ("comment on view column open_sailings.route",
     "COMMENT ON COLUMN public.open_sailings.route IS NULL"),
]
EXTRA = "in the database but not in the schema"


@pytest.fixture
def db(pg: PgCluster, tmp_path: Path) -> tuple[Path, str]:
    return migrated_database(pg, tmp_path, "vcc", SCHEMA, ROWS)


def test_a_database_at_head_is_clean(pg: PgCluster, db: tuple[Path, str]) -> None:
    root, name = db
    assert live_findings(root, pg.url(name)) == []
    # the columns' descriptions made no comments; the view's own is the language's
    assert pg.sql(
        "SELECT count(*) FROM pg_description WHERE objsubid > 0 AND objoid IN "
        "('open_sailings'::regclass, 'billing.route_counts'::regclass)",
        name,
    ) == "0\n"
    code, output = check_command(root, pg.url(name))
    assert code == 0, output


def test_view_column_comments_made_by_hand_are_extra(
    pg: PgCluster, db: tuple[Path, str]
) -> None:
    root, name = db
    url = pg.url(name)
    by_hand(pg, name, BEHIND)
    assert live_findings(root, url) == [f"{obj}: {EXTRA}" for obj, _ in EXPECTED]

    assert_text_findings(root, url, [(obj, EXTRA, fix) for obj, fix in EXPECTED])

    findings = drift_json(root, url)
    assert [(f["object"], f["message"]) for f in findings] == [(o, EXTRA) for o, _ in EXPECTED]

    # the hints' statements remove them: the database is back at the schema
    for _, fix in EXPECTED:
        pg.sql(fix, name)
    assert live_findings(root, url) == []
