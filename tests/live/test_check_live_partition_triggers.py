"""``check --database`` on a trigger of a partitioned table: PostgreSQL clones it onto
every partition (a pg_trigger row each, ``tgparentid`` naming the table's), and the
triggers query read those clones as triggers of their own, so a database at head
reported each as ``trigger payments_2026.trg_payments_memo: in the database but not
in the schema``, which no migration could clear. Clones are the table's trigger,
compared with it; a trigger made by hand on one partition is still extra."""

from __future__ import annotations

from pathlib import Path

import pytest
from migration_harness import by_hand, json_findings, live_findings, migrated_database
from pgcluster import PgCluster

SCHEMA = """
database: {name: parttrg}
entities:
  Payment:
    primary_key: [id, paid_on]
    columns:
      id: {type: bigint, primary_key: true}
      paid_on: {type: date, primary_key: true}
      memo: {type: text, nullable: true}
    partition_by: {range: [paid_on]}
    partitions:
      payments_2026: {from: 2026-01-01, to: 2027-01-01}
      payments_rest: {default: true}
    triggers:
      trg_payments_memo: {function: tidy_memo, events: [insert, update]}
  Entry:
    schema: audit
    primary_key: [id, kind]
    columns:
      id: {type: bigint, primary_key: true}
      kind: {type: text, primary_key: true}
      memo: {type: text, nullable: true}
    partition_by: {list: [kind]}
    partitions:
      entries_login:
        in: [login]
        partition_by: {hash: [id]}
        partitions:
          entries_login_0: {modulus: 2, remainder: 0}
          entries_login_1: {modulus: 2, remainder: 1}
      entries_other: {default: true}
    triggers:
      trg_entries_memo: {function: tidy_memo, events: [insert]}
functions:
  tidy_memo:
    returns: trigger
    body: |
      BEGIN
        NEW.memo := btrim(NEW.memo);
        RETURN NEW;
      END;
"""

ROWS = (
    # rows in every partition, written through the triggers, NULL and repeated memos
    "INSERT INTO payments SELECT n, DATE '2025-11-01' + n * 4, "
    "CASE WHEN n % 3 = 0 THEN NULL ELSE ' m' || n % 4 END FROM generate_series(1, 120) n;"
    "INSERT INTO audit.entries SELECT n, CASE WHEN n % 2 = 0 THEN 'login' ELSE 'edit' END, "
    "CASE WHEN n % 5 = 0 THEN NULL ELSE ' e ' END FROM generate_series(1, 60) n"
)


@pytest.fixture
def db(pg: PgCluster, tmp_path: Path) -> tuple[Path, str]:
    return migrated_database(pg, tmp_path, "parttrg", SCHEMA, ROWS)


def test_a_partitioned_table_s_trigger_is_one_trigger(pg: PgCluster, db: tuple[Path, str]) -> None:
    root, name = db
    url = pg.url(name)
    # the clones fired in every partition
    assert pg.sql("SELECT count(*) FROM payments WHERE memo LIKE ' %'", name).strip() == "0"
    assert pg.sql("SELECT count(*) FROM payments_2026 WHERE memo IS NOT NULL", name) != "0\n"
    assert pg.sql("SELECT count(DISTINCT memo) FROM audit.entries_login_1", name).strip() == "1"
    assert live_findings(root, url) == []
    by_hand(
        pg,
        name,
        [
            # disabled on the table: its partitions' clones with it
            "ALTER TABLE payments DISABLE TRIGGER trg_payments_memo",
            # a trigger of a partition's own
            "CREATE TRIGGER trg_login_memo BEFORE UPDATE ON audit.entries_login_0 "
            "FOR EACH ROW EXECUTE FUNCTION tidy_memo()",
        ],
    )
    findings = json_findings(root, url)
    assert [(f["object"], f["message"]) for f in findings] == [
        ("trigger audit.entries_login_0.trg_login_memo", "in the database but not in the schema"),
        (
            "trigger payments.trg_payments_memo",
            "on public.payments is disabled (DISABLE TRIGGER): it never fires; the schema "
            "declares it enabled",
        ),
    ], findings
    by_hand(
        pg,
        name,
        [
            findings[1]["hint"],
            "DROP TRIGGER trg_login_memo ON audit.entries_login_0",
        ],
    )
    assert live_findings(root, url) == []
    assert pg.sql("SELECT count(*) FROM payments", name).strip() == "120"


def test_a_partition_s_clone_disabled_alone_is_drift(pg: PgCluster, db: tuple[Path, str]) -> None:
    """The table's trigger enabled, one partition's clone disabled by hand: rows written
    to that partition skip it, so the clone is named (with the ALTER TABLE that
    enables it there); a sub-partition's clone disabled with its partition's (ALTER
    TABLE recurses) is that partition's finding, not one more."""
    root, name = db
    url = pg.url(name)
    by_hand(
        pg,
        name,
        [
            "ALTER TABLE payments_2026 DISABLE TRIGGER trg_payments_memo",
            "ALTER TABLE audit.entries_login ENABLE REPLICA TRIGGER trg_entries_memo",
        ],
    )
    pg.sql("INSERT INTO payments VALUES (500, '2026-05-01', '  kept  ')", name)
    assert pg.sql("SELECT memo FROM payments WHERE id = 500", name) == "  kept  \n"
    findings = json_findings(root, url)
    assert [(f["object"], f["message"], f["hint"]) for f in findings] == [
        (
            "trigger audit.entries_login.trg_entries_memo",
            "on audit.entries_login is enabled for replicas only (ENABLE REPLICA TRIGGER): "
            "it fires only in sessions whose session_replication_role is replica; the "
            "schema declares it enabled (a clone of its table's)",
            "ALTER TABLE audit.entries_login ENABLE TRIGGER trg_entries_memo",
        ),
        (
            "trigger payments_2026.trg_payments_memo",
            "on public.payments_2026 is disabled (DISABLE TRIGGER): it never fires; the "
            "schema declares it enabled (a clone of its table's)",
            "ALTER TABLE public.payments_2026 ENABLE TRIGGER trg_payments_memo",
        ),
    ], findings
    by_hand(pg, name, [f["hint"] for f in findings])
    assert live_findings(root, url) == []
    assert pg.sql("SELECT count(*) FROM payments", name).strip() == "121"
