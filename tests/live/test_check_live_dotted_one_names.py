"""Names that hold a dot and are one name: PostgreSQL keeps a constraint, a trigger,
a policy and an index per table (or per schema, never read as one), an argument or a
transition table per function or trigger, a column per view, and names a collation
``C.utf8``. The language takes such a name as it is (docs/schema-language.md,
PostgreSQL schemas): each is quoted where written, made in the table's schema as one
name, and ``check --database`` is clean at head; the downgrade drops each by that
name. Unlike ``table:``, ``view:``, an enum's ``db_name:``, a sequence's or a
partition's name (tests/validate/test_validate_dotted_object_names.py), nothing
here places an object in a schema."""

from __future__ import annotations

from pathlib import Path

from migration_harness import alembic, live_findings, migrated_database
from pgcluster import PgCluster

#: what the catalog holds, outside the system schemas: one line per object
CATALOG = """
SELECT string_agg(what, ' ' ORDER BY what) FROM (
  SELECT 'con:' || n.nspname || '|' || c.conname AS what FROM pg_constraint c
    JOIN pg_namespace n ON n.oid = c.connamespace WHERE n.nspname = 'public'
    AND c.conname <> 'alembic_version_pkc'
  UNION ALL SELECT 'ix:' || n.nspname || '|' || c.relname FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind = 'i'
    AND n.nspname = 'public' AND c.relname <> 'alembic_version_pkc'
  UNION ALL SELECT 'trg:' || tgname FROM pg_trigger WHERE NOT tgisinternal
  UNION ALL SELECT 'pol:' || polname FROM pg_policy
  UNION ALL SELECT 'ns:' || nspname FROM pg_namespace WHERE nspname NOT LIKE 'pg\\_%'
    AND nspname NOT IN ('information_schema', 'public')
) found
"""

TABLE_NAMES = """
database:
  name: dotted
  naming_convention: {ix: "ix.%(table_name)s.%(column_0_N_name)s"}
entities:
  Customer:
    columns:
      id: {type: bigint, primary_key: true}
  Order:
    columns:
      id: {type: bigint, primary_key: true}
      customer_id: {type: bigint, nullable: true}
      code: {type: text, nullable: true, index: true}
    foreign_keys:
      fk.orders.customer: {columns: [customer_id], references: Customer}
    triggers:
      trg.orders.gone:
        function: count_gone
        timing: after
        events: [delete]
        for_each: statement
        old_table: gone.rows
    row_level_security: true
    policies:
      sales.own: {using: "code IS NOT NULL OR customer_id IS NULL"}
  Tally:
    columns:
      id: {type: bigint, primary_key: true}
      gone: {type: bigint}
functions:
  count_gone:
    returns: trigger
    body: |
      BEGIN
        UPDATE tallies SET gone = gone + (SELECT count(*) FROM "gone.rows");
        RETURN NULL;
      END;
"""

TABLE_ROWS = (
    "INSERT INTO customers SELECT g FROM generate_series(1, 5) g;"
    "INSERT INTO orders SELECT g, NULLIF(g % 6, 0), CASE WHEN g % 4 = 0 THEN NULL "
    "ELSE 'c' || g % 3 END FROM generate_series(1, 40) g;"
    "INSERT INTO tallies VALUES (1, 0);"
    "DELETE FROM orders WHERE code IS NULL"
)


def test_a_tables_own_names_may_hold_a_dot(pg: PgCluster, tmp_path: Path) -> None:
    """A ``foreign_keys:`` key, a trigger's and a policy's key, a transition table and
    the naming convention's index name: one name each, on public's orders."""
    root, name = migrated_database(pg, tmp_path, "dotted_table", TABLE_NAMES, TABLE_ROWS)
    assert pg.sql(CATALOG, name).split() == [
        "con:public|fk.orders.customer",
        "con:public|pk_customers",
        "con:public|pk_orders",
        "con:public|pk_tallies",
        "ix:public|ix.orders.code",
        "ix:public|pk_customers",
        "ix:public|pk_orders",
        "ix:public|pk_tallies",
        "pol:sales.own",
        "trg:trg.orders.gone",
    ]
    # the trigger read the deleted rows (every fourth) through "gone.rows"
    assert pg.sql("SELECT gone FROM tallies", name) == "10\n"
    assert pg.sql("SELECT count(*), count(DISTINCT code) FROM orders", name) == "30|3\n"
    assert live_findings(root, pg.url(name)) == []
    alembic(root, pg.url(name), "downgrade", "base")
    assert pg.sql(CATALOG, name) == "\n"


VIEW_NAMES = """
database: {name: dotted}
entities:
  Order:
    columns:
      id: {type: bigint, primary_key: true}
      total: {type: integer, nullable: true}
functions:
  scaled:
    language: sql
    volatility: immutable
    arguments: [{name: by.factor, type: integer}]
    returns: integer
    body: SELECT $1 * 10
views:
  Totals:
    materialized: true
    sql: 'SELECT total AS "order.total", count(*) AS "row.count" FROM orders GROUP BY total'
    columns:
      order.total: {type: integer, nullable: true, attribute: order_total}
      row.count: {type: bigint, attribute: row_count}
    key: [order.total]
    indexes:
      ix.totals.total: {columns: [order.total], unique: true}
"""

VIEW_ROWS = (
    "INSERT INTO orders SELECT g, CASE WHEN g % 5 = 0 THEN NULL ELSE g % 3 END "
    "FROM generate_series(1, 40) g;"
    "REFRESH MATERIALIZED VIEW totals"
)


def test_an_argument_a_view_column_and_a_view_index_may_hold_a_dot(
    pg: PgCluster, tmp_path: Path
) -> None:
    root, name = migrated_database(pg, tmp_path, "dotted_view", VIEW_NAMES, VIEW_ROWS)
    assert (
        pg.sql("SELECT pg_get_function_arguments('scaled'::regproc), scaled(4)", name)
        == '"by.factor" integer|40\n'
    )
    assert (
        pg.sql(
            "SELECT string_agg(attname, ' ' ORDER BY attnum) FROM pg_attribute "
            "WHERE attrelid = 'totals'::regclass AND attnum > 0",
            name,
        )
        == "order.total row.count\n"
    )
    assert (
        pg.sql('SELECT count(*), sum("row.count"), count("order.total") FROM totals', name)
        == "4|40|3\n"
    )
    assert pg.sql(CATALOG, name).split() == [
        "con:public|pk_orders",
        "ix:public|ix.totals.total",
        "ix:public|pk_orders",
    ]
    assert live_findings(root, pg.url(name)) == []
    alembic(root, pg.url(name), "downgrade", "base")
    assert pg.sql("SELECT to_regclass('totals'), to_regproc('scaled')", name) == "|\n"


COLLATIONS = """
database: {name: dotted}
entities:
  Member:
    columns:
      id: {type: bigint, primary_key: true}
      handle: {type: string, length: 40, collation: C.utf8}
      bio: {type: text, nullable: true, collation: C.utf8}
"""

COLLATION_ROWS = (
    "INSERT INTO members SELECT g, CASE WHEN g % 2 = 0 THEN 'b' ELSE 'B' END || g % 7, "
    "CASE WHEN g % 3 = 0 THEN NULL ELSE 'x' END FROM generate_series(1, 20) g"
)


def test_a_collation_named_with_a_dot_is_one_name(pg: PgCluster, tmp_path: Path) -> None:
    """``collation: C.utf8`` (initdb's collation of the C.UTF-8 locale) is that
    collation, not one of a schema C: ``COLLATE "C.utf8"``, byte order."""
    root, name = migrated_database(pg, tmp_path, "dotted_coll", COLLATIONS, COLLATION_ROWS)
    assert (
        pg.sql(
            "SELECT string_agg(a.attname || ':' || c.collname, ' ' ORDER BY a.attnum) "
            "FROM pg_attribute a JOIN pg_collation c ON c.oid = a.attcollation "
            "WHERE a.attrelid = 'members'::regclass AND a.attnum > 0",
            name,
        )
        == "handle:C.utf8 bio:C.utf8\n"
    )
    # byte order: every capital before every small letter
    assert (
        pg.sql(
            "SELECT string_agg(DISTINCT left(handle, 1), '' ORDER BY left(handle, 1)) FROM members",
            name,
        )
        == "Bb\n"
    )
    assert live_findings(root, pg.url(name)) == []
