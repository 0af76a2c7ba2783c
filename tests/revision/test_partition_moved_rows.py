"""A partition moved between levels keeps its rows, or the revision fails before any is
lost: a row outside its new place (here: a sub-partition whose new parent's bound starts
later than its own) fails the drops revision's check, which holds the new parent's bound
too, the message counting the rows, the check dropped again (the tree and every row as
they were, the database at the revision before), and once the rows are dealt with the
same revision runs again."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from migration_harness import Case, alembic, assert_matches_models, revisions
from payments_schema import PAYMENT_CONTENTS, ledger_refunds
from pgcluster import PgCluster
from revision_steps import at_first_revision, rows_by_partition

BEFORE = """
database: {name: ledger}
entities:
  Payment:
    primary_key: [id, paid_on]
    columns:
      id: {type: bigint, primary_key: true}
      paid_on: {type: date, primary_key: true}
      amount: {type: numeric, precision: 12, scale: 2, nullable: true}
    indexes:
      idx_payments_amount: [amount]
    partition_by: {range: [paid_on]}
    partitions:
      payments_2025_q1: {from: 2025-01-01, to: 2025-04-01}
      payments_2025_q2: {from: 2025-04-01, to: 2025-07-01}
      payments_2026: {from: 2026-01-01, to: 2027-01-01}
"""
#: the quarters move under a yearly partition that starts in February: January's rows
#: of payments_2025_q1 have no place there
AFTER = BEFORE.replace(
    """      payments_2025_q1: {from: 2025-01-01, to: 2025-04-01}
      payments_2025_q2: {from: 2025-04-01, to: 2025-07-01}
""",
    """      payments_2025:
        from: 2025-02-01
        to: 2026-01-01
        partition_by: {range: [paid_on]}
        partitions:
          payments_2025_q1: {from: 2025-01-01, to: 2025-04-01}
          payments_2025_q2: {from: 2025-04-01, to: 2025-07-01}
""",
)
#: skewed (most rows in the first quarter, 31 of them in January), NULL and repeated
#: amounts, ids repeated across days
ROWS = (
    "INSERT INTO payments SELECT g % 1000, date '2025-01-01' + g % 90, "
    "CASE WHEN g % 6 = 0 THEN NULL ELSE g % 4 END FROM generate_series(1, 2700) g; "
    "INSERT INTO payments SELECT g, date '2025-04-01' + g, NULL FROM generate_series(1, 5) g; "
    "INSERT INTO payments VALUES (1, '2026-03-01', 7), (2, '2026-03-01', 7), "
    "(2, '2026-03-02', NULL)"
)
COUNTS = rows_by_partition("payments", "amount")
TREE = (
    "SELECT string_agg(relid::text || '<' || coalesce(parentrelid::text, ''), ',' "
    "ORDER BY level, relid::text) FROM pg_partition_tree('payments')"
)
VERSION = "SELECT version_num FROM alembic_version"
#: the checks that prove a moved partition's bound ahead (AddBoundCheck), and if validated
CHECKS = (
    "SELECT coalesce(string_agg(format('%s.%s=%s', conrelid::regclass, conname, "
    "convalidated), ' ' ORDER BY conname), '') FROM pg_constraint WHERE conname LIKE "
    "'%\\_move\\_bound'"
)


def test_a_row_outside_the_new_place_fails_the_move_before_any_row_is_lost(
    pg: PgCluster, tmp_path: Path
) -> None:
    case = Case("moved outside", {"schema.yaml": BEFORE}, {"schema.yaml": AFTER}, destructive=False)
    first = at_first_revision(pg, case, tmp_path, ROWS)
    counts, contents = pg.sql(COUNTS, first.db).strip(), pg.sql(PAYMENT_CONTENTS, first.db).strip()
    tree = pg.sql(TREE, first.db).strip()
    assert counts == "payments_2025_q1=2700/450 payments_2025_q2=5/5 payments_2026=3/1"
    with pytest.raises(Exception) as failed:
        alembic(first.root, first.url, "upgrade", "head")
    message = " ".join(str(failed.value).split())
    # the drops revision's check holds payments_2025's bound too (it is narrower than
    # the quarter's), so the rows are counted there, before the main revision
    assert (
        "partition payments_2025_q1 cannot move with its rows: 930 of its rows are outside "
        "the bounds of the partitions above it where it goes; nothing was changed" in message
    ), message
    assert "run the migration again" in message
    assert 'check constraint "payments_2025_q1_move_bound"' in message
    # nothing lost: the tree, every row, the revision
    assert pg.sql(TREE, first.db).strip() == tree
    assert pg.sql(COUNTS, first.db).strip() == counts
    assert pg.sql(PAYMENT_CONTENTS, first.db).strip() == contents
    assert first.heads == ["000", "001", "002", "003"]
    assert pg.sql(VERSION, first.db).strip() == "000"
    assert pg.sql(CHECKS, first.db).strip() == ""  # dropped again where it failed
    # the fix (January's rows go elsewhere), then the same revision again
    pg.sql("DELETE FROM payments WHERE paid_on < '2025-02-01'", first.db)
    kept = pg.sql(PAYMENT_CONTENTS, first.db).strip()
    alembic(first.root, first.url, "upgrade", "head")
    assert_matches_models(pg, first.db, first.models_after, [], "upgrade")
    assert pg.sql(COUNTS, first.db).strip() == (
        "payments_2025_q1=1770/270 payments_2025_q2=5/5 payments_2026=3/1"
    )
    assert pg.sql(PAYMENT_CONTENTS, first.db).strip() == kept
    assert pg.sql(CHECKS, first.db).strip() == ""  # each attach dropped its check
    alembic(first.root, first.url, "downgrade", "000")
    assert_matches_models(pg, first.db, first.models_before, [], "downgrade")
    assert pg.sql(PAYMENT_CONTENTS, first.db).strip() == kept
    assert pg.sql(CHECKS, first.db).strip() == ""


EVENTS = """
database: {name: ledger}
entities:
  Event:
    primary_key: [id, day, kind]
    columns:
      id: {type: bigint, primary_key: true}
      day: {type: date, primary_key: true}
      kind: {type: string, length: 8, primary_key: true}
      note: {type: text, nullable: true}
    indexes:
      idx_events_note: [note]
    partition_by: {range: [day]}
    partitions:
%s      events_2026: {from: 2026-01-01, to: 2027-01-01}
"""
#: events_2025, partitioned by kind, as a partition of the table...
YEAR_2025 = """      events_2025:
        from: 2025-01-01
        to: 2026-01-01
        partition_by: {list: [kind]}
        partitions:
          events_2025_a: {in: [a]}
%s          events_2025_rest: {default: true}
"""
#: ...and moved under a new partition of older years, losing its kind c and gaining u
MOVED = """      events_hist:
        from: 2020-01-01
        to: 2026-01-01
        partition_by: {range: [day]}
        partitions:
""" + "\n".join(
    "    " + line if line else line
    for line in (YEAR_2025 % "          events_2025_u: {in: [u]}\n").split("\n")
)
#: skewed kinds (most a), NULL and repeated notes, ids repeated across days and kinds
EVENT_ROWS = (
    "INSERT INTO events SELECT g % 700, date '2025-01-01' + g % 365, "
    "(ARRAY['a', 'a', 'a', 'c', 'x'])[g % 5 + 1], CASE WHEN g % 4 = 0 THEN NULL ELSE "
    "'n' || g % 3 END FROM generate_series(1, 3000) g; "
    "INSERT INTO events VALUES (1, '2026-02-01', 'a', NULL), (1, '2026-02-01', 'c', 'n1')"
)
EVENT_COUNTS = rows_by_partition("events", "note")
KEPT = (
    "SELECT md5(string_agg(format('%s|%s|%s|%s', id, day, kind, note), ',' "
    "ORDER BY id, day, kind)) FROM events WHERE kind <> 'c' OR day >= '2026-01-01'"
)


def test_a_moved_partition_whose_own_partitions_change_keeps_the_rows_it_keeps(
    pg: PgCluster, tmp_path: Path
) -> None:
    """events_2025 (by kind) moves under a new events_hist, its kind c dropped and a kind
    u added: its a and DEFAULT sub-partitions move with it, rows and all (the attach
    takes them as they are), c's rows go (destructive, said), u is made under it once it
    is attached; the downgrade moves it back, c made again, empty."""
    before = EVENTS % (YEAR_2025 % "          events_2025_c: {in: [c]}\n")
    case = Case(
        "moved with its own changed",
        {"schema.yaml": before},
        {"schema.yaml": EVENTS % MOVED},
        destructive=True,
    )
    first = at_first_revision(pg, case, tmp_path, EVENT_ROWS)
    assert pg.sql(EVENT_COUNTS, first.db).strip() == (
        "events_2025_a=1800/450 events_2025_c=600/150 events_2025_rest=600/150 events_2026=2/1"
    )
    kept = pg.sql(KEPT, first.db).strip()
    alembic(first.root, first.url, "upgrade", "head")
    assert_matches_models(pg, first.db, first.models_after, [], "upgrade")
    assert pg.sql(EVENT_COUNTS, first.db).strip() == (
        "events_2025_a=1800/450 events_2025_rest=600/150 events_2026=2/1"
    )
    assert pg.sql(KEPT, first.db).strip() == kept
    assert pg.sql(CHECKS, first.db).strip() == ""
    tree = (
        "SELECT string_agg(relid::text || '<' || coalesce(parentrelid::text, ''), ',' "
        "ORDER BY level, relid::text) FROM pg_partition_tree('events')"
    )
    assert pg.sql(tree, first.db).strip() == (
        "events<,events_2026<events,events_hist<events,events_2025<events_hist,"
        "events_2025_a<events_2025,events_2025_rest<events_2025,events_2025_u<events_2025"
    )
    alembic(first.root, first.url, "downgrade", "000")
    assert_matches_models(pg, first.db, first.models_before, [], "downgrade")
    assert pg.sql(EVENT_COUNTS, first.db).strip() == (
        "events_2025_a=1800/450 events_2025_rest=600/150 events_2026=2/1"
    )
    assert pg.sql(KEPT, first.db).strip() == kept
    assert pg.sql(CHECKS, first.db).strip() == ""


def test_a_drops_revision_stopped_between_its_check_s_steps_runs_again(
    pg: PgCluster, tmp_path: Path
) -> None:
    """The check that proves a moved partition's bound ahead is made and validated in two
    steps outside a transaction: a run stopped between them (lock_timeout on VALIDATE, a
    lost connection) leaves the check NOT VALID, and the next run validates it instead of
    making it again, then moves the partitions with their rows."""
    wide = AFTER.replace("from: 2025-02-01", "from: 2025-01-01")
    case = Case("moved again", {"schema.yaml": BEFORE}, {"schema.yaml": wide}, destructive=False)
    first = at_first_revision(pg, case, tmp_path, ROWS)
    contents = pg.sql(PAYMENT_CONTENTS, first.db).strip()
    # what the first step of a stopped run left
    pg.sql(
        "DO $$BEGIN EXECUTE format('ALTER TABLE payments_2025_q1 ADD CONSTRAINT "
        "payments_2025_q1_move_bound CHECK (%s) NOT VALID', "
        "pg_get_partition_constraintdef('payments_2025_q1'::regclass)); END$$",
        first.db,
    )
    alembic(first.root, first.url, "upgrade", "001")
    assert pg.sql(CHECKS, first.db).strip() == (
        "payments_2025_q1.payments_2025_q1_move_bound=t "
        "payments_2025_q2.payments_2025_q2_move_bound=t"
    )
    alembic(first.root, first.url, "upgrade", "head")
    assert_matches_models(pg, first.db, first.models_after, [], "upgrade")
    assert pg.sql(PAYMENT_CONTENTS, first.db).strip() == contents
    assert pg.sql(CHECKS, first.db).strip() == ""


#: refunds reference payments by a foreign key to the partitioned table
REFERENCED = BEFORE + ledger_refunds()
#: skewed: most refunds of one 2026 payment, some with NULL keys (MATCH SIMPLE: no
#: reference), NULL and repeated notes; three of a first-quarter payment
REFUND_ROWS = (
    ROWS + "; INSERT INTO refunds SELECT g, CASE WHEN g % 5 = 0 THEN NULL ELSE 1 + g % 2 / "
    "100 END, date '2026-03-01', CASE WHEN g % 3 = 0 THEN NULL ELSE 'r' || g % 2 END "
    "FROM generate_series(1, 60) g; "
    "INSERT INTO refunds VALUES (61, 10, '2025-01-11', NULL), (62, 10, '2025-01-11', 'r1'), "
    "(63, 11, '2025-01-12', 'r1')"
)
REFUND_CONTENTS = (
    "SELECT md5(string_agg(format('%s|%s|%s|%s', id, payment_id, paid_on, note), ',' "
    "ORDER BY id)) FROM refunds"
)


def test_a_move_of_a_partition_whose_rows_a_foreign_key_references_fails_clearly(
    pg: PgCluster, tmp_path: Path
) -> None:
    """PostgreSQL detaches no partition whose rows another table's foreign key references
    (not even to attach it again in the same transaction): the move's detach then fails
    with a message that names the partition, where it was going, the foreign key and its
    table, and what to do; the revision rolls back whole. A partition no row references
    moves beside it, with the key kept (its copy for the partition made again by the
    attach); once the referencing rows are gone, the same revision runs; the downgrade's
    detach says the same."""
    wide = AFTER.replace("from: 2025-02-01", "from: 2025-01-01")
    after = wide + REFERENCED[len(BEFORE) :]
    case = Case(
        "moved referenced", {"schema.yaml": REFERENCED}, {"schema.yaml": after}, destructive=False
    )
    first = at_first_revision(pg, case, tmp_path, REFUND_ROWS)
    # the plan says it ahead, on the detach's line (the revision's docstring, wrapped)
    written = " ".join(" ".join(path.read_text() for path in revisions(first.root)).split())
    assert (
        "~ partition payments_2025_q1 detached from payments to move under payments_2025, "
        "its rows kept; refused while a row of foreign key fk_refunds_payment of refunds "
        "references one of its rows lock ACCESS EXCLUSIVE" in written
    ), written
    contents, tree = pg.sql(PAYMENT_CONTENTS, first.db).strip(), pg.sql(TREE, first.db).strip()
    refunds = pg.sql(REFUND_CONTENTS, first.db).strip()
    with pytest.raises(Exception) as failed:
        alembic(first.root, first.url, "upgrade", "head")
    message = " ".join(str(failed.value).split("[SQL:")[0].split())
    assert (
        "partition payments_2025_q1 cannot move under payments_2025 with its rows: foreign "
        "key fk_refunds_payment of refunds references rows of it" in message
    ), message
    assert "nothing was changed" in message and "run the migration again" in message
    # PostgreSQL names the key's copy for the partition; the message, the declared key
    assert 'removing partition "payments_2025_q1" violates foreign key constraint' in message
    assert "is still referenced from table" in message  # PostgreSQL's detail: the key
    assert pg.sql(TREE, first.db).strip() == tree
    assert pg.sql(PAYMENT_CONTENTS, first.db).strip() == contents
    assert pg.sql(REFUND_CONTENTS, first.db).strip() == refunds
    assert pg.sql(VERSION, first.db).strip() == "001"
    # the refunds of the first quarter gone, the same revision moves both quarters
    pg.sql("DELETE FROM refunds WHERE paid_on < '2026-01-01'", first.db)
    refunds = pg.sql(REFUND_CONTENTS, first.db).strip()
    alembic(first.root, first.url, "upgrade", "head")
    assert_matches_models(pg, first.db, first.models_after, [], "upgrade")
    assert pg.sql(PAYMENT_CONTENTS, first.db).strip() == contents
    assert pg.sql(REFUND_CONTENTS, first.db).strip() == refunds
    assert pg.sql(CHECKS, first.db).strip() == ""
    # the key holds for the moved partition's rows: one refund of them again...
    pg.sql("INSERT INTO refunds VALUES (70, 12, '2025-01-13', NULL)", first.db)
    with pytest.raises(subprocess.CalledProcessError):  # ...and an orphan, refused
        pg.sql("INSERT INTO refunds VALUES (71, 12, '2025-01-14', NULL)", first.db)
    copies = (
        "SELECT string_agg(format('%s>%s', conrelid::regclass, confrelid::regclass), ' ' "
        "ORDER BY confrelid::regclass::text) FROM pg_constraint WHERE contype = 'f' AND "
        "confrelid::regclass::text LIKE 'payments_2025%'"
    )  # the key's copies for the moved partitions and their new parent, made again
    assert pg.sql(copies, first.db).strip() == (
        "refunds>payments_2025 refunds>payments_2025_q1 refunds>payments_2025_q2"
    )
    with pytest.raises(Exception) as failed:
        alembic(first.root, first.url, "downgrade", "000")
    message = " ".join(str(failed.value).split("[SQL:")[0].split())
    assert (
        "partition payments_2025_q1 cannot move under payments with its rows: foreign "
        "key fk_refunds_payment of refunds references rows of it" in message
    ), message
    # the online downgrade ran (it made each quarter's check for the detach's attach)
    assert pg.sql(VERSION, first.db).strip() == "002"
    pg.sql("DELETE FROM refunds WHERE id = 70", first.db)
    alembic(first.root, first.url, "downgrade", "000")
    assert_matches_models(pg, first.db, first.models_before, [], "downgrade")
    assert pg.sql(PAYMENT_CONTENTS, first.db).strip() == contents
    assert pg.sql(REFUND_CONTENTS, first.db).strip() == refunds
