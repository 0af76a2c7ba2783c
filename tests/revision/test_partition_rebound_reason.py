"""A partition whose bound changes keeps its rows, with its own partitions at every
depth: it is detached and attached again with its new bound, in the main transaction,
its bound proven ahead by a check validated in the drops revision (so the attach reads
no row under its lock). The revision says so, for a sub-partition as for a partition of
the table (the plan line of each step, no Destructive list, no DESTRUCTIVE comment), and
what it does to rows is what it says: every row stays, where it was, each way."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from migration_harness import (
    Case,
    alembic,
    assert_matches_models,
    generate,
    load_case,
    revisions,
)
from pgcluster import PgCluster
from revision_steps import at_first_revision, rows_by_partition

SCHEMA = """
database: {name: ledger}
entities:
  Payment:
    primary_key: [id, paid_on, region]
    columns:
      id: {type: bigint, primary_key: true}
      paid_on: {type: date, primary_key: true}
      region: {type: string, length: 8, primary_key: true}
      amount: {type: integer, nullable: true}
    partition_by: {range: [paid_on]}
    partitions:
      payments_2025:
        from: 2025-01-01
        to: %s
        partition_by: {list: [region]}
        partitions:
          payments_2025_eu:
            in: [%s]
            partition_by: {hash: [id]}
            partitions:
              payments_2025_eu_0: {modulus: 2, remainder: 0}
              payments_2025_eu_1: {modulus: 2, remainder: 1}
          payments_2025_rest: {default: true}
      payments_later: {from: 2026-07-01, to: MAXVALUE}
"""
#: rows in every leaf: NULL amounts, an amount repeated, ids repeated across regions
ROWS = (
    "INSERT INTO payments SELECT g % 40, date '2025-01-01' + g % 300, "
    "(ARRAY['de', 'fr', 'us'])[g % 3 + 1], CASE WHEN g % 4 = 0 THEN NULL ELSE 7 END "
    "FROM generate_series(1, 600) g; "
    "INSERT INTO payments VALUES (1, '2027-01-01', 'de', NULL), (2, '2027-01-01', 'de', 7)"
)
COUNTS = rows_by_partition("payments", "amount")
CONTENTS = (
    "SELECT md5(string_agg(format('%s|%s|%s|%s', id, paid_on, region, amount), ',' "
    "ORDER BY id, paid_on, region)) FROM payments"
)
#: the checks that prove a partition's new bound ahead (AddBoundCheck), where left
CHECKS = (
    "SELECT coalesce(string_agg(conrelid::regclass::text, ' '), '') FROM pg_constraint "
    "WHERE conname LIKE '%\\_move\\_bound'"
)
CORPUS = Path(__file__).resolve().parents[1] / "corpus"


@pytest.mark.parametrize(
    ("level", "after", "partition", "parent", "bound", "was"),
    [
        (
            "sub-partition",
            ("2026-07-01", "de, fr, nl"),
            "payments_2025_eu",
            "payments_2025",
            "FOR VALUES IN ('de', 'fr', 'nl')",
            "FOR VALUES IN ('de', 'fr')",
        ),
        (
            "partition",
            ("2026-01-01", "de, fr"),
            "payments_2025",
            "payments",
            "FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')",
            "FOR VALUES FROM ('2025-01-01') TO ('2026-07-01')",
        ),
    ],
)
def test_a_rebound_partition_keeps_its_rows_and_says_so(
    pg: PgCluster,
    tmp_path: Path,
    level: str,
    after: tuple[str, str],
    partition: str,
    parent: str,
    bound: str,
    was: str,
) -> None:
    case = Case(
        level,
        {"schema.yaml": SCHEMA % ("2026-07-01", "de, fr")},
        {"schema.yaml": SCHEMA % after},
        destructive=False,
    )
    first = at_first_revision(pg, case, tmp_path, ROWS)
    text = "\n".join(p.read_text() for p in revisions(first.root)[1:])
    flat = " ".join(text.split())
    assert "Destructive" not in flat and "DESTRUCTIVE" not in flat, text
    for said in (
        f"+ check {partition}_move_bound on partition {partition}: its new bound ({bound}), "
        "validated ahead so that its attach reads no row under lock (a new row outside it "
        "is refused from then on)",
        f"~ partition {partition} detached from {parent} to be attached again with {bound}, "
        "its rows kept",
        f"~ partition {partition} attached to {parent} again ({bound}, partitioned by",
        f"its bound was {was}, with its rows",
        "attach partition, bound implied by a check validated ahead (ACCESS EXCLUSIVE, no "
        "scan)",
    ):
        assert said in flat, (said, text)
    counts = pg.sql(COUNTS, first.db).strip()
    assert counts == (
        "payments_2025_eu_0=180/50 payments_2025_eu_1=220/50 payments_2025_rest=200/50 "
        "payments_later=2/1"
    )
    contents = pg.sql(CONTENTS, first.db).strip()
    alembic(first.root, first.url, "upgrade", "head")
    assert_matches_models(pg, first.db, first.models_after, [], "upgrade")
    # what the text says: every row stays where it was, no check left behind
    assert pg.sql(COUNTS, first.db).strip() == counts
    assert pg.sql(CONTENTS, first.db).strip() == contents
    assert pg.sql(CHECKS, first.db).strip() == ""
    alembic(first.root, first.url, "downgrade", "000")
    assert_matches_models(pg, first.db, first.models_before, [], "downgrade")
    assert pg.sql(COUNTS, first.db).strip() == counts
    assert pg.sql(CONTENTS, first.db).strip() == contents
    assert pg.sql(CHECKS, first.db).strip() == ""


def test_corpus_145_names_each_move_and_its_lost_rows(tmp_path: Path) -> None:
    """Corpus 145 (partitions moved between levels, proven on rows there): its
    revisions say, in the Destructive list of the docstring, each partition that moves
    with a new partition key and that it is made again empty where it goes, and the
    downgrade's comment the way back; each that moves with its key is said to keep its
    rows."""
    case = load_case(CORPUS / "145_partition_moved_between_levels")
    generate(case, tmp_path / "project")
    text = "\n".join(p.read_text() for p in revisions(tmp_path / "project")[1:])
    # a DESTRUCTIVE comment's lines after its first go on after '#   '
    flat = " ".join(re.sub(r"\n\s*#   ", " ", text).split())
    for said in (
        "- drops partition payments_2025_q1 of payments and its rows (moves to "
        "payments_2025: made again there, empty)",
        "- drops partition readings_2025 of readings, its partitions readings_2025_h2, "
        "and their rows (readings_2025_h2 moves to readings: made again there, empty)",
        "+ partition payments_2025 of payments (FOR VALUES FROM ('2025-01-01') TO "
        "('2026-01-01'), partitioned by RANGE (paid_on); payments_2025_q1 moves here "
        "from payments, made again empty)",
        "+ partition readings_2025_h2 of readings (FOR VALUES FROM ('2025-07-01') TO "
        "('2026-01-01'), partitioned by RANGE (day); moves here from readings_2025, made "
        "again empty)",
        "~ partition payments_2025_q2 detached from payments to move under payments_2025, "
        "its rows kept",
        "~ partition readings_2025_h1 attached to readings (FOR VALUES FROM ('2025-01-01') "
        "TO ('2025-07-01')), moved from readings_2025 with its rows",
        # the downgrade moves them back
        "# DESTRUCTIVE: drops partition payments_2025 of payments, its partitions "
        "payments_2025_q1, payments_2025_q1_all, payments_2025_rest, and their rows "
        "(payments_2025_q1 moves to payments: made again there, empty)",
    ):
        assert said in flat, (said, text)
    assert "payments_2025_q2 of payments and its rows" not in flat, text


def test_a_partition_rebound_with_one_under_it_keeps_every_row(
    pg: PgCluster, tmp_path: Path
) -> None:
    """payments_2025 ends earlier while its sub-partition payments_2025_eu takes nl too:
    payments_2025_eu is detached from payments_2025 (still attached), then payments_2025
    from payments; payments_2025 is attached again with its new bound, then
    payments_2025_eu to it with its own. Each bound is proven ahead by its check (the
    sub-partition holds its parent's from its detach; its attach drops it), so nothing
    is destructive and every row stays where it was, each way; no check is left."""
    case = Case(
        "nested",
        {"schema.yaml": SCHEMA % ("2026-07-01", "de, fr")},
        {"schema.yaml": SCHEMA % ("2026-01-01", "de, fr, nl")},
        destructive=False,
    )
    first = at_first_revision(pg, case, tmp_path, ROWS)
    text = "\n".join(p.read_text() for p in revisions(first.root)[1:])
    flat = " ".join(re.sub(r"\n\s*#   ", " ", text).split())
    assert "Destructive" not in flat and "DESTRUCTIVE" not in flat, text
    assert "made again" not in flat, text
    outer = "FOR VALUES FROM ('2025-01-01') TO ('2026-01-01')"
    inner = "FOR VALUES IN ('de', 'fr', 'nl')"
    steps = [
        f"+ check payments_2025_eu_move_bound on partition payments_2025_eu: its new bound "
        f"({inner})",
        f"+ check payments_2025_move_bound on partition payments_2025: its new bound ({outer})",
        # the one under it detached first, from its parent still attached, and attached
        # after it, to it attached again
        "~ partition payments_2025_eu detached from payments_2025 to be attached again with "
        f"{inner}, its rows kept",
        f"~ partition payments_2025 detached from payments to be attached again with {outer}, "
        "its rows kept",
        f"~ partition payments_2025 attached to payments again ({outer}, partitioned by LIST "
        "(region)), its bound was FOR VALUES FROM ('2025-01-01') TO ('2026-07-01'), with its "
        "rows",
        f"~ partition payments_2025_eu attached to payments_2025 again ({inner}, partitioned "
        "by HASH (id)), its bound was FOR VALUES IN ('de', 'fr'), with its rows",
    ]
    for said in steps:
        assert said in flat, (said, text)
    assert [flat.index(said) for said in steps] == sorted(flat.index(said) for said in steps)
    counts = pg.sql(COUNTS, first.db).strip()
    assert counts == (
        "payments_2025_eu_0=180/50 payments_2025_eu_1=220/50 payments_2025_rest=200/50 "
        "payments_later=2/1"
    )
    contents = pg.sql(CONTENTS, first.db).strip()
    tree = (
        "SELECT string_agg(relid::text || ' ' || coalesce(pg_get_expr(c.relpartbound, c.oid), "
        "''), ', ' ORDER BY relid::text) FROM pg_partition_tree('payments') t JOIN pg_class c "
        "ON c.oid = t.relid WHERE relid::text IN ('payments_2025', 'payments_2025_eu')"
    )
    # what the plan says of both attaches: their checks imply their places, so the main
    # revision reads none of their rows (sequential scans of the leaves counted around
    # it), nor those of the DEFAULT partition beside payments_2025_eu, whose check made
    # ahead excludes its new bound (PostgreSQL reads it for rows of that bound without)
    scans = (
        "SELECT string_agg(relname || '=' || seq_scan, ' ' ORDER BY relname) FROM "
        "pg_stat_user_tables WHERE relname LIKE 'payments\\_2025\\_%'"
    )
    assert first.heads == ["000", "001", "002", "003"]
    alembic(first.root, first.url, "upgrade", "001")
    read = dict(pair.split("=") for pair in pg.sql(scans, first.db).split())
    assert "attach partition: the DEFAULT partition beside it read" not in flat, text
    alembic(first.root, first.url, "upgrade", "002")
    assert dict(pair.split("=") for pair in pg.sql(scans, first.db).split()) == read
    alembic(first.root, first.url, "upgrade", "head")
    assert_matches_models(pg, first.db, first.models_after, [], "upgrade")
    assert pg.sql(COUNTS, first.db).strip() == counts
    assert pg.sql(CONTENTS, first.db).strip() == contents
    assert pg.sql(CHECKS, first.db).strip() == ""
    assert pg.sql(tree, first.db).strip() == f"payments_2025 {outer}, payments_2025_eu {inner}"
    alembic(first.root, first.url, "downgrade", "000")
    assert_matches_models(pg, first.db, first.models_before, [], "downgrade")
    assert pg.sql(COUNTS, first.db).strip() == counts
    assert pg.sql(CONTENTS, first.db).strip() == contents
    assert pg.sql(CHECKS, first.db).strip() == ""
    assert pg.sql(tree, first.db).strip() == (
        "payments_2025 FOR VALUES FROM ('2025-01-01') TO ('2026-07-01'), "
        "payments_2025_eu FOR VALUES IN ('de', 'fr')"
    )
