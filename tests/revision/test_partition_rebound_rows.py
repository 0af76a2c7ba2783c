"""A partition whose bound changes keeps its rows, or the upgrade fails before any
changes: rows of it outside a narrower bound, or rows of the DEFAULT partition beside it
inside a wider one, stop the drops revision (the check that proves the new bound ahead,
made and validated outside the transaction) with a message naming the partition, the
bound and how many rows are in the way; the check is dropped again, so the database is
as it was (revision, tree, rows, no check), and the same revision runs once the rows are
dealt with. A partition becoming the DEFAULT one (a bound no check can say) is proven by
its attach, in the main transaction: where a new partition takes rows of it, the attach
fails with the count and the transaction rolls back whole."""

from __future__ import annotations

from pathlib import Path

from migration_harness import Case, alembic, assert_matches_models, revisions
from pgcluster import PgCluster
from revision_steps import at_first_revision, rows_by_partition, upgrade_failure

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
      events_2025:
        from: 2025-01-01
        to: %s
        partition_by: {list: [kind]}
        partitions:
          events_2025_a: {in: [a]}
          events_2025_rest: {default: true}
      events_2026: {from: 2026-01-01, to: %s}
%s      events_rest: {default: true}
"""
BEFORE = EVENTS % ("2026-01-01", "2026-07-01", "")
#: skewed (most rows of kind a, in 2025's first half), NULL and repeated notes, ids
#: repeated across days and kinds; 2026's first half; three rows beyond in the DEFAULT
ROWS = (
    "INSERT INTO events SELECT g / 2, date '2025-01-01' + (g % 200) * (g % 2), "
    "(ARRAY['a', 'a', 'a', 'b'])[g % 4 + 1], CASE WHEN g % 5 = 0 THEN NULL ELSE "
    "'n' || g % 3 END FROM generate_series(1, 2000) g; "
    "INSERT INTO events SELECT g, date '2025-08-01' + g, 'b', NULL FROM "
    "generate_series(1, 7) g; "
    "INSERT INTO events VALUES (1, '2026-02-01', 'a', NULL), (1, '2026-02-01', 'b', 'n1'), "
    "(2, '2026-09-01', 'a', 'n1'), (2, '2026-09-02', 'a', 'n1'), (3, '2024-05-01', 'c', NULL)"
)
COUNTS = rows_by_partition("events", "note")
CONTENTS = (
    "SELECT md5(string_agg(format('%s|%s|%s|%s', id, day, kind, note), ',' "
    "ORDER BY id, day, kind)) FROM events"
)
TREE = (
    "SELECT string_agg(relid::text || '<' || coalesce(parentrelid::text, '') || ' ' || "
    "coalesce(pg_get_expr(c.relpartbound, c.oid), ''), ',' ORDER BY level, relid::text) "
    "FROM pg_partition_tree('events') t JOIN pg_class c ON c.oid = t.relid"
)
VERSION = "SELECT coalesce((SELECT version_num FROM alembic_version), 'none')"
CHECKS = (
    "SELECT coalesce(string_agg(conrelid::regclass::text, ' '), '') FROM pg_constraint "
    "WHERE conname LIKE '%\\_move\\_bound'"
)
BEFORE_COUNTS = "events_2025_a=1500/300 events_2025_rest=507/107 events_2026=2/1 events_rest=3/1"


def _state(pg: PgCluster, db: str) -> tuple[str, ...]:
    return tuple(pg.sql(q, db).strip() for q in (COUNTS, CONTENTS, TREE, VERSION, CHECKS))


def test_rows_outside_a_narrower_bound_stop_it_before_anything_changes(
    pg: PgCluster, tmp_path: Path
) -> None:
    """events_2025 (by kind, a DEFAULT partition beside it) ends in August now, and a new
    events_2025_late takes the rest of the year: its 7 rows from August on have no place
    in it. Once they are gone, the same revision keeps the others, sub-partitions and
    all; the downgrade gives events_2025 its year back (events_2025_late dropped)."""
    late = "      events_2025_late: {from: 2025-08-01, to: 2026-01-01}\n"
    after = EVENTS % ("2025-08-01", "2026-07-01", late)
    case = Case("narrower", {"schema.yaml": BEFORE}, {"schema.yaml": after}, destructive=False)
    first = at_first_revision(pg, case, tmp_path, ROWS)
    state = _state(pg, first.db)
    assert state[0] == BEFORE_COUNTS and state[3:] == ("000", "")
    message = upgrade_failure(first)
    assert (
        "partition events_2025 cannot take its new bound FOR VALUES FROM ('2025-01-01') TO "
        "('2025-08-01') with its rows: 7 of its rows are outside it; nothing was changed" in message
    ), message
    assert 'check constraint "events_2025_move_bound"' in message  # PostgreSQL's words
    assert _state(pg, first.db) == state  # as it was: no check left, the revision 000
    pg.sql("DELETE FROM events WHERE day >= '2025-08-01' AND day < '2026-01-01'", first.db)
    kept = _state(pg, first.db)
    alembic(first.root, first.url, "upgrade", "head")
    assert_matches_models(pg, first.db, first.models_after, [], "upgrade")
    assert pg.sql(COUNTS, first.db).strip() == kept[0]
    assert pg.sql(CONTENTS, first.db).strip() == kept[1]
    assert pg.sql(CHECKS, first.db).strip() == ""
    assert "events_2025<events FOR VALUES FROM ('2025-01-01') TO ('2025-08-01')" in (
        pg.sql(TREE, first.db)
    )
    alembic(first.root, first.url, "downgrade", "000")
    assert_matches_models(pg, first.db, first.models_before, [], "downgrade")
    assert _state(pg, first.db) == kept


def test_default_rows_inside_a_wider_bound_stop_it_before_anything_changes(
    pg: PgCluster, tmp_path: Path
) -> None:
    """events_2026 takes the whole year now: the two September rows the DEFAULT
    partition events_rest holds would be inside it, which PostgreSQL refuses. Once they
    are gone, the same revision keeps every row; the downgrade shortens it again."""
    after = EVENTS % ("2026-01-01", "2027-01-01", "")
    case = Case("wider", {"schema.yaml": BEFORE}, {"schema.yaml": after}, destructive=False)
    first = at_first_revision(pg, case, tmp_path, ROWS)
    state = _state(pg, first.db)
    text = " ".join(" ".join(p.read_text() for p in revisions(first.root)).split())
    assert (
        "count rows of the DEFAULT partition in a new bound (ACCESS SHARE, scans); add "
        "check NOT VALID (ACCESS EXCLUSIVE, no scan); validate constraint" in text
    ), text
    message = upgrade_failure(first)
    assert (
        "partition events_2026 cannot take its new bound FOR VALUES FROM ('2026-01-01') TO "
        "('2027-01-01') with its rows: 2 rows of DEFAULT partition events_rest are inside "
        "it; nothing was changed" in message
    ), message
    assert _state(pg, first.db) == state
    pg.sql("DELETE FROM events WHERE day >= '2026-07-01'", first.db)
    kept = _state(pg, first.db)
    assert kept[0] == (
        "events_2025_a=1500/300 events_2025_rest=507/107 events_2026=2/1 events_rest=1/1"
    )
    alembic(first.root, first.url, "upgrade", "head")
    assert_matches_models(pg, first.db, first.models_after, [], "upgrade")
    assert (pg.sql(COUNTS, first.db).strip(), pg.sql(CONTENTS, first.db).strip()) == kept[:2]
    alembic(first.root, first.url, "downgrade", "000")
    assert_matches_models(pg, first.db, first.models_before, [], "downgrade")
    assert _state(pg, first.db) == kept


def test_rows_in_the_way_of_a_partition_rebound_with_one_under_it_stop_it(
    pg: PgCluster, tmp_path: Path
) -> None:
    """events_2025 ends in August now (events_2025_late takes the rest of the year) while
    its sub-partition events_2025_a takes kind c too: the 4 rows of kind c that the
    DEFAULT sub-partition events_2025_rest holds would be inside events_2025_a's new
    bound, then the 7 rows from August on are outside events_2025's. Each stops the drops
    revision with its count, the tree, rows and revision as they were; once both are
    gone, the same revision keeps every other row, sub-partitions and all, and the
    downgrade gives both their old bounds back."""
    late = "      events_2025_late: {from: 2025-08-01, to: 2026-01-01}\n"
    after = (EVENTS % ("2025-08-01", "2026-07-01", late)).replace("in: [a]}", "in: [a, c]}")
    case = Case("nested", {"schema.yaml": BEFORE}, {"schema.yaml": after}, destructive=False)
    kinds_c = (
        "INSERT INTO events VALUES (5, '2025-03-01', 'c', NULL), (5, '2025-03-02', 'c', NULL), "
        "(6, '2025-03-01', 'c', 'n1'), (6, '2025-03-01', 'C', 'n1')"
    )
    first = at_first_revision(pg, case, tmp_path, f"{ROWS}; {kinds_c}")
    state = _state(pg, first.db)
    assert state[0] == (
        "events_2025_a=1500/300 events_2025_rest=511/109 events_2026=2/1 events_rest=3/1"
    )
    message = upgrade_failure(first)
    assert (
        "partition events_2025_a cannot take its new bound FOR VALUES IN ('a', 'c') with its "
        "rows: 3 rows of DEFAULT partition events_2025_rest are inside it; nothing was "
        "changed" in message
    ), message
    assert _state(pg, first.db) == state
    pg.sql("DELETE FROM events WHERE kind = 'c' AND day >= '2025-01-01'", first.db)
    state = _state(pg, first.db)
    message = upgrade_failure(first)
    assert (
        "partition events_2025 cannot take its new bound FOR VALUES FROM ('2025-01-01') TO "
        "('2025-08-01') with its rows: 7 of its rows are outside it; nothing else was "
        "changed, but the checks that steps of this revision before it made are kept, "
        "validated (its rerun skips them; meanwhile each refuses rows of its bound): "
        "events_2025_a.events_2025_a_move_bound, events_2025_rest.events_2025_a_move_bound "
        "(to give the change up instead, drop them: ALTER TABLE events_2025_a DROP "
        "CONSTRAINT events_2025_a_move_bound; ALTER TABLE events_2025_rest DROP CONSTRAINT "
        "events_2025_a_move_bound): move or delete those rows" in message
    ), message
    # as it was but the check of events_2025_a and that of the DEFAULT sub-partition
    # beside it, both validated, which the rerun takes as made (the message says so:
    # before, it said that nothing was changed)
    assert _state(pg, first.db)[:4] == state[:4]
    assert sorted(pg.sql(CHECKS, first.db).split()) == ["events_2025_a", "events_2025_rest"]
    pg.sql("DELETE FROM events WHERE day >= '2025-08-01' AND day < '2026-01-01'", first.db)
    kept = _state(pg, first.db)
    assert kept[0] == (
        "events_2025_a=1500/300 events_2025_rest=501/100 events_2026=2/1 events_rest=3/1"
    )
    alembic(first.root, first.url, "upgrade", "head")
    assert_matches_models(pg, first.db, first.models_after, [], "upgrade")
    assert (pg.sql(COUNTS, first.db).strip(), pg.sql(CONTENTS, first.db).strip()) == kept[:2]
    assert pg.sql(CHECKS, first.db).strip() == ""
    tree = pg.sql(TREE, first.db)
    assert "events_2025<events FOR VALUES FROM ('2025-01-01') TO ('2025-08-01')" in tree
    assert "events_2025_a<events_2025 FOR VALUES IN ('a', 'c')" in tree
    alembic(first.root, first.url, "downgrade", "000")
    assert_matches_models(pg, first.db, first.models_before, [], "downgrade")
    assert _state(pg, first.db)[:3] == (kept[0], kept[1], state[2])
    assert _state(pg, first.db)[3:] == ("000", "")


NOTES = """
database: {name: ledger}
entities:
  Note:
    primary_key: [id, kind]
    columns:
      id: {type: bigint, primary_key: true}
      kind: {type: string, length: 8, primary_key: true}
      body: {type: text, nullable: true}
    partition_by: {list: [kind]}
    partitions:
      notes_a: {in: [a]}
%s"""
#: notes_other holds b and c; it becomes the DEFAULT partition (and back)
OTHER = "      notes_other: {in: [b, c]}\n"
DEFAULT = "      notes_other: {default: true}\n"
NOTE_ROWS = (
    "INSERT INTO notes SELECT g, (ARRAY['a', 'b', 'b', 'b', 'c'])[g % 5 + 1], "
    "CASE WHEN g % 3 = 0 THEN NULL ELSE 'x' END FROM generate_series(1, 500) g"
)
NOTE_COUNTS = rows_by_partition("notes", "body")
NOTE_TREE = (
    "SELECT string_agg(relid::text || ' ' || coalesce(pg_get_expr(c.relpartbound, c.oid), "
    "''), ',' ORDER BY relid::text) FROM pg_partition_tree('notes') t JOIN pg_class c ON "
    "c.oid = t.relid"
)


def test_a_partition_becomes_the_default_one_and_back_with_its_rows(
    pg: PgCluster, tmp_path: Path
) -> None:
    case = Case(
        "to default",
        {"schema.yaml": NOTES % OTHER},
        {"schema.yaml": NOTES % DEFAULT},
        destructive=False,
    )
    first = at_first_revision(pg, case, tmp_path, NOTE_ROWS)
    counts = pg.sql(NOTE_COUNTS, first.db).strip()
    assert counts == "notes_a=100/33 notes_other=400/133"
    alembic(first.root, first.url, "upgrade", "head")
    assert_matches_models(pg, first.db, first.models_after, [], "upgrade")
    assert pg.sql(NOTE_COUNTS, first.db).strip() == counts
    assert "notes_other DEFAULT" in pg.sql(NOTE_TREE, first.db)
    pg.sql("INSERT INTO notes VALUES (900, 'z', NULL)", first.db)  # the DEFAULT's now
    pg.sql("DELETE FROM notes WHERE id = 900", first.db)
    alembic(first.root, first.url, "downgrade", "000")
    assert_matches_models(pg, first.db, first.models_before, [], "downgrade")
    assert pg.sql(NOTE_COUNTS, first.db).strip() == counts
    assert "notes_other FOR VALUES IN ('b', 'c')" in pg.sql(NOTE_TREE, first.db)


def test_a_default_partition_over_rows_a_new_partition_takes_fails_in_the_transaction(
    pg: PgCluster, tmp_path: Path
) -> None:
    """notes_other becomes the DEFAULT partition as a new notes_c takes kind c: its 100
    rows of kind c have no place in it. No check can say a DEFAULT bound ahead, so the
    attach, in the main transaction, finds them; the message counts them and the
    transaction rolls back whole."""
    after = NOTES % (DEFAULT + "      notes_c: {in: [c]}\n")
    case = Case("taken", {"schema.yaml": NOTES % OTHER}, {"schema.yaml": after})
    first = at_first_revision(pg, case, tmp_path, NOTE_ROWS)
    state = (pg.sql(NOTE_COUNTS, first.db), pg.sql(NOTE_TREE, first.db))
    message = upgrade_failure(first)
    assert (
        "partition notes_other cannot take its bound DEFAULT under notes with its rows (it "
        "had FOR VALUES IN ('b', 'c')): 100 of its rows are outside its place there "
        "(DEFAULT of notes_other); nothing was changed (the revision rolled back whole)" in message
    ), message
    assert (pg.sql(NOTE_COUNTS, first.db), pg.sql(NOTE_TREE, first.db)) == state
    assert pg.sql(VERSION, first.db).strip() == "000"  # no drops revision: no check can serve
