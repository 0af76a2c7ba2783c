"""``check --database`` on ``ALTER TABLE ... CLUSTER ON``: the mark names the index a
bare ``CLUSTER`` of the table sorts its rows by, which the schema language cannot
declare (``schemagen import`` lists it as not expressible). Made by hand it is
drift, reported as an extra object with the statement that removes it, on a
table's own index, on the index of its primary key and of a unique constraint,
in another PostgreSQL schema, on a partition and on a materialized view, read in
the queries that read the tables and views (no query of their own)."""

from __future__ import annotations

from pathlib import Path

import pytest
from live_check import check_command, drift_json
from migration_harness import assert_text_findings, by_hand, live_findings, migrated_database
from pgcluster import PgCluster

SCHEMA = """
database: {name: clus}
entities:
  Account:
    columns:
      id: {type: bigint, primary_key: true}
      owner_id: {type: bigint, nullable: true}
      email: {type: text, nullable: true}
    unique:
      uq_accounts_email: [email]
    indexes:
      ix_accounts_owner_id: {columns: [owner_id]}
  Event:
    schema: audit
    columns:
      id: {type: bigint, primary_key: true}
      account_id: {type: bigint, nullable: true}
  Entry:
    schema: audit
    columns:
      id: {type: bigint, primary_key: true}
      kind: {type: text, primary_key: true}
    primary_key: [id, kind]
    partition_by: {list: [kind]}
    partitions:
      entries_login: {in: [login]}
      entries_other: {default: true}
  Payment:
    columns:
      id: {type: bigint, primary_key: true}
      paid_on: {type: date, primary_key: true}
      amount: {type: integer, nullable: true}
    primary_key: [id, paid_on]
    partition_by: {range: [paid_on]}
    partitions:
      payments_2026_01: {from: "2026-01-01", to: "2026-02-01"}
      payments_rest: {default: true}
views:
  OwnerCounts:
    schema: audit
    view: owner_counts
    materialized: true
    sql: "SELECT owner_id, count(*) AS accounts FROM accounts GROUP BY owner_id"
    columns: {owner_id: {type: bigint}, accounts: {type: bigint}}
    indexes: {ux_owner_counts: {columns: [owner_id], unique: true}}
"""

ROWS = (
    # NULLs and duplicates in the indexed columns
    "INSERT INTO accounts SELECT n, CASE WHEN n % 5 = 0 THEN NULL ELSE n % 3 END, "
    "CASE WHEN n % 4 = 0 THEN NULL ELSE 'user' || n || '@example.com' END "
    "FROM generate_series(1, 90) n;"
    "INSERT INTO audit.events SELECT n, NULLIF(n % 10, 0) FROM generate_series(1, 40) n;"
    "INSERT INTO audit.entries SELECT n, CASE WHEN n % 2 = 0 THEN 'login' ELSE 'edit' END "
    "FROM generate_series(1, 40) n;"
    "INSERT INTO payments SELECT n, DATE '2025-12-20' + n, NULLIF(n % 4, 0) "
    "FROM generate_series(1, 60) n;"
    "REFRESH MATERIALIZED VIEW audit.owner_counts"
)

# A second session's marks behind schemagen's back (and a CLUSTER that uses one).
BEHIND = (
    "ALTER TABLE accounts CLUSTER ON ix_accounts_owner_id",
    "CLUSTER accounts",
    "ALTER TABLE audit.events CLUSTER ON pk_events",
    "ALTER TABLE payments_2026_01 CLUSTER ON payments_2026_01_pkey",
    "ALTER TABLE audit.entries_login CLUSTER ON entries_login_pkey",
    "ALTER MATERIALIZED VIEW audit.owner_counts CLUSTER ON ux_owner_counts",
)

EXPECTED = [
    ("cluster on ix_accounts_owner_id on accounts",
     "ALTER TABLE public.accounts SET WITHOUT CLUSTER"),
    # tables by key: audit.entries, audit.events, then payments, whose partition's mark it reports
    ("cluster on entries_login_pkey on audit.entries_login",
     "ALTER TABLE audit.entries_login SET WITHOUT CLUSTER"),
    ("cluster on pk_events on audit.events", "ALTER TABLE audit.events SET WITHOUT CLUSTER"),
    ("cluster on payments_2026_01_pkey on payments_2026_01",
     "ALTER TABLE public.payments_2026_01 SET WITHOUT CLUSTER"),
    # a materialized view's, after the tables'
    ("cluster on ux_owner_counts on audit.owner_counts",
     "ALTER MATERIALIZED VIEW audit.owner_counts SET WITHOUT CLUSTER"),
]
EXTRA = "in the database but not in the schema"


@pytest.fixture
def db(pg: PgCluster, tmp_path: Path) -> tuple[Path, str]:
    return migrated_database(pg, tmp_path, "clus", SCHEMA, ROWS)


def test_a_database_at_head_has_no_cluster_marks(pg: PgCluster, db: tuple[Path, str]) -> None:
    root, name = db
    url = pg.url(name)
    assert live_findings(root, url) == []
    # CLUSTER ... USING sorts once without leaving a mark: nothing to report
    pg.sql("CLUSTER accounts USING uq_accounts_email", name)
    pg.sql("ALTER TABLE accounts SET WITHOUT CLUSTER", name)
    assert live_findings(root, url) == []
    code, output = check_command(root, url)
    assert code == 0, output


def test_cluster_marks_made_by_hand_are_extra(pg: PgCluster, db: tuple[Path, str]) -> None:
    root, name = db
    url = pg.url(name)
    by_hand(pg, name, BEHIND)
    assert live_findings(root, url) == [f"{obj}: {EXTRA}" for obj, _ in EXPECTED]

    assert_text_findings(root, url, [(obj, EXTRA, fix) for obj, fix in EXPECTED])

    findings = drift_json(root, url)
    assert [(f["object"], f["message"]) for f in findings] == [(o, EXTRA) for o, _ in EXPECTED]
    assert all(fix in f["hint"] for (_, fix), f in zip(EXPECTED, findings, strict=True))

    # moved to another index: still one mark, named anew
    pg.sql("ALTER TABLE accounts CLUSTER ON uq_accounts_email", name)
    assert live_findings(root, url)[0] == f"cluster on uq_accounts_email on accounts: {EXTRA}"

    # the hints' statements remove the marks: the database is back at the schema
    for _, fix in EXPECTED:
        pg.sql(fix, name)
    assert live_findings(root, url) == []


# A partition partitioned again by hand (the language cannot declare that) whose own
# partition, a sub-partition, gets a mark: read with the root table as a partition's is.
SUB_PARTITION = (
    "BEGIN; ALTER TABLE payments DETACH PARTITION payments_rest;"
    "ALTER TABLE payments_rest RENAME TO payments_old;"
    "CREATE TABLE payments_rest PARTITION OF payments DEFAULT PARTITION BY RANGE (paid_on);"
    "CREATE TABLE payments_rest_early PARTITION OF payments_rest"
    " FOR VALUES FROM (MINVALUE) TO ('2026-01-01');"
    "CREATE TABLE payments_rest_late PARTITION OF payments_rest DEFAULT;"
    "INSERT INTO payments SELECT * FROM payments_old; DROP TABLE payments_old;"
    "INSERT INTO payments VALUES (61, '2025-12-21', NULL), (62, '2025-12-21', NULL); COMMIT"
)


def test_a_sub_partition_s_mark_is_extra(pg: PgCluster, db: tuple[Path, str]) -> None:
    root, name = db
    url = pg.url(name)
    pg.sql(SUB_PARTITION, name)
    assert pg.sql("SELECT count(*) FROM payments_rest_early", name) == "13\n"
    before = live_findings(root, url)
    pg.sql("ALTER TABLE payments_rest_early CLUSTER ON payments_rest_early_pkey", name)
    found = f"cluster on payments_rest_early_pkey on payments_rest_early: {EXTRA}"
    assert sorted(live_findings(root, url)) == sorted([*before, found])

    findings = drift_json(root, url)
    (mark,) = [f for f in findings if f["object"].startswith("cluster")]
    assert "`ALTER TABLE public.payments_rest_early SET WITHOUT CLUSTER`" in mark["hint"]

    # the hint's statement removes it
    pg.sql("ALTER TABLE payments_rest_early SET WITHOUT CLUSTER", name)
    assert live_findings(root, url) == before


def test_a_partition_partitioned_again_by_hand_is_drift(
    pg: PgCluster, db: tuple[Path, str]
) -> None:
    """payments_rest made PARTITION BY RANGE by hand, with two sub-partitions holding
    its rows, where the schema declares a plain partition: its partition key is a
    finding (before: none, only its sub-partitions' marks were), with the schema's
    words for it and the statements that make it a plain partition again as hint."""
    root, name = db
    url = pg.url(name)
    assert live_findings(root, url) == []
    pg.sql(SUB_PARTITION, name)
    assert pg.sql("SELECT count(*) FROM payments_rest_early", name) == "13\n"
    assert pg.sql("SELECT count(*) FROM payments_rest_late", name) == "18\n"
    found = (
        "partition payments_rest: partitioned by RANGE (paid_on) in the database, "
        "by nothing in the schema"
    )
    assert live_findings(root, url) == [found]

    code, output = check_command(root, url)
    assert code == 1, output
    assert f"  {found}" in output.splitlines(), output
    assert "`ALTER TABLE public.payments DETACH PARTITION public.payments_rest`" in output, output
    findings = drift_json(root, url)
    (finding,) = findings
    assert "ATTACH PARTITION" in finding["hint"] and "DEFAULT" in finding["hint"], finding
    assert finding["hint"].startswith("declare its partition_by: and partitions:"), finding

    # read-only (no temporary objects): the same
    pg.sql(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on')
    assert live_findings(root, url) == [found]
    pg.sql(f'ALTER DATABASE "{name}" RESET default_transaction_read_only')

    # the hint's way: a plain partition holding the rows, attached in its place
    pg.sql(
        "BEGIN; ALTER TABLE payments DETACH PARTITION payments_rest;"
        "ALTER TABLE payments_rest RENAME TO payments_split;"
        "CREATE TABLE payments_rest (LIKE payments_split INCLUDING ALL);"
        "INSERT INTO payments_rest SELECT * FROM payments_split; DROP TABLE payments_split;"
        "ALTER TABLE payments ATTACH PARTITION payments_rest DEFAULT; COMMIT",
        name,
    )
    assert pg.sql("SELECT count(*) FROM payments_rest", name) == "31\n"
    assert live_findings(root, url) == []
