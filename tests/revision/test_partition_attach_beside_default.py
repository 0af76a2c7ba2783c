"""An attach beside a DEFAULT partition reads none of its rows under lock: PostgreSQL
reads the DEFAULT partition at ``ATTACH PARTITION`` for rows of the attached bound
unless a validated check of its own excludes them, so the drops revision makes one
(``NOT`` the bound's condition, validated under SHARE UPDATE EXCLUSIVE) and the attach
drops it. Here two quarters move up to the table from the yearly partition that goes,
beside the table's DEFAULT partition holding rows; the downgrade moves them back. Where
no check can spare the read (a range key over two columns, for an attach and for a
partition made beside the DEFAULT one, which PostgreSQL reads the same way), the plan
line says it is read."""

from __future__ import annotations

import re
from pathlib import Path

from migration_harness import Case, alembic, assert_matches_models, revisions
from payments_schema import LEDGER, PAYMENT_CONTENTS
from pgcluster import PgCluster
from revision_steps import (
    MOVE_BOUND_CHECKS,
    assert_kept_each_way,
    at_first_revision,
    drops_plan,
    revision_plan,
    rows_by_partition,
    seq_scans,
)

BEFORE = (
    LEDGER
    + """      payments_2025:
        from: 2025-01-01
        to: 2026-01-01
        partition_by: {range: [paid_on]}
        partitions:
          payments_2025_q1: {from: 2025-01-01, to: 2025-04-01}
          payments_2025_q2: {from: 2025-04-01, to: 2025-07-01}
      payments_rest: {default: true}
"""
)
AFTER = (
    LEDGER
    + """      payments_2025_q1: {from: 2025-01-01, to: 2025-04-01}
      payments_2025_q2: {from: 2025-04-01, to: 2025-07-01}
      payments_rest: {default: true}
"""
)
#: most rows in the DEFAULT partition (2024 and 2026 on), NULL and repeated amounts, ids
#: repeated across days
ROWS = (
    "INSERT INTO payments SELECT g % 500, date '2025-01-01' + g % 180, "
    "CASE WHEN g % 5 = 0 THEN NULL ELSE g % 3 END FROM generate_series(1, 1800) g; "
    "INSERT INTO payments SELECT g % 700, date '2024-01-01' + g % 366, "
    "CASE WHEN g % 4 = 0 THEN NULL ELSE 7 END FROM generate_series(1, 3000) g; "
    "INSERT INTO payments SELECT g, date '2026-01-01' + g, NULL FROM generate_series(1, 400) g"
)
COUNTS = rows_by_partition("payments", "amount")


def test_partitions_moved_beside_a_default_partition_read_none_of_its_rows(
    pg: PgCluster, tmp_path: Path
) -> None:
    case = Case("beside", {"schema.yaml": BEFORE}, {"schema.yaml": AFTER}, destructive=False)
    first = at_first_revision(pg, case, tmp_path, ROWS)
    text = "\n".join(p.read_text() for p in revisions(first.root)[1:])
    flat = " ".join(re.sub(r"\n\s*#   ", " ", text).split())
    for quarter in ("payments_2025_q1", "payments_2025_q2"):
        # payments_2025 holds every row of its bound where it is: none of payments_rest's
        # is, and none is counted first
        said = (
            f"+ check {quarter}_move_bound on partition {quarter}: its bound under "
            "payments_2025, validated ahead so that its move reads no row under lock; "
            "DEFAULT partition payments_rest where it goes holds no row of it (PostgreSQL "
            "routes them to payments_2025 where it is), which a check of the same name on it "
            "refuses from then on (validated ahead too: the attach reads none of its rows)"
        )
        assert said in flat, text
    assert "count rows of the DEFAULT partition" not in flat, text
    # the main revision's plan: the attaches are spared the DEFAULT's read, and say so
    plan = revision_plan(first)
    assert plan.count("attach partition, bound implied by a check validated ahead") == 2, plan
    assert "the DEFAULT partition beside it read" not in plan, plan
    counts = pg.sql(COUNTS, first.db).strip()
    assert counts == ("payments_2025_q1=900/180 payments_2025_q2=900/180 payments_rest=3400/1150")
    contents = pg.sql(PAYMENT_CONTENTS, first.db).strip()
    assert first.heads == ["000", "001", "002", "003"]
    read = seq_scans(pg, first.db, "payments_rest")
    alembic(first.root, first.url, "upgrade", "001")
    # read once by each of its two checks' validations, and by no count
    assert seq_scans(pg, first.db, "payments_rest") == read + 2
    assert sorted(pg.sql(MOVE_BOUND_CHECKS, first.db).split()) == [
        "payments_2025_q1.payments_2025_q1_move_bound",
        "payments_2025_q2.payments_2025_q2_move_bound",
        "payments_rest.payments_2025_q1_move_bound",
        "payments_rest.payments_2025_q2_move_bound",
    ]
    read = seq_scans(pg, first.db, "payments_rest")
    alembic(first.root, first.url, "upgrade", "002")
    assert seq_scans(pg, first.db, "payments_rest") == read  # the attaches read none of its rows
    assert pg.sql(MOVE_BOUND_CHECKS, first.db).strip() == ""
    assert_kept_each_way(pg, first, {COUNTS: counts, PAYMENT_CONTENTS: contents})


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
      readings_1: {from: [1, '2025-01-01'], to: [1, '%s']}
      readings_rest: {default: true}
"""
#: kind 1 in 2025 (and the DEFAULT's: kind 1 in 2027, kinds 2 and 3), NULL and repeated
#: values, ids repeated
READING_ROWS = (
    "INSERT INTO readings SELECT g % 300, 1, date '2025-01-01' + g % 180, "
    "CASE WHEN g % 4 = 0 THEN NULL ELSE g % 3 END FROM generate_series(1, 900) g; "
    "INSERT INTO readings SELECT g % 300, 2 + g % 2, date '2025-01-01' + g % 700, "
    "CASE WHEN g % 5 = 0 THEN NULL ELSE 7 END FROM generate_series(1, 2000) g; "
    "INSERT INTO readings SELECT g, 1, date '2027-01-01' + g, NULL FROM generate_series(1, 50) g"
)
READING_COUNTS = rows_by_partition("readings", "value")


def test_a_key_of_two_columns_has_its_partition_and_default_partition_read_and_says_so(
    pg: PgCluster, tmp_path: Path
) -> None:
    """readings_1 (range over kind and day) ends in July 2025 now, not in January 2026:
    PostgreSQL proves no bound over two columns from the checks made ahead (the new
    bound's condition is a row comparison), so the attach reads readings_1 and the
    DEFAULT partition beside it under its lock, once each (sequential scans counted
    around the main revision), no check is made on the DEFAULT partition, and the plan
    line says both are read, the drops revision's that its check spares no read. Every
    row kept each way."""
    case = Case(
        "two",
        {"schema.yaml": READINGS % "2026-01-01"},
        {"schema.yaml": READINGS % "2025-07-01"},
        destructive=False,
    )
    first = at_first_revision(pg, case, tmp_path, READING_ROWS)
    plan = revision_plan(first)
    assert (
        "attach partition (ACCESS EXCLUSIVE, scans); attach partition: the DEFAULT partition "
        "beside it read (ACCESS EXCLUSIVE, scans); drop constraint" in plan
    ), plan
    assert "bound implied by a check" not in plan, plan
    drops = drops_plan(first)
    assert "a check of the same name on it" not in drops, drops
    # the check proves readings_1's rows ahead, but spares its attach no read
    assert (
        "validated ahead to refuse its rows outside it before the main revision, and new "
        "ones from then on (its attach reads them under lock all the same" in drops
    ), drops
    assert "reads no row" not in drops, drops
    counts = pg.sql(READING_COUNTS, first.db).strip()
    assert counts == "readings_1=900/225 readings_rest=2050/450"
    read = (
        "SELECT string_agg(relname || '=' || seq_scan, ' ' ORDER BY relname) FROM "
        "pg_stat_user_tables WHERE relname LIKE 'readings\\_%'"
    )
    alembic(first.root, first.url, "upgrade", "001")
    scans = dict(pair.split("=") for pair in pg.sql(read, first.db).split())
    alembic(first.root, first.url, "upgrade", "002")
    assert dict(pair.split("=") for pair in pg.sql(read, first.db).split()) == {
        name: str(int(n) + 1) for name, n in scans.items()
    }
    assert_kept_each_way(pg, first, {READING_COUNTS: counts})


def test_a_partition_made_beside_a_default_partition_under_two_columns_says_it_reads_it(
    pg: PgCluster, tmp_path: Path
) -> None:
    """CREATE TABLE ... PARTITION OF beside a DEFAULT partition holding rows reads it
    under ACCESS EXCLUSIVE for rows of the new bound, as an attach does, unless a check
    of its own excludes them (tests/revision/test_partition_create_beside_default.py);
    under a range key over two columns, from which PostgreSQL proves no bound, no check
    is made: the plan line says it is read, and the revision reads it once (sequential
    scans counted around it). Every row kept each way."""
    later = "      readings_1_2026: {from: [1, '2026-01-01'], to: [1, '2027-01-01']}\n"
    rest = "      readings_rest: {default: true}\n"
    before = READINGS % "2026-01-01"
    after = before.replace(rest, later + rest)
    case = Case("made", {"schema.yaml": before}, {"schema.yaml": after}, destructive=False)
    first = at_first_revision(pg, case, tmp_path, READING_ROWS)
    assert first.heads == ["000", "001"]  # no drops revision: no check
    plan = revision_plan(first, -1)
    assert (
        "+ partition readings_1_2026 of readings (FOR VALUES FROM (1, '2026-01-01') TO "
        "(1, '2027-01-01')) create partition (ACCESS EXCLUSIVE, no scan); create partition: "
        "the DEFAULT partition beside it read (ACCESS EXCLUSIVE, scans)" in plan
    ), plan
    counts = pg.sql(READING_COUNTS, first.db).strip()
    read = seq_scans(pg, first.db, "readings_rest")
    alembic(first.root, first.url, "upgrade", "head")
    assert seq_scans(pg, first.db, "readings_rest") == read + 1
    assert_matches_models(pg, first.db, first.models_after, [], "upgrade")
    assert pg.sql(READING_COUNTS, first.db).strip() == counts
    alembic(first.root, first.url, "downgrade", "000")
    assert_matches_models(pg, first.db, first.models_before, [], "downgrade")
    assert pg.sql(READING_COUNTS, first.db).strip() == counts
