"""``check --database`` on policies with a sub-select over their own table: PostgreSQL
names such a table ``accounts_1`` when it prints the policy (``FROM accounts
accounts_1 WHERE (accounts_1.id = 5)``), its own table being ``accounts``; the
stand-in table the check prints the declared policy on has another name, so the
same policy must be printed with the same names all the same. The same policy is
no finding right after ``alembic upgrade head``; a really changed one still is.
Also a sub-select over another table, over the own table with an alias, with the
alias the own table's name, nested, and in a schema. The policies over their own
table apply to updates and deletes: one that applies to reads would recurse at query
time, and validate refuses it (tests/validate/test_validate_policy_recursion.py)."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from migration_harness import live_findings
from pgcluster import PgCluster
from policy_setup import policy_database

SCHEMA = """
database: {name: rlss}
entities:
  Account:
    row_level_security: true
    columns:
      id: {type: bigint, primary_key: true}
      owner_id: {type: integer, nullable: true}
    policies:
      self_plain:
        command: update
        roles: [rlss_app]
        using: "EXISTS (SELECT 1 FROM accounts WHERE accounts.id = 5)"
      self_alias:
        command: delete
        roles: [rlss_app]
        using: >-
          EXISTS (SELECT 1 FROM accounts a WHERE a.owner_id = accounts.owner_id AND a.id < id)
      self_named_alias:
        command: update
        roles: [rlss_app]
        using: "owner_id IN (SELECT accounts.owner_id FROM accounts accounts WHERE accounts.id > 2)"
        with_check: >-
          EXISTS (SELECT 1 FROM accounts WHERE accounts.id = 1
          AND EXISTS (SELECT 1 FROM accounts WHERE accounts.owner_id = owner_id))
      other_table:
        roles: [rlss_app]
        using: "EXISTS (SELECT 1 FROM members WHERE members.account_id = accounts.id)"
  Member:
    columns:
      id: {type: bigint, primary_key: true}
      account_id: {type: bigint, nullable: true}
  Invoice:
    schema: billing
    row_level_security: true
    columns:
      id: {type: bigint, primary_key: true}
      total: {type: numeric, precision: 10, scale: 2, nullable: true}
    policies:
      big:
        command: update
        using: "EXISTS (SELECT 1 FROM billing.invoices WHERE invoices.total > 100)"
"""


@pytest.fixture
def db(pg: PgCluster, tmp_path: Path) -> tuple[Path, str]:
    rows = (
        # NULLs and duplicates: owners 1 and 2 own several accounts, some none
        "INSERT INTO accounts SELECT n, NULLIF(n % 3, 0) FROM generate_series(1, 30) n;"
        "INSERT INTO members SELECT n, CASE WHEN n % 4 = 0 THEN NULL ELSE 1 + n % 7 END "
        "FROM generate_series(1, 40) n;"
        "INSERT INTO billing.invoices SELECT n, CASE WHEN n % 5 = 0 THEN NULL ELSE n * 10 END "
        "FROM generate_series(1, 20) n;"
        "GRANT SELECT ON accounts TO rlss_app; GRANT SELECT ON members TO rlss_app"
    )
    return policy_database(pg, tmp_path, "rlss", SCHEMA, rows)


def test_own_table_in_a_sub_select_is_no_finding(pg: PgCluster, db: tuple[Path, str]) -> None:
    root, name = db
    assert live_findings(root, pg.url(name)) == []
    # what made it a finding: the server names the sub-select's table accounts_1
    stored = pg.sql(
        "SELECT pg_get_expr(polqual, polrelid) FROM pg_policy WHERE polname = 'self_plain'",
        name,
    )
    assert (
        stored.split()
        == "(EXISTS ( SELECT 1 FROM accounts accounts_1 WHERE (accounts_1.id = 5)))".split()
    )


def test_a_changed_sub_select_is_still_a_finding(pg: PgCluster, db: tuple[Path, str]) -> None:
    root, name = db
    with psycopg.connect(pg.libpq_url(name)) as other:
        other.execute(
            "ALTER POLICY self_plain ON accounts "
            "USING (EXISTS (SELECT 1 FROM accounts WHERE accounts.id = 6))"
        )
        # the outer table's id where the declared policy reads the sub-select's
        other.execute(
            "ALTER POLICY self_alias ON accounts USING (EXISTS (SELECT 1 FROM accounts a "
            "WHERE a.owner_id = accounts.owner_id AND a.id < accounts.id))"
        )
        other.execute(
            "ALTER POLICY self_named_alias ON accounts WITH CHECK (EXISTS (SELECT 1 FROM "
            "accounts WHERE accounts.id = 1 AND EXISTS (SELECT 1 FROM accounts "
            "WHERE accounts.owner_id = 2)))"
        )
        other.execute(
            "ALTER POLICY other_table ON accounts "
            "USING (EXISTS (SELECT 1 FROM members WHERE members.account_id = accounts.owner_id))"
        )
        other.execute(
            "ALTER POLICY big ON billing.invoices "
            "USING (EXISTS (SELECT 1 FROM billing.invoices WHERE invoices.total > 200))"
        )
        other.commit()
    assert live_findings(root, pg.url(name)) == [
        "policy other_table on accounts: USING is (EXISTS ( SELECT 1 FROM members WHERE "
        "(members.account_id = accounts.owner_id))) in the database, (EXISTS ( SELECT 1 "
        "FROM members WHERE (members.account_id = accounts.id))) in the schema",
        "policy self_alias on accounts: USING is (EXISTS ( SELECT 1 FROM accounts a WHERE "
        "((a.owner_id = accounts.owner_id) AND (a.id < accounts.id)))) in the database, "
        "(EXISTS ( SELECT 1 FROM accounts a WHERE ((a.owner_id = accounts.owner_id) AND "
        "(a.id < a.id)))) in the schema",
        "policy self_named_alias on accounts: WITH CHECK is (EXISTS ( SELECT 1 FROM accounts "
        "accounts_1 WHERE ((accounts_1.id = 1) AND (EXISTS ( SELECT 1 FROM accounts accounts_2 "
        "WHERE (accounts_2.owner_id = 2)))))) in the database, (EXISTS ( SELECT 1 FROM "
        "accounts accounts_1 WHERE ((accounts_1.id = 1) AND (EXISTS ( SELECT 1 FROM accounts "
        "accounts_2 WHERE (accounts_2.owner_id = accounts_2.owner_id)))))) in the schema",
        "policy self_plain on accounts: USING is (EXISTS ( SELECT 1 FROM accounts accounts_1 "
        "WHERE (accounts_1.id = 6))) in the database, (EXISTS ( SELECT 1 FROM accounts "
        "accounts_1 WHERE (accounts_1.id = 5))) in the schema",
        "policy big on billing.invoices: USING is (EXISTS ( SELECT 1 FROM billing.invoices "
        "invoices_1 WHERE (invoices_1.total > (200)::numeric))) in the database, (EXISTS ( "
        "SELECT 1 FROM billing.invoices invoices_1 WHERE (invoices_1.total > (100)::numeric)))"
        " in the schema",
    ]


def test_read_only_database_compares_sub_selects_loosely(
    pg: PgCluster, db: tuple[Path, str]
) -> None:
    """A hot standby refuses the stand-in table: a policy is compared by what its
    columns bind to (:mod:`schemagen.live.policy_forms`), whatever names PostgreSQL
    gives a sub-select's own table, and a change still shows. A sub-select's
    unqualified column, which PostgreSQL prints qualified (``a.id < id`` is
    ``a.id < a.id``), binds where PostgreSQL binds it: no finding (self_alias and
    self_named_alias were, compared as texts), and the outer table's ``id`` in its
    place is one (as texts, without the own table's qualifier, it was equal)."""
    root, name = db
    pg.sql(
        "ALTER POLICY self_plain ON accounts "
        "USING (EXISTS (SELECT 1 FROM accounts WHERE accounts.id = 6))",
        name,
    )
    pg.sql(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    found = live_findings(root, pg.url(name))
    assert [f.split(":")[0] for f in found] == ["policy self_plain on accounts"]
    assert found[0] == (
        "policy self_plain on accounts: USING is (EXISTS ( SELECT 1 FROM accounts accounts_1 "
        "WHERE (accounts_1.id = 6))) in the database, EXISTS (SELECT 1 FROM accounts WHERE "
        "accounts.id = 5) in the schema"
    )
    pg.sql(f'ALTER DATABASE "{name}" SET default_transaction_read_only = off')
    pg.sql(
        "ALTER POLICY self_alias ON accounts USING (EXISTS (SELECT 1 FROM accounts a "
        "WHERE a.owner_id = accounts.owner_id AND a.id < accounts.id))",
        name,
    )
    pg.sql(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    found = live_findings(root, pg.url(name))
    assert [f.split(":")[0] for f in found] == [
        "policy self_alias on accounts",
        "policy self_plain on accounts",
    ]
