"""``check --database`` tells a partition whose name holds a dot from one in another
PostgreSQL schema: inside a partition tree a partition of its table's schema is named
bare and one of another schema ``schema.name``, each part holding a dot (or a double
quote) quoted as PostgreSQL quotes it, as a table's key is (live.introspect).

Before, ``public."archive.events_old"`` and ``archive.events_old``, both partitions
of ``events``, were both named ``archive.events_old``: the tree folded the two into
one, so one of them was never reported (at every level of the tree)."""

from __future__ import annotations

from pathlib import Path

from migration_harness import assert_text_findings, by_hand, live_findings, migrated_database
from pgcluster import PgCluster

SCHEMA = """
database: {name: dottedparts}
entities:
  Event:
    primary_key: [id, kind]
    columns:
      id: {type: integer, primary_key: true}
      kind: {type: text, primary_key: true}
      note: {type: text, nullable: true}
    partition_by: {range: [id]}
    partitions:
      events_2025: {from: 0, to: 1000}
      events_2026:
        from: 1000
        to: 2000
        partition_by: {list: [kind]}
        partitions:
          events_2026_a: {in: [a]}
          events_2026_rest: {default: true}
  Entry:
    schema: audit
    primary_key: [id]
    columns:
      id: {type: integer, primary_key: true}
    partition_by: {range: [id]}
    partitions:
      entries_low: {from: 0, to: 100}
"""

ROWS = """
INSERT INTO events SELECT g, CASE WHEN g % 3 = 0 THEN 'a' ELSE 'z' END,
       CASE WHEN g % 4 = 0 THEN NULL ELSE 'n' || g % 5 END
FROM generate_series(0, 1999, 7) g;
INSERT INTO audit.entries SELECT g FROM generate_series(0, 99) g;
"""

#: Two partitions made by hand at each level, one in schema archive, one of the
#: table's schema whose name is the other's schema.name; one whose name holds a dot
#: in audit, its table's schema, with a replica identity of its own; rows in each.
BY_HAND = [
    "CREATE SCHEMA archive",
    "CREATE TABLE archive.events_old PARTITION OF events FOR VALUES FROM (-1000) TO (-500)",
    'CREATE TABLE public."archive.events_old" PARTITION OF events '
    "FOR VALUES FROM (-500) TO (0)",
    "CREATE TABLE archive.events_2026_b PARTITION OF events_2026 FOR VALUES IN ('b')",
    'CREATE TABLE public."archive.events_2026_b" PARTITION OF events_2026 '
    "FOR VALUES IN ('c')",
    "INSERT INTO events SELECT -g, 'x', NULL FROM generate_series(1, 999, 3) g",
    "INSERT INTO events SELECT g, CASE WHEN g % 2 = 0 THEN 'b' ELSE 'c' END, 'm' "
    "FROM generate_series(1001, 1999, 5) g",
    'CREATE TABLE audit."x.y" PARTITION OF audit.entries FOR VALUES FROM (100) TO (200)',
    'ALTER TABLE audit."x.y" REPLICA IDENTITY FULL',
    "INSERT INTO audit.entries SELECT g FROM generate_series(100, 149) g",
]


def test_a_partition_named_with_a_dot_is_another_partition(
    pg: PgCluster, tmp_path: Path
) -> None:
    root, db = migrated_database(pg, tmp_path, "dottedparts", SCHEMA, ROWS)
    url = pg.url(db)
    assert live_findings(root, url) == []
    by_hand(pg, db, BY_HAND)
    extra = "in the database but not in the schema"
    assert sorted(live_findings(root, url)) == [
        f'partition "archive.events_2026_b" on events_2026: {extra}',
        f'partition "archive.events_old" on events: {extra}',
        f'partition "x.y" on audit.entries: {extra}',
        f"partition archive.events_2026_b on events_2026: {extra}",
        f"partition archive.events_old on events: {extra}",
        'partition audit."x.y": replica identity is full in the database, default in the '
        "schema (partition of audit.entries)",
    ]
    # its hint names it by its schema and name
    assert_text_findings(
        root,
        url,
        [
            (
                'partition audit."x.y"',
                "replica identity is full in the database, default in the schema "
                "(partition of audit.entries)",
                'ALTER TABLE audit."x.y" REPLICA IDENTITY DEFAULT',
            )
        ],
    )
    for table, rows in (
        ('public."archive.events_old"', 167),
        ("archive.events_old", 166),
        ('public."archive.events_2026_b"', 100),
        ("archive.events_2026_b", 100),
        ('audit."x.y"', 50),
    ):
        assert pg.sql(f"SELECT count(*) FROM {table}", db).strip() == str(rows), table
