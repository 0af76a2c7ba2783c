"""``check --database`` compares a foreign key's match type: a key the YAML declares
``match: full`` that the database holds as MATCH SIMPLE (or the reverse) lets rows
through that the schema refuses, so it is a finding, on a table holding rows."""

from __future__ import annotations

from pathlib import Path

from migration_harness import live_findings, migrated_project, scratch_database
from pgcluster import PgCluster

SCHEMA = """
database: {name: rentals}
entities:
  Unit:
    columns:
      property_id: {type: bigint, primary_key: true}
      unit_no: {type: integer, primary_key: true}
  Owner:
    columns:
      id: {type: bigint, primary_key: true}
  Booking:
    columns:
      id: {type: bigint, primary_key: true}
      property_id: {type: bigint, nullable: true}
      unit_no: {type: integer, nullable: true}
      owner_id: {references: Owner, nullable: true, match: full, index: true}

    foreign_keys:
      fk_bookings_unit:
        columns: [property_id, unit_no]
        references: Unit
        match: full
    indexes:
      ix_bookings_unit: [property_id, unit_no]
  Visit:
    columns:
      id: {type: bigint, primary_key: true}
      property_id: {type: bigint, nullable: true}
      unit_no: {type: integer, nullable: true}
    foreign_keys:
      fk_visits_unit:                   # MATCH SIMPLE
        columns: [property_id, unit_no]
        references: Unit
    indexes:
      ix_visits_unit: [property_id, unit_no]
"""


def test_a_changed_match_type_is_reported(pg: PgCluster, tmp_path: Path) -> None:
    db = scratch_database(pg, "fk_match")
    root = migrated_project(tmp_path, SCHEMA, pg.url(db))
    pg.sql(
        "INSERT INTO units VALUES (1, 1), (1, 2); INSERT INTO owners VALUES (7);"
        "INSERT INTO bookings VALUES (1, 1, 1, 7), (2, 1, 1, NULL), (3, NULL, NULL, 7);"
        "INSERT INTO visits VALUES (1, 1, 2), (2, NULL, NULL)",
        db,
    )
    assert pg.sql(
        "SELECT string_agg(conname || ' ' || confmatchtype::text, ', ' ORDER BY conname) "
        "FROM pg_constraint WHERE contype = 'f'",
        db,
    ).strip() == (
        "fk_bookings_owner_id_owners f, fk_bookings_unit f, fk_visits_unit s"
    )
    assert live_findings(root, pg.url(db)) == []
    # a second session makes the keys over with the other match type
    pg.sql(
        "BEGIN; ALTER TABLE bookings DROP CONSTRAINT fk_bookings_unit;"
        "ALTER TABLE bookings ADD CONSTRAINT fk_bookings_unit FOREIGN KEY "
        "(property_id, unit_no) REFERENCES units;"
        "ALTER TABLE visits DROP CONSTRAINT fk_visits_unit;"
        "ALTER TABLE visits ADD CONSTRAINT fk_visits_unit FOREIGN KEY "
        "(property_id, unit_no) REFERENCES units MATCH FULL; COMMIT;"
        "INSERT INTO bookings VALUES (4, 1, NULL, NULL)",  # let through by MATCH SIMPLE
        db,
    )
    assert live_findings(root, pg.url(db)) == [
        "foreign key fk_bookings_unit on bookings: MATCH SIMPLE in the database, FULL in "
        "the schema",
        "foreign key fk_visits_unit on visits: MATCH FULL in the database, SIMPLE in the "
        "schema",
    ]
