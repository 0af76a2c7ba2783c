"""``check --database`` on foreign keys left NOT VALID on purpose (``validated:
false``): a key added NOT VALID to a big table to avoid the scan, so new rows are
checked and the old orphans stay. Declared so, such a key at head is clean (it gave
two findings before the language could say it: "is NOT VALID" and "in the database
but not in the schema"); one validated by hand, or one declared validated but NOT
VALID in the database, is a finding with its hint."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from live_check import assert_clean, check_command, corpus_database, read_only_sessions
from migration_harness import json_findings, live_findings
from pgcluster import PgCluster


@pytest.fixture
def db(pg: PgCluster, tmp_path: Path) -> tuple[Path, str]:
    rows = (
        # old orphans (and NULLs, a value twice): written before the keys were there,
        # as on the large table the key was added NOT VALID to
        "ALTER TABLE orders DROP CONSTRAINT fk_orders_customer_id_customers;"
        "ALTER TABLE payments DROP CONSTRAINT fk_payments_order_id_orders;"
        "ALTER TABLE refunds DROP CONSTRAINT fk_refunds_payment,"
        " DROP CONSTRAINT fk_refunds_order;"
        "INSERT INTO customers VALUES (1), (2);"
        "INSERT INTO orders VALUES (1, 1), (2, 99), (3, NULL), (4, 99), (5, 1);"
        "INSERT INTO payments VALUES (1, 1), (2, 77), (3, 77);"
        "INSERT INTO items VALUES (1, 1), (2, NULL), (3, 1);"
        "INSERT INTO refunds VALUES (1, 1, 5), (2, 55, 66), (3, 55, NULL);"
        "ALTER TABLE orders ADD CONSTRAINT fk_orders_customer_id_customers FOREIGN KEY"
        " (customer_id) REFERENCES customers (id) NOT VALID;"
        "ALTER TABLE payments ADD CONSTRAINT fk_payments_order_id_orders FOREIGN KEY"
        " (order_id) REFERENCES orders (id) NOT VALID;"
        "ALTER TABLE refunds ADD CONSTRAINT fk_refunds_payment FOREIGN KEY (payment_id)"
        " REFERENCES payments (id) NOT VALID, ADD CONSTRAINT fk_refunds_order FOREIGN KEY"
        " (order_id) REFERENCES orders (id) ON DELETE CASCADE NOT VALID"
    )
    return corpus_database(pg, tmp_path, "137_foreign_keys_left_not_valid", "notvalidkeys", rows)


def test_declared_not_valid_is_clean_and_new_orphans_are_refused(
    pg: PgCluster, db: tuple[Path, str]
) -> None:
    root, name = db
    assert_clean(pg, root, name)
    # the old orphans stay; a new orphan is refused
    assert pg.sql("SELECT count(*) FROM orders WHERE customer_id = 99", name).strip() == "2"
    assert pg.sql("SELECT count(*) FROM refunds WHERE payment_id = 55", name).strip() == "2"
    for statement in (
        "INSERT INTO orders VALUES (6, 98)",
        "UPDATE orders SET customer_id = 97 WHERE id = 1",
        "INSERT INTO payments VALUES (4, 76)",
        "INSERT INTO refunds VALUES (4, 54, NULL)",
        "INSERT INTO refunds VALUES (5, 1, 65)",
    ):
        with (
            psycopg.connect(pg.libpq_url(name)) as conn,
            pytest.raises(psycopg.errors.ForeignKeyViolation),
        ):
            conn.execute(statement)
    # a valid row goes in, and the NOT VALID key still acts: ON DELETE CASCADE
    pg.sql("INSERT INTO orders VALUES (7, 2); DELETE FROM orders WHERE id = 5", name)
    assert pg.sql("SELECT count(*) FROM refunds WHERE order_id = 5", name).strip() == "0"
    assert pg.sql("SELECT count(*) FROM refunds", name).strip() == "2"


def test_validated_by_hand_and_not_valid_by_hand_are_findings(
    pg: PgCluster, db: tuple[Path, str]
) -> None:
    root, name = db
    pg.sql(
        "UPDATE payments SET order_id = 1 WHERE order_id = 77;"
        "ALTER TABLE payments VALIDATE CONSTRAINT fk_payments_order_id_orders;"  # by hand
        "ALTER TABLE items DROP CONSTRAINT fk_items_order_id_orders,"  # declared validated
        " ADD CONSTRAINT fk_items_order_id_orders FOREIGN KEY (order_id) REFERENCES"
        " orders (id) NOT VALID",
        name,
    )
    assert live_findings(root, pg.url(name)) == [
        "foreign key fk_items_order_id_orders on items: is NOT VALID: it was added NOT VALID "
        "and never validated (a revision failed between ADD CONSTRAINT ... NOT VALID and "
        "VALIDATE CONSTRAINT), so the rows that were there before are unchecked and may "
        "break it",
        "foreign key fk_payments_order_id_orders on payments: is validated in the database, "
        "NOT VALID in the schema (validated: false)",
    ]
    code, output = check_command(root, pg.url(name))
    assert code == 1
    assert "declare it validated (leave out validated: false)" in output, output
    assert "ALTER TABLE public.items VALIDATE CONSTRAINT fk_items_order_id_orders" in output
    hints = {f["object"]: f["hint"] for f in json_findings(root, pg.url(name))}
    assert "declare it validated" in hints["foreign key fk_payments_order_id_orders on payments"]
    with read_only_sessions(pg, name):
        assert len(live_findings(root, pg.url(name))) == 2
