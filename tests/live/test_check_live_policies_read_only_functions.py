"""``check --database`` on a read-only database (no temporary table to let PostgreSQL
print the declared policies) with policies that call a function of the current
schema by its qualified name (``public.store_open(store_id)``): PostgreSQL prints
it back bare (``store_open(store_id)``: the name the search_path finds it by, as
it prints ``pg_catalog.lower`` bare), so compared by form the two are the same
call and a database at head checks clean. A function of the same name in another
schema (``archive.store_open``, made by hand) is not: still a finding."""

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
    "qualified": "public.store_open(store_id)",
    "qualified_inner": (
        "store_id IN (SELECT id FROM stores WHERE public.store_open(id) AND owner = current_user)"
    ),
    "bare": "store_open(store_id) OR store_id IS NULL",
    "catalog": "pg_catalog.lower(owner) = 'x'",
}

SCHEMA = """
database: {name: rlfn}
functions:
""" + STORE_OPEN + """\
entities:
""" + STORE + """\
""" + products(POLICIES, "rlfn_app", "      owner: {type: text, nullable: true}\n")

ROWS = (
    # NULLs and duplicates: stores without an owner, products of one store
    STORE_ROWS
    + "INSERT INTO products SELECT n, NULLIF(n % 22, 0), CASE WHEN n % 5 = 0 THEN NULL "
    "ELSE 'x' END FROM generate_series(1, 60) n;"
    # a function of the same name in a schema the model does not know
    "CREATE SCHEMA archive; CREATE FUNCTION archive.store_open(bigint) RETURNS boolean "
    "LANGUAGE sql STABLE AS 'SELECT true';"
    "GRANT SELECT ON stores, products TO rlfn_app"
)


@pytest.fixture
def db(pg: PgCluster, tmp_path: Path) -> tuple[Path, str]:
    return policy_database(pg, tmp_path, "rlfn", SCHEMA, ROWS)


def test_a_qualified_function_of_the_current_schema_is_no_finding(
    pg: PgCluster, db: tuple[Path, str]
) -> None:
    root, name = db
    url = pg.url(name)
    assert live_findings(root, url) == []  # printed by the server: as before
    # what it is compared with: the function printed bare
    printed = printed_using(pg, name, "qualified")
    assert printed.strip() == "store_open(store_id)", printed
    assert_clean_read_only(pg, root, name)


def test_a_function_of_the_same_name_elsewhere_is_a_finding(
    pg: PgCluster, db: tuple[Path, str]
) -> None:
    root, name = db
    url = pg.url(name)
    alter_policies(
        pg,
        name,
        (
            ("qualified", "archive.store_open(store_id)"),
            ("bare", "archive.store_open(store_id) OR store_id IS NULL"),
        ),
    )
    expected = ["policy bare on products", "policy qualified on products"]
    assert_found_also_read_only(pg, root, name, expected)
    assert_check_reports(root, url, "  policy qualified on products: USING is")
