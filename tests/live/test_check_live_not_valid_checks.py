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
from click.testing import CliRunner
from migration_harness import json_findings, live_findings, migrated_project
from pgcluster import PgCluster
from schemagen.cli import main

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
SCHEMA = CORPUS / "134_checks_left_not_valid" / "after" / "schema.yaml"


@pytest.fixture
def db(pg: PgCluster, tmp_path: Path) -> tuple[Path, str]:
    name = pg.create_database("notvalid")
    root = migrated_project(tmp_path / "p", SCHEMA.read_text(), pg.url(name))
    pg.sql(
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
        "ALTER TABLE payments ADD CONSTRAINT ck_payments_amount CHECK (amount >= 0) NOT VALID",
        name,
    )
    return root, name


def test_declared_not_valid_is_clean_and_new_rows_are_refused(
    pg: PgCluster, db: tuple[Path, str]
) -> None:
    root, name = db
    assert live_findings(root, pg.url(name)) == []
    result = CliRunner().invoke(main, ["check", "--project", str(root), "--database", pg.url(name)])
    assert result.exit_code == 0, result.output
    pg.sql(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    assert live_findings(root, pg.url(name)) == []
    pg.sql(f'ALTER DATABASE "{name}" SET default_transaction_read_only = off')
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
    text = CliRunner().invoke(main, ["check", "--project", str(root), "--database", pg.url(name)])
    assert text.exit_code == 1
    assert "declare it validated (leave out validated: false)" in text.output, text.output
    assert 'ALTER TABLE "items" VALIDATE CONSTRAINT "ck_items_price"' in text.output
    hints = {f["object"]: f["hint"] for f in json_findings(root, pg.url(name))}
    assert "declare it validated" in hints["check constraint ck_refunds_amount on refunds"]
    pg.sql(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    assert len(live_findings(root, pg.url(name))) == 2
    pg.sql(f'ALTER DATABASE "{name}" SET default_transaction_read_only = off')
