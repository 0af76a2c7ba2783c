"""``check --database`` on policies whose expressions qualify their own table's
columns with its name (``accounts.owner_id``), as users write them: the same
policy is no finding right after ``alembic upgrade head`` (PostgreSQL prints the
column bare), a really changed one still is. The table's name is told from the
same word in a string (a setting named ``accounts.tenant``), from a schema of
that name qualifying a function, and from another table in a sub-select."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from migration_harness import live_findings
from pgcluster import PgCluster
from policy_setup import policy_database

SCHEMA = """
database: {name: rlsq}
entities:
  Account:
    row_level_security: true
    columns:
      id: {type: bigint, primary_key: true}
      owner_id: {type: integer, nullable: true}
      tenant: {type: text, nullable: true}
    policies:
      own:
        roles: [rlsq_app]
        using: "accounts.owner_id = current_setting('app.user_id')::int"
        with_check: >-
          Accounts.owner_id > 0
          AND accounts.tenant = current_setting('accounts.tenant', true)
      gone: {command: delete, roles: [rlsq_app], using: "public.accounts.owner_id IS NOT NULL"}
  Member:
    row_level_security: true
    columns:
      id: {type: bigint, primary_key: true}
      account_id: {references: Account, on_delete: cascade, index: true}
      name: {type: text, nullable: true}
    policies:
      of_visible_accounts:
        using: >-
          members.account_id IN (SELECT a.id FROM accounts a WHERE a.owner_id = members.id)
  Invoice:
    schema: billing
    row_level_security: true
    columns:
      id: {type: bigint, primary_key: true}
      total: {type: numeric, precision: 10, scale: 2, nullable: true}
    policies:
      positive: {using: "invoices.total >= 0 OR Invoices.total IS NULL"}
      small:
        command: update
        using: "billing.invoices.total < 1000"
        with_check: "billing.Invoices.total < 1000 OR billing.invoices.total IS NULL"
"""


@pytest.fixture
def db(pg: PgCluster, tmp_path: Path) -> tuple[Path, str]:
    rows = (
        # NULLs and duplicates: owners 1 and 2 own several accounts, some none
        "INSERT INTO accounts SELECT n, NULLIF(n % 3, 0), 't' || n % 2 "
        "FROM generate_series(1, 30) n;"
        "INSERT INTO members SELECT n, 1 + n % 30, CASE WHEN n % 4 = 0 THEN NULL ELSE 'm' END "
        "FROM generate_series(1, 90) n;"
        "INSERT INTO billing.invoices SELECT n, CASE WHEN n % 5 = 0 THEN NULL ELSE n END "
        "FROM generate_series(1, 20) n;"
        "GRANT SELECT ON accounts TO rlsq_app"
    )
    return policy_database(pg, tmp_path, "rlsq", SCHEMA, rows)


def test_own_table_qualified_is_no_finding(pg: PgCluster, db: tuple[Path, str]) -> None:
    root, name = db
    url = pg.url(name)
    assert live_findings(root, url) == []
    # the policy is the declared one: user 1 sees the accounts owner 1 has
    seen = pg.sql(
        "SET app.user_id = '1'; SET ROLE rlsq_app; SELECT count(*) FROM accounts", name
    )
    assert seen.split() == ["10"]


def test_a_changed_qualified_policy_is_still_a_finding(
    pg: PgCluster, db: tuple[Path, str]
) -> None:
    root, name = db
    url = pg.url(name)
    with psycopg.connect(pg.libpq_url(name)) as other:
        other.execute(
            "ALTER POLICY own ON accounts "
            "USING (accounts.owner_id = current_setting('app.user_id')::int + 1) "
            "WITH CHECK (accounts.owner_id > 0)"
        )
        other.execute(
            "ALTER POLICY of_visible_accounts ON members USING (members.account_id IN "
            "(SELECT a.id FROM accounts a WHERE a.owner_id = members.account_id))"
        )
        other.execute(
            "ALTER POLICY positive ON billing.invoices USING (billing.invoices.total > 0)"
        )
        other.execute(
            "ALTER POLICY small ON billing.invoices WITH CHECK (billing.invoices.total < 100)"
        )
        other.commit()
    assert live_findings(root, url) == [
        "policy own on accounts: USING is (owner_id = ((current_setting('app.user_id'::text))"
        "::integer + 1)) in the database, (owner_id = (current_setting('app.user_id'::text))"
        "::integer) in the schema",
        "policy own on accounts: WITH CHECK is (owner_id > 0) in the database, ((owner_id > 0)"
        " AND (tenant = current_setting('accounts.tenant'::text, true))) in the schema",
        "policy positive on billing.invoices: USING is (total > (0)::numeric) in the database, "
        "((total >= (0)::numeric) OR (total IS NULL)) in the schema",
        "policy small on billing.invoices: WITH CHECK is (total < (100)::numeric) in the "
        "database, ((total < (1000)::numeric) OR (total IS NULL)) in the schema",
        "policy of_visible_accounts on members: USING is (account_id IN ( SELECT a.id FROM "
        "accounts a WHERE (a.owner_id = members.account_id))) in the database, (account_id IN "
        "( SELECT a.id FROM accounts a WHERE (a.owner_id = members.id))) in the schema",
    ]


def test_read_only_database_compares_qualified_policies_loosely(
    pg: PgCluster, db: tuple[Path, str]
) -> None:
    """A hot standby refuses temporary objects: a policy is compared up to casts,
    parentheses and its own table's qualifier, and a change still shows."""
    root, name = db
    url = pg.url(name)
    pg.sql("ALTER POLICY positive ON billing.invoices USING (invoices.total > 0)", name)
    pg.sql(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    assert live_findings(root, url) == [
        "policy positive on billing.invoices: USING is (total > (0)::numeric) in the database, "
        "invoices.total >= 0 OR Invoices.total IS NULL in the schema",
    ]
