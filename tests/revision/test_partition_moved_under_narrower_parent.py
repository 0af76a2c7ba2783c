"""A partition moved with its bound under a new parent whose own bound is narrower
than the partition's: PostgreSQL's ATTACH proves the partition's rows inside both
bounds, and a check of the partition's constraint where it was implies only its own
(measured on PostgreSQL 15: payments_h1 read once by the attach, its plan line saying
no scan). The check validated ahead holds the new parent's bound too, so the attach
reads no row, as its plan line says (sequential scans counted around the main
revision); a row outside the new parent's bound stops the drops revision, counted,
before anything changes. Under a hash partition, whose bound no check can say, the
attach reads the partition, as its plan line says."""

from __future__ import annotations

from pathlib import Path

from migration_harness import Case, alembic, assert_matches_models
from payments_schema import HALF_ROWS, HALVES, LEDGER
from pgcluster import PgCluster
from revision_steps import (
    ATTACH_SPARED,
    MOVE_BOUND_CHECKS,
    assert_kept_each_way,
    assert_may_rows_stop_the_move,
    at_first_revision,
    drops_plan,
    revision_plan,
    rows_by_partition,
    scans_around_main_revision,
    seq_scans,
)

#: payments_h1 under payments_q1, which holds only the first quarter of its bound
AFTER = (
    LEDGER
    + """      payments_q1:
        from: 2025-01-01
        to: 2025-04-01
        partition_by: {range: [paid_on]}
        partitions:
          payments_h1: {from: 2025-01-01, to: 2025-07-01}
      payments_h2: {from: 2025-07-01, to: 2026-01-01}
"""
)
COUNTS = rows_by_partition("payments", "amount")


def test_a_partition_moved_under_a_narrower_parent_reads_no_row_as_its_plan_says(
    pg: PgCluster, tmp_path: Path
) -> None:
    case = Case("narrower", {"schema.yaml": HALVES}, {"schema.yaml": AFTER}, destructive=False)
    first = at_first_revision(pg, case, tmp_path, HALF_ROWS)
    drops = drops_plan(first)
    assert (
        "+ check payments_h1_move_bound on partition payments_h1: its bound under payments "
        "and the bounds above it where it goes, validated ahead" in drops
    ), drops
    plan = revision_plan(first)
    assert ATTACH_SPARED in plan, plan
    counts = pg.sql(COUNTS, first.db).strip()
    assert counts == "payments_h1=1200/240 payments_h2=600/600"
    read, after_main = scans_around_main_revision(pg, first, "payments_h1")
    assert after_main == read  # the attach read none of its rows
    assert pg.sql(MOVE_BOUND_CHECKS, first.db).strip() == ""
    assert_kept_each_way(pg, first, {COUNTS: counts})


def test_a_row_outside_the_narrower_parent_stops_it_before_anything_changes(
    pg: PgCluster, tmp_path: Path
) -> None:
    """Two rows of payments_h1 in May have no place under payments_q1: the drops
    revision's check counts them and is dropped again; once they are gone, the same
    revision runs and keeps every row."""
    case = Case("outside", {"schema.yaml": HALVES}, {"schema.yaml": AFTER}, destructive=False)
    may = "; INSERT INTO payments VALUES (1, '2025-05-01', NULL), (1, '2025-05-02', 4)"
    assert_may_rows_stop_the_move(pg, at_first_revision(pg, case, tmp_path, HALF_ROWS + may))


#: payments_h1 under payments_2025_all, the only hash partition of payments_2025 (a new
#: partition of payments holding the first quarter of its bound, partitioned by the hash
#: of id): a hash bound names its parent's modulus and hash function, so no check says it
UNDER_HASH = (
    LEDGER
    + """      payments_2025:
        from: 2025-01-01
        to: 2025-04-01
        partition_by: {hash: [id]}
        partitions:
          payments_2025_all:
            modulus: 1
            remainder: 0
            partition_by: {range: [paid_on]}
            partitions:
              payments_h1: {from: 2025-01-01, to: 2025-07-01}
      payments_h2: {from: 2025-07-01, to: 2026-01-01}
"""
)


def test_a_partition_moved_under_a_hash_partition_is_read_as_its_plan_says(
    pg: PgCluster, tmp_path: Path
) -> None:
    """No check can hold a hash bound, so the attach of payments_h1 under
    payments_2025_all proves its rows inside it by reading them under lock (sequential
    scans counted around the main revision), and its plan line says it scans; the check
    validated ahead still holds payments_2025's bound, narrower than the partition's,
    and its own plan line (the drops revision's) says it spares no read; none is left.
    Every row kept each way."""
    case = Case("hash", {"schema.yaml": HALVES}, {"schema.yaml": UNDER_HASH}, destructive=False)
    first = at_first_revision(pg, case, tmp_path, HALF_ROWS)
    drops = drops_plan(first)
    assert (
        "+ check payments_h1_move_bound on partition payments_h1: its bound under payments "
        "and the bounds above it where it goes that a check can say, validated ahead to "
        "refuse its rows outside its new place before the main revision (its attach reads "
        "them under lock all the same: PostgreSQL proves no hash bound" in drops
    ), drops
    assert "reads no row" not in drops, drops
    plan = revision_plan(first)
    assert "attach partition (ACCESS EXCLUSIVE, scans)" in plan, plan
    assert "bound implied by a check" not in plan, plan
    counts = pg.sql(COUNTS, first.db).strip()
    assert counts == "payments_h1=1200/240 payments_h2=600/600"
    read, after_main = scans_around_main_revision(pg, first, "payments_h1")
    assert after_main >= read + 1  # the attach read its rows
    assert pg.sql(MOVE_BOUND_CHECKS, first.db).strip() == ""
    assert_kept_each_way(pg, first, {COUNTS: counts})


READINGS = """
database: {name: ledger}
entities:
  Reading:
    primary_key: [id, kind, day]
    columns:
      id: {type: bigint, primary_key: true}
      kind: {type: integer, primary_key: true}
      day: {type: date, primary_key: true}
      value: {type: integer, nullable: true}
    partition_by: {range: [kind, day]}
    partitions:
%s      readings_2: {from: [2, '2025-01-01'], to: [2, '2026-01-01']}
"""
READINGS_1H1 = "readings_1h1: {from: [1, '2025-01-01'], to: [1, '2025-07-01']}\n"
#: readings_1h1 under readings_1q1, which holds only the first quarter of its bound
READINGS_UNDER = (
    "      readings_1q1:\n"
    "        from: [1, '2025-01-01']\n"
    "        to: [1, '2025-04-01']\n"
    "        partition_by: {range: [kind, day]}\n"
    "        partitions:\n"
    f"          {READINGS_1H1}"
)
#: kind 1 in the first quarter (so it fits readings_1q1), kind 2 all year; NULL and
#: repeated values, ids repeated
READING_ROWS = (
    "INSERT INTO readings SELECT g % 300, 1, date '2025-01-01' + g % 90, "
    "CASE WHEN g % 4 = 0 THEN NULL ELSE g % 3 END FROM generate_series(1, 900) g; "
    "INSERT INTO readings SELECT g % 200, 2, date '2025-01-01' + g % 365, "
    "CASE WHEN g % 5 = 0 THEN NULL ELSE 7 END FROM generate_series(1, 700) g"
)


def test_a_partition_moved_under_a_parent_keyed_on_two_columns_is_read_as_its_plan_says(
    pg: PgCluster, tmp_path: Path
) -> None:
    """readings_1h1 moves, same bound, under readings_1q1, narrower, of a table
    partitioned by range over (kind, day): readings_1q1's bound is a row comparison,
    which no check says in PostgreSQL's form, so the attach reads the partition's rows
    under lock (sequential scans counted around the main revision), as its plan line
    says, and no check is made ahead: one of the partition's constraint alone would read
    it for nothing. The downgrade, moving it back up with its bound, is spared its read
    by the check the online revision's downgrade makes. No check is left; every row kept
    each way."""
    before = READINGS % f"      {READINGS_1H1}"
    after = READINGS % READINGS_UNDER
    case = Case("two", {"schema.yaml": before}, {"schema.yaml": after}, destructive=False)
    first = at_first_revision(pg, case, tmp_path, READING_ROWS)
    assert first.heads == ["000", "001", "002"]  # no drops revision
    plan = revision_plan(first, 1)
    assert (
        "~ partition readings_1h1 attached to readings_1q1 (FOR VALUES FROM (1, '2025-01-01') "
        "TO (1, '2025-07-01')), moved from readings with its rows lock ACCESS EXCLUSIVE, "
        'scans """' in plan
    ), plan
    assert "+ check" not in plan, plan
    counts_sql = rows_by_partition("readings", "value")
    counts = pg.sql(counts_sql, first.db).strip()
    assert counts == "readings_1h1=900/225 readings_2=700/140"
    scans = seq_scans(pg, first.db, "readings_1h1")
    alembic(first.root, first.url, "upgrade", "001")
    assert seq_scans(pg, first.db, "readings_1h1") == scans + 1  # the attach read its rows once
    alembic(first.root, first.url, "upgrade", "head")
    assert_matches_models(pg, first.db, first.models_after, [], "upgrade")
    assert pg.sql(counts_sql, first.db).strip() == counts
    assert pg.sql(MOVE_BOUND_CHECKS, first.db).strip() == ""
    alembic(first.root, first.url, "downgrade", "001")  # the downgrade's check, validated
    scans = seq_scans(pg, first.db, "readings_1h1")
    alembic(first.root, first.url, "downgrade", "000")
    assert seq_scans(pg, first.db, "readings_1h1") == scans  # its attach back up read none
    assert_matches_models(pg, first.db, first.models_before, [], "downgrade")
    assert pg.sql(counts_sql, first.db).strip() == counts
    assert pg.sql(MOVE_BOUND_CHECKS, first.db).strip() == ""


#: payments_h1 under payments_2025, a new partition holding all of its bound and more
UNDER_WIDER = (
    LEDGER
    + """      payments_2025:
        from: 2025-01-01
        to: 2026-01-01
        partition_by: {range: [paid_on]}
        partitions:
          payments_h1: {from: 2025-01-01, to: 2025-07-01}
      payments_2026: {from: 2026-01-01, to: 2027-01-01}
"""
)
#: payments_h1's rows over its whole bound, NULL and repeated amounts, ids repeated
WIDER_ROWS = (
    "INSERT INTO payments SELECT g % 400, date '2025-01-01' + g % 180, "
    "CASE WHEN g % 5 = 0 THEN NULL ELSE g % 3 END FROM generate_series(1, 1200) g"
)


def test_a_partition_moved_under_a_wider_parent_is_proven_by_its_own_bound(
    pg: PgCluster, tmp_path: Path
) -> None:
    """payments_2025 holds all of payments_h1's bound, so PostgreSQL proves it from the
    partition's own constraint: the check validated ahead holds that alone (not
    payments_2025's bound too), and the attach reads no row, as its plan line says
    (sequential scans counted around the main revision). Every row kept each way."""
    before = HALVES.replace("      payments_h2: {from: 2025-07-01, to: 2026-01-01}\n", "")
    case = Case("wider", {"schema.yaml": before}, {"schema.yaml": UNDER_WIDER}, destructive=False)
    first = at_first_revision(pg, case, tmp_path, WIDER_ROWS)
    drops = drops_plan(first)
    assert (
        "+ check payments_h1_move_bound on partition payments_h1: its bound under payments, "
        "validated ahead so that its move reads no row under lock" in drops
    ), drops
    plan = revision_plan(first)
    assert ATTACH_SPARED in plan, plan
    counts = pg.sql(COUNTS, first.db).strip()
    assert counts == "payments_h1=1200/240"
    alembic(first.root, first.url, "upgrade", "001")
    held = pg.sql(
        "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE conname = 'payments_h1_move_bound'",
        first.db,
    ).strip()
    own = pg.sql("SELECT pg_get_partition_constraintdef('payments_h1'::regclass)", first.db).strip()
    assert held == f"CHECK ({own})", held  # its constraint alone: none of payments_2025's
    read = seq_scans(pg, first.db, "payments_h1")
    alembic(first.root, first.url, "upgrade", "002")
    assert seq_scans(pg, first.db, "payments_h1") == read  # the attach read none of its rows
    assert_kept_each_way(pg, first, {COUNTS: counts})
