"""A partition moved with its bound under a DEFAULT partition: PostgreSQL's ATTACH
proves the partition's rows inside the DEFAULT partition's bound (none of its
siblings') too. The check validated ahead holds that bound's condition (NOT any
sibling's, as PostgreSQL writes it), so the attach reads no row, as its plan line says
(sequential scans counted around the main revision), even where a new sibling of the
DEFAULT partition takes part of the partition's bound; a row of the partition inside
that sibling stops the drops revision, counted, before anything changes."""

from __future__ import annotations

from pathlib import Path

import pytest
from migration_harness import Case
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
)

#: payments_h1 under payments_rest, the new DEFAULT partition of payments
UNDER_DEFAULT = (
    LEDGER
    + """%s      payments_h2: {from: 2025-07-01, to: 2026-01-01}
      payments_rest:
        default: true
        partition_by: {range: [paid_on]}
        partitions:
          payments_h1: {from: 2025-01-01, to: 2025-07-01}
"""
)
#: a new sibling of payments_rest taking the second quarter of payments_h1's bound
Q2 = "      payments_q2: {from: 2025-04-01, to: 2025-07-01}\n"
COUNTS = rows_by_partition("payments", "amount")


@pytest.mark.parametrize("sibling", ["", Q2], ids=["alone", "beside_a_new_sibling"])
def test_a_partition_moved_under_a_default_partition_reads_no_row_as_its_plan_says(
    pg: PgCluster, tmp_path: Path, sibling: str
) -> None:
    after = UNDER_DEFAULT % sibling
    case = Case("default", {"schema.yaml": HALVES}, {"schema.yaml": after}, destructive=False)
    first = at_first_revision(pg, case, tmp_path, HALF_ROWS)
    drops = drops_plan(first)
    assert (
        "+ check payments_h1_move_bound on partition payments_h1: its bound under payments "
        "and the bounds above it where it goes, validated ahead so that its move reads no "
        "row under lock" in drops
    ), drops
    plan = revision_plan(first)
    assert ATTACH_SPARED in plan, plan
    counts = pg.sql(COUNTS, first.db).strip()
    assert counts == "payments_h1=1200/240 payments_h2=600/600"
    read, after_main = scans_around_main_revision(pg, first, "payments_h1")
    assert after_main == read  # the attach read none of its rows
    assert pg.sql(MOVE_BOUND_CHECKS, first.db).strip() == ""
    assert_kept_each_way(pg, first, {COUNTS: counts})


def test_a_row_inside_a_sibling_of_the_default_partition_stops_it_before_anything_changes(
    pg: PgCluster, tmp_path: Path
) -> None:
    """Two rows of payments_h1 in May belong to payments_q2, not to the DEFAULT
    partition payments_h1 goes under: the drops revision's check counts them and is
    dropped again; once they are gone, the same revision runs and keeps every row."""
    after = UNDER_DEFAULT % Q2
    case = Case("inside", {"schema.yaml": HALVES}, {"schema.yaml": after}, destructive=False)
    may = "; INSERT INTO payments VALUES (1, '2025-05-01', NULL), (1, '2025-05-02', 4)"
    assert_may_rows_stop_the_move(pg, at_first_revision(pg, case, tmp_path, HALF_ROWS + may))


#: payments_h1 under payments_rest, the DEFAULT partition, on both sides; its bound grows
#: to the third quarter as a new payments_q2 beside payments_rest takes the second
UNDER_KEPT_DEFAULT = (
    LEDGER
    + """%s      payments_2026: {from: 2026-01-01, to: 2027-01-01}
      payments_rest:
        default: true
        partition_by: {range: [paid_on]}
        partitions:
          payments_h1: {from: 2025-01-01, to: %s}
"""
)
#: payments_h1's rows all in the first quarter; 2026's, with NULL amounts
KEPT_ROWS = (
    "INSERT INTO payments SELECT g % 400, date '2025-01-01' + g % 90, "
    "CASE WHEN g % 5 = 0 THEN NULL ELSE g % 3 END FROM generate_series(1, 1200) g; "
    "INSERT INTO payments SELECT g % 300, date '2026-01-01' + g % 180, NULL "
    "FROM generate_series(1, 600) g"
)


def test_a_partition_rebound_under_a_default_partition_whose_siblings_change_reads_no_row(
    pg: PgCluster, tmp_path: Path
) -> None:
    """payments_h1 stays under payments_rest, whose bound shrinks as payments_q2 is made
    beside it: its attach proves its rows outside payments_q2 too, which its constraint
    where it is does not say, so its check holds payments_rest's bound as it will be, and
    the attach reads no row, as its plan line says (sequential scans counted around the
    main revision). Every row kept each way."""
    before = UNDER_KEPT_DEFAULT % ("", "2025-07-01")
    after = UNDER_KEPT_DEFAULT % (Q2, "2025-10-01")
    case = Case("kept", {"schema.yaml": before}, {"schema.yaml": after}, destructive=False)
    first = at_first_revision(pg, case, tmp_path, KEPT_ROWS)
    plan = revision_plan(first)
    assert ATTACH_SPARED in plan, plan
    counts = pg.sql(COUNTS, first.db).strip()
    assert counts == "payments_2026=600/600 payments_h1=1200/240"
    read, after_main = scans_around_main_revision(pg, first, "payments_h1")
    assert after_main == read  # the attach read none of its rows
    assert_kept_each_way(pg, first, {COUNTS: counts})


SALES = """
database: {name: ledger}
entities:
  Sale:
    primary_key: false
    columns:
      id: {type: bigint}
      region: {type: text, nullable: true}
      amount: {type: integer, nullable: true}
    partition_by: {list: [region]}
    partitions:
%s"""
#: sales_other (regions nl and us, and those of none) under sales_rest, a new DEFAULT
#: partition partitioned in turn, beside a new sales_us taking us
SALES_BEFORE = SALES % ("      sales_eu: {in: [de, fr]}\n      sales_other: {in: [nl, us, null]}\n")
SALES_AFTER = SALES % (
    "      sales_eu: {in: [de, fr]}\n"
    "      sales_us: {in: [us]}\n"
    "      sales_rest:\n"
    "        default: true\n"
    "        partition_by: {list: [region]}\n"
    "        partitions:\n"
    "          sales_other: {in: [nl, us, null]}\n"
)
#: sales_other's rows of nl and of no region (none of us), ids repeated, NULL amounts
SALE_ROWS = (
    "INSERT INTO sales SELECT g % 300, CASE WHEN g % 4 = 0 THEN NULL ELSE 'nl' END, "
    "CASE WHEN g % 5 = 0 THEN NULL ELSE g % 3 END FROM generate_series(1, 1200) g; "
    "INSERT INTO sales SELECT g % 100, (ARRAY['de', 'fr'])[g % 2 + 1], NULL "
    "FROM generate_series(1, 500) g"
)


def test_a_partition_moved_under_a_default_partition_of_a_list_key_reads_no_row(
    pg: PgCluster, tmp_path: Path
) -> None:
    """Under a list key PostgreSQL writes a DEFAULT partition's constraint as one list
    of its siblings' values (NULL outside it where one takes NULL); the check of
    sales_other holds it so, and the attach reads no row, as its plan line says
    (sequential scans counted around the main revision). Every row kept each way."""
    case = Case("list", {"schema.yaml": SALES_BEFORE}, {"schema.yaml": SALES_AFTER})
    first = at_first_revision(pg, case, tmp_path, SALE_ROWS)
    plan = revision_plan(first)
    assert ATTACH_SPARED in plan, plan
    counts_sql = rows_by_partition("sales", "amount")
    counts = pg.sql(counts_sql, first.db).strip()
    assert counts == "sales_eu=500/500 sales_other=1200/240"
    scans, after_main = scans_around_main_revision(pg, first, "sales_other")
    assert after_main == scans  # the attach read none of its rows
    assert_kept_each_way(pg, first, {counts_sql: counts})
