"""A partition's name is any name PostgreSQL takes but one holding a dot or a double
quote (validate.partitions, 865b068): a space, a hyphen or a capital is quoted
wherever it is written (``CREATE TABLE "payments 2026" PARTITION OF ...``), at every
level, by the migrations and by ``create_all`` alike, and ``check --database`` is
clean. A name longer than 63 bytes is a located error, exit 2: PostgreSQL cut it,
and ``check --database`` then called the partition missing and the cut one extra."""

from __future__ import annotations

from pathlib import Path

from migration_harness import (
    alembic,
    assert_matches_models,
    live_findings,
    migrated_database,
    schemagen,
    write_schema,
)
from pgcluster import PgCluster

SCHEMA = """
database: {name: oddparts}
entities:
  Payment:
    primary_key: [id, paid_on, region]
    columns:
      id: {type: bigint, primary_key: true}
      paid_on: {type: date, primary_key: true}
      region: {type: text, primary_key: true}
      note: {type: text, nullable: true}
    indexes:
      ix_payments_note: [note]
    partition_by: {range: [paid_on]}
    partitions:
      payments 2026: {from: 2026-01-01, to: 2027-01-01}
      Payments-Old: {from: MINVALUE, to: 2026-01-01}
      payments later:
        default: true
        partition_by: {list: [region]}
        partitions:
          later eu: {in: [de, fr]}
          Later Rest: {default: true}
"""

ROWS = """
INSERT INTO payments
SELECT g, DATE '2025-06-01' + g * 7, CASE WHEN g % 3 = 0 THEN 'de' ELSE 'us' END,
       CASE WHEN g % 4 = 0 THEN NULL ELSE 'n' || g % 5 END
FROM generate_series(1, 120) g;
"""

#: Each partition, quoted as regclass prints it, and the rows its bound takes.
LATER = "paid_on >= DATE '2027-01-01'"
BOUNDS = {
    '"payments 2026"': "paid_on >= DATE '2026-01-01' AND paid_on < DATE '2027-01-01'",
    '"Payments-Old"': "paid_on < DATE '2026-01-01'",
    '"later eu"': f"{LATER} AND region IN ('de', 'fr')",
    '"Later Rest"': f"{LATER} AND region NOT IN ('de', 'fr')",
}
ADDED_BOUND = "paid_on >= DATE '2028-01-01' AND paid_on < DATE '2029-01-01'"


def _holds_its_rows(pg: PgCluster, db: str, partition: str, bound: str) -> None:
    """``partition`` holds the rows of payments its ``bound`` takes, some of them with
    a NULL note, and no other."""
    mine = f"tableoid = '{partition}'::regclass"
    counts = pg.sql(
        f"SELECT count(*) FILTER (WHERE {mine}), count(*) FILTER (WHERE {bound}),"
        f" count(*) FILTER (WHERE {mine} AND note IS NULL),"
        f" count(*) FILTER (WHERE {mine} AND NOT ({bound})) FROM payments",
        db,
    ).strip()
    held, taken, nulls, strays = (int(n) for n in counts.split("|"))
    assert held == taken > 0 and nulls > 0 and strays == 0, (partition, counts)


ADDED = """
      payments 2028: {from: 2028-01-01, to: 2029-01-01}
"""


def test_partitions_named_with_spaces_and_capitals_migrate_and_check_clean(
    pg: PgCluster, tmp_path: Path
) -> None:
    root, db = migrated_database(pg, tmp_path, "oddparts", SCHEMA, ROWS)
    url = pg.url(db)
    for partition, bound in BOUNDS.items():
        _holds_its_rows(pg, db, partition, bound)
    assert live_findings(root, url) == []
    assert_matches_models(pg, db, root / "generated" / "models.py", [], "odd partition names")
    # a partition added later (made PARTITION OF under a DEFAULT holding rows) and
    # dropped again by the downgrade
    write_schema(
        root,
        {
            "schema.yaml": SCHEMA.replace(
                "\n      payments later:", ADDED.rstrip() + "\n      payments later:"
            )
        },
    )
    schemagen(root, "migrate", "-m", "h1")
    alembic(root, url, "upgrade", "head")
    assert live_findings(root, url) == []
    pg.sql(
        "INSERT INTO payments SELECT g, DATE '2028-01-01' + g, 'de', "
        "CASE WHEN g % 2 = 0 THEN 'x' END FROM generate_series(1, 10) g",
        db,
    )
    _holds_its_rows(pg, db, '"payments 2028"', ADDED_BOUND)
    assert live_findings(root, url) == []
    alembic(root, url, "downgrade", "base")
    left = (
        "SELECT count(*) FROM pg_class WHERE relname ILIKE '%payments%' OR relname ILIKE '%later%'"
    )
    assert pg.sql(left, db) == "0\n"


def test_a_partition_name_longer_than_63_bytes_is_a_located_error(tmp_path: Path) -> None:
    long_top, long_sub = "payments_" + "x" * 55, "later_" + "ü" * 30
    text = SCHEMA.replace("payments 2026:", f"{long_top}:").replace("later eu:", f"{long_sub}:")
    root = tmp_path / "p"
    write_schema(root, {"schema.yaml": text})
    out = schemagen(root, "build", expect_exit=2)
    assert out.strip().splitlines()[:2] == [
        f"schema/schema.yaml:15:7: entities.Payment.partitions.{long_top}: partition name "
        f"'{long_top}' is 64 bytes, longer than PostgreSQL's 63-byte limit for names",
        f"schema/schema.yaml:21:11: entities.Payment.partitions.payments later.partitions."
        f"{long_sub}: partition name '{long_sub}' is 66 bytes, longer than PostgreSQL's "
        "63-byte limit for names",
    ]
    assert not (root / "generated").exists()
