"""The entity page says a foreign key's ``MATCH FULL``; MATCH SIMPLE (the default) is
left unsaid, as before."""

from __future__ import annotations

from pathlib import Path

from migration_harness import schemagen, write_schema

SCHEMA = """
database: {name: rentals}
entities:
  Unit:
    columns:
      property_id: {type: bigint, primary_key: true}
      unit_no: {type: integer, primary_key: true}
  Booking:
    columns:
      id: {type: bigint, primary_key: true}
      property_id: {type: bigint, nullable: true}
      unit_no: {type: integer, nullable: true}
    foreign_keys:
      fk_bookings_unit: {columns: [property_id, unit_no], references: Unit, match: full}
    indexes:
      ix_bookings_unit: [property_id, unit_no]
  Visit:
    columns:
      id: {type: bigint, primary_key: true}
      property_id: {type: bigint}
      unit_no: {type: integer}
    foreign_keys:
      fk_visits_unit: {columns: [property_id, unit_no], references: Unit, match: simple}
    indexes:
      ix_visits_unit: [property_id, unit_no]
"""


def test_the_page_says_match_full(tmp_path: Path) -> None:
    write_schema(tmp_path, {"s.yaml": SCHEMA})
    schemagen(tmp_path, "build")
    pages = tmp_path / "generated" / "docs" / "entities"
    booking = (pages / "bookings.md").read_text(encoding="utf-8")
    visit = (pages / "visits.md").read_text(encoding="utf-8")
    assert "[`units(property_id, unit_no)`](units.md), MATCH FULL (all NULL or all set), " \
        "ON DELETE NO ACTION (default)" in booking, booking
    assert "[`units(property_id, unit_no)`](units.md), ON DELETE NO ACTION (default)" in visit
    assert "MATCH" not in visit
