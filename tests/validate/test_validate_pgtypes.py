"""PostgreSQL types by name: what validate accepts, normalizes, warns about and refuses."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from fixtures.language.helpers import issues_of, schema_of, write_project
from schemagen.cli import main
from schemagen.model.schema import Database, Schema
from schemagen.model.typemap import pg_type

TYPES = """
database: {name: t, extensions: [citext, postgis, vector]}
entities:
  Place:
    columns:
      id: {type: bigint, primary_key: true}
      a: {type: varchar(12)}
      b: {type: "double precision"}
      c: {type: "NUMERIC(10, 2)"}
      d: {type: int8}
      e: {type: citext}
      f: {type: "geometry(multipolygonz, 4326)"}
      g: {type: vector(1536)}
      h: {type: array, of: inet}
      i: {type: char(3)}
      j: {type: "timestamp with time zone"}
"""


def test_names_normalize_to_one_spelling(tmp_path: Path) -> None:
    """A synonym of a base type is that base type; other names print as format_type does."""
    schema = schema_of(tmp_path, {"s.yaml": TYPES})
    place = schema.entity("Place")
    printed = {c.name: pg_type(c.type, schema) for c in place.columns}
    assert printed == {
        "id": "bigint",
        "a": "character varying(12)",
        "b": "double precision",
        "c": "numeric(10,2)",
        "d": "bigint",
        "e": "citext",
        "f": "geometry(MultiPolygonZ,4326)",
        "g": "vector(1536)",
        "h": "inet[]",
        "i": "character(3)",
        "j": "timestamp with time zone",
    }
    assert [place.column(n).type.kind for n in "abcdj"] == [
        "string", "double", "numeric", "bigint", "timestamptz",
    ]


def test_bad_named_types_are_located_errors(tmp_path: Path) -> None:
    text = """
    entities:
      Place:
        columns:
          id: {type: bigint, primary_key: true}
          a: {type: citext}
          b: {type: vector(many)}
          c: {type: "geometry(Pointy,4326)"}
          d: {type: tsvector(3)}
    """
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        "schema/s.yaml:5:11: entities.Place.columns.a.type: type citext comes from the citext "
        "extension; add citext to database.extensions",
        "schema/s.yaml:6:11: entities.Place.columns.b.type: the parameter of vector must be a "
        "positive whole number",
        "schema/s.yaml:6:11: entities.Place.columns.b.type: type vector comes from the vector "
        "extension; add vector to database.extensions",
        "schema/s.yaml:7:11: entities.Place.columns.c.type: type geometry comes from the "
        "postgis extension; add postgis to database.extensions",
        "schema/s.yaml:7:11: entities.Place.columns.c.type: unknown geometry subtype 'Pointy'; "
        "expected one of: CircularString, CompoundCurve, CurvePolygon, Geometry, "
        "GeometryCollection, LineString, MultiCurve, MultiLineString, MultiPoint, "
        "MultiPolygon, MultiSurface, Point, Polygon, PolyhedralSurface, Tin, Triangle",
        "schema/s.yaml:8:11: entities.Place.columns.d.type: type tsvector takes no parameters",
    ]
    write_project(tmp_path, {"s.yaml": text})
    result = CliRunner().invoke(main, ["validate", "--project", str(tmp_path)])
    assert result.exit_code == 2 and "Traceback" not in result.output


def test_a_typo_of_a_language_type_stays_an_error(tmp_path: Path) -> None:
    text = """
    entities:
      Place:
        columns:
          id: {type: bigint, primary_key: true}
          e: {type: strng}
          f: {type: "not a (type"}
    """
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        "schema/s.yaml:5:11: entities.Place.columns.e.type: unknown type 'strng' (did you mean "
        "'string'?)",
        "schema/s.yaml:6:11: entities.Place.columns.f.type: unknown type 'not a (type'",
    ]


def test_a_name_validate_cannot_verify_is_a_warning(tmp_path: Path) -> None:
    text = """
    entities:
      Place:
        columns:
          id: {type: bigint, primary_key: true}
          mood: {type: mood_scale, nullable: true}
    """
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        "schema/s.yaml:5:14: warning: entities.Place.columns.mood.type: type 'mood_scale' is "
        "not a PostgreSQL type schemagen knows; it cannot be verified without a database "
        "(`schemagen check --database` does)"
    ]
    result = CliRunner().invoke(main, ["validate", "--strict", "--project", str(tmp_path)])
    assert result.exit_code != 0


def test_varchar_without_a_length(tmp_path: Path) -> None:
    """``varchar``, PostgreSQL's word, may go without a length (what ``Column(String)``
    creates); ``string`` still needs one, written directly or through an alias."""
    text = """
    types:
      handle: {type: varchar}
      label: {type: string}
    entities:
      Place:
        columns:
          id: {type: bigint, primary_key: true}
          a: {type: varchar}
          b: {type: character varying}
          c: {type: VARCHAR, default: x}
          d: {type: handle, unique: true}
          e: {type: array, of: varchar}
          f: {type: varchar, length: 5}
          g: {type: label}
          h: {type: array, of: label}
    """
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        "schema/s.yaml:14:11: entities.Place.columns.g.type: type string needs `length` (or "
        "use text, or varchar for no limit)",
        "schema/s.yaml:15:11: entities.Place.columns.h.type: type string needs `length` (or "
        "use text, or varchar for no limit)",
    ]
    text = "\n".join(line for line in text.splitlines() if "label}" not in line)
    place = schema_of(tmp_path, {"s.yaml": text}).entity("Place")
    empty = Schema(database=Database(name="t"))
    printed = {c.name: pg_type(c.type, empty) for c in place.columns}
    assert printed == {
        "id": "bigint",
        "a": "character varying",
        "b": "character varying",
        "c": "character varying",
        "d": "character varying",
        "e": "character varying[]",
        "f": "character varying(5)",
    }
