"""``check --database`` on row-level security: a database holding rows, migrated from
a schema with RLS and policies, then changed by a second session behind schemagen's
back; policies are compared as PostgreSQL prints them (pg_get_expr of the declared
expression on a temporary copy of the table, in a rolled-back transaction)."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from migration_harness import create_roles, live_findings, migrated_database
from pgcluster import PgCluster

SCHEMA = """
database: {name: rls}
enums:
  Plan: {values: [free, paid]}
entities:
  Account:
    row_level_security: true
    columns:
      id: {type: bigint, primary_key: true}
      owner_id: {type: bigint}
      plan: {type: enum, enum: Plan, default: free}
    policies:
      own:
        command: select
        roles: [rls_app, rls_admin]
        using: "owner_id = current_setting('app.user_id')::bigint AND plan = 'paid'"
        description: Paying owners see their accounts.
      insert_own: {command: insert, roles: [rls_app], with_check: "owner_id > 0"}
  Note:
    row_level_security: force
    columns:
      id: {type: bigint, primary_key: true}
      account_id: {references: Account, on_delete: cascade, index: true}
    policies:
      via_account:
        permissive: false
        using: "EXISTS (SELECT 1 FROM accounts a WHERE a.id = account_id)"
"""


@pytest.fixture
def db(pg: PgCluster, tmp_path: Path) -> tuple[Path, str]:
    create_roles(pg, ["rls_app", "rls_admin"])
    rows = (
        "INSERT INTO accounts SELECT n, n % 3, CASE WHEN n % 2 = 0 THEN 'paid' "
        "ELSE 'free' END::plan FROM generate_series(1, 60) n;"
        "INSERT INTO notes SELECT n, 1 + n % 60 FROM generate_series(1, 300) n"
    )
    return migrated_database(pg, tmp_path, "rls", SCHEMA, rows)


def test_clean_then_every_change_by_a_second_session_is_a_finding(
    pg: PgCluster, db: tuple[Path, str]
) -> None:
    root, name = db
    url = pg.url(name)
    assert live_findings(root, url) == []
    with psycopg.connect(pg.libpq_url(name)) as other:
        other.execute("ALTER POLICY own ON accounts TO rls_app USING (owner_id = 0)")
        other.execute("COMMENT ON POLICY own ON accounts IS NULL")
        other.execute("DROP POLICY insert_own ON accounts")
        other.execute("CREATE POLICY backdoor ON accounts FOR DELETE USING (true)")
        other.execute("ALTER TABLE accounts NO FORCE ROW LEVEL SECURITY")  # no change
        other.execute("ALTER TABLE notes NO FORCE ROW LEVEL SECURITY")
        other.execute("ALTER POLICY via_account ON notes USING (account_id > 0)")
        other.commit()
    assert live_findings(root, url) == [
        "policy insert_own on accounts: missing from the database",
        "policy backdoor on accounts: in the database but not in the schema",
        "policy own on accounts: roles (rls_app) in the database, (rls_admin, rls_app) in "
        "the schema",
        "policy own on accounts: USING is (owner_id = 0) in the database, ((owner_id = "
        "(current_setting('app.user_id'::text))::bigint) AND (plan = 'paid'::plan)) in the "
        "schema",
        "policy own on accounts: comment is none in the database, 'Paying owners see their "
        "accounts.' in the schema",
        "table notes: row-level security is enabled in the database, enabled and forced in "
        "the schema",
        "policy via_account on notes: USING is (account_id > 0) in the database, (EXISTS ( "
        "SELECT 1 FROM accounts a WHERE (a.id = notes.account_id))) in the schema",
    ]
    pg.sql("ALTER TABLE accounts DISABLE ROW LEVEL SECURITY", name)
    assert "table accounts: row-level security is off in the database, enabled in the " \
        "schema" in live_findings(root, url)
    assert pg.sql("SELECT count(*) FROM notes", name) == "300\n"  # rows untouched
