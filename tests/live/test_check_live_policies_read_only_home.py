"""``check --database`` on a read-only database (no temporary table to let PostgreSQL
print the declared policies) with policies whose sub-select names a table of the
current schema qualified (``FROM public.stores``): PostgreSQL prints it back bare
(``FROM stores``), the name the search_path finds, so compared by form the two
are the same table and a database at head checks clean. A table of the same name
in another schema is not: one of the model's (``billing.stores``) or one the
model does not know (``archive.stores``), each made by hand, is still a finding."""

from __future__ import annotations

from pathlib import Path

import pytest
from migration_harness import live_findings
from pgcluster import PgCluster
from policy_setup import (
    STORE,
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
    "qualified": "store_id IN (SELECT id FROM public.stores WHERE owner = current_user)",
    "qualified_ref": "EXISTS (SELECT 1 FROM public.stores WHERE stores.id = products.store_id)",
    "qualified_alias": (
        "store_id IN (SELECT s.id FROM public.stores s WHERE s.owner = current_user)"
    ),
    "bare": "store_id IN (SELECT id FROM stores WHERE owner = 'x')",
    "billing": "store_id IN (SELECT id FROM billing.stores WHERE owner = current_user)",
}

SCHEMA = """
database: {name: rlhm}
entities:
""" + STORE + """\
  BillingStore:
    schema: billing
    table: stores
    columns:
      id: {type: bigint, primary_key: true}
      owner: {type: text, nullable: true}
""" + products(POLICIES, "rlhm_app")

ROWS = (
    # NULLs and duplicates: stores of one owner, products of one store
    STORE_ROWS
    + "INSERT INTO billing.stores SELECT n, NULLIF('owner' || n % 2, 'owner0') "
    "FROM generate_series(1, 10) n;"
    "INSERT INTO products SELECT n, NULLIF(n % 22, 0) FROM generate_series(1, 60) n;"
    # a table of the same name in a schema the model does not know
    "CREATE SCHEMA archive; CREATE TABLE archive.stores (id bigint, owner text);"
    "INSERT INTO archive.stores SELECT n, 'owner' || n % 3 FROM generate_series(1, 5) n;"
    "GRANT SELECT ON stores, billing.stores, products TO rlhm_app"
)


@pytest.fixture
def db(pg: PgCluster, tmp_path: Path) -> tuple[Path, str]:
    return policy_database(pg, tmp_path, "rlhm", SCHEMA, ROWS)


def test_a_qualified_table_of_the_current_schema_is_no_finding(
    pg: PgCluster, db: tuple[Path, str]
) -> None:
    root, name = db
    url = pg.url(name)
    assert live_findings(root, url) == []  # printed by the server: as before
    # what it is compared with: the table printed bare
    printed = printed_using(pg, name, "qualified")
    assert "FROM stores WHERE" in " ".join(printed.split()), printed
    assert_clean_read_only(pg, root, name)


def test_a_table_of_the_same_name_elsewhere_is_a_finding(
    pg: PgCluster, db: tuple[Path, str]
) -> None:
    root, name = db
    url = pg.url(name)
    alter_policies(
        pg,
        name,
        (
            ("qualified", "store_id IN (SELECT id FROM billing.stores WHERE owner = CURRENT_USER)"),
            ("qualified_ref",
             "EXISTS (SELECT 1 FROM archive.stores WHERE stores.id = products.store_id)"),
            ("bare", "store_id IN (SELECT id FROM archive.stores WHERE owner = 'x')"),
            ("billing", "store_id IN (SELECT id FROM public.stores WHERE owner = CURRENT_USER)"),
        ),
    )
    expected = [
        "policy bare on products",
        "policy billing on products",
        "policy qualified on products",
        "policy qualified_ref on products",
    ]
    assert_found_also_read_only(pg, root, name, expected)
    assert_check_reports(
        root,
        url,
        "  policy qualified on products: USING is",
        "  -> if the database was changed by hand, undo that change",
    )
