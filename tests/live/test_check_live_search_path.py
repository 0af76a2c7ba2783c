"""``check --database`` of a project whose default PostgreSQL schema is app
(``database.schema: app``) through a DATABASE_URL that sets ``search_path=app``
(``?options=-csearch_path%3Dapp``, common in production), the URL Alembic
migrated it with too: the database at head is no drift at all (tables, views,
functions, enums, domains, sequences, policies and triggers are keyed by schema
whatever the connection's current schema), and real drift in app still is."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from migration_harness import (
    alembic,
    create_roles,
    live_findings,
    schemagen,
    write_schema,
)
from pgcluster import PgCluster
from schemagen.cli import main

SCHEMA = """
database: {name: shop, schema: app, on_update_now: trigger}
enums:
  Plan: {values: [free, paid]}
domains:
  email: {type: text, checks: {email_has_at: "VALUE LIKE '%@%'"}}
sequences:
  ticket_numbers: {start: 1000}
entities:
  Customer:                       # app.customers
    row_level_security: true
    columns:
      id: {type: bigint, primary_key: true}
      email: {type: email, nullable: true}
      plan: {type: enum, enum: Plan, default: free}
      owner_id: {type: integer, nullable: true}
      ticket: {type: bigint, default: {sql: "nextval('app.ticket_numbers')"}}
      updated_at: {type: timestamptz, default: now, on_update: now}
    indexes:
      ix_customers_email: {columns: [email]}
    policies:
      own:
        roles: [sp_app]
        using: "customers.owner_id = current_setting('app.user_id')::int"
    triggers:
      trg_customers_email:
        function: fill_email
        events: [insert]
        when: "NEW.email IS NULL"
  Invoice:                        # billing.invoices
    schema: billing
    columns:
      id: {type: bigint, primary_key: true}
      customer_id: {references: Customer}
      total: {type: numeric, precision: 10, scale: 2, nullable: true}
      updated_at: {type: timestamptz, default: now, on_update: now}
views:
  PaidCustomer:                   # app.paid_customers
    sql: "SELECT c.id, c.email FROM app.customers c WHERE c.plan = 'paid'"
    columns:
      id: {type: bigint}
      email: {type: email, nullable: true}
functions:
  fill_email:
    returns: trigger
    body: "BEGIN NEW.email := 'customer' || NEW.id || '@example.com'; RETURN NEW; END;"
  with_tax: {language: sql, arguments: [{name: amount, type: numeric}],
             returns: numeric, body: "SELECT round(amount * 1.2, 2)"}
"""

ROWS = (
    "INSERT INTO app.customers (id, email, plan, owner_id) VALUES "
    "(1, NULL, 'paid', 1), (2, 'b@x.io', 'free', NULL), (3, 'b@x.io', 'paid', 1);"
    "INSERT INTO billing.invoices (id, customer_id, total) VALUES "
    "(10, 1, NULL), (11, 1, 5), (12, 3, 5)"
)


def search_path_url(pg: PgCluster, dbname: str) -> str:
    return pg.url(dbname) + "?options=-csearch_path%3Dapp"


@pytest.fixture
def db(pg: PgCluster, tmp_path: Path) -> Iterator[tuple[Path, str, str]]:
    """The project, migrated to head through the search_path=app URL; the database
    (holding rows) and that URL. app exists beforehand, as a DBA may have made it
    (env.py keeps Alembic's version table in public all the same)."""
    create_roles(pg, ["sp_app"])
    dbname = pg.create_database("search_path_app")
    url = search_path_url(pg, dbname)
    pg.sql("CREATE SCHEMA app", dbname)
    write_schema(tmp_path, {"s.yaml": SCHEMA})
    schemagen(tmp_path, "migrate", "-m", "initial")
    alembic(tmp_path, url, "upgrade", "head")
    pg.sql(ROWS, dbname)
    try:
        yield tmp_path, dbname, url
    finally:
        pg.drop_database(dbname)


def check(root: Path, url: str, *args: str) -> tuple[int, str]:
    result = CliRunner().invoke(
        main, ["check", "--project", str(root), "--no-cache", *args, "--database", url]
    )
    return result.exit_code, result.output


def test_no_drift_at_head_through_search_path_app(
    pg: PgCluster, db: tuple[Path, str, str]
) -> None:
    root, dbname, url = db
    # Alembic's version table is in public, not in app (which revision 000's
    # downgrade drops), and check reads its revision there
    assert pg.sql("SELECT to_regclass('public.alembic_version') IS NOT NULL", dbname) == "t\n"
    assert pg.sql("SELECT to_regclass('app.alembic_version') IS NULL", dbname) == "t\n"
    assert live_findings(root, url) == []
    code, output = check(root, url)
    assert code == 0, output
    # the trigger made app's customer 1 an email; the rows are there
    assert pg.sql("SELECT email FROM app.customers WHERE id = 1", dbname) == (
        "customer1@example.com\n"
    )


def test_real_drift_in_app_is_seen_through_search_path_app(
    pg: PgCluster, db: tuple[Path, str, str]
) -> None:
    root, dbname, url = db
    pg.sql(
        "ALTER TABLE app.customers ADD COLUMN note text;"
        "DROP INDEX app.ix_customers_email;"
        "ALTER POLICY own ON app.customers USING (owner_id = 0);"
        "ALTER TYPE app.plan ADD VALUE 'gold'",
        dbname,
    )
    expected = [
        "column app.customers.note: in the database but not in the schema",
        "index ix_customers_email on app.customers: missing from the database",
        "policy own on app.customers: USING is (owner_id = 0) in the database, (owner_id = "
        "(current_setting('app.user_id'::text))::integer) in the schema",
        "enum app.plan: value(s) 'gold' only in the database: (free, paid, gold) in the "
        "database, (free, paid) in the schema",
    ]
    assert live_findings(root, url) == expected
    code, output = check(root, url, "--format", "json")
    assert code == 1, output
    found = [f"{f['object']}: {f['message']}" for f in json.loads(output)["findings"]]
    assert found == expected
    assert pg.sql("SELECT count(*) FROM app.customers WHERE email IS NULL", dbname) == "0\n"
