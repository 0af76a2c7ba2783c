"""A partition's own CHECK constraints (not its table's, which PostgreSQL gives every
partition): the language declares checks on a table alone, so one made by hand on a
partition, or the ``*_move_bound`` check a moved partition holds while it moves
(operations.partition.AddBoundCheck) left behind, is drift, reported with the
``ALTER TABLE ... DROP CONSTRAINT`` that removes it, schema-qualified so that it runs as
printed. Before, check did not read a partition's constraints and passed.

At a pending revision (the drops revision run, the move's main revision not yet, or
failed) a ``*_move_bound`` check is that revision's: its hint says to upgrade first, which
moves the partition and drops it; at head, nothing is left."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from live_check import hint_statement, run_as_printed
from migration_harness import (
    Case,
    alembic,
    by_hand,
    generate,
    json_findings,
    migrated_database,
    scratch_database,
)
from pgcluster import PgCluster
from schemagen.cli import main as schemagen_main

SCHEMA = """
database: {name: partchecks}
entities:
  Event:
    primary_key: [id, day, kind]
    columns:
      id: {type: bigint, primary_key: true}
      day: {type: date, primary_key: true}
      kind: {type: string, length: 8, primary_key: true}
      note: {type: text, nullable: true}
    checks:
      ck_events_id: "id >= 0"
    partition_by: {range: [day]}
    partitions:
      events_2025:
        from: 2025-01-01
        to: 2026-01-01
        partition_by: {list: [kind]}
        partitions:
          events_2025_a: {in: [a]}
          events_2025_rest: {default: true}
      Events 2026: {from: 2026-01-01, to: 2027-01-01}
"""
#: skewed kinds (most a), NULL and repeated notes, ids repeated across days and kinds
ROWS = (
    "INSERT INTO events SELECT g % 700, date '2025-01-01' + g % 500, "
    "(ARRAY['a', 'a', 'a', 'c', 'x'])[g % 5 + 1], CASE WHEN g % 4 = 0 THEN NULL ELSE "
    "'n' || g % 3 END FROM generate_series(1, 3000) g"
)
COUNTS = "SELECT count(*), count(note), count(DISTINCT id) FROM events"
HEAD = "the schema declares checks on a table alone (every partition holds its table's): "


def test_a_partition_s_own_check_is_drift_with_a_drop_that_runs_as_printed(
    pg: PgCluster, tmp_path: Path
) -> None:
    """A check made by hand on a partition and a move's check left on a sub-partition at
    head are each reported, with their DROP CONSTRAINT; a check made on the table by hand
    is the table's finding alone (its copies on the partitions are not theirs); the
    declared check's copies are no finding."""
    root, name = migrated_database(pg, tmp_path, "partchecks", SCHEMA, ROWS)
    url = pg.url(name)
    assert json_findings(root, url) == []
    counts = pg.sql(COUNTS, name).strip()
    by_hand(
        pg,
        name,
        [
            'ALTER TABLE "Events 2026" ADD CONSTRAINT "Note Set" CHECK (note IS NOT NULL '
            "OR id >= 0)",
            "DO $$BEGIN EXECUTE format('ALTER TABLE events_2025_a ADD CONSTRAINT "
            "events_2025_a_move_bound CHECK (%s) NOT VALID', "
            "pg_get_partition_constraintdef('events_2025_a'::regclass)); END$$",
            "ALTER TABLE events ADD CONSTRAINT ck_events_note CHECK (note <> '')",
        ],
    )
    findings = {f["object"]: f for f in json_findings(root, url)}
    assert sorted(findings) == [
        "check Note Set on Events 2026",
        "check constraint ck_events_note on events",
        "check events_2025_a_move_bound on events_2025_a",
    ], findings
    hand = findings["check Note Set on Events 2026"]
    assert hand["message"] == (
        "in the database but not in the schema: made on partition Events 2026 of events "
        "alone: CHECK (((note IS NOT NULL) OR (id >= 0)))"
    ), hand
    assert hand["hint"] == (
        HEAD + '`ALTER TABLE public."Events 2026" DROP CONSTRAINT "Note Set"`'
    ), hand
    left = findings["check events_2025_a_move_bound on events_2025_a"]
    assert left["hint"] == (
        HEAD + "`ALTER TABLE public.events_2025_a DROP CONSTRAINT events_2025_a_move_bound`"
    ), left
    assert "NOT VALID" in left["message"], left
    text = CliRunner().invoke(
        schemagen_main, ["check", "--project", str(root), "--database", url]
    ).output
    for finding in (hand, left):  # the text report prints each too
        assert f"  -> {finding['hint']}" in text.splitlines(), text
        run_as_printed(pg, name, hint_statement(finding["hint"]))
    assert [f["object"] for f in json_findings(root, url)] == [
        "check constraint ck_events_note on events"
    ]
    assert pg.sql(COUNTS, name).strip() == counts


PAYMENTS = """
database: {name: ledger}
entities:
  Payment:
    primary_key: [id, paid_on]
    columns:
      id: {type: bigint, primary_key: true}
      paid_on: {type: date, primary_key: true}
      amount: {type: numeric, precision: 12, scale: 2, nullable: true}
    partition_by: {range: [paid_on]}
    partitions:
%s      payments_2026: {from: 2026-01-01, to: 2027-01-01}
"""
QUARTERS = """      payments_2025_q1: {from: 2025-01-01, to: 2025-04-01}
      payments_2025_q2: {from: 2025-04-01, to: 2025-07-01}
"""
#: the quarters move under a new yearly partition
MOVED = """      payments_2025:
        from: 2025-01-01
        to: 2026-01-01
        partition_by: {range: [paid_on]}
        partitions:
""" + "".join("    " + line + "\n" for line in QUARTERS.splitlines())
PAYMENT_ROWS = (
    "INSERT INTO payments SELECT g % 1000, date '2025-01-01' + g % 90, "
    "CASE WHEN g % 6 = 0 THEN NULL ELSE g % 4 END FROM generate_series(1, 2700) g; "
    "INSERT INTO payments VALUES (1, '2026-03-01', 7), (2, '2026-03-01', 7)"
)
PENDING = (
    "the database is not at head: run `alembic upgrade head` first, whose pending "
    "revision moves the partition and drops the check (made ahead so that the move reads "
    "no row under lock); if it is still reported, "
)


def test_a_pending_move_s_bound_checks_are_left_to_it(pg: PgCluster, tmp_path: Path) -> None:
    """At the drops revision each moved quarter holds its validated *_move_bound check:
    reported with the upgrade first; the upgrade drops them and check is clean."""
    root = tmp_path / "project"
    case = Case("moved", {"schema.yaml": PAYMENTS % QUARTERS}, {"schema.yaml": PAYMENTS % MOVED})
    generate(case, root)
    db = scratch_database(pg, "pendingchecks")
    url = pg.url(db)
    alembic(root, url, "upgrade", "000")
    pg.sql(PAYMENT_ROWS, db)
    alembic(root, url, "upgrade", "001")
    checks = {f["object"]: f["hint"] for f in json_findings(root, url) if "check" in f["object"]}
    assert checks == {
        f"check {q}_move_bound on {q}": (
            f"{PENDING}`ALTER TABLE public.{q} DROP CONSTRAINT {q}_move_bound`"
        )
        for q in ("payments_2025_q1", "payments_2025_q2")
    }, checks
    alembic(root, url, "upgrade", "head")
    assert json_findings(root, url) == []
    assert pg.sql("SELECT count(*), count(amount) FROM payments", db).split() == ["2702|2252"]
