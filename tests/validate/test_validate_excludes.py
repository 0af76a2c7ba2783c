"""Exclusion constraints: the model, and the located errors (btree_gist where gist
compares a scalar column, a method without exclusion support, unknown columns)."""

from __future__ import annotations

from pathlib import Path

from fixtures.language.helpers import issues_of, schema_of
from schemagen.model.schema import ExcludeElement
from schemagen.model.sqltext import exclude_sql

BASE = """
database: {name: t%s}
entities:
  Booking:
    columns:
      id: {type: bigint, primary_key: true}
      room_id: {type: bigint}
      during: {type: tstzrange}
      guest: {type: text}
    exclude:
"""


def test_exclusion_constraint_in_the_model(tmp_path: Path) -> None:
    text = BASE % ", extensions: [btree_gist]" + """
      bookings_no_overlap:
        elements:
          - {column: room_id, with: "="}
          - {expression: "lower(guest)", with: "=", ops: gist_text_ops}
          - {column: during, with: "&&"}
        where: "guest <> ''"
    """
    (ex,) = schema_of(tmp_path, {"s.yaml": text}).entity("Booking").excludes
    assert ex.using == "gist"
    assert ex.elements[0] == ExcludeElement(operator="=", column="room_id")
    assert exclude_sql(ex) == (
        "EXCLUDE USING gist (room_id WITH =, (lower(guest)) gist_text_ops WITH =, "
        "during WITH &&) WHERE (guest <> '')"
    )


def test_exclusion_constraints_naming_no_column_are_located_errors(tmp_path: Path) -> None:
    text = BASE % "" + """
      unknown_column:
        elements: [{column: rooom_id, with: "="}]
        where: "status = 'x'"
      both_or_none:
        elements: [{column: during, expression: "during", with: "&&"}, {with: "&&"}]
    """
    assert issues_of(tmp_path, {"s.yaml": text}, database=False) == [
        "schema/s.yaml:12:20: entities.Booking.exclude.unknown_column.elements.0: unknown "
        "column 'rooom_id' (did you mean 'room_id'?)",
        "schema/s.yaml:13:9: entities.Booking.exclude.unknown_column.where: unknown column "
        "'status'",
        "schema/s.yaml:15:20: entities.Booking.exclude.both_or_none.elements.0: an element "
        "names a `column` or an `expression` (one of them)",
        "schema/s.yaml:15:72: entities.Booking.exclude.both_or_none.elements.1: an element "
        "names a `column` or an `expression` (one of them)",
    ]


def test_exclusion_constraints_postgresql_refuses_are_located_errors(tmp_path: Path) -> None:
    """= on a bigint under gist needs btree_gist (core gist has no operator class for
    it); gin cannot back an exclusion constraint."""
    text = BASE % "" + """
      needs_btree_gist:
        elements:
          - {column: room_id, with: "="}
          - {column: during, with: "&&"}
      gin_cannot:
        using: gin
        elements: [{column: during, with: "&&"}]
      ranges_alone_are_fine:
        elements: [{column: during, with: "&&"}]
    """
    assert issues_of(tmp_path, {"s.yaml": text}, database=False) == [
        "schema/s.yaml:13:13: entities.Booking.exclude.needs_btree_gist.elements.0: GiST on "
        "bigint column 'room_id' needs the btree_gist extension; add it to database.extensions",
        "schema/s.yaml:16:9: entities.Booking.exclude.gin_cannot.using: access method gin "
        "does not support exclusion constraints; use btree, gist, hash, spgist",
    ]
