"""``check --database`` on the indexes of materialized views, compared as a table's
are: an index made again by hand under its own name with other columns, method,
uniqueness, predicate, operator class, INCLUDE columns or key order is a finding
of each differing aspect (before, they were compared by name only and passed).
The declared indexes are made on a temporary copy of the view (the view's SQL into
a table WITH NO DATA, rolled back) and read back as the live ones are, so a
predicate prints the server's way on both sides; a database at head, in the
default schema and in another, checks clean."""

from __future__ import annotations

from pathlib import Path

import pytest
from live_check import check_command, drift_json
from migration_harness import by_hand, live_findings, migrated_database
from pgcluster import PgCluster

SCHEMA = """
database: {name: mvix}
entities:
  Sailing:
    columns:
      id: {type: bigint, primary_key: true}
      route: {type: string, length: 40, nullable: true}
      state: {type: string, length: 20, nullable: true}
      fare: {type: numeric, precision: 10, scale: 2, nullable: true}
views:
  RouteFares:
    materialized: true
    sql: >-
      SELECT route, state, count(*) AS sailings, max(fare) AS top_fare
      FROM sailings GROUP BY route, state
    columns:
      route: {type: string, length: 40}
      state: {type: string, length: 20}
      sailings: {type: bigint}
      top_fare: {type: numeric}
    key: [route, state]
    indexes:
      ux_route_fares: {columns: [route, state], unique: true}
      ix_route_fares_open:
        columns: [route]
        where: "state IN ('Planned', 'Boarding') AND top_fare > 10"
      ix_route_fares_route: {columns: [route], ops: {route: varchar_pattern_ops}}
      ix_route_fares_top: {columns: [top_fare], include: [sailings]}
  OpenFares:
    schema: billing
    view: open_fares
    materialized: true
    sql: "SELECT id, fare FROM sailings WHERE state <> 'Closed'"
    columns: {id: {type: bigint}, fare: {type: numeric, precision: 10, scale: 2}}
    indexes:
      ux_open_fares: {columns: [id], unique: true}
      ix_open_fares_fare: {columns: [fare], using: brin}
"""

ROWS = (
    # NULLs and duplicates in every column the views group and index
    "INSERT INTO sailings SELECT n, CASE WHEN n % 7 = 0 THEN NULL ELSE 'route ' || n % 4 END, "
    "(ARRAY['Planned', 'Boarding', 'Closed', NULL])[1 + n % 4], "
    "CASE WHEN n % 5 = 0 THEN NULL ELSE (n % 9) * 7.5 END FROM generate_series(1, 120) n;"
    "REFRESH MATERIALIZED VIEW route_fares; REFRESH MATERIALIZED VIEW billing.open_fares"
)

# A second session makes each index again under its own name, otherwise.
BEHIND = (
    "DROP INDEX ux_route_fares",
    "CREATE INDEX ux_route_fares ON route_fares (route, state)",
    "DROP INDEX ix_route_fares_open",
    "CREATE INDEX ix_route_fares_open ON route_fares (route) "
    "WHERE state IN ('Planned', 'Boarding') AND top_fare > 20",
    "DROP INDEX ix_route_fares_route",
    "CREATE INDEX ix_route_fares_route ON route_fares (route DESC)",
    "DROP INDEX ix_route_fares_top",
    "CREATE INDEX ix_route_fares_top ON route_fares (top_fare, sailings)",
    "DROP INDEX billing.ix_open_fares_fare",
    "CREATE INDEX ix_open_fares_fare ON billing.open_fares (fare)",
)

EXPECTED = [
    "index ix_open_fares_fare on billing.open_fares: method btree in the database, "
    "brin in the schema",
    "index ix_route_fares_open on route_fares: predicate (state::text = ANY "
    "(ARRAY['Planned'::character varying, 'Boarding'::character varying]::text[])) AND "
    "top_fare > 20::numeric in the database, (state::text = ANY (ARRAY['Planned'::character "
    "varying, 'Boarding'::character varying]::text[])) AND top_fare > 10::numeric in the schema",
    "index ix_route_fares_route on route_fares: operator classes (none) in the database, "
    "(varchar_pattern_ops) in the schema",
    "index ix_route_fares_route on route_fares: key order (DESC) in the database, all ASC "
    "in the schema",
    "index ix_route_fares_top on route_fares: columns (top_fare, sailings) in the database, "
    "(top_fare) in the schema",
    # as for a table's index: a key more, so an operator class (the default) more
    "index ix_route_fares_top on route_fares: operator classes (none, none) in the database, "
    "(none) in the schema",
    "index ix_route_fares_top on route_fares: INCLUDE () in the database, (sailings) in "
    "the schema",
    "index ux_route_fares on route_fares: unique: no in the database, yes in the schema",
]


@pytest.fixture
def db(pg: PgCluster, tmp_path: Path) -> tuple[Path, str]:
    return migrated_database(pg, tmp_path, "mvix", SCHEMA, ROWS)


def test_a_database_at_head_is_clean(pg: PgCluster, db: tuple[Path, str]) -> None:
    root, name = db
    assert live_findings(root, pg.url(name)) == []
    code, output = check_command(root, pg.url(name))
    assert code == 0, output


def test_indexes_made_again_otherwise_are_findings(pg: PgCluster, db: tuple[Path, str]) -> None:
    root, name = db
    url = pg.url(name)
    by_hand(pg, name, BEHIND)
    assert live_findings(root, url) == EXPECTED

    findings = drift_json(root, url)
    assert [f"{f['object']}: {f['message']}" for f in findings] == EXPECTED
    for f in findings:
        index = f["object"].split()[1]
        schema = "billing" if "billing." in f["object"] else "public"
        assert f"`DROP INDEX {schema}.{index}`" in f["hint"]
