"""``check --database`` on checks left NOT VALID on purpose (``validated: false``):
GitLab adds a check NOT VALID to a huge table, so new rows are checked and the old
ones, some of which break it, never are. Declared so, such a check at head is
clean (it gave two findings before the language could say it: "is NOT VALID" and
"in the database but not in the schema"); one validated by hand, or one declared
validated but NOT VALID in the database, is a finding with its hint."""

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
        # old rows that break the checks (and NULLs, a row twice): written before the
        # checks were there, as on the large table the check was added NOT VALID to
        "ALTER TABLE orders DROP CONSTRAINT ck_orders_qty;"
        "ALTER TABLE refunds DROP CONSTRAINT ck_refunds_amount;"
        "ALTER TABLE payments DROP CONSTRAINT ck_payments_amount;"
        "INSERT INTO orders VALUES (1, 0, 'x'), (2, -1, 'x'), (3, NULL, NULL), (4, 5, 'y'),"
        " (5, 5, 'y');"
        "INSERT INTO refunds VALUES (1, 0), (2, 7), (3, 7);"
        "INSERT INTO payments VALUES (1, -5), (2, 10), (3, 10);"
        "ALTER TABLE orders ADD CONSTRAINT ck_orders_qty CHECK (qty > 0) NOT VALID;"
        "ALTER TABLE refunds ADD CONSTRAINT ck_refunds_amount CHECK (amount > 0) NOT VALID;"
        "ALTER TABLE payments ADD CONSTRAINT ck_payments_amount CHECK (amount >= 0) NOT VALID"
    )
    return corpus_database(pg, tmp_path, "134_checks_left_not_valid", "notvalid", rows)


def test_declared_not_valid_is_clean_and_new_rows_are_refused(
    pg: PgCluster, db: tuple[Path, str]
) -> None:
    root, name = db
    assert_clean(pg, root, name)
    # the old rows stay; a new row that breaks a check is refused
    assert pg.sql("SELECT count(*) FROM orders WHERE qty <= 0", name).strip() == "2"
    for insert in (
        "INSERT INTO orders VALUES (6, 0, 'z')",
        "INSERT INTO refunds VALUES (4, -1)",
        "INSERT INTO payments VALUES (4, -1)",
    ):
        with (
            psycopg.connect(pg.libpq_url(name)) as conn,
            pytest.raises(psycopg.errors.CheckViolation),
        ):
            conn.execute(insert)


def test_validated_by_hand_and_not_valid_by_hand_are_findings(
    pg: PgCluster, db: tuple[Path, str]
) -> None:
    root, name = db
    pg.sql(
        "UPDATE refunds SET amount = 1 WHERE amount <= 0;"
        "ALTER TABLE refunds VALIDATE CONSTRAINT ck_refunds_amount;"  # validated by hand
        "ALTER TABLE items DROP CONSTRAINT ck_items_price,"  # declared validated
        " ADD CONSTRAINT ck_items_price CHECK (price > 0) NOT VALID",
        name,
    )
    assert live_findings(root, pg.url(name)) == [
        "check constraint ck_items_price on items: is NOT VALID: it was added NOT VALID and "
        "never validated (a revision failed between ADD CONSTRAINT ... NOT VALID and VALIDATE "
        "CONSTRAINT), so the rows that were there before are unchecked and may break it",
        "check constraint ck_refunds_amount on refunds: is validated in the database, NOT "
        "VALID in the schema (validated: false)",
    ]
    code, output = check_command(root, pg.url(name))
    assert code == 1
    assert "declare it validated (leave out validated: false)" in output, output
    assert "ALTER TABLE public.items VALIDATE CONSTRAINT ck_items_price" in output
    hints = {f["object"]: f["hint"] for f in json_findings(root, pg.url(name))}
    assert "declare it validated" in hints["check constraint ck_refunds_amount on refunds"]
    with read_only_sessions(pg, name):
        assert len(live_findings(root, pg.url(name))) == 2
