"""Composite and deferrable foreign keys: the model, and the located errors."""

from __future__ import annotations

from pathlib import Path

from fixtures.language.helpers import issues_of, schema_of

BASE = """
entities:
  Unit:
    columns:
      property_id: {type: bigint, primary_key: true}
      unit_no: {type: integer, primary_key: true}
      code: {type: text}
  Booking:
    columns:
      id: {type: bigint, primary_key: true}
      property_id: {type: bigint}
      unit_no: {type: integer}
      unit_code: {type: text}
      prev_id: {references: Booking, nullable: true, initially_deferred: true}
    foreign_keys:
"""


def test_composite_and_deferrable_keys_in_the_model(tmp_path: Path) -> None:
    text = BASE + """
      fk_bookings_unit:
        columns: [property_id, unit_no]
        references: Unit
        on_update: cascade
    """
    booking = schema_of(tmp_path, {"s.yaml": text}).entity("Booking")
    fks = {fk.name: fk for fk in booking.foreign_keys}
    unit = fks["fk_bookings_unit"]
    assert (unit.columns, unit.ref_table, unit.ref_columns, unit.on_update) == (
        ("property_id", "unit_no"), "units", ("property_id", "unit_no"), "CASCADE"
    )
    prev = fks["fk_bookings_prev_id_bookings"]
    assert (prev.deferrable, prev.initially_deferred) == (True, True)


def test_bad_composite_keys_are_located_errors(tmp_path: Path) -> None:
    text = BASE + """
      fk_count:
        columns: [property_id]
        references: Unit
      fk_types:
        columns: [unit_code, unit_no]
        references: Unit
      fk_not_unique:
        columns: [property_id, unit_code]
        references: Unit
        ref_columns: [property_id, code]
      fk_missing:
        columns: [property_id, unit_number]
        references: Unti
    """
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        "schema/s.yaml:16:7: entities.Booking.foreign_keys.fk_count: 1 column(s) reference 2 "
        "column(s) of Unit (property_id, unit_no); the counts must match",
        "schema/s.yaml:20:9: entities.Booking.foreign_keys.fk_types.columns: column unit_code "
        "is text but Unit.property_id is bigint; the types must be the same or another "
        "integer type (smallint, integer, bigint)",
        "schema/s.yaml:24:9: entities.Booking.foreign_keys.fk_not_unique.references: Unit "
        "(property_id, code) is neither its primary key nor unique; PostgreSQL needs a unique "
        "constraint on the referenced columns",
        "schema/s.yaml:27:9: entities.Booking.foreign_keys.fk_missing.columns: unknown column "
        "'unit_number' (did you mean 'unit_no'?)",
        "schema/s.yaml:28:9: entities.Booking.foreign_keys.fk_missing.references: unknown "
        "entity 'Unti' (did you mean 'Unit'?)",
    ]


def test_match_type_in_the_model(tmp_path: Path) -> None:
    text = BASE.replace(
        "prev_id: {references: Booking, nullable: true, initially_deferred: true}",
        "prev_id: {references: Booking, nullable: true, match: full}",
    ) + """
      fk_bookings_unit:
        columns: [property_id, unit_no]
        references: Unit
        match: %s
    """
    for word, match in (("full", "FULL"), ("simple", None)):
        booking = schema_of(tmp_path / word, {"s.yaml": text % word}).entity("Booking")
        fks = {fk.name: fk.match for fk in booking.foreign_keys}
        # simple is PostgreSQL's default: said or not, the model is the same
        assert fks == {"fk_bookings_prev_id_bookings": "FULL", "fk_bookings_unit": match}


def test_a_bad_match_type_is_a_located_error(tmp_path: Path) -> None:
    text = BASE.replace(
        "prev_id: {references: Booking, nullable: true, initially_deferred: true}",
        "prev_id: {references: Booking, nullable: true, match: FULL}",
    ) + """
      fk_bookings_unit:
        columns: [property_id, unit_no]
        references: Unit
        match: partial
    """
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        "schema/s.yaml:13:54: entities.Booking.columns.prev_id.match: unknown value 'FULL'; "
        "expected one of: simple, full",
        "schema/s.yaml:19:9: entities.Booking.foreign_keys.fk_bookings_unit.match: unknown "
        "value 'partial'; expected one of: simple, full",
    ]
