"""``check --database`` on sub-partitions (a partition partitioned in turn): a database
at head has no drift, in as many statements as one without them; a sub-partition
dropped, added or made with another bound by hand, and a partition partitioned by
another key, are reported at their level, with bounds as the server prints them
(a timestamptz key's)."""

from __future__ import annotations

from pathlib import Path

import pytest
from live_check import traced_check
from migration_harness import assert_text_findings, by_hand, live_findings, migrated_database
from pgcluster import PgCluster

SCHEMA = """
database: {name: subp}
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
      payments_2026:
        from: 2026-01-01
        to: 2027-01-01
        partition_by: {list: [region]}
        partitions:
          payments_2026_eu: {in: [de, fr]}
          payments_2026_other: {default: true}
      payments_2027:
        from: 2027-01-01
        to: 2028-01-01
        partition_by: {hash: [id]}
        partitions:
          payments_2027_0: {modulus: 2, remainder: 0}
          payments_2027_1: {modulus: 2, remainder: 1}
      payments_old: {from: MINVALUE, to: 2026-01-01}
  Entry:
    schema: audit
    primary_key: [id, kind, at]
    columns:
      id: {type: bigint, primary_key: true}
      kind: {type: text, primary_key: true}
      at: {type: timestamptz, primary_key: true}
    partition_by: {list: [kind]}
    partitions:
      entries_login:
        in: [login]
        partition_by: {range: [at]}
        partitions:
          entries_login_2026: {from: 2026-01-01, to: 2027-01-01}
          entries_login_rest: {default: true}
      entries_other: {default: true}
"""

ROWS = (
    # rows in every sub-partition, NULLs and repeated amounts among them
    "INSERT INTO payments SELECT n, DATE '2025-12-01' + n * 5, "
    "(ARRAY['de', 'fr', 'us', 'jp'])[n % 4 + 1], NULLIF(n % 3, 0) "
    "FROM generate_series(1, 120) n;"
    "INSERT INTO audit.entries SELECT n, CASE WHEN n % 2 = 0 THEN 'login' ELSE 'edit' END, "
    "TIMESTAMPTZ '2025-11-01 00:00+00' + n * INTERVAL '5 days' FROM generate_series(1, 120) n"
)


@pytest.fixture
def db(pg: PgCluster, tmp_path: Path) -> tuple[Path, str]:
    return migrated_database(pg, tmp_path, "subp", SCHEMA, ROWS)


def test_a_database_at_head_has_no_drift(
    pg: PgCluster, tmp_path: Path, db: tuple[Path, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, name = db
    for table in ("payments_2026_eu", "payments_2026_other", "payments_2027_0", "payments_2027_1"):
        assert int(pg.sql(f"SELECT count(*) FROM {table}", name)) > 0, table
    assert int(pg.sql("SELECT count(*) FROM audit.entries_login_2026", name)) > 0
    assert live_findings(root, pg.url(name)) == []
    # the sub-partitions are read in the tables' query: as many statements as without them
    flat = SCHEMA.replace("name: subp", "name: flat")
    for cut in (
        "        partition_by: {list: [region]}\n        partitions:\n"
        "          payments_2026_eu: {in: [de, fr]}\n"
        "          payments_2026_other: {default: true}\n",
        "        partition_by: {hash: [id]}\n        partitions:\n"
        "          payments_2027_0: {modulus: 2, remainder: 0}\n"
        "          payments_2027_1: {modulus: 2, remainder: 1}\n",
        "        partition_by: {range: [at]}\n        partitions:\n"
        "          entries_login_2026: {from: 2026-01-01, to: 2027-01-01}\n"
        "          entries_login_rest: {default: true}\n",
    ):
        assert cut in flat
        flat = flat.replace(cut, "")
    flat_root, flat_name = migrated_database(pg, tmp_path / "flat", "flat", flat, ROWS)
    assert traced_check(pg, root, name, monkeypatch) == traced_check(
        pg, flat_root, flat_name, monkeypatch
    )


def test_sub_partitions_changed_by_hand_are_reported(
    pg: PgCluster, db: tuple[Path, str]
) -> None:
    root, name = db
    url = pg.url(name)
    by_hand(pg, name, ["DROP TABLE payments_2026_eu"])
    missing = "partition payments_2026_eu on payments_2026: missing from the database"
    assert live_findings(root, url) == [missing]
    assert_text_findings(
        root,
        url,
        [("partition payments_2026_eu on payments_2026", "missing from the database", "undo")],
    )
    by_hand(
        pg,
        name,
        [
            # another bound for a timestamptz sub-partition: printed as the server prints it
            "ALTER TABLE audit.entries_login DETACH PARTITION audit.entries_login_2026",
            "DELETE FROM audit.entries_login_2026 WHERE at >= '2026-07-01 00:00+00'",
            "ALTER TABLE audit.entries_login ATTACH PARTITION audit.entries_login_2026 "
            "FOR VALUES FROM ('2026-01-01 00:00+00') TO ('2026-07-01 00:00+00')",
            # an extra sub-partition, and a partition made with another sub-partition key
            "CREATE TABLE payments_2026_nl PARTITION OF payments_2026 FOR VALUES IN ('nl')",
            "DROP TABLE payments_2027",
            "CREATE TABLE payments_2027 PARTITION OF payments "
            "FOR VALUES FROM ('2027-01-01') TO ('2028-01-01') PARTITION BY LIST (region)",
        ],
    )
    assert live_findings(root, url) == [
        "partition entries_login_2026 on audit.entries_login: bound is FOR VALUES FROM "
        "('2026-01-01 00:00:00+00') TO ('2026-07-01 00:00:00+00') in the database, FOR VALUES "
        "FROM ('2026-01-01 00:00:00+00') TO ('2027-01-01 00:00:00+00') in the schema",
        missing,
        "partition payments_2026_nl on payments_2026: in the database but not in the schema",
        "partition payments_2027: partitioned by LIST (region) in the database, "
        "by HASH (id) in the schema",
    ]
    assert_text_findings(
        root,
        url,
        [
            (
                "partition payments_2027",
                "partitioned by LIST (region) in the database, by HASH (id) in the schema",
                "PostgreSQL cannot change a partition key: make the partition again",
            )
        ],
    )
