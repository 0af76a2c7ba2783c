"""A second ``create_all`` on a database the first one made is a no-op.

SQLAlchemy's ``create_all`` is checkfirst: it makes only the tables that are not
there yet, but it fires the MetaData's ``before_create`` and ``after_create``
events every time. The DDL models.py attaches to them (functions the tables call,
checks left NOT VALID, serial columns' OWNED BY, partitions, functions, views,
triggers) must run only when create_all makes the tables, or the second call fails
with "constraint ... already exists" / "function ... already exists".
"""

from __future__ import annotations

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
        assert f"{constant}: list[str] = " in text, constant
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
