"""A partition made beside a DEFAULT partition that holds rows reads none of them under
lock: ``CREATE TABLE ... PARTITION OF`` locks the DEFAULT partition ACCESS EXCLUSIVE and
reads it for rows of the new bound unless a validated check of its own excludes them
(PostgreSQL's check_default_partition_contents, as at an attach), so the drops revision
counts its rows of the bound (stopping with the count where there are any), then makes
that check (``NOT`` the bound's condition) ``NOT VALID`` and validates it under SHARE
UPDATE EXCLUSIVE, and the create drops it. Sequential scans of the DEFAULT partition
(``pg_stat_user_tables``) are counted around each revision: a range key, a list key
whose DEFAULT partition holds NULL keys, and a partition of a partition beside its own
DEFAULT one; rows of the bound in the DEFAULT partition stop the drops revision."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
import pytest
from migration_harness import Case, alembic, assert_matches_models, json_findings
from payments_schema import LEDGER
from pgcluster import PgCluster
from revision_steps import (
    FirstRevision,
    at_first_revision,
    drops_plan,
    listed_ids,
    refused,
    revision_plan,
    rows_by_partition,
    upgrade_failure,
)

PAYMENTS = (
    LEDGER
    + """      payments_2025_q1: {from: 2025-01-01, to: 2025-04-01}
%s      payments_rest: {default: true}
"""
)
Q2 = "      payments_2025_q2: {from: 2025-04-01, to: 2025-07-01}\n"
#: the first quarter's rows; the DEFAULT partition's from 2024 and 2026 on, NULL and
#: repeated amounts, ids repeated across days
PAYMENT_ROWS = (
    "INSERT INTO payments SELECT g % 500, date '2025-01-01' + g % 90, "
    "CASE WHEN g % 5 = 0 THEN NULL ELSE g % 3 END FROM generate_series(1, 900) g; "
    "INSERT INTO payments SELECT g % 700, date '2024-01-01' + g % 366, "
    "CASE WHEN g % 4 = 0 THEN NULL ELSE 7 END FROM generate_series(1, 3000) g; "
    "INSERT INTO payments SELECT g, date '2026-01-01' + g, NULL FROM generate_series(1, 400) g"
)

EVENTS = """
database: {name: ledger}
entities:
  Event:
    primary_key: false
    columns:
      id: {type: bigint}
      region: {type: text, nullable: true}
      note: {type: text, nullable: true}
    partition_by: {list: [region]}
    partitions:
      events_eu: {in: [de, fr]}
%s      events_rest: {default: true}
"""
US = "      events_us: {in: [us, ca]}\n"
#: NULL regions (in the DEFAULT partition: no partition lists NULL) and notes, repeated ids
EVENT_ROWS = (
    "INSERT INTO events SELECT g % 400, (ARRAY['de', 'fr', 'jp', NULL, 'br'])[1 + g % 5], "
    "CASE WHEN g % 3 = 0 THEN NULL ELSE 'n' || g % 7 END FROM generate_series(1, 3000) g"
)

READINGS = """
database: {name: ledger}
entities:
  Reading:
    primary_key: false
    columns:
      id: {type: bigint}
      day: {type: date}
      kind: {type: integer, nullable: true}
    partition_by: {range: [day]}
    partitions:
      readings_2025:
        from: 2025-01-01
        to: 2026-01-01
        partition_by: {list: [kind]}
        partitions:
          readings_2025_1: {in: [1]}
%s          readings_2025_rest: {default: true}
      readings_rest: {default: true}
"""
KIND_6 = "          readings_2025_6: {in: [6, 7]}\n"
#: kinds 1 to 5 and NULL in 2025 (all but kind 1 in its DEFAULT partition), 2027 in the
#: table's DEFAULT partition
READING_ROWS = (
    "INSERT INTO readings SELECT g % 300, date '2025-01-01' + g % 365, "
    "CASE WHEN g % 6 = 0 THEN NULL ELSE g % 6 END FROM generate_series(1, 3000) g; "
    "INSERT INTO readings SELECT g, date '2027-01-01' + g % 30, NULL "
    "FROM generate_series(1, 200) g"
)

CHECKS = (
    "SELECT coalesce(string_agg(conrelid::regclass || '.' || conname, ' ' "
    "ORDER BY conrelid::regclass::text COLLATE \"C\", conname), '') "
    "FROM pg_constraint WHERE conname LIKE '%\\_move\\_bound'"
)


def _reads(pg: PgCluster, db: str, table: str) -> dict[str, int]:
    """Sequential scans so far of each partition of ``table`` (by name) and of it."""
    found = pg.sql(
        "SELECT string_agg(relname || '=' || seq_scan, ' ') FROM pg_stat_user_tables "
        f"WHERE relname = '{table}' OR relname LIKE '{table}\\_%'",
        db,
    )
    return {name: int(n) for name, n in (pair.split("=") for pair in found.split())}


def _made_beside(
    pg: PgCluster,
    first: FirstRevision,
    table: str,
    default: str,
    partition: str,
    counts: str,
    leaves: tuple[str, ...] = (),
) -> None:
    """Upgrade one revision at a time, then downgrade: the drops revision reads
    ``default`` (or, partitioned, each of its ``leaves``) twice (its count and its
    check's validation), no other partition of ``table``, and leaves the check on it
    (and its copy on each of ``leaves``); the main revision, which makes ``partition``,
    reads none of them and drops the check (partitioned, the online revision ``003``
    drops it after, reading nothing); models matched and ``counts`` (rows and NULLs per
    partition) the same each way."""
    assert first.heads == ["000", "001", "002", "003"][: 4 if leaves else 3]
    kept = pg.sql(counts, first.db).strip()
    read = _reads(pg, first.db, table)
    alembic(first.root, first.url, "upgrade", "001")
    scanned = leaves or (default,)
    assert _reads(pg, first.db, table) == {**read, **{t: read[t] + 2 for t in scanned}}
    checks = " ".join(f"{t}.{partition}_move_bound" for t in sorted({default, *leaves}))
    assert pg.sql(CHECKS, first.db).strip() == checks
    read = _reads(pg, first.db, table)
    alembic(first.root, first.url, "upgrade", "002")
    made = _reads(pg, first.db, table)
    assert made.pop(partition) <= 1  # new and empty
    assert made == read  # the create read none of the DEFAULT's rows
    if leaves:  # left for the online revision, whose drop reads nothing
        assert pg.sql(CHECKS, first.db).strip() == checks
        read = _reads(pg, first.db, table)
        alembic(first.root, first.url, "upgrade", "003")
        assert _reads(pg, first.db, table) == read
    assert pg.sql(CHECKS, first.db).strip() == ""
    assert_matches_models(pg, first.db, first.models_after, [], "upgrade")
    assert pg.sql(counts, first.db).strip() == kept
    alembic(first.root, first.url, "downgrade", "000")
    assert_matches_models(pg, first.db, first.models_before, [], "downgrade")
    assert pg.sql(counts, first.db).strip() == kept
    assert pg.sql(CHECKS, first.db).strip() == ""


def test_a_partition_made_beside_a_default_partition_under_a_range_key_reads_none_of_its_rows(
    pg: PgCluster, tmp_path: Path
) -> None:
    case = Case("range", {"schema.yaml": PAYMENTS % ""}, {"schema.yaml": PAYMENTS % Q2})
    first = at_first_revision(pg, case, tmp_path, PAYMENT_ROWS)
    drops, main = drops_plan(first), revision_plan(first)
    assert (
        "+ check payments_2025_q2_move_bound on DEFAULT partition payments_rest: none of its "
        "rows in the bound of partition payments_2025_q2 made beside it (FOR VALUES FROM "
        "('2025-04-01') TO ('2025-07-01')), validated ahead so that the create reads none of "
        "its rows under lock" in drops
    ), drops
    assert (
        "create partition (ACCESS EXCLUSIVE, no scan); create partition: the DEFAULT "
        "partition beside it excluded by a check validated ahead (ACCESS EXCLUSIVE, no scan)"
        in main
    ), main
    assert "scans" not in main, main
    counts = rows_by_partition("payments", "amount")
    assert pg.sql(counts, first.db).strip() == "payments_2025_q1=900/180 payments_rest=3400/1150"
    _made_beside(pg, first, "payments", "payments_rest", "payments_2025_q2", counts)


def test_a_partition_made_beside_a_default_partition_under_a_list_key_reads_none_of_its_rows(
    pg: PgCluster, tmp_path: Path
) -> None:
    """The DEFAULT partition holds the NULL regions, which the check (NOT the list's
    condition) takes."""
    case = Case("list", {"schema.yaml": EVENTS % ""}, {"schema.yaml": EVENTS % US})
    first = at_first_revision(pg, case, tmp_path, EVENT_ROWS)
    main = revision_plan(first)
    assert "excluded by a check validated ahead (ACCESS EXCLUSIVE, no scan)" in main, main
    counts = rows_by_partition("events", "region")
    assert pg.sql(counts, first.db).strip() == "events_eu=1200/0 events_rest=1800/600"
    _made_beside(pg, first, "events", "events_rest", "events_us", counts)


def test_a_partition_of_a_partition_made_beside_its_default_partition_reads_none_of_its_rows(
    pg: PgCluster, tmp_path: Path
) -> None:
    """readings_2025_6 under readings_2025 (by kind), beside readings_2025_rest; no
    other partition is read either (the table's own DEFAULT one among them)."""
    case = Case("sub", {"schema.yaml": READINGS % ""}, {"schema.yaml": READINGS % KIND_6})
    first = at_first_revision(pg, case, tmp_path, READING_ROWS)
    main = revision_plan(first)
    assert "excluded by a check validated ahead (ACCESS EXCLUSIVE, no scan)" in main, main
    counts = rows_by_partition("readings", "kind")
    assert pg.sql(counts, first.db).strip() == (
        "readings_2025_1=500/0 readings_2025_rest=2500/500 readings_rest=200/200"
    )
    _made_beside(pg, first, "readings", "readings_2025_rest", "readings_2025_6", counts)


#: events_rest partitioned by hash of id: the DEFAULT partition's rows in two partitions
SPLIT_EVENTS = EVENTS.replace(
    "      events_rest: {default: true}\n",
    """      events_rest:
        default: true
        partition_by: {hash: [id]}
        partitions:
          events_rest_0: {modulus: 2, remainder: 0}
          events_rest_1: {modulus: 2, remainder: 1}
""",
)
#: 1,500 more rows of one id and region (all in one partition of events_rest): skew
SKEWED_EVENT_ROWS = (
    f"{EVENT_ROWS}; INSERT INTO events SELECT 7, 'jp', NULL FROM generate_series(1, 1500)"
)


def test_a_partition_made_beside_a_partitioned_default_partition_reads_none_of_its_rows(
    pg: PgCluster, tmp_path: Path
) -> None:
    """events_rest, the DEFAULT partition, is partitioned by hash of id, its rows skewed
    to events_rest_1. The check is made on events_rest, which both its partitions
    inherit (ADD and VALIDATE recurse, as its drop after the create does): the create
    reads neither. Before, no check was made: the create read both under ACCESS
    EXCLUSIVE."""
    case = Case("split", {"schema.yaml": SPLIT_EVENTS % ""}, {"schema.yaml": SPLIT_EVENTS % US})
    first = at_first_revision(pg, case, tmp_path, SKEWED_EVENT_ROWS)
    drops, main = drops_plan(first), revision_plan(first)
    assert (
        "+ check events_us_move_bound on DEFAULT partition events_rest: none of its rows in "
        "the bound of partition events_us made beside it (FOR VALUES IN ('us', 'ca')), "
        "validated ahead so that the create reads none of its rows under lock" in drops
    ), drops
    assert "excluded by a check validated ahead (ACCESS EXCLUSIVE, no scan)" in main, main
    assert "scans" not in main, main
    counts = rows_by_partition("events", "region")
    assert pg.sql(counts, first.db).strip() == (
        "events_eu=1200/0 events_rest_0=998/312 events_rest_1=2302/288"
    )
    leaves = ("events_rest_0", "events_rest_1")
    _made_beside(pg, first, "events", "events_rest", "events_us", counts, leaves)


def test_rows_of_the_new_bound_in_the_default_partition_stop_it_before_anything_changes(
    pg: PgCluster, tmp_path: Path
) -> None:
    """The DEFAULT partition holds 30 rows of the new quarter: the drops revision stops
    with their count and the bound, no check left; once they are gone, it runs."""
    case = Case("held", {"schema.yaml": PAYMENTS % ""}, {"schema.yaml": PAYMENTS % Q2})
    rows = f"{PAYMENT_ROWS}; INSERT INTO payments SELECT g, date '2025-05-01' + g, NULL "
    first = at_first_revision(pg, case, tmp_path, rows + "FROM generate_series(1, 30) g")
    counts = rows_by_partition("payments", "amount")
    before = pg.sql(counts, first.db).strip()
    message = upgrade_failure(first)
    assert (
        "partition payments_2025_q2 cannot be made with its bound FOR VALUES FROM "
        "('2025-04-01') TO ('2025-07-01'): 30 rows of DEFAULT partition payments_rest are "
        "inside it, and PostgreSQL makes no partition while its DEFAULT partition holds rows "
        "of its bound; nothing was changed. To see them, list them with: SELECT * FROM "
        "payments_rest WHERE coalesce(((paid_on IS NOT NULL) AND (paid_on >= '2025-04-01') "
        "AND (paid_on < '2025-07-01')), false); to keep them" in message
    ), message
    assert "or change the bound in the schema, then run the migration again" in message
    assert pg.sql(CHECKS, first.db).strip() == ""
    assert pg.sql(counts, first.db).strip() == before
    assert pg.sql("SELECT version_num FROM alembic_version", first.db).strip() == "000"
    pg.sql(
        "DELETE FROM payments WHERE paid_on >= '2025-04-01' AND paid_on < '2025-07-01'", first.db
    )
    _made_beside(pg, first, "payments", "payments_rest", "payments_2025_q2", counts)


Q3 = "      payments_2025_q3: {from: 2025-07-01, to: 2025-10-01}\n"
#: 30 rows of the third quarter in the DEFAULT partition, ids repeated, NULL amounts
Q3_HELD = (
    "INSERT INTO payments SELECT g % 7, date '2025-08-01' + g, NULL FROM generate_series(1, 30) g"
)
#: every row, in one order: what a move of rows must keep
CONTENTS = "SELECT md5(string_agg(p::text, ',' ORDER BY p::text)) FROM payments p"


def _statements(message: str, start: str, end: str) -> str:
    """The statements ``message`` gives between ``start`` and ``end`` (it must)."""
    found = re.search(re.escape(start) + r" (.*?)" + re.escape(end), message)
    assert found, message
    return found[1]


def test_rows_of_a_later_partition_s_bound_stop_it_keeping_the_checks_made_before_it(
    pg: PgCluster, tmp_path: Path
) -> None:
    """Two quarters made beside payments_rest, which holds 30 rows of the second one
    (payments_2025_q3's). The drops revision makes and validates payments_2025_q2's check,
    then stops at payments_2025_q3's count: each step commits, so the first check stays,
    validated, and refuses a row of the second quarter meanwhile, which the message says
    (naming it and the statement that drops it) rather than that nothing was changed. It
    lists the 30 rows, and its statements move them: set aside and deleted, the revision
    run again (it skips the kept check's validation: payments_rest read 3 times, not 4),
    then put back through payments, where PostgreSQL routes them to payments_2025_q3;
    every row kept, byte for byte."""
    case = Case("two", {"schema.yaml": PAYMENTS % ""}, {"schema.yaml": PAYMENTS % (Q2 + Q3)})
    first = at_first_revision(pg, case, tmp_path, f"{PAYMENT_ROWS}; {Q3_HELD}")
    counts = rows_by_partition("payments", "amount")
    before = pg.sql(counts, first.db).strip()
    assert before == "payments_2025_q1=900/180 payments_rest=3430/1180", before
    contents = pg.sql(CONTENTS, first.db).strip()
    message = upgrade_failure(first)
    assert (
        "partition payments_2025_q3 cannot be made with its bound FOR VALUES FROM "
        "('2025-07-01') TO ('2025-10-01'): 30 rows of DEFAULT partition payments_rest are "
        "inside it, and PostgreSQL makes no partition while its DEFAULT partition holds rows "
        "of its bound; nothing else was changed, but the checks that steps of this revision "
        "before it made are kept, validated (its rerun skips them; meanwhile each refuses "
        "rows of its bound): payments_rest.payments_2025_q2_move_bound (to give the change "
        "up instead, drop them: ALTER TABLE payments_rest DROP CONSTRAINT "
        "payments_2025_q2_move_bound). To see them, list them with:" in message
    ), message
    third = "SELECT string_agg(id::text, ',' ORDER BY id) FROM payments WHERE paid_on >= "
    third += "'2025-07-01' AND paid_on < '2025-10-01'"
    assert listed_ids(pg, first.db, message) == pg.sql(third, first.db).strip()
    assert pg.sql(CHECKS, first.db).strip() == "payments_rest.payments_2025_q2_move_bound"
    assert pg.sql(counts, first.db).strip() == before
    assert pg.sql("SELECT version_num FROM alembic_version", first.db).strip() == "000"
    second = "INSERT INTO payments VALUES (1, '2025-05-05', 1)"
    assert refused(first.url, second, psycopg.errors.CheckViolation)
    pg.sql(_statements(message, "set them aside with:", "; run the migration again"), first.db)
    read = _reads(pg, first.db, "payments")
    alembic(first.root, first.url, "upgrade", "001")
    reads = _reads(pg, first.db, "payments")
    assert reads == {**read, "payments_rest": read["payments_rest"] + 3}, (read, reads)
    alembic(first.root, first.url, "upgrade", "head")
    back = "put them back (PostgreSQL routes them to payments_2025_q3) with:"
    pg.sql(_statements(message, back, ". Or delete them"), first.db)
    assert_matches_models(pg, first.db, first.models_after, [], "upgrade")
    assert pg.sql(CHECKS, first.db).strip() == ""
    after = pg.sql(counts, first.db).strip()
    assert after == "payments_2025_q1=900/180 payments_2025_q3=30/30 payments_rest=3400/1150"
    assert pg.sql(CONTENTS, first.db).strip() == contents
    assert pg.sql("SELECT count(*) FROM pg_tables WHERE tablename LIKE '%held'", first.db) == "0\n"


#: rows of the second quarter (payments_2025_q2's, which the upgrade drops with them)
Q2_ROWS = (
    "INSERT INTO payments SELECT g % 300, date '2025-04-01' + g % 91, "
    "CASE WHEN g % 3 = 0 THEN NULL ELSE g % 2 END FROM generate_series(1, 600) g"
)
#: written between the revisions: 2024 and 2026 rows, to the DEFAULT partition (500 on
#: 10 days: skew)
LATER_ROWS = (
    "INSERT INTO payments SELECT 10000 + g, date '2024-06-01' + g % 10, NULL "
    "FROM generate_series(1, 500) g; INSERT INTO payments SELECT 20000 + g, "
    "date '2026-03-01', g % 2 FROM generate_series(1, 100) g"
)


def test_a_downgrade_making_a_partition_again_beside_a_default_partition_reads_none_of_it(
    pg: PgCluster, tmp_path: Path
) -> None:
    """The upgrade drops payments_2025_q2 (its 600 rows with it: destructive) beside
    payments_rest, a DEFAULT partition holding 3,400 rows (1,150 NULL amounts) that gets
    600 more (500 NULL amounts, skewed to ten days) between the revisions. Down one
    revision at a time: the online revision's downgrade, the reverse of the upgrade's
    drop of a check left there, counts payments_rest's rows of the second quarter and
    validates the check excluding them (two reads, of payments_rest alone); the main
    revision's downgrade makes payments_2025_q2 again reading none of payments_rest's
    rows, and drops the check. Before, no check was made: that create read
    payments_rest under ACCESS EXCLUSIVE."""
    case = Case(
        "dropped",
        {"schema.yaml": PAYMENTS % Q2},
        {"schema.yaml": PAYMENTS % ""},
        destructive=True,
    )
    first = at_first_revision(pg, case, tmp_path, f"{PAYMENT_ROWS}; {Q2_ROWS}")
    assert first.heads == ["000", "001", "002"]
    online = revision_plan(first, 2)
    assert (
        "- check payments_2025_q2_move_bound on DEFAULT partition payments_rest, where a "
        "downgrade left it (the downgrade makes it ahead, its rows of the bound counted "
        "first, so that making partition payments_2025_q2 again (FOR VALUES FROM "
        "('2025-04-01') TO ('2025-07-01')) reads none of its rows under lock)" in online
    ), online
    alembic(first.root, first.url, "upgrade", "head")
    assert_matches_models(pg, first.db, first.models_after, [], "upgrade")
    assert pg.sql(CHECKS, first.db).strip() == ""
    pg.sql(LATER_ROWS, first.db)
    counts = rows_by_partition("payments", "amount")
    kept = pg.sql(counts, first.db).strip()
    assert kept == "payments_2025_q1=900/180 payments_rest=4000/1650", kept
    read = _reads(pg, first.db, "payments")
    alembic(first.root, first.url, "downgrade", "001")
    assert _reads(pg, first.db, "payments") == {**read, "payments_rest": read["payments_rest"] + 2}
    assert pg.sql(CHECKS, first.db).strip() == "payments_rest.payments_2025_q2_move_bound"
    read = _reads(pg, first.db, "payments")
    alembic(first.root, first.url, "downgrade", "000")
    made = _reads(pg, first.db, "payments")
    assert made.pop("payments_2025_q2") <= 1  # made again, empty
    assert made == read  # the create read none of the DEFAULT's rows
    assert pg.sql(CHECKS, first.db).strip() == ""
    assert_matches_models(pg, first.db, first.models_before, [], "downgrade")
    assert pg.sql(counts, first.db).strip() == kept


def test_rows_written_to_the_default_partition_since_the_upgrade_stop_its_downgrade(
    pg: PgCluster, tmp_path: Path
) -> None:
    """After the upgrade drops payments_2025_q2, 20 rows of the second quarter (NULL
    amounts, ids repeated) go to payments_rest: the online revision's downgrade stops at
    its count before anything is made, saying which rows, how to move them, and nothing
    of a schema to change (it is a downgrade); the database stays at head. Moved as it
    says, the downgrade runs and PostgreSQL routes them to payments_2025_q2 made again."""
    case = Case(
        "dropped",
        {"schema.yaml": PAYMENTS % Q2},
        {"schema.yaml": PAYMENTS % ""},
        destructive=True,
    )
    first = at_first_revision(pg, case, tmp_path, f"{PAYMENT_ROWS}; {Q2_ROWS}")
    alembic(first.root, first.url, "upgrade", "head")
    pg.sql(
        "INSERT INTO payments SELECT g % 4, date '2025-05-01' + g, NULL "
        "FROM generate_series(1, 20) g",
        first.db,
    )
    counts = rows_by_partition("payments", "amount")
    kept = pg.sql(counts, first.db).strip()
    assert kept == "payments_2025_q1=900/180 payments_rest=3420/1170", kept
    contents = pg.sql(CONTENTS, first.db).strip()
    with pytest.raises(Exception) as failed:
        alembic(first.root, first.url, "downgrade", "000")
    message = " ".join(str(failed.value).split("[SQL:")[0].split())
    assert (
        "partition payments_2025_q2 cannot be made with its bound FOR VALUES FROM "
        "('2025-04-01') TO ('2025-07-01'): 20 rows of DEFAULT partition payments_rest are "
        "inside it, and PostgreSQL makes no partition while its DEFAULT partition holds rows "
        "of its bound; nothing was changed. To see them, list them with:" in message
    ), message
    assert "Or delete them, then run the migration again" in message, message
    second = "SELECT string_agg(id::text, ',' ORDER BY id) FROM payments WHERE paid_on >= "
    second += "'2025-04-01' AND paid_on < '2025-07-01'"
    assert listed_ids(pg, first.db, message) == pg.sql(second, first.db).strip()
    assert pg.sql("SELECT version_num FROM alembic_version", first.db).strip() == "002"
    assert pg.sql(CHECKS, first.db).strip() == ""
    assert pg.sql(counts, first.db).strip() == kept
    pg.sql(_statements(message, "set them aside with:", "; run the migration again"), first.db)
    alembic(first.root, first.url, "downgrade", "000")
    back = "put them back (PostgreSQL routes them to payments_2025_q2) with:"
    pg.sql(_statements(message, back, ". Or delete them"), first.db)
    assert_matches_models(pg, first.db, first.models_before, [], "downgrade")
    after = pg.sql(counts, first.db).strip()
    assert after == "payments_2025_q1=900/180 payments_2025_q2=20/20 payments_rest=3400/1150"
    assert pg.sql(CONTENTS, first.db).strip() == contents
    assert pg.sql(CHECKS, first.db).strip() == ""


#: a table whose partition key is a column named n, as the revision's blocks name their
#: count: a query of theirs over the table must read the column
TALLIES = """
database: {name: ledger}
entities:
  Tally:
    primary_key: false
    columns:
      id: {type: bigint}
      n: {type: integer, nullable: true}
      e: {type: text, nullable: true}
    partition_by: {range: [n]}
    partitions:
      tallies_low: {from: 0, to: 100}
%s      tallies_rest: {default: true}
"""
MID = "      tallies_mid: {from: 100, to: 200}\n"
#: n from 0 to 399 (a tenth NULL), e repeated or NULL: 1,800 rows in tallies_rest, 450
#: of them in tallies_mid's bound
TALLY_ROWS = (
    "INSERT INTO tallies SELECT g % 50, CASE WHEN g % 10 = 0 THEN NULL ELSE g % 400 END, "
    "CASE WHEN g % 3 = 0 THEN NULL ELSE 'e' || g % 4 END FROM generate_series(1, 2000) g"
)


def test_a_key_column_named_as_the_revision_s_count_is_read_as_the_column(
    pg: PgCluster, tmp_path: Path
) -> None:
    """tallies is partitioned by a column n (e beside it): the drops revision's count of
    tallies_rest's rows in tallies_mid's bound, run in a block whose own count is n,
    counts the column's rows (450), stopping the revision with the count and nothing
    changed, not with PostgreSQL's 'column reference "n" is ambiguous'; once those rows
    are gone the revision runs, reading tallies_rest none under lock."""
    case = Case("n", {"schema.yaml": TALLIES % ""}, {"schema.yaml": TALLIES % MID})
    first = at_first_revision(pg, case, tmp_path, TALLY_ROWS)
    counts = rows_by_partition("tallies", "n")
    before = pg.sql(counts, first.db).strip()
    assert before == "tallies_low=450/0 tallies_rest=1550/200", before
    message = upgrade_failure(first)
    assert (
        "partition tallies_mid cannot be made with its bound FOR VALUES FROM (100) TO (200): "
        "450 rows of DEFAULT partition tallies_rest are inside it" in message
    ), message
    assert pg.sql(CHECKS, first.db).strip() == ""
    assert pg.sql(counts, first.db).strip() == before
    pg.sql("DELETE FROM tallies WHERE n >= 100 AND n < 200", first.db)
    _made_beside(pg, first, "tallies", "tallies_rest", "tallies_mid", counts)


def test_a_key_column_named_as_the_revision_s_count_is_read_as_the_column_when_rebound(
    pg: PgCluster, tmp_path: Path
) -> None:
    """tallies_low narrowed from 0..100 to 0..50 beside tallies_rest: its check's
    validation fails on its rows from 50 on, and the block counts them by the column n
    (225), not its own count n, stopping with the count and no check left."""
    narrowed = TALLIES.replace("{from: 0, to: 100}", "{from: 0, to: 50}")
    case = Case("n", {"schema.yaml": TALLIES % ""}, {"schema.yaml": narrowed % ""})
    first = at_first_revision(pg, case, tmp_path, TALLY_ROWS)
    counts = rows_by_partition("tallies", "n")
    before = pg.sql(counts, first.db).strip()
    outside = "SELECT count(*) FROM tallies_low WHERE n >= 50"
    assert pg.sql(outside, first.db).strip() == "225"
    message = upgrade_failure(first)
    assert (
        "partition tallies_low cannot take its new bound FOR VALUES FROM (0) TO (50) with its "
        "rows: 225 of its rows are outside it; nothing was changed" in message
    ), message
    assert pg.sql(CHECKS, first.db).strip() == ""
    assert pg.sql(counts, first.db).strip() == before


def test_a_reader_of_a_partition_of_the_partitioned_default_does_not_hold_the_main_revision(
    pg: PgCluster, tmp_path: Path
) -> None:
    """events_us made beside events_rest, partitioned by hash of id, while a second
    session reads events_rest_1 in a transaction (ACCESS SHARE to its end). The check's
    drop recurses to each partition of events_rest under ACCESS EXCLUSIVE: made in the
    main revision, it waited for the reader until lock_timeout and rolled the create back
    (version 001). The online revision drops it after the main revision commits: the
    create commits (version 002; a row of the new bound goes to events_us), the drop
    alone waits and fails, leaving the check, which refuses no row of the new bound (its
    rows go to events_us now); once the reader is gone the rerun drops it. Rows are kept
    each way, and the downgrade is the upgrade's reverse."""
    case = Case("split", {"schema.yaml": SPLIT_EVENTS % ""}, {"schema.yaml": SPLIT_EVENTS % US})
    first = at_first_revision(pg, case, tmp_path, SKEWED_EVENT_ROWS)
    counts = rows_by_partition("events", "region")
    kept = pg.sql(counts, first.db).strip()
    assert kept == "events_eu=1200/0 events_rest_0=998/312 events_rest_1=2302/288"
    alembic(first.root, first.url, "upgrade", "001")
    # the drops revision made the check; the main revision, which makes events_us, is pending
    checked = {f["object"]: f["hint"] for f in json_findings(first.root, first.url)}
    assert checked["check events_us_move_bound on events_rest"] == (
        "the database is not at head: run `alembic upgrade head` first, whose pending "
        "revisions make partition events_us beside this DEFAULT partition and drop the check "
        "(made ahead so that the create reads none of its rows under lock); if it is still "
        "reported, `ALTER TABLE public.events_rest DROP CONSTRAINT events_us_move_bound`"
    ), checked
    version = "SELECT version_num FROM alembic_version"
    with psycopg.connect(pg.libpq_url(first.db)) as reader:
        assert reader.execute("SELECT count(*) FROM events_rest_1").fetchone() == (2302,)
        with pytest.raises(Exception, match="lock timeout") as waited:
            alembic(first.root, first.url, "upgrade", "head")
        assert "DROP CONSTRAINT IF EXISTS events_us_move_bound" in str(waited.value)
        assert pg.sql(version, first.db).strip() == "002"
        checks = "events_rest.events_us_move_bound events_rest_0.events_us_move_bound "
        assert pg.sql(CHECKS, first.db).strip() == checks + "events_rest_1.events_us_move_bound"
        with psycopg.connect(pg.libpq_url(first.db)) as writer:  # rolled back
            writer.execute("INSERT INTO events VALUES (5, 'us', NULL)")
            row = "SELECT tableoid::regclass::text FROM events WHERE region = 'us'"
            assert writer.execute(row).fetchall() == [("events_us",)]
            writer.rollback()
        reader.rollback()
    assert first.heads == ["000", "001", "002", "003"]
    assert "drop constraint" not in revision_plan(first), revision_plan(first)
    assert (
        "- check events_us_move_bound on DEFAULT partition events_rest, after the main "
        "revision made partition events_us beside it: its drop locks each partition of the "
        "DEFAULT partition ACCESS EXCLUSIVE, which the main transaction would hold to its "
        "end" in revision_plan(first, 3)
    ), revision_plan(first, 3)
    # check --database: the check left is the pending online revision's, which drops it
    # (before, its hint said that the pending revision moves the partition)
    checked = {f["object"]: f["hint"] for f in json_findings(first.root, first.url)}
    assert checked == {
        "database revision": "run `alembic upgrade head` against this database",
        "check events_us_move_bound on events_rest": (
            "the database is not at head: run `alembic upgrade head` first, whose pending "
            "online revision drops the check (made ahead so that partition events_us, made "
            "by the main revision beside this DEFAULT partition, read none of its rows under "
            "lock; meanwhile it refuses no row: those of the bound go to events_us); if it "
            "is still reported, `ALTER TABLE public.events_rest DROP CONSTRAINT "
            "events_us_move_bound`"
        ),
    }, checked
    read = _reads(pg, first.db, "events")
    alembic(first.root, first.url, "upgrade", "head")
    assert pg.sql(version, first.db).strip() == "003"
    assert pg.sql(CHECKS, first.db).strip() == ""
    assert _reads(pg, first.db, "events") == read  # the drop reads nothing
    assert_matches_models(pg, first.db, first.models_after, [], "upgrade")
    assert pg.sql(counts, first.db).strip() == kept
    # the reverse: the online downgrade makes the check again (counted, validated: each
    # leaf read twice) before the main downgrade drops events_us
    read = _reads(pg, first.db, "events")
    alembic(first.root, first.url, "downgrade", "002")
    leaves = {t: read[t] + 2 for t in ("events_rest_0", "events_rest_1")}
    assert _reads(pg, first.db, "events") == {**read, **leaves}
    assert pg.sql(CHECKS, first.db).strip() == checks + "events_rest_1.events_us_move_bound"
    alembic(first.root, first.url, "downgrade", "000")
    assert_matches_models(pg, first.db, first.models_before, [], "downgrade")
    assert pg.sql(counts, first.db).strip() == kept
    assert pg.sql(CHECKS, first.db).strip() == ""
