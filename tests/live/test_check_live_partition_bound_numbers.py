"""``check --database`` prints a declared partition bound's numbers as PostgreSQL
prints the bound (``ruleutils.c``, ``get_const_expr`` without type labels): only an
``integer`` that is not negative and a ``numeric`` with a point or an exponent stand
bare; a ``bigint``, ``smallint``, ``double precision``, a negative ``integer`` and a
``numeric`` without a point are literals (``FOR VALUES FROM ('0') TO ('1000')``).

Before, every number of those types was printed bare, so a table partitioned by a
``bigint`` key (the language's usual key type), migrated and untouched, was drift:
'partition events_a on events: bound is FOR VALUES FROM ('0') TO ('1000') in the
database, FOR VALUES FROM (0) TO (1000) in the schema'."""

from __future__ import annotations

from pathlib import Path

from migration_harness import by_hand, live_findings, migrated_database
from pgcluster import PgCluster

SCHEMA = """
database: {name: bounds}
entities:
  Event:
    primary_key: [id]
    columns:
      id: {type: bigint, primary_key: true}
    partition_by: {range: [id]}
    partitions:
      events_a: {from: 0, to: 1000}
      events_b: {from: 1000, to: MAXVALUE}
      events_neg: {from: MINVALUE, to: 0}
  Reading:
    primary_key: false
    columns:
      level: {type: smallint}
      score: {type: double, nullable: true}
      amount: {type: numeric, precision: 10, scale: 2}
      delta: {type: integer}
    partition_by: {range: [level, amount]}
    partitions:
      readings_low: {from: [-5, -1.5], to: [3, 0]}
      readings_high: {from: [3, 0], to: [9, 2.5]}
  Sample:
    primary_key: false
    columns:
      delta: {type: integer}
      score: {type: double}
    partition_by: {list: [delta]}
    partitions:
      samples_small: {in: [-2, -1, 0, 1, 2]}
      samples_rest: {default: true}
  Measure:
    primary_key: false
    columns:
      score: {type: double}
    partition_by: {range: [score]}
    partitions:
      measures_all: {from: -1.5, to: 10}
"""

ROWS = """
INSERT INTO events SELECT g FROM generate_series(-50, 2999, 7) g;
INSERT INTO readings SELECT g % 8 - 4, NULLIF(g, 3) * 0.5, (g % 4) * 0.5, g
FROM generate_series(1, 60) g WHERE g % 8 - 4 < 3;
INSERT INTO samples SELECT g % 7 - 3, g * 1.5 FROM generate_series(1, 40) g;
INSERT INTO measures SELECT g * 0.25 - 1 FROM generate_series(1, 40) g;
"""


def test_bounds_at_head_are_no_drift_and_a_changed_one_is(pg: PgCluster, tmp_path: Path) -> None:
    root, db = migrated_database(pg, tmp_path, "bounds", SCHEMA, ROWS)
    url = pg.url(db)
    assert live_findings(root, url) == []
    by_hand(
        pg,
        db,
        [
            "ALTER TABLE events DETACH PARTITION events_a",
            "DELETE FROM events_a WHERE id >= 500",
            "ALTER TABLE events ATTACH PARTITION events_a FOR VALUES FROM (0) TO (500)",
        ],
    )
    assert live_findings(root, url) == [
        "partition events_a on events: bound is FOR VALUES FROM ('0') TO ('500') in the "
        "database, FOR VALUES FROM ('0') TO ('1000') in the schema"
    ]
    assert pg.sql("SELECT count(*) FROM events", db).strip() == "365"
