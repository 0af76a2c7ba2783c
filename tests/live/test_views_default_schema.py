"""Views of a project whose default PostgreSQL schema is not public
(``database.schema: app``): like its tables, a view that names no schema lives in
app (one that says ``schema: reports`` there), and ``check --database`` compares
them keyed by schema, whatever the connection's search_path (public here)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import sqlalchemy as sa
from migration_harness import live_findings, migrated_project, scratch_database
from pgcluster import PgCluster
from sqlalchemy.orm import Session

SCHEMA = """
database: {name: shop, schema: app}
entities:
  Customer:                       # app.customers
    columns:
      id: {type: bigint, primary_key: true}
      name: {type: text, nullable: true}
  Order:                          # app.orders
    columns:
      id: {type: bigint, primary_key: true}
      customer_id: {references: Customer}
      total: {type: numeric, precision: 10, scale: 2, nullable: true}
views:
  CustomerTotal:                  # app.customer_totals
    materialized: true
    view: customer_totals
    sql: |
      SELECT c.id AS customer_id, count(o.id) AS orders
      FROM app.customers c LEFT JOIN app.orders o ON o.customer_id = c.id GROUP BY c.id
    columns:
      customer_id: {type: bigint}
      orders: {type: bigint}
    indexes:
      ux_customer_totals_customer: {columns: [customer_id], unique: true}
  BigOrder:                       # reports.big_orders
    schema: reports
    view: big_orders
    sql: "SELECT o.id, o.total FROM app.orders o WHERE o.total >= 100"
    columns:
      id: {type: bigint}
      total: {type: numeric, precision: 10, scale: 2, nullable: true}
"""

VIEWS = (
    "SELECT string_agg(n.nspname || '.' || c.relname, ',' ORDER BY n.nspname, c.relname) "
    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE c.relkind IN ('v', 'm') AND n.nspname IN ('public', 'app', 'reports')"
)


def test_views_live_in_the_default_schema(pg: PgCluster, tmp_path: Path) -> None:
    dbname = scratch_database(pg, "view_default_schema")
    root = migrated_project(tmp_path, SCHEMA, pg.url(dbname))
    assert pg.sql("SHOW search_path", dbname).strip() == '"$user", public'
    assert pg.sql(VIEWS, dbname).strip() == "app.customer_totals,reports.big_orders"
    pg.sql(
        "INSERT INTO app.customers (id, name) VALUES (1, 'Ada'), (2, NULL), (3, 'Ada');"
        "INSERT INTO app.orders (id, customer_id, total) VALUES "
        "(10, 1, 150), (11, 1, NULL), (12, 2, 150), (13, 2, 20);"
        "REFRESH MATERIALIZED VIEW app.customer_totals",
        dbname,
    )
    assert live_findings(root, pg.url(dbname)) == []
    # the ORM classes read the views where they are, not on the search_path
    spec = importlib.util.spec_from_file_location("_view_models", root / "generated/models.py")
    assert spec is not None and spec.loader is not None
    models = importlib.util.module_from_spec(spec)
    sys.modules["_view_models"] = models
    try:
        spec.loader.exec_module(models)
        engine = sa.create_engine(pg.url(dbname))
        with Session(engine) as session:
            totals = session.scalars(sa.select(models.CustomerTotal)).all()
            assert sorted((t.customer_id, t.orders) for t in totals) == [(1, 2), (2, 2), (3, 0)]
            big = session.scalars(sa.select(models.BigOrder.id).order_by("id")).all()
            assert big == [10, 12]
        engine.dispose()
    finally:
        sys.modules.pop("_view_models", None)
    # drift of the views in app and reports is seen, named with their schema; a
    # view of the same name in public is another object
    pg.sql(
        "CREATE OR REPLACE VIEW reports.big_orders AS "
        "SELECT o.id, o.total FROM app.orders o WHERE o.total >= 200;"
        "DROP INDEX app.ux_customer_totals_customer;"
        "CREATE VIEW app.extra AS SELECT 1 AS one;"
        "CREATE VIEW public.customer_totals AS SELECT 1 AS one",
        dbname,
    )
    assert live_findings(root, pg.url(dbname)) == [
        "view app.extra: in the database but not in the schema",
        "view customer_totals: in the database but not in the schema",
        "materialized view app.customer_totals: indexes none, expected ux_customer_totals_customer",
        "view reports.big_orders: definition differs: expected "
        "'WHERE (o.total >= (100)::numeric);', found 'WHERE (o.total >= (200)::numeric);'",
    ]
