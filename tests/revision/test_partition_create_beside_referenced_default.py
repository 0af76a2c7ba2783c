"""A partition made beside a DEFAULT partition that holds rows of its bound stops the
drops revision with a message that lists them; where no foreign key references the
partitioned table, it also gives the statements that set them aside through the parent
and put them back (tests/revision/test_partition_create_beside_default.py). Where one
does, those statements would run each key's ON DELETE action: measured on PostgreSQL
15, the DELETE through payments deleted every refund of the 30 rows (ON DELETE
CASCADE), with no word said; under a NO ACTION key it was refused. So the message
names the keys and what a delete does under each, and gives no statement that deletes a
row: nothing it says to run loses a row that references them."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from migration_harness import Case
from payments_schema import LEDGER, ledger_refunds
from pgcluster import PgCluster
from revision_steps import at_first_revision, listed_ids, rows_by_partition, upgrade_failure

PAYMENTS = (
    LEDGER
    + """      payments_2025_q1: {from: 2025-01-01, to: 2025-04-01}
%s      payments_rest: {default: true}
"""
)
Q3 = "      payments_2025_q3: {from: 2025-07-01, to: 2025-10-01}\n"
#: refunds reference payments ON DELETE CASCADE
REFUNDS = ledger_refunds("cascade")
#: disputes reference payments with PostgreSQL's default, NO ACTION
DISPUTES = """  Dispute:
    columns:
      id: {type: bigint, primary_key: true}
      payment_id: {type: bigint}
      paid_on: {type: date}
    foreign_keys:
      fk_disputes_payment:
        columns: [payment_id, paid_on]
        references: Payment
"""
#: the first quarter's rows; the DEFAULT partition's from 2024 and 2026 on, NULL and
#: repeated amounts; 30 of the third quarter (ids repeated, NULL amounts)
ROWS = (
    "INSERT INTO payments SELECT g % 500, date '2025-01-01' + g % 90, "
    "CASE WHEN g % 5 = 0 THEN NULL ELSE g % 3 END FROM generate_series(1, 900) g; "
    "INSERT INTO payments SELECT g % 700, date '2024-01-01' + g % 366, "
    "CASE WHEN g % 4 = 0 THEN NULL ELSE 7 END FROM generate_series(1, 3000) g; "
    "INSERT INTO payments SELECT g % 7, date '2025-08-01' + g, NULL FROM generate_series(1, 30) g"
)
#: 84 refunds: 54 of third-quarter payments (20 of one), 20 of 2024's,
#: 10 with NULL keys (MATCH SIMPLE: referencing nothing), NULL and repeated notes
REFUND_ROWS = (
    "INSERT INTO refunds SELECT g, CASE WHEN g % 3 = 0 THEN 1 ELSE g % 7 END, "
    "CASE WHEN g % 3 = 0 THEN date '2025-08-02' ELSE date '2025-08-01' + g % 7 END, "
    "CASE WHEN g % 2 = 0 THEN NULL ELSE 'r' || g % 3 END FROM generate_series(1, 60) g "
    "WHERE (CASE WHEN g % 3 = 0 THEN 1 ELSE g % 7 END, CASE WHEN g % 3 = 0 THEN "
    "date '2025-08-02' ELSE date '2025-08-01' + g % 7 END) IN (SELECT id, paid_on FROM "
    "payments); "
    "INSERT INTO refunds SELECT 100 + g, g, date '2024-01-01' + g, NULL "
    "FROM generate_series(1, 20) g; "
    "INSERT INTO refunds SELECT 200 + g, NULL, date '2025-08-05', 'n' FROM generate_series(1, 10) g"
)
DISPUTE_ROWS = (
    "INSERT INTO disputes SELECT g, id, paid_on FROM (SELECT id, paid_on, "
    "row_number() OVER (ORDER BY paid_on, id) g FROM payments "
    "WHERE paid_on >= '2025-08-10' AND paid_on < '2025-08-15') p"
)
#: each child row of ``%s`` (a table), in one order, and their count
CHILDREN = "SELECT count(*) || ' ' || md5(string_agg(c::text, ',' ORDER BY c.id)) FROM %s c"
#: the third quarter's rows, as the old message's statements deleted them
Q3_ROWS = "paid_on >= '2025-07-01' AND paid_on < '2025-10-01'"


@pytest.mark.parametrize("keys", ["cascade", "cascade and no action"])
def test_rows_referenced_by_a_foreign_key_are_not_set_aside_by_a_delete(
    pg: PgCluster, tmp_path: Path, keys: str
) -> None:
    """The 30 third-quarter rows in payments_rest stop the drops revision; refunds
    reference them 54 times (skewed: 20 refunds of one), and in the second case disputes
    (NO ACTION) 5 more. The message lists the rows and names each key with what a delete
    does under it, and gives no DELETE nor INSERT; the children are as they were. The
    statements the message gave before (a DELETE through payments) are run in a
    rolled-back transaction to show what they would have done: every refund of those
    rows deleted (CASCADE), or the DELETE refused (NO ACTION)."""
    declared = REFUNDS + (DISPUTES if "no action" in keys else "")
    before, after = PAYMENTS % "" + declared, PAYMENTS % Q3 + declared
    case = Case("referenced", {"schema.yaml": before}, {"schema.yaml": after})
    rows = f"{ROWS}; {REFUND_ROWS}" + (f"; {DISPUTE_ROWS}" if "no action" in keys else "")
    first = at_first_revision(pg, case, tmp_path, rows)
    counts = rows_by_partition("payments", "amount")
    assert pg.sql(counts, first.db).strip() == "payments_2025_q1=900/180 payments_rest=3030/780"
    tables = ["refunds", "disputes"] if "no action" in keys else ["refunds"]
    kids = "; ".join(CHILDREN % t for t in tables)
    children = pg.sql(kids, first.db)
    referenced = f"SELECT count(*) FROM refunds WHERE {Q3_ROWS}"
    assert pg.sql(referenced, first.db).strip() == "64"  # 54, and the 10 keyed NULL
    message = upgrade_failure(first)
    assert (
        "partition payments_2025_q3 cannot be made with its bound FOR VALUES FROM "
        "('2025-07-01') TO ('2025-10-01'): 30 rows of DEFAULT partition payments_rest are "
        "inside it" in message
    ), message
    cascade = (
        "refunds.fk_refunds_payment (ON DELETE CASCADE: deleting a row of payments deletes "
        "the rows of refunds that reference it)"
    )
    if "no action" in keys:
        cascade = (
            "disputes.fk_disputes_payment (ON DELETE NO ACTION: deleting a row of payments is "
            f"refused where a row of disputes references it); {cascade}"
        )
    assert f"foreign keys reference payments: {cascade}; so no statements" in message, message
    assert "so no statements that delete them from payments" in message, message
    for verb in ("DELETE FROM", "INSERT INTO", "CREATE TABLE", "Or delete them"):
        assert verb not in message, message
    third = f"SELECT string_agg(id::text, ',' ORDER BY id) FROM payments WHERE {Q3_ROWS}"
    assert listed_ids(pg, first.db, message) == pg.sql(third, first.db).strip()
    assert pg.sql(kids, first.db) == children
    assert pg.sql("SELECT version_num FROM alembic_version", first.db).strip() == "000"
    # what the old message's DELETE through payments did, rolled back
    with psycopg.connect(pg.libpq_url(first.db)) as conn:
        if "no action" in keys:
            with pytest.raises(psycopg.errors.ForeignKeyViolation):
                conn.execute(f"DELETE FROM payments WHERE {Q3_ROWS}")
        else:
            conn.execute(f"DELETE FROM payments WHERE {Q3_ROWS}")
            left = conn.execute("SELECT count(*) FROM refunds").fetchone()
            assert left == (30,)  # of 84: the 54 refunds of those rows gone with them
        conn.rollback()
    assert pg.sql(kids, first.db) == children
