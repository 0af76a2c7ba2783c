"""``check --database`` on what a sub-partition (a partition's partition, at any depth)
holds of its own: a REPLICA IDENTITY, a statistics target or a storage set by hand.
Only a table's direct partitions were read, so such a setting on a sub-partition was
no finding: CDC reading that sub-partition sends other columns, the planner misjudges
it, its large values are stored otherwise. Each is now named by the sub-partition,
with the ``ALTER TABLE`` that restores it, and a sub-partition takes its table's
declared storage as a partition does (a database at head is clean); the tables query
reads them with the sub-partitions (no query more)."""

from __future__ import annotations

from pathlib import Path

import pytest
from migration_harness import by_hand, json_findings, live_findings, migrated_database
from pgcluster import PgCluster

SCHEMA = """
database: {name: subset}
entities:
  Payment:
    primary_key: [id, paid_on, region]
    columns:
      id: {type: bigint, primary_key: true}
      paid_on: {type: date, primary_key: true}
      region: {type: string, length: 8, primary_key: true}
      memo: {type: text, nullable: true, storage: external}
    partition_by: {range: [paid_on]}
    partitions:
      payments_2026:
        from: 2026-01-01
        to: 2027-01-01
        partition_by: {list: [region]}
        partitions:
          payments_2026_eu:
            in: [de, fr]
            partition_by: {hash: [id]}
            partitions:
              payments_2026_eu_0: {modulus: 2, remainder: 0}
              payments_2026_eu_1: {modulus: 2, remainder: 1}
          payments_2026_other: {default: true}
      payments_old: {from: MINVALUE, to: 2026-01-01}
"""

ROWS = (
    # rows in every sub-partition, NULL and repeated memos among them
    "INSERT INTO payments SELECT n, DATE '2025-12-01' + n * 3, "
    "(ARRAY['de', 'fr', 'us'])[n % 3 + 1], (ARRAY[NULL, 'm', repeat('x', 3000)])[n % 3 + 1] "
    "FROM generate_series(1, 90) n"
)


@pytest.fixture
def db(pg: PgCluster, tmp_path: Path) -> tuple[Path, str]:
    return migrated_database(pg, tmp_path, "subset", SCHEMA, ROWS)


def test_a_sub_partition_s_own_settings_are_drift(pg: PgCluster, db: tuple[Path, str]) -> None:
    root, name = db
    url = pg.url(name)
    for table in ("payments_2026_eu_0", "payments_2026_eu_1", "payments_2026_other"):
        assert int(pg.sql(f"SELECT count(*) FROM {table}", name)) > 0, table
    assert live_findings(root, url) == []  # each level took the declared storage
    by_hand(
        pg,
        name,
        [
            "ALTER TABLE payments_2026_other REPLICA IDENTITY FULL",
            "ALTER TABLE payments_2026_other ALTER COLUMN memo SET STORAGE MAIN",
            "ALTER TABLE payments_2026_eu_1 REPLICA IDENTITY FULL",
            "ALTER TABLE payments_2026_eu_1 ALTER COLUMN memo SET STATISTICS 500,"
            " ALTER COLUMN memo SET STORAGE EXTENDED",
        ],
    )
    assert sorted(live_findings(root, url)) == [
        "column payments_2026_eu_1.memo: statistics target is 500 in the database, the "
        "default in the schema (partition of payments)",
        "column payments_2026_eu_1.memo: storage is the type's own in the database, "
        "external in the schema (partition of payments)",
        "column payments_2026_other.memo: storage is main in the database, external in the "
        "schema (partition of payments)",
        "partition payments_2026_eu_1: replica identity is full in the database, default in "
        "the schema (partition of payments)",
        "partition payments_2026_other: replica identity is full in the database, default "
        "in the schema (partition of payments)",
    ]
    statements = sorted(f["hint"].split("`")[1] for f in json_findings(root, url))
    assert statements == [
        "ALTER TABLE public.payments_2026_eu_1 ALTER COLUMN memo SET STATISTICS -1",
        "ALTER TABLE public.payments_2026_eu_1 ALTER COLUMN memo SET STORAGE EXTERNAL",
        "ALTER TABLE public.payments_2026_eu_1 REPLICA IDENTITY DEFAULT",
        "ALTER TABLE public.payments_2026_other ALTER COLUMN memo SET STORAGE EXTERNAL",
        "ALTER TABLE public.payments_2026_other REPLICA IDENTITY DEFAULT",
    ]
    by_hand(pg, name, statements)  # the hints run as written: clean again
    assert live_findings(root, url) == []
    assert pg.sql("SELECT count(*) FROM payments WHERE memo IS NULL", name).strip() == "30"
