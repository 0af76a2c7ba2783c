"""``view:`` and ``table:`` are the object's own name; its PostgreSQL schema is
``schema:``'s (docs/schema-language.md, PostgreSQL schemas). A name written with a
dot (``view: sales.v``) was read as view v of schema sales, past ``schema:`` and
its checks, while PostgreSQL reads it as public's ``"sales.v"``, which the language
cannot name: it is a located error, exit 2, naming the way to say it."""

from __future__ import annotations

from pathlib import Path

from fixtures.language.helpers import issues_of
from migration_harness import alembic, migrated_project, revisions, schemagen, write_schema
from pgcluster import PgCluster

BEFORE = """\
database: {name: shop}
entities:
  Order:
    columns:
      id: {type: bigint, primary_key: true}
      total: {type: integer, nullable: true}
"""
#: a view of the totals, placed in PostgreSQL schema sales as {where}
VIEW = """\
views:
  OrderTotal:
{where}
    sql: SELECT id, total FROM orders WHERE total IS NOT NULL
    columns:
      id: {{type: bigint}}
      total: {{type: integer}}
"""


def test_dotted_view_names_are_located_errors(tmp_path: Path) -> None:
    text = """
    entities:
      Order:
        schema: sales
        columns:
          id: {type: bigint, primary_key: true}
    views:
      OrderCount:
        view: sales.v
        sql: SELECT count(*) AS n FROM sales.orders
        columns: {n: {type: bigint}}
      Odd:
        schema: app
        view: 'x.y.z'
        sql: SELECT count(*) AS n FROM sales.orders
        columns: {n: {type: bigint}}
      Quoted:
        view: 'a"b'
        sql: SELECT count(*) AS n FROM sales.orders
        columns: {n: {type: bigint}}
    """
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        "schema/s.yaml:8:5: views.OrderCount.view: view name 'sales.v' holds a dot: a "
        "view's PostgreSQL schema is given by schema:, so say schema: sales and view: v",
        "schema/s.yaml:13:5: views.Odd.view: view name 'x.y.z' holds a dot, which the "
        "language names no view with (a view's PostgreSQL schema is given by schema:)",
        "schema/s.yaml:17:5: views.Quoted.view: view name 'a\"b' holds a double quote, "
        "which the language names no view with (a view's PostgreSQL schema is given by "
        "schema:)",
    ]


def test_dotted_table_names_are_located_errors(tmp_path: Path) -> None:
    """The same for an entity's ``table:``, read the same way."""
    text = """
    entities:
      Order:
        table: sales.orders
        columns:
          id: {type: bigint, primary_key: true}
    """
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        "schema/s.yaml:3:5: entities.Order.table: table name 'sales.orders' holds a dot: "
        "a table's PostgreSQL schema is given by schema:, so say schema: sales and "
        "table: orders",
    ]


def test_migrate_refuses_a_dotted_view_and_takes_it_said_with_schema(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    """On a database holding orders (NULL and repeated totals): ``view: sales.v``
    is refused before any revision is written (before, the revision made a view v
    of schema sales); said as the error says, it is made there, reads the rows and
    checks clean."""
    root = migrated_project(tmp_path / "p", BEFORE, pg.url(pg_db))
    pg.sql(
        "INSERT INTO orders SELECT g, CASE WHEN g % 4 = 0 THEN NULL ELSE g % 3 END "
        "FROM generate_series(1, 40) g",
        pg_db,
    )
    written = revisions(root)
    write_schema(root, {"s.yaml": BEFORE + VIEW.format(where="    view: sales.v")})
    out = schemagen(root, "migrate", "-m", "totals", expect_exit=2)
    assert (
        "schema/s.yaml:9:5: views.OrderTotal.view: view name 'sales.v' holds a dot: a "
        "view's PostgreSQL schema is given by schema:, so say schema: sales and view: v"
    ) in out, out
    assert "Traceback" not in out
    assert revisions(root) == written
    assert pg.sql("SELECT count(*) FROM pg_namespace WHERE nspname = 'sales'", pg_db) == "0\n"

    write_schema(root, {"s.yaml": BEFORE + VIEW.format(where="    schema: sales\n    view: v")})
    schemagen(root, "migrate", "-m", "totals")
    alembic(root, pg.url(pg_db), "upgrade", "head")
    assert pg.sql("SELECT count(*), count(DISTINCT total) FROM sales.v", pg_db) == "30|3\n"
    schemagen(root, "check", "--database", pg.url(pg_db))
