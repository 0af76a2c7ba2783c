"""``check --database`` on functions, views, materialized views and triggers, and on
extra sequences and types: a database migrated from a schema that has them all,
then changed behind schemagen's back, one change at a time."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures.language.helpers import schema_of
from migration_harness import alembic, schemagen, write_schema
from pgcluster import PgCluster
from schemagen.live.compare import check_database
from schemagen.model.schema import Schema

SCHEMA = """
database: {name: shop, on_update_now: trigger}
mixins:
  ts: {columns: {updated_at: {type: timestamptz, default: now, on_update: now}}}
entities:
  Store:
    columns:
      id: {type: bigint, primary_key: true}
      name: {type: string, length: 100}
  Product:
    mixins: [ts]
    columns:
      id: {type: bigint, primary_key: true}
      store_id: {references: Store, on_delete: cascade}
      title: {type: text}
      price: {type: numeric, precision: 10, scale: 2}
    triggers:
      trg_products_price:
        function: check_price
        events: [insert, update]
        when: "NEW.price < 0"
functions:
  check_price:
    returns: trigger
    body: |
      BEGIN
        RAISE EXCEPTION 'price % < 0', NEW.price;
      END;
  add_one_int: {name: add_one, language: sql, volatility: immutable,
                arguments: [integer], returns: integer, body: SELECT $1 + 1}
  add_one_num: {name: add_one, language: sql, volatility: immutable,
                arguments: [numeric], returns: numeric, body: SELECT $1 + 1}
views:
  Listing:
    sql: SELECT p.id, s.name FROM products p JOIN stores s ON s.id = p.store_id
    columns: {id: {type: bigint}, name: {type: string, length: 100}}
  Totals:
    materialized: true
    sql: SELECT store_id, count(*) AS n FROM products GROUP BY store_id
    columns: {store_id: {type: bigint}, n: {type: bigint}}
    indexes: {ux_totals: {columns: [store_id], unique: true}}
"""


@pytest.fixture(scope="module")
def migrated(pg: PgCluster, tmp_path_factory: pytest.TempPathFactory) -> tuple[Schema, str]:
    root = tmp_path_factory.mktemp("routines_live")
    write_schema(root, {"schema.yaml": SCHEMA})
    schemagen(root, "migrate", "-m", "init")
    schema = schema_of(tmp_path_factory.mktemp("loaded"), {"schema.yaml": SCHEMA})
    return schema, str(root)


@pytest.fixture
def db(pg: PgCluster, migrated: tuple[Schema, str]) -> str:
    name = pg.create_database("routines")
    alembic(Path(migrated[1]), pg.url(name), "upgrade", "head")
    return name


def _lines(schema: Schema, pg: PgCluster, db: str) -> list[str]:
    return [f.line() for f in check_database(schema, pg.url(db)) if f.kind == "database"]


def test_migrated_database_is_clean(pg: PgCluster, migrated: tuple[Schema, str], db: str) -> None:
    assert _lines(migrated[0], pg, db) == []


def test_changes_behind_its_back(pg: PgCluster, migrated: tuple[Schema, str], db: str) -> None:
    schema = migrated[0]
    pg.sql(
        "CREATE OR REPLACE FUNCTION add_one(integer) RETURNS integer LANGUAGE sql "
        "IMMUTABLE AS 'SELECT $1 + 2';"
        "DROP TRIGGER trg_products_price ON products;"
        "CREATE OR REPLACE VIEW listing AS SELECT p.id, s.name FROM products p "
        "JOIN stores s ON s.id = p.store_id WHERE p.price > 0;"
        "DROP INDEX ux_totals;"
        "CREATE VIEW extra_view AS SELECT 1 AS one;"
        "CREATE FUNCTION extra_fn() RETURNS integer LANGUAGE sql AS 'SELECT 1';"
        "CREATE SEQUENCE extra_seq; CREATE TYPE extra_pair AS (a integer, b integer);"
        "CREATE DOMAIN extra_positive AS integer CHECK (VALUE > 0);",
        db,
    )
    assert _lines(schema, pg, db) == [
        "sequence extra_seq: in the database but not in the schema",
        "domain extra_positive: in the database but not in the schema",
        "function extra_fn(): in the database but not in the schema",
        "function add_one(integer): definition differs: expected 'AS $function$', "
        "found 'AS $function$SELECT $1 + 2$function$'",
        "view extra_view: in the database but not in the schema",
        "view listing: definition differs: expected 'JOIN stores s ON ((s.id = p.store_id)));', "
        "found 'JOIN stores s ON ((s.id = p.store_id)))'",
        "materialized view totals: indexes none, expected ux_totals",
        "trigger products.trg_products_price: missing from the database",
        "type extra_pair: in the database but not in the schema",
    ]


def test_definition_postgresql_rejects(
    pg: PgCluster, migrated: tuple[Schema, str], db: str, tmp_path: Path
) -> None:
    """A body naming a column the table does not have passes validate (it parses)
    and is caught against the live database, as the migration would fail."""
    broken = SCHEMA.replace(
        "body: SELECT $1 + 1}\n  add_one_num",
        "body: SELECT count(nope)::integer FROM products}\n  add_one_num",
    )
    schema = schema_of(tmp_path, {"schema.yaml": broken})
    lines = _lines(schema, pg, db)
    assert lines[0] == (
        'function add_one(integer): PostgreSQL rejects the schema\'s definition: column "nope" '
        "does not exist LINE 4: SELECT count(nope)::integer FROM products ^"
    )
    assert lines[1:] == ["function add_one(integer): in the database but not in the schema"]


def test_read_only_database_compares_names(
    pg: PgCluster, migrated: tuple[Schema, str], db: str
) -> None:
    """A hot standby refuses temp objects: presence is still compared."""
    pg.sql("DROP TRIGGER trg_products_price ON products; CREATE SEQUENCE extra_seq", db)
    pg.sql(f'ALTER DATABASE "{db}" SET default_transaction_read_only = on')
    assert _lines(migrated[0], pg, db) == [
        "sequence extra_seq: in the database but not in the schema",
        "trigger products.trg_products_price: missing from the database",
    ]


def test_view_columns_declared_with_other_types(
    pg: PgCluster, migrated: tuple[Schema, str], db: str, tmp_path: Path
) -> None:
    """A view column declared with a type its SQL does not give: models.py and the
    docs would type it wrongly while the view and its migration are fine. Found
    from the declared SQL as PostgreSQL types it, and from the live view when
    temporary objects are refused."""
    pg.sql(
        "INSERT INTO stores (id, name) VALUES (1, 'North'), (2, 'South');"
        "INSERT INTO products (id, store_id, title, price) VALUES "
        "(1, 1, 'a', 1.5), (2, 1, 'b', 0), (3, 2, 'c', 2);"
        "REFRESH MATERIALIZED VIEW totals",
        db,
    )
    lying = SCHEMA.replace(
        "columns: {id: {type: bigint}, name: {type: string, length: 100}}",
        "columns: {id: {type: bigint}, name: {type: text}}",
    ).replace("n: {type: bigint}}", "n: {type: integer}}")
    schema = schema_of(tmp_path, {"schema.yaml": lying})
    expected = [
        "view listing: column name is declared text, "
        "but the view's SQL gives character varying(100)",
        "materialized view totals: column n is declared integer, but the view's SQL gives bigint",
    ]
    assert _lines(schema, pg, db) == expected
    pg.sql(f'ALTER DATABASE "{db}" SET default_transaction_read_only = on')
    assert _lines(schema, pg, db) == expected
    assert _lines(migrated[0], pg, db) == []


def test_view_classes_read_and_refuse_writes(
    pg: PgCluster, migrated: tuple[Schema, str], db: str
) -> None:
    """The generated view classes query the views, typed, and refuse to write."""
    import importlib

    import sqlalchemy as sa
    from migration_harness import project_env
    from sqlalchemy.orm import Session

    pg.sql(
        "INSERT INTO stores (id, name) VALUES (1, 'North');"
        "INSERT INTO products (id, store_id, title, price) VALUES (7, 1, 'Tea', 2);"
        "REFRESH MATERIALIZED VIEW totals",
        db,
    )
    with project_env(Path(migrated[1]), pg.url(db)):
        models = importlib.import_module("generated.models")
        engine = sa.create_engine(pg.url(db))
        try:
            with Session(engine) as session:
                row = session.get(models.Listing, 7)
                assert row is not None and (row.id, row.name) == (7, "North")
                total = session.scalars(sa.select(models.Totals)).one()
                assert (total.store_id, total.n) == (1, 1)
                row.name = "South"
                with pytest.raises(TypeError, match="Listing maps a view and is read-only"):
                    session.flush()
                session.rollback()
                session.add(models.Listing(id=8, name="x"))
                with pytest.raises(TypeError, match="read-only"):
                    session.flush()
        finally:
            engine.dispose()


def test_parsed_reads_are_what_postgresql_records(
    pg: PgCluster, migrated: tuple[Schema, str], db: str
) -> None:
    """The relations schemagen parses out of each view's SQL (its migration order)
    are those PostgreSQL itself records as the view's dependencies."""
    recorded = pg.sql(
        "SELECT DISTINCT v.relname || ':' || t.relname FROM pg_rewrite r "
        "JOIN pg_class v ON v.oid = r.ev_class "
        "JOIN pg_depend d ON d.classid = 'pg_rewrite'::regclass AND d.objid = r.oid "
        "JOIN pg_class t ON t.oid = d.refobjid "
        "WHERE t.oid <> v.oid AND v.relkind IN ('v', 'm') AND t.relkind IN ('r', 'v', 'm') "
        "AND v.relnamespace = 'public'::regnamespace "
        "ORDER BY 1",
        db,
    ).split()
    parsed = sorted(f"{v.view}:{r}" for v in migrated[0].views for r in v.reads)
    assert parsed == recorded == ["listing:products", "listing:stores", "totals:products"]



def _trigger_lines(root: Path, url: str, expect_exit: int) -> list[str]:
    out = schemagen(root, "check", "--no-cache", "--database", url, expect_exit=expect_exit)
    return [line.strip() for line in out.splitlines() if line.strip().startswith("trigger")]


def test_trigger_not_enabled_is_a_finding(
    pg: PgCluster, migrated: tuple[Schema, str], db: str
) -> None:
    """A second session disables the on_update_now trigger of a table holding rows
    (an UPDATE then keeps the old updated_at, and a negative price passes) and sets
    the declared trigger to fire for replicas only, then always: check exits 1
    naming each with its qualified table; enabled again, check is clean."""
    root, url = Path(migrated[1]), pg.url(db)
    pg.sql(
        "INSERT INTO stores VALUES (1, 'a'), (2, 'a');"
        "INSERT INTO products (id, store_id, title, price, updated_at) "
        "SELECT n, 1 + n % 2, 't', n, '2000-01-01' FROM generate_series(1, 50) n;"
        "ALTER TABLE products DISABLE TRIGGER trg_products_set_updated_at;"
        "ALTER TABLE products ENABLE REPLICA TRIGGER trg_products_price",
        db,
    )
    pg.sql("UPDATE products SET title = 'u', price = -1 WHERE id = 1", db)
    row = pg.sql("SELECT updated_at::date, price FROM products WHERE id = 1", db)
    assert row == "2000-01-01|-1.00\n"
    assert _trigger_lines(root, url, 1) == [
        "trigger products.trg_products_price: on public.products is enabled for replicas "
        "only (ENABLE REPLICA TRIGGER): it fires only in sessions whose "
        "session_replication_role is replica; the schema declares it enabled",
        "trigger products.trg_products_set_updated_at: on public.products is disabled "
        "(DISABLE TRIGGER): it never fires; the schema declares it enabled",
    ]
    pg.sql(
        "ALTER TABLE products ENABLE ALWAYS TRIGGER trg_products_price;"
        "ALTER TABLE products ENABLE TRIGGER trg_products_set_updated_at",
        db,
    )
    assert _trigger_lines(root, url, 1) == [
        "trigger products.trg_products_price: on public.products is enabled always (ENABLE "
        "ALWAYS TRIGGER): it fires in replica sessions too; the schema declares it enabled",
    ]
    pg.sql("ALTER TABLE products ENABLE TRIGGER trg_products_price", db)
    assert _trigger_lines(root, url, 0) == []


def test_a_difference_far_into_a_line_is_shown(
    pg: PgCluster, migrated: tuple[Schema, str], db: str
) -> None:
    """A trigger is one line: a WHEN changed by hand differs past the first 60
    characters, and the finding showed the same cut-off start twice ('CREATE TRIGGER
    trg_products_price BEFORE INSERT OR UPDATE ON pro...' for both). It now shows both
    from a little before where they part. The table holds rows meanwhile."""
    pg.sql(
        "INSERT INTO stores VALUES (1, 'a'), (2, 'a');"
        "INSERT INTO products (id, store_id, title, price) VALUES (1, 1, 'x', 1), (2, 2, 'x', 1);"
        "DROP TRIGGER trg_products_price ON products;"
        "CREATE TRIGGER trg_products_price BEFORE INSERT OR UPDATE ON products "
        "FOR EACH ROW WHEN (NEW.price < -1) EXECUTE FUNCTION check_price()",
        db,
    )
    assert _lines(migrated[0], pg, db) == [
        "trigger products.trg_products_price: definition differs: expected "
        "'...WHEN ((new.price < (0)::numeric)) EXECUTE FUNCTION che...', found "
        "\"...WHEN ((new.price < ('-1'::integer)::numeric)) EXECUTE ...\""
    ]
