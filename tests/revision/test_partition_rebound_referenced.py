"""A partition whose new bound leaves rows in the way (its own outside a narrower
bound, or the DEFAULT partition's inside a wider one) stops the drops revision with a
message that said "move or delete those rows". Where a foreign key references the
partitioned table, a delete of those rows runs the key's ON DELETE action: under
CASCADE, every refund of them goes with them. So the message names each key with what a
delete does under it (as a partition made beside the DEFAULT's does:
tests/revision/test_partition_create_beside_referenced_default.py) and no longer says
to delete them; nothing in the database is changed."""

from __future__ import annotations

from pathlib import Path

import pytest
from migration_harness import Case
from payments_schema import LEDGER, ledger_refunds
from pgcluster import PgCluster
from revision_steps import at_first_revision, rows_by_partition, upgrade_failure

PAYMENTS = (
    LEDGER
    + """      payments_h1: {from: 2025-01-01, to: %s}
%s      payments_rest: {default: true}
"""
)
Q2 = "      payments_2025_q2: {from: 2025-04-01, to: 2025-07-01}\n"
REFUNDS = ledger_refunds("cascade")
#: the first quarter's rows (repeated ids, NULL amounts), 2024's in the DEFAULT
#: partition, and 30 of the second quarter (ids 0 to 6 repeated, NULL amounts): in
#: payments_h1 while it holds the half, in the DEFAULT partition while it holds a quarter
ROWS = (
    "INSERT INTO payments SELECT g % 500, date '2025-01-01' + g % 90, "
    "CASE WHEN g % 5 = 0 THEN NULL ELSE g % 3 END FROM generate_series(1, 900) g; "
    "INSERT INTO payments SELECT g % 700, date '2024-01-01' + g % 366, "
    "CASE WHEN g % 4 = 0 THEN NULL ELSE 7 END FROM generate_series(1, 1000) g; "
    "INSERT INTO payments SELECT g % 7, date '2025-05-01' + g, NULL FROM generate_series(1, 30) g"
)
#: 50 refunds of second-quarter payments (each referenced once or more, skewed to one),
#: 20 of 2024's, 10 with NULL keys (referencing nothing); NULL and repeated notes
REFUND_ROWS = (
    "INSERT INTO refunds SELECT g, id, paid_on, CASE WHEN g % 2 = 0 THEN NULL ELSE 'r' END "
    "FROM (SELECT row_number() OVER (ORDER BY paid_on, id) g, id, paid_on FROM payments "
    "WHERE paid_on >= '2025-04-01' AND paid_on < '2025-07-01') p; "
    "INSERT INTO refunds SELECT 30 + g, 1, date '2025-05-02', NULL FROM generate_series(1, 20) g; "
    "INSERT INTO refunds SELECT 100 + g, g, date '2024-01-01' + g, 'x' "
    "FROM generate_series(1, 20) g; "
    "INSERT INTO refunds SELECT 200 + g, NULL, NULL, 'n' FROM generate_series(1, 10) g"
)
#: both tables' rows, counted and hashed in one order, and what else a step may leave
STATE = (
    "SELECT (SELECT count(*) || ' ' || md5(string_agg(format('%s|%s|%s', id, paid_on, "
    "amount), ',' ORDER BY id, paid_on)) FROM payments), (SELECT count(*) || ' ' || "
    "md5(string_agg(r::text, ',' ORDER BY r.id)) FROM refunds r), (SELECT version_num "
    "FROM alembic_version), (SELECT count(*) FROM pg_constraint WHERE conname LIKE "
    "'%\\_move\\_bound')"
)
KEY = (
    "foreign keys reference payments: refunds.fk_refunds_payment (ON DELETE CASCADE: "
    "deleting a row of payments deletes the rows of refunds that reference it); deleting "
    "those rows runs each key's ON DELETE action. To keep them, set aside the rows that "
    "reference them as well, or drop those keys from the schema in a revision before this "
    "one and declare them again in one after it, and move them, or change the bound in "
    "the schema, then run the migration again"
)


@pytest.mark.parametrize("change", ["narrowed", "widened"])
def test_rows_in_the_way_referenced_by_a_cascading_key_are_not_to_be_deleted(
    pg: PgCluster, tmp_path: Path, change: str
) -> None:
    """narrowed: payments_h1 ends with the first quarter (payments_2025_q2 takes the
    second), and its 30 second-quarter rows are outside it. widened: payments_h1 takes
    the second quarter too, and DEFAULT partition payments_rest holds 30 rows of it.
    Refunds reference those rows 50 times by a CASCADE key; the refusal names the key
    and its effect, says no delete, and leaves both tables, the revision and the checks
    as they were."""
    half, quarter = PAYMENTS % ("2025-07-01", ""), PAYMENTS % ("2025-04-01", Q2)
    if change == "narrowed":
        before, after = half, quarter
        counts = "payments_h1=930/210 payments_rest=1000/250"
    else:
        before, after = PAYMENTS % ("2025-04-01", ""), half
        counts = "payments_h1=900/180 payments_rest=1030/280"
    case = Case(
        change,
        {"schema.yaml": before + REFUNDS},
        {"schema.yaml": after + REFUNDS},
        destructive=False,
    )
    first = at_first_revision(pg, case, tmp_path, f"{ROWS}; {REFUND_ROWS}")
    assert pg.sql(rows_by_partition("payments", "amount"), first.db).strip() == counts
    state = pg.sql(STATE, first.db)
    second = "SELECT count(*) FROM refunds WHERE paid_on BETWEEN '2025-04-01' AND '2025-06-30'"
    assert pg.sql(second, first.db).strip() == "50"
    message = upgrade_failure(first)
    bound = "FOR VALUES FROM ('2025-01-01') TO "
    if change == "narrowed":
        said = f"{bound}('2025-04-01') with its rows: 30 of its rows are outside it"
    else:
        said = (
            f"{bound}('2025-07-01') with its rows: 30 rows of DEFAULT partition "
            "payments_rest are inside it"
        )
    said = f"partition payments_h1 cannot take its new bound {said}; nothing was changed"
    assert f"{said}: {KEY}" in message, message
    assert "move or delete" not in message, message
    assert pg.sql(STATE, first.db) == state
    assert pg.sql(rows_by_partition("payments", "amount"), first.db).strip() == counts
