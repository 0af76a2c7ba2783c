"""Functions of a project whose default PostgreSQL schema is not public
(``database.schema: app``): like its tables, a function that names no schema lives
in app, the trigger functions of ``on_update_now: trigger`` too, in the migrations,
``create_all`` and ``check --database``."""

from __future__ import annotations

from pathlib import Path

from migration_harness import live_findings, migrated_project, scratch_database
from pgcluster import PgCluster

SCHEMA = """
database: {name: shop, schema: app, on_update_now: trigger}
entities:
  Customer:                       # app.customers
    columns:
      id: {type: bigint, primary_key: true}
      name: {type: text, nullable: true}
      updated_at: {type: timestamptz, default: now, on_update: now}
    triggers:
      trg_customers_name:
        function: fill_name
        events: [insert]
        when: "NEW.name IS NULL"
  Invoice:
    schema: billing               # billing.invoices, its trigger calls app's function
    columns:
      id: {type: bigint, primary_key: true}
      customer_id: {references: Customer}
      total: {type: numeric, precision: 10, scale: 2}
      updated_at: {type: timestamptz, default: now, on_update: now}
functions:
  fill_name:
    returns: trigger
    body: "BEGIN NEW.name := 'customer ' || NEW.id; RETURN NEW; END;"
  with_tax: {language: sql, arguments: [{name: amount, type: numeric}],
             returns: numeric, body: "SELECT round(amount * 1.2, 2)"}
"""

FUNCTIONS = (
    "SELECT string_agg(n.nspname || '.' || p.proname, ',' ORDER BY n.nspname, p.proname) "
    "FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace "
    "WHERE n.nspname IN ('public', 'app', 'billing')"
)


def test_functions_live_in_the_default_schema(pg: PgCluster, tmp_path: Path) -> None:
    dbname = scratch_database(pg, "fn_default_schema")
    root = migrated_project(tmp_path, SCHEMA, pg.url(dbname))
    assert pg.sql(FUNCTIONS, dbname).strip() == (
        "app.fill_name,app.schemagen_set_updated_at,app.with_tax"
    )
    pg.sql(
        "INSERT INTO app.customers (id, name, updated_at) VALUES (1, NULL, '2001-01-01'), "
        "(2, 'Bo', '2001-01-01'), (3, 'Bo', '2001-01-01');"
        "INSERT INTO billing.invoices (id, customer_id, total, updated_at) "
        "VALUES (10, 1, 5, '2001-01-01'), (11, 1, 5, '2001-01-01')",
        dbname,
    )
    # the triggers call app's functions, on app's table and billing's alike
    assert pg.sql(
        "UPDATE app.customers SET name = name WHERE id = 2 RETURNING updated_at > '2020-01-01'",
        dbname,
    ).strip() == "t"
    assert pg.sql(
        "UPDATE billing.invoices SET total = app.with_tax(total) WHERE id = 10 "
        "RETURNING total || ' ' || (updated_at > '2020-01-01')",
        dbname,
    ).strip() == "6.00 true"
    assert pg.sql("SELECT name FROM app.customers WHERE id = 1", dbname).strip() == "customer 1"
    assert live_findings(root, pg.url(dbname)) == []
    # drift of a function in app is seen, and named with its schema
    pg.sql(
        "CREATE OR REPLACE FUNCTION app.with_tax(amount numeric) RETURNS numeric "
        "LANGUAGE sql AS 'SELECT round(amount * 1.3, 2)';"
        "CREATE FUNCTION app.extra() RETURNS integer LANGUAGE sql AS 'SELECT 1'",
        dbname,
    )
    assert [line.split(":")[0] for line in live_findings(root, pg.url(dbname))] == [
        "function app.extra()",
        "function app.with_tax(numeric)",
    ]
