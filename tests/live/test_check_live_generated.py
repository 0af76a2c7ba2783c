"""Generated stored columns against a real database: no drift after the migrations,
and a generation expression removed or changed by hand is a finding."""

from __future__ import annotations

from pathlib import Path

from migration_harness import live_findings as _findings
from migration_harness import migrated_project as _migrated
from pgcluster import PgCluster

SCHEMA = """
database: {name: t}
entities:
  Line:
    columns:
      id: {type: bigint, primary_key: true}
      price: {type: numeric, precision: 12, scale: 2}
      qty: {type: integer}
      title: {type: text}
      total: {type: numeric, precision: 14, scale: 2, generated: "price * qty"}
      search: {type: tsvector, generated: "to_tsvector('simple', title)"}
"""


def test_generated_columns_have_no_drift(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    root = _migrated(tmp_path / "p", SCHEMA, pg.url(pg_db))
    # The server prints the expressions its own way ('simple'::regconfig): still no drift.
    assert _findings(root, pg.url(pg_db)) == []
    pg.sql("ALTER TABLE lines ALTER COLUMN total DROP EXPRESSION", pg_db)
    assert _findings(root, pg.url(pg_db)) == [
        "column lines.total: generated as none in the database, "
        "(price * (qty)::numeric) in the schema"
    ]


SEQUENCES = """
database: {name: t}
sequences:
  ticket_numbers: {start: 100, increment: 10}
entities:
  Ticket:
    columns:
      id: {type: bigint, primary_key: true}
      number: {type: bigint, default: {sql: "nextval('ticket_numbers')"}}
"""


def test_sequences_have_no_drift(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    """Identity sequences stay out of it; a standalone one changed by hand is a finding."""
    root = _migrated(tmp_path / "p", SEQUENCES, pg.url(pg_db))
    assert _findings(root, pg.url(pg_db)) == []
    pg.sql("ALTER SEQUENCE ticket_numbers INCREMENT BY 1; CREATE SEQUENCE stray", pg_db)
    assert _findings(root, pg.url(pg_db)) == [
        "sequence stray: in the database but not in the schema",
        "sequence ticket_numbers: differs: increment 1 (schema: 10)",
    ]


INDEXES = """
database: {name: t}
entities:
  Booking:
    columns:
      id: {type: bigint, primary_key: true}
      email: {type: string, length: 200}
      starts_at: {type: timestamptz}
      coupon: {type: text, nullable: true}
    indexes:
      uq_bookings_email: {columns: [{expression: "lower(email)"}], unique: true}
      ix_bookings_starts: {columns: [{column: starts_at, order: desc, nulls: last}]}
      uq_bookings_coupon: {columns: [coupon], unique: true, nulls_not_distinct: true}
"""


def test_index_keys_have_no_drift(pg: PgCluster, pg_db: str, tmp_path: Path) -> None:
    """The server prints lower(email) as lower((email)::text): still no drift; a key
    order or NULLS NOT DISTINCT changed by hand is a finding."""
    root = _migrated(tmp_path / "p", INDEXES, pg.url(pg_db))
    assert _findings(root, pg.url(pg_db)) == []
    pg.sql(
        "DROP INDEX ix_bookings_starts; CREATE INDEX ix_bookings_starts ON bookings (starts_at);"
        "DROP INDEX uq_bookings_coupon;"
        "CREATE UNIQUE INDEX uq_bookings_coupon ON bookings (coupon)",
        pg_db,
    )
    assert _findings(root, pg.url(pg_db)) == [
        "index ix_bookings_starts on bookings: key order all ASC in the database, "
        "(DESC NULLS LAST) in the schema",
        "index uq_bookings_coupon on bookings: nulls_not_distinct: no in the database, "
        "yes in the schema",
    ]


KEYS = """
database: {name: t}
entities:
  Unit:
    columns:
      property_id: {type: bigint, primary_key: true}
      unit_no: {type: integer, primary_key: true}
  Booking:
    columns:
      id: {type: bigint, primary_key: true}
      property_id: {type: bigint}
      unit_no: {type: integer}
    foreign_keys:
      fk_bookings_unit:
        columns: [property_id, unit_no]
        references: Unit
        on_update: cascade
        initially_deferred: true
"""


def test_composite_deferrable_keys_have_no_drift(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    root = _migrated(tmp_path / "p", KEYS, pg.url(pg_db))
    assert _findings(root, pg.url(pg_db)) == []
    pg.sql("ALTER TABLE bookings ALTER CONSTRAINT fk_bookings_unit NOT DEFERRABLE", pg_db)
    assert _findings(root, pg.url(pg_db)) == [
        "foreign key fk_bookings_unit on bookings: DEFERRABLE: no in the database, yes in the "
        "schema",
        "foreign key fk_bookings_unit on bookings: INITIALLY DEFERRED: no in the database, yes "
        "in the schema",
    ]
