"""A partition whose bound narrows beside a DEFAULT partition: the DEFAULT partition
holds no row of the new bound (PostgreSQL routed every row of the old one, which holds
it, to the partition), so the drops revision does not count its rows there first; it
still makes and validates the DEFAULT's check excluding the bound, which spares the
attach its read. Sequential scans of each partition are counted around each revision;
the DEFAULT partition holds rows of NULL keys, repeats and skew, and every row is kept
each way. The downgrade widens the bound back, and counts."""

from __future__ import annotations

import re
from pathlib import Path

from migration_harness import Case, alembic, assert_matches_models, revisions
from pgcluster import PgCluster
from revision_steps import at_first_revision, rows_by_partition

PAYMENTS = """
database: {name: ledger}
entities:
  Payment:
    primary_key: false
    columns:
      id: {type: bigint}
      paid_on: {type: date, nullable: true}
      amount: {type: integer, nullable: true}
    partition_by: {range: [paid_on]}
    partitions:
      payments_h1: {from: 2025-01-01, to: %s}
      payments_rest: {default: true}
"""
#: payments_h1's rows all in the first quarter, ids repeated, NULL and repeated amounts;
#: the DEFAULT's in 2024 (most), 2026, and with no day at all
ROWS = (
    "INSERT INTO payments SELECT g % 300, date '2025-01-01' + g % 90, "
    "CASE WHEN g % 5 = 0 THEN NULL ELSE g % 3 END FROM generate_series(1, 900) g; "
    "INSERT INTO payments SELECT g % 500, date '2024-01-01' + g % 366, "
    "CASE WHEN g % 4 = 0 THEN NULL ELSE 7 END FROM generate_series(1, 2000) g; "
    "INSERT INTO payments SELECT g, date '2026-01-01' + g, NULL FROM generate_series(1, 40) g; "
    "INSERT INTO payments SELECT g % 7, NULL, g FROM generate_series(1, 60) g"
)
COUNTS = rows_by_partition("payments", "amount")
CONTENTS = (
    "SELECT md5(string_agg(format('%s|%s|%s', id, paid_on, amount), ',' "
    "ORDER BY id, paid_on, amount)) FROM payments"
)
CHECKS = (
    "SELECT coalesce(string_agg(conrelid::regclass || '.' || conname, ' '), '') "
    "FROM pg_constraint WHERE conname LIKE '%\\_move\\_bound'"
)
SCANS = (
    "SELECT string_agg(relname || '=' || seq_scan, ' ' ORDER BY relname) FROM "
    "pg_stat_user_tables WHERE relname LIKE 'payments\\_%'"
)


def _scans(pg: PgCluster, db: str) -> dict[str, int]:
    return {k: int(v) for k, v in (pair.split("=") for pair in pg.sql(SCANS, db).split())}


def test_a_bound_narrowed_beside_a_default_partition_does_not_count_its_rows(
    pg: PgCluster, tmp_path: Path
) -> None:
    before, after = PAYMENTS % "2025-07-01", PAYMENTS % "2025-04-01"
    case = Case("narrowed", {"schema.yaml": before}, {"schema.yaml": after}, destructive=False)
    first = at_first_revision(pg, case, tmp_path, ROWS)
    drops = " ".join(re.sub(r"\n\s*#   ", " ", revisions(first.root)[1].read_text()).split())
    assert (
        "its new bound (FOR VALUES FROM ('2025-01-01') TO ('2025-04-01')), validated ahead so "
        "that its attach reads no row under lock (a new row outside it is refused from then "
        "on); DEFAULT partition payments_rest holds no row of it (PostgreSQL routes them to "
        "payments_h1 where it is), which a check of the same name on it refuses from then on"
        in drops
    ), drops
    assert "count rows of the DEFAULT partition" not in drops, drops
    assert "refused while DEFAULT partition" not in drops, drops
    counts = pg.sql(COUNTS, first.db).strip()
    assert counts == "payments_h1=900/180 payments_rest=2100/540"
    contents = pg.sql(CONTENTS, first.db).strip()
    scans = _scans(pg, first.db)
    alembic(first.root, first.url, "upgrade", "001")
    # each partition read once, by the validation of its check: no count of the DEFAULT's
    assert _scans(pg, first.db) == {name: n + 1 for name, n in scans.items()}
    assert sorted(pg.sql(CHECKS, first.db).split()) == [
        "payments_h1.payments_h1_move_bound",
        "payments_rest.payments_h1_move_bound",
    ]
    scans = _scans(pg, first.db)
    alembic(first.root, first.url, "upgrade", "002")
    assert _scans(pg, first.db) == scans  # the attach read neither
    alembic(first.root, first.url, "upgrade", "head")
    assert pg.sql(CHECKS, first.db).strip() == ""
    assert_matches_models(pg, first.db, first.models_after, [], "upgrade")
    assert pg.sql(COUNTS, first.db).strip() == counts
    assert pg.sql(CONTENTS, first.db).strip() == contents
    alembic(first.root, first.url, "downgrade", "000")
    assert_matches_models(pg, first.db, first.models_before, [], "downgrade")
    assert pg.sql(COUNTS, first.db).strip() == counts
    assert pg.sql(CONTENTS, first.db).strip() == contents
    assert pg.sql(CHECKS, first.db).strip() == ""
