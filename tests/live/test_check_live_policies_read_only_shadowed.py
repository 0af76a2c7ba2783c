"""``check --database`` on a read-only database (no temporary table to let PostgreSQL
print the declared policies) with a policy calling a function of the current schema
that has the name of a built-in one (``public.lower(owner)``): pg_catalog comes
first on the search path, so PostgreSQL prints that call qualified, and the
built-in ``lower(owner)`` bare. Compared by form, the current schema's name is
dropped only where pg_catalog has no function of that name, so swapping the one
for the other by hand is a finding, as it is on a writable database."""

from __future__ import annotations

from pathlib import Path

import pytest
from migration_harness import live_findings
from pgcluster import PgCluster
from policy_setup import (
    STORE,
    STORE_OPEN,
    STORE_ROWS,
    alter_policies,
    assert_check_reports,
    assert_clean_read_only,
    assert_found_also_read_only,
    policy_database,
    printed_using,
    products,
)

POLICIES = {
    "shadow": "public.lower(owner) = 'x'",
    "builtin": "lower(owner) = 'x' OR store_id IS NULL",
    "own": "public.store_open(store_id)",
}

SCHEMA = """
database: {name: rlsh}
functions:
  lower:
    language: sql
    volatility: immutable
    arguments: [text]
    returns: text
    body: SELECT pg_catalog.lower(pg_catalog.btrim($1))
""" + STORE_OPEN + """\
entities:
""" + STORE + """\
""" + products(POLICIES, "rlsh_app", "      owner: {type: text, nullable: true}\n")

ROWS = (
    # NULLs and duplicates; ' X ' is 'x' to public.lower only
    STORE_ROWS
    + "INSERT INTO products SELECT n, NULLIF(n % 22, 0), CASE WHEN n % 5 = 0 THEN NULL "
    "WHEN n % 3 = 0 THEN ' X ' ELSE 'x' END FROM generate_series(1, 60) n;"
    "GRANT SELECT ON stores, products TO rlsh_app"
)


@pytest.fixture
def db(pg: PgCluster, tmp_path: Path) -> tuple[Path, str]:
    return policy_database(pg, tmp_path, "rlsh", SCHEMA, ROWS)


def test_a_shadowed_function_at_head_is_no_finding(pg: PgCluster, db: tuple[Path, str]) -> None:
    root, name = db
    url = pg.url(name)
    assert live_findings(root, url) == []
    # how PostgreSQL prints the two: the current schema's lower qualified
    assert printed_using(pg, name, "shadow").strip() == "(public.lower(owner) = 'x'::text)"
    assert printed_using(pg, name, "builtin").strip() == (
        "((lower(owner) = 'x'::text) OR (store_id IS NULL))"
    )
    assert printed_using(pg, name, "own").strip() == "store_open(store_id)"
    assert_clean_read_only(pg, root, name)


def test_the_built_in_swapped_for_the_shadowing_one_is_a_finding(
    pg: PgCluster, db: tuple[Path, str]
) -> None:
    root, name = db
    url = pg.url(name)
    alter_policies(
        pg,
        name,
        (
            ("shadow", "lower(owner) = 'x'"),
            ("builtin", "public.lower(owner) = 'x' OR store_id IS NULL"),
        ),
    )
    # the rows each lets through differ: ' X ' is 'x' to public.lower only
    shadowing, built_in = pg.sql(
        "SELECT count(*) FILTER (WHERE public.lower(owner) = 'x'), "
        "count(*) FILTER (WHERE lower(owner) = 'x') FROM products",
        name,
    ).split("|")
    assert int(shadowing) > int(built_in) > 0
    expected = ["policy builtin on products", "policy shadow on products"]
    assert_found_also_read_only(pg, root, name, expected)
    assert_check_reports(root, url, "  policy shadow on products: USING is")
