"""A second ``create_all`` on a database the first one made is a no-op.

SQLAlchemy's ``create_all`` is checkfirst: it makes only the tables that are not
there yet, but it fires the MetaData's ``before_create`` and ``after_create``
events every time. The DDL models.py attaches to them (functions the tables call,
checks left NOT VALID, serial columns' OWNED BY, partitions, functions, views,
triggers) must run only when create_all makes the tables, or the second call fails
with "constraint ... already exists" / "function ... already exists". And when it
makes some tables only (one dropped by hand, one new in the models), a table's own
DDL runs for that table alone, and what tables share (functions, views) only where
it is missing.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from migration_harness import imported_models, load_case, metadata_of, schemagen, write_schema
from pgcluster import PgCluster
from pgdump import schema_dump

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "tests" / "corpus"

SERIALS = """\
database:
  name: corpus
entities:
  Ticket:
    schema: billing
    columns:
      id: {type: bigint, primary_key: true}
      number: {type: serial}
      note: {type: text, nullable: true}
views:
  TicketNumber:
    sql: SELECT id, number FROM billing.tickets
    columns: {id: {type: bigint}, number: {type: integer}}
"""

#: case -> (the schema files, the listener constant models.py must hold, rows to insert
#: (NULLs and duplicates), the tables to count)
CASES: dict[str, tuple[dict[str, str], list[str], list[str], list[str]]] = {
    "not_valid_checks": (
        load_case(CORPUS / "134_checks_left_not_valid").after,
        ["NOT_VALID_CHECKS_DDL"],
        [
            "INSERT INTO orders VALUES (1, 5, NULL), (2, NULL, 'x'), (3, NULL, 'x')",
            "INSERT INTO payments VALUES (1, 0), (2, 0)",
            "INSERT INTO items VALUES (1, NULL), (2, NULL)",
            "INSERT INTO refunds VALUES (1, 3), (2, 3)",
        ],
        ["orders", "payments", "items", "refunds"],
    ),
    "not_valid_keys": (
        load_case(CORPUS / "137_foreign_keys_left_not_valid").after,
        [],  # (no listener: SQLAlchemy adds them NOT VALID after the tables, use_alter)
        [
            "INSERT INTO customers VALUES (1), (2)",
            "INSERT INTO orders VALUES (1, 1), (2, NULL), (3, NULL)",
            "INSERT INTO payments VALUES (1, 1), (2, 1)",
            "INSERT INTO items VALUES (1, NULL), (2, 2)",
            "INSERT INTO refunds VALUES (1, 1, NULL), (2, 1, 2)",
        ],
        ["customers", "orders", "payments", "items", "refunds"],
    ),
    "functions_before_tables": (
        load_case(CORPUS / "125_default_calls_a_function").after,
        ["DDL_BEFORE_CREATE", "DDL_AFTER_CREATE"],
        [
            "INSERT INTO accounts VALUES (1, 'a'), (2, 'a')",
            "INSERT INTO statuses (account_id, slug) VALUES (1, NULL), (1, 'a-b'), (1, 'a-b')",
        ],
        ["accounts", "statuses"],
    ),
    "schemas_functions_triggers": (
        load_case(CORPUS / "85_triggers_in_another_schema").after,
        ["PG_SCHEMAS_DDL", "DDL_AFTER_CREATE"],
        [
            "INSERT INTO customers VALUES (1, 'a'), (2, 'a')",
            "INSERT INTO billing.invoices (id, customer_id) VALUES (1, 1), (2, 1), (3, 2)",
        ],
        ["customers", "billing.invoices"],
    ),
    "serials_and_views": (
        {"schema.yaml": SERIALS},
        ["PG_SCHEMAS_DDL", "SERIAL_DDL", "DDL_AFTER_CREATE"],
        ["INSERT INTO billing.tickets (id, note) VALUES (1, NULL), (2, NULL), (3, 'x')"],
        ["billing.tickets", "ticket_number"],
    ),
}


def _rows(pg: PgCluster, db: str, tables: list[str]) -> list[str]:
    return [pg.sql(f"SELECT * FROM {t} ORDER BY 1", db) for t in tables]


@pytest.mark.parametrize("name", sorted(CASES))
def test_create_all_twice_keeps_the_schema_and_the_rows(
    name: str, tmp_path: Path, pg: PgCluster, pg_db: str
) -> None:
    files, constants, inserts, tables = CASES[name]
    write_schema(tmp_path / "p", files)
    schemagen(tmp_path / "p", "build")
    models = tmp_path / "p" / "generated" / "models.py"
    text = models.read_text(encoding="utf-8")
    for constant in constants:
        assert f"{constant}: " in text, constant
    with imported_models(models) as module:
        metadata = metadata_of(module)
        engine = sa.create_engine(pg.url(pg_db))
        try:
            with engine.begin() as conn:
                metadata.create_all(conn)
            for statement in inserts:
                pg.sql(statement, pg_db)
            dump, rows = schema_dump(pg, pg_db), _rows(pg, pg_db, tables)
            assert all(rows), rows
            with engine.begin() as conn:
                metadata.create_all(conn)  # failed: "... already exists"
            assert schema_dump(pg, pg_db) == dump
            assert _rows(pg, pg_db, tables) == rows
            # drop_all then create_all makes it again (the listeners still run then)
            with engine.begin() as conn:
                metadata.drop_all(conn)
            with engine.begin() as conn:
                metadata.create_all(conn)
            assert schema_dump(pg, pg_db) == dump
        finally:
            engine.dispose()


#: A table holding every kind of DDL models.py makes for one table after create_all
#: (a check left NOT VALID, a serial column that is no lone key, a trigger, row-level
#: security, a policy, comments), a partitioned one, and what they share: a function
#: a check calls (made before the tables), a trigger function and a view over both.
ONE_TABLE = """\
database:
  name: corpus
functions:
  positive:
    language: sql
    volatility: immutable
    arguments: [{name: value, type: integer}]
    returns: boolean
    body: SELECT value > 0
  set_note:
    returns: trigger
    body: |
      BEGIN
        NEW.note := coalesce(NEW.note, 'n' || NEW.id);
        RETURN NEW;
      END;
entities:
  Customer:
    columns:
      id: {type: bigint, primary_key: true}
      name: {type: text, nullable: true}
  Order:
    description: Orders, each numbered.
    row_level_security: true
    columns:
      id: {type: bigint, primary_key: true}
      customer_id: {references: Customer, on_delete: cascade}
      number: {type: serial, description: Numbered by a sequence.}
      qty: {type: integer, nullable: true}
      note: {type: text, nullable: true}
    checks:
      ck_orders_qty: {expression: "positive(qty)", validated: false}
    triggers:
      trg_orders_note:
        function: set_note
        timing: before
        events: [insert]
        description: Notes an order that has no note.
    policies:
      orders_all:
        using: "qty IS NULL OR qty <> 13"
        description: Nobody sees an order of 13.
  Payment:
    primary_key: [id, paid_on]
    columns:
      id: {type: bigint, primary_key: true}
      paid_on: {type: date, primary_key: true}
      customer_id: {references: Customer, on_delete: cascade}
    partition_by: {range: [paid_on]}
    partitions:
      payments_2026_01: {from: "2026-01-01", to: "2026-02-01"}
      payments_2026_02: {from: "2026-02-01", to: "2026-03-01"}
views:
  CustomerOrder:
    sql: SELECT c.id, o.number FROM customers c JOIN orders o ON o.customer_id = c.id
    columns: {id: {type: bigint}, number: {type: integer}}
"""

ONE_TABLE_ROWS = [
    "INSERT INTO customers VALUES (1, NULL), (2, 'a'), (3, 'a')",
    # qty -1 and 0 break the NOT VALID check: made with positive(qty) off, as old rows
    "ALTER TABLE orders DROP CONSTRAINT ck_orders_qty",
    "INSERT INTO orders (id, customer_id, qty) VALUES (1, 1, NULL), (2, 1, -1), (3, 2, 0)",
    "ALTER TABLE orders ADD CONSTRAINT ck_orders_qty CHECK (positive(qty)) NOT VALID",
    "INSERT INTO payments VALUES (1, '2026-01-05', 1), (2, '2026-02-05', 1), (3, '2026-02-05', 1)",
]

#: The comments the dump leaves out: the table's, its column's, the trigger's, the policy's.
COMMENTS = (
    "SELECT obj_description('orders'::regclass, 'pg_class'),"
    " col_description('orders'::regclass, 3),"
    " (SELECT obj_description(oid, 'pg_trigger') FROM pg_trigger"
    "  WHERE tgname = 'trg_orders_note'),"
    " (SELECT obj_description(oid, 'pg_policy') FROM pg_policy"
    "  WHERE polname = 'orders_all')"
)

#: What a table holds beyond its dump: its check NOT VALID, its RLS, its sequence's owner.
STATE = (
    "SELECT (SELECT convalidated FROM pg_constraint WHERE conname = 'ck_orders_qty'),"
    " relrowsecurity, pg_get_serial_sequence('orders', 'number'),"
    " (SELECT count(*) FROM pg_inherits WHERE inhparent = 'payments'::regclass)"
    " FROM pg_class WHERE oid = 'orders'::regclass"
)

ROWS = ["customers", "orders", "payments", "customer_order"]


@pytest.mark.parametrize("dropped", ["orders", "payments"])
def test_create_all_remakes_the_one_table_dropped_by_hand(
    dropped: str, tmp_path: Path, pg: PgCluster, pg_db: str
) -> None:
    """create_all after one table was dropped by hand makes exactly that table, with
    its own DDL (and the view that went with it), and leaves the rest and their rows."""
    write_schema(tmp_path / "p", {"schema.yaml": ONE_TABLE})
    schemagen(tmp_path / "p", "build")
    with imported_models(tmp_path / "p" / "generated" / "models.py") as module:
        metadata = metadata_of(module)
        engine = sa.create_engine(pg.url(pg_db))
        try:
            with engine.begin() as conn:
                metadata.create_all(conn)
            for statement in ONE_TABLE_ROWS:
                pg.sql(statement, pg_db)
            dump, comments, state = (
                schema_dump(pg, pg_db),
                pg.sql(COMMENTS, pg_db),
                pg.sql(STATE, pg_db),
            )
            rows = _rows(pg, pg_db, ROWS)
            assert all(rows), rows
            assert "f" in state and "orders_number_seq" in state, state
            assert "Numbered by a sequence." in comments, comments
            pg.sql(f"DROP TABLE {dropped} CASCADE", pg_db)  # the view goes with orders
            with engine.begin() as conn:
                metadata.create_all(conn)  # failed: "... already exists"
            assert schema_dump(pg, pg_db) == dump
            assert pg.sql(COMMENTS, pg_db) == comments
            assert pg.sql(STATE, pg_db) == state
            kept = [t for t in ROWS if t not in (dropped, "customer_order")]
            before = dict(zip(ROWS, rows, strict=True))
            assert _rows(pg, pg_db, kept) == [before[t] for t in kept]
            assert pg.sql(f"SELECT count(*) FROM {dropped}", pg_db).strip() == "0"
            # what was remade works: the trigger notes, the sequence numbers, the check
            # refuses a new breaking row, the partitions take their rows
            pg.sql("INSERT INTO orders (id, customer_id, qty) VALUES (9, 3, 1)", pg_db)
            assert pg.sql("SELECT note FROM orders WHERE id = 9", pg_db).strip() == "n9"
            pg.sql("INSERT INTO payments VALUES (9, '2026-01-09', 3)", pg_db)
            with pytest.raises(subprocess.CalledProcessError) as refused:
                pg.sql("INSERT INTO orders (id, customer_id, qty) VALUES (8, 3, -2)", pg_db)
            assert "ck_orders_qty" in refused.value.stderr
        finally:
            engine.dispose()
