"""``check --database`` on a read-only database (a hot standby: no temporary table to
let PostgreSQL print the declared policies) with policies whose USING reads another
table in a sub-select, the common row-level security of a multi-tenant schema
(``store_id IN (SELECT id FROM stores WHERE owner = current_user)``).

PostgreSQL prints such a policy back otherwise than it is written: every column of
a sub-select qualified (``stores.id``), ``= ANY (SELECT ...)`` as ``IN``, ``NOT IN``
as ``NOT (... IN ...)``, an IN list as ``= ANY (ARRAY[...])``, ``BETWEEN`` as
``>= AND <=``, ``LIKE`` as ``~~``, ``AS`` dropped from an alias, ``(SELECT
current_user)`` with an output name, a CTE's columns qualified. Compared as texts
up to casts and parentheses, each was a finding on a database at head; compared
by what each column binds to (:mod:`schemagen.live.policy_forms`) none is. A
policy changed by hand still is, in a constant's case (which the texts' loose
comparison lowercased away: a policy without a sub-select so changed passed), in
the column a sub-select compares, in a bound."""

from __future__ import annotations

from pathlib import Path

import pytest
from migration_harness import live_findings
from pgcluster import PgCluster
from policy_setup import (
    alter_policies,
    assert_check_reports,
    assert_clean_read_only,
    policy_database,
    printed_using,
    products,
    read_only,
)

POLICIES = {
    "in_list": "store_id IN (SELECT id FROM stores WHERE owner = current_user)",
    "any_sub": "store_id = ANY (SELECT id FROM stores WHERE owner = current_user)",
    "scalar": "(SELECT owner FROM stores WHERE id = store_id) = current_user",
    "not_in": "store_id NOT IN (SELECT id FROM stores WHERE name = 'closed')",
    "joined": (
        "store_id IN (SELECT s.id FROM stores s JOIN members m ON m.store_id = s.id "
        "WHERE m.role IN ('owner', 'admin') AND m.member = current_user)"
    ),
    "other_schema": "store_id IN (SELECT id FROM billing.accounts WHERE active)",
    "as_alias": "store_id IN (SELECT m.store_id FROM members AS m WHERE m.member = current_user)",
    "between": "store_id IN (SELECT id FROM stores WHERE id BETWEEN 1 AND 10)",
    "like": "store_id IN (SELECT id FROM stores WHERE name LIKE 'A%' AND owner = CURRENT_USER)",
    "user_sub": "store_id IN (SELECT id FROM stores WHERE owner = (SELECT current_user))",
    "cte": (
        "store_id IN (WITH mine AS (SELECT id FROM stores WHERE owner = current_user) "
        "SELECT id FROM mine)"
    ),
    "outer_ref": "EXISTS (SELECT 1 FROM stores WHERE stores.id = products.store_id)",
    "setting": (
        "title <> '' AND store_id IN "
        "(SELECT id FROM stores WHERE owner = current_setting('app.user', true))"
    ),
    "plain": "title <> 'Hidden'",
}

SCHEMA = """
database: {name: rlro}
entities:
  Store:
    columns:
      id: {type: bigint, primary_key: true}
      owner: {type: text, nullable: true}
      name: {type: string, length: 50, nullable: true}
  Member:
    columns:
      id: {type: bigint, primary_key: true}
      store_id: {type: bigint, nullable: true}
      member: {type: text, nullable: true}
      role: {type: string, length: 20, nullable: true}
  Account:
    schema: billing
    columns:
      id: {type: bigint, primary_key: true}
      active: {type: boolean, nullable: true}
""" + products(POLICIES, "rlro_app", "      title: {type: text, nullable: true}\n")

ROWS = (
    # NULLs and duplicates: stores of one owner, members of several stores
    "INSERT INTO stores SELECT n, CASE WHEN n % 4 = 0 THEN NULL ELSE 'owner' || n % 3 END, "
    "CASE WHEN n % 5 = 0 THEN 'closed' ELSE 'A store ' || n % 2 END "
    "FROM generate_series(1, 20) n;"
    "INSERT INTO members SELECT n, NULLIF(n % 21, 0), 'owner' || n % 3, "
    "(ARRAY['owner', 'admin', 'clerk', NULL])[1 + n % 4] FROM generate_series(1, 60) n;"
    "INSERT INTO billing.accounts SELECT n, CASE WHEN n % 3 = 0 THEN NULL ELSE n % 2 = 0 END "
    "FROM generate_series(1, 20) n;"
    "INSERT INTO products SELECT n, NULLIF(n % 22, 0), CASE WHEN n % 6 = 0 THEN NULL "
    "ELSE 'product ' || n % 9 END FROM generate_series(1, 120) n;"
    "GRANT SELECT ON stores, members, billing.accounts, products TO rlro_app"
)


@pytest.fixture
def db(pg: PgCluster, tmp_path: Path) -> tuple[Path, str]:
    return policy_database(pg, tmp_path, "rlro", SCHEMA, ROWS)


def test_policies_at_head_are_no_finding_read_only(pg: PgCluster, db: tuple[Path, str]) -> None:
    root, name = db
    url = pg.url(name)
    assert live_findings(root, url) == []  # printed by the server: as before
    assert_clean_read_only(pg, root, name)
    # what each was compared with: the server's own form, unlike the YAML's
    printed = printed_using(pg, name, "in_list")
    assert "SELECT stores.id FROM stores WHERE (stores.owner = CURRENT_USER)" in " ".join(
        printed.split()
    )


def test_policies_changed_by_hand_are_findings_read_only(
    pg: PgCluster, db: tuple[Path, str]
) -> None:
    root, name = db
    url = pg.url(name)
    alter_policies(
        pg,
        name,
        (
            # a constant's case: the loose comparison of texts lowercased it away
            ("not_in", "store_id NOT IN (SELECT id FROM stores WHERE name = 'Closed')"),
            # the sub-select's column compared with the product's id, not its store's
            ("outer_ref", "EXISTS (SELECT 1 FROM stores WHERE stores.id = products.id)"),
            # the member's store where the declared policy takes the member's id
            ("as_alias", "store_id IN (SELECT m.id FROM members m WHERE m.member = CURRENT_USER)"),
            ("between", "store_id IN (SELECT id FROM stores WHERE id BETWEEN 1 AND 11)"),
            # no sub-select: before, the lowercased texts were equal, so this passed
            ("plain", "title <> 'hidden'"),
        ),
    )
    read_only(pg, name)
    found = live_findings(root, url)
    assert [line.split(":")[0] for line in found] == [
        "policy as_alias on products",
        "policy between on products",
        "policy not_in on products",
        "policy outer_ref on products",
        "policy plain on products",
    ], found
    assert found[2] == (
        "policy not_in on products: USING is (NOT (store_id IN ( SELECT stores.id FROM stores "
        "WHERE ((stores.name)::text = 'Closed'::text)))) in the database, store_id NOT IN "
        "(SELECT id FROM stores WHERE name = 'closed') in the schema"
    )
    assert_check_reports(
        root,
        url,
        "  policy outer_ref on products: USING is",
        "  -> if the database was changed by hand, undo that change",
    )
