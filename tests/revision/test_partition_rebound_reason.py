"""A partition whose bound changes is dropped and made again, with its own partitions
at every depth, and its rows go: the revision says so, and why, for a sub-partition
as for a partition of the table (the plan line of each step, the Destructive list of
the docstring and the DESTRUCTIVE comment each way), and what it does to rows is what
it says: the rebound subtree's rows go, the other partitions' stay."""

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
from revision_steps import at_first_revision

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
COUNTS = (
    "SELECT string_agg(format('%s=%s', t, n), ' ' ORDER BY t) FROM (SELECT "
    "tableoid::regclass::text t, count(*) n FROM payments GROUP BY 1) c"
)
CORPUS = Path(__file__).resolve().parents[1] / "corpus"
REASON = "made again: its bound changes, which PostgreSQL cannot alter in place"


@pytest.mark.parametrize(
    ("level", "after", "partition", "dropped"),
    [
        (
            "sub-partition",
            ("2026-07-01", "de, fr, nl"),
            "payments_2025_eu of payments_2025",
            "its partitions payments_2025_eu_0, payments_2025_eu_1, and their rows",
        ),
        (
            "partition",
            ("2026-01-01", "de, fr"),
            "payments_2025 of payments",
            "its partitions payments_2025_eu, payments_2025_eu_0, payments_2025_eu_1, "
            "payments_2025_rest, and their rows",
        ),
    ],
)
def test_a_rebound_partition_says_why_it_is_made_again(
    pg: PgCluster,
    tmp_path: Path,
    level: str,
    after: tuple[str, str],
    partition: str,
    dropped: str,
) -> None:
    case = Case(
        level,
        {"schema.yaml": SCHEMA % ("2026-07-01", "de, fr")},
        {"schema.yaml": SCHEMA % after},
        destructive=True,
    )
    first = at_first_revision(pg, case, tmp_path, ROWS)
    text = "\n".join(p.read_text() for p in revisions(first.root)[1:])
    flat = " ".join(text.split())
    risk = f"drops partition {partition}, {dropped} ({REASON})"
    assert f"Destructive (written with --allow-destructive): - {risk}" in flat, text
    assert f"- partition {partition} ({REASON}" in flat, text
    assert f"+ partition {partition} (FOR VALUES" in flat and f"; {REASON})" in flat, text
    # the DESTRUCTIVE comment, in the upgrade and in the downgrade
    comments = [
        " ".join(line.strip().lstrip("#").strip() for line in block.splitlines())
        for block in text.split("# DESTRUCTIVE: ")[1:]
    ]
    assert sum(1 for c in comments if " ".join(c.split()).startswith(risk)) == 2, comments
    before = pg.sql(COUNTS, first.db).strip()
    assert before == (
        "payments_2025_eu_0=180 payments_2025_eu_1=220 payments_2025_rest=200 "
        "payments_later=2"
    )
    alembic(first.root, first.url, "upgrade", "head")
    assert_matches_models(pg, first.db, first.models_after, [], "upgrade")
    # what the text says: the rebound subtree's rows go, the others' stay
    kept = "payments_2025_rest=200 payments_later=2" if level == "sub-partition" else (
        "payments_later=2"
    )
    assert pg.sql(COUNTS, first.db).strip() == kept
    alembic(first.root, first.url, "downgrade", "000")
    assert_matches_models(pg, first.db, first.models_before, [], "downgrade")
    assert pg.sql(COUNTS, first.db).strip() == kept


def test_corpus_145_names_each_move_and_its_lost_rows(tmp_path: Path) -> None:
    """Corpus 145 (partitions moved between levels, proven on rows there): its
    revisions say, in the Destructive list of the docstring, each partition that moves
    with a new bound and that it is made again empty where it goes, and the downgrade's
    comment the way back; each that moves unchanged is said to keep its rows."""
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
        "('2025-12-01'); moves here from readings_2025, made again empty)",
        "~ partition payments_2025_q2 detached from payments to move under payments_2025, "
        "its rows kept",
        "~ partition readings_2025_h1 attached to readings (FOR VALUES FROM ('2025-01-01') "
        "TO ('2025-07-01')), moved from readings_2025 with its rows",
        # the downgrade moves them back
        "# DESTRUCTIVE: drops partition payments_2025 of payments, its partitions "
        "payments_2025_q1, payments_2025_rest, and their rows (payments_2025_q1 moves to "
        "payments: made again there, empty)",
    ):
        assert said in flat, (said, text)
    assert "payments_2025_q2 of payments and its rows" not in flat, text
