"""Exclusion constraints (and, below, partitioned tables) against a real database:
no drift after the migrations; a constraint dropped, changed or added by hand is
a finding, read with ``pg_get_constraintdef``."""

from __future__ import annotations

from pathlib import Path

from migration_harness import alembic, schemagen, write_schema
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
    root = tmp_path / "p"
    write_schema(root, {"s.yaml": EXCLUDES})
    schemagen(root, "migrate", "-m", "initial")
    url = pg.url(pg_db)
    alembic(root, url, "upgrade", "head")
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
