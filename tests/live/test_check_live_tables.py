"""Exclusion constraints (and, below, partitioned tables) against a real database:
no drift after the migrations; a constraint dropped, changed or added by hand is
a finding, read with ``pg_get_constraintdef``."""

from __future__ import annotations

from pathlib import Path

from migration_harness import BOOKS_ENTRIES, JANUARY, migrated_project
from migration_harness import live_findings as _findings
from pgcluster import PgCluster

EXCLUDES = """
database: {name: t, extensions: [btree_gist]}
entities:
  Booking:
    columns:
      id: {type: bigint, primary_key: true}
      room_id: {type: bigint}
      during: {type: tstzrange}
      status: {type: string, length: 20, default: booked}
      guest: {type: text}
    exclude:
      bookings_no_overlap:
        elements:
          - {column: room_id, with: "="}
          - {column: during, with: "&&"}
        where: "status <> 'cancelled'"
      bookings_one_guest_name:
        elements:
          - {expression: "lower(guest)", with: "="}
"""


def test_exclusion_constraints_have_no_drift(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    """The server prints the predicate as ((status)::text <> 'cancelled'::text): still
    no drift; a constraint changed, dropped or added by hand is a finding."""
    url = pg.url(pg_db)
    root = migrated_project(tmp_path / "p", EXCLUDES, url)
    assert _findings(root, url) == []
    pg.sql(
        "ALTER TABLE bookings DROP CONSTRAINT bookings_no_overlap;"
        "ALTER TABLE bookings ADD CONSTRAINT bookings_no_overlap "
        "EXCLUDE USING gist (room_id WITH =, during WITH &&);"
        "ALTER TABLE bookings DROP CONSTRAINT bookings_one_guest_name;"
        "ALTER TABLE bookings ADD CONSTRAINT stray EXCLUDE USING gist (room_id WITH <>)",
        pg_db,
    )
    assert _findings(root, url) == [
        "exclusion constraint bookings_one_guest_name on bookings: missing from the database",
        "exclusion constraint stray on bookings: in the database but not in the schema",
        "exclusion constraint bookings_no_overlap on bookings: definition is EXCLUDE USING "
        "gist (room_id WITH =, during WITH &&) in the database, EXCLUDE USING gist (room_id "
        "WITH =, during WITH &&) WHERE (status::text <> 'cancelled'::text) in the schema",
    ]


PARTITIONED = """
database: {name: t}
entities:
  Payment:
    primary_key: [id, paid_at]
    columns:
      id: {type: bigint, primary_key: true}
      paid_at: {type: timestamptz, primary_key: true}
      amount: {type: numeric, precision: 12, scale: 2}
    indexes:
      idx_payments_amount: [amount]
    partition_by: {range: [paid_at]}
    partitions:
      payments_2026_01: {from: "2026-01-01 00:00+00", to: "2026-02-01 00:00+00"}
      payments_2026_02: {from: "2026-02-01 00:00+00", to: "2026-03-01 00:00+00"}
      payments_rest: {default: true}
  Slot:                       # key columns named like keywords: quoted where needed
    primary_key: [id, order, time]
    columns:
      id: {type: bigint, primary_key: true}
      order: {type: integer, primary_key: true}
      time: {type: integer, primary_key: true}
    partition_by: {range: [order, time]}
    partitions:
      slots_low: {from: [0, 0], to: [100, 0]}
  Shard:
    columns:
      id: {type: integer, primary_key: true}
    partition_by: {hash: [id]}
    partitions:
      shards_0: {modulus: 2, remainder: 0}
      shards_1: {modulus: 2, remainder: 1}
"""


def test_partitioned_tables_have_no_drift(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    """Bounds print in the server's words ('2026-01-01 00:00:00+00'): no drift, and the
    partitions' own keys and index copies are not reported; a partition detached,
    another attached with a different bound and a stray one are findings."""
    url = pg.url(pg_db)
    root = migrated_project(tmp_path / "p", PARTITIONED, url)
    assert _findings(root, url) == []
    pg.sql(
        "ALTER TABLE payments DETACH PARTITION payments_2026_02;"
        "ALTER TABLE payments DETACH PARTITION payments_rest;"
        "ALTER TABLE payments ATTACH PARTITION payments_2026_02 "
        "FOR VALUES FROM ('2026-02-01 00:00+00') TO ('2026-04-01 00:00+00');"
        "CREATE TABLE payments_2026_04 PARTITION OF payments "
        "FOR VALUES FROM ('2026-04-01 00:00+00') TO ('2026-05-01 00:00+00')",
        pg_db,
    )
    assert _findings(root, url) == [
        "table payments_rest: in the database but not in the schema",
        "partition payments_rest on payments: missing from the database",
        "partition payments_2026_04 on payments: in the database but not in the schema",
        "partition payments_2026_02 on payments: bound is FOR VALUES FROM ('2026-02-01 "
        "00:00:00+00') TO ('2026-04-01 00:00:00+00') in the database, FOR VALUES FROM "
        "('2026-02-01 00:00:00+00') TO ('2026-03-01 00:00:00+00') in the schema",
    ]
    pg.sql("DROP TABLE shards; CREATE TABLE shards (id integer PRIMARY KEY)", pg_db)
    assert _findings(root, url)[-1] == (
        "table shards: partitioned by nothing in the database, by HASH (id) in the schema"
    )



def test_partitions_outside_public_have_no_drift(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    """Partitions of books.entries live in books: no drift; one detached by hand is
    missing (and a stray table of books), one attached from public is named public.x."""
    url = pg.url(pg_db)
    root = migrated_project(tmp_path / "p", BOOKS_ENTRIES % JANUARY, url)
    assert _findings(root, url) == []
    pg.sql(
        "ALTER TABLE books.entries DETACH PARTITION books.entries_2026_02;"
        "CREATE TABLE public.entries_2026_03 PARTITION OF books.entries "
        "FOR VALUES FROM ('2026-03-01') TO ('2026-04-01')",
        pg_db,
    )
    assert _findings(root, url) == [
        "table books.entries_2026_02: in the database but not in the schema",
        "partition entries_2026_02 on books.entries: missing from the database",
        "partition public.entries_2026_03 on books.entries: in the database but not in the "
        "schema",
    ]
