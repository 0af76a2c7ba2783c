"""Time, timestamp and interval precision and fields: every spelling gives one type,
and what PostgreSQL would refuse or silently change is a located error."""

from __future__ import annotations

from pathlib import Path

from fixtures.language.helpers import issues_of, schema_of
from schemagen.model.schema import ColumnType


def test_spellings_are_one_type_each(tmp_path: Path) -> None:
    text = """
    types:
      ms: {type: timestamp, precision: 3}
    entities:
      Visit:
        columns:
          id: {type: bigint, primary_key: true}
          a: {type: 'timestamp(3)'}
          b: {type: 'TIMESTAMP (3) WITHOUT TIME ZONE'}
          c: {type: ms}
          d: {type: 'timestamp(6) with time zone'}
          e: {type: timestamptz, precision: 6}
          f: {type: 'time with time zone'}
          g: {type: timetz}
          h: {type: 'interval day to second(3)'}
          i: {type: 'interval day to second', precision: 3}
          j: {type: 'interval year to month'}
          k: {type: 'time(0)'}
          m: {type: timestamp}
    """
    cols = {c.name: c.type for c in schema_of(tmp_path, {"s.yaml": text}).entity("Visit").columns}
    ms = ColumnType(kind="timestamp", precision=3)
    assert cols["a"] == cols["b"] == ms and cols["c"] == ColumnType(**{**vars(ms), "alias": "ms"})
    assert cols["d"] == cols["e"] == ColumnType(kind="timestamptz", precision=6)
    assert cols["f"] == cols["g"] == ColumnType(kind="timetz")
    seconds = ColumnType(kind="interval", precision=3, fields="day to second")
    assert cols["h"] == cols["i"] == seconds
    assert cols["j"] == ColumnType(kind="interval", fields="year to month")
    assert cols["k"] == ColumnType(kind="time", precision=0)
    assert cols["m"] == ColumnType(kind="timestamp")


def test_bad_precisions_and_fields_are_located_errors(tmp_path: Path) -> None:
    text = """
    entities:
      Visit:
        columns:
          id: {type: bigint, primary_key: true}
          a: {type: 'timestamp(7)'}
          b: {type: timestamptz, precision: 9}
          c: {type: 'interval day to hour(3)'}
          d: {type: 'interval month to day'}
          e: {type: 'time(x)'}
          f: {type: date, precision: 2}
    """
    assert issues_of(tmp_path, {"s.yaml": text}) == [
        "schema/s.yaml:5:11: entities.Visit.columns.a.type: the precision of timestamp is 0 "
        "to 6, not 7",
        "schema/s.yaml:6:30: entities.Visit.columns.b.precision: the precision of timestamptz "
        "is 0 to 6, not 9",
        "schema/s.yaml:7:11: entities.Visit.columns.c.type: interval day to hour has no seconds "
        "to give a precision to; a precision needs fields that end in second (or none)",
        "schema/s.yaml:8:11: entities.Visit.columns.d.type: unknown type 'interval month to "
        "day' (interval fields are one of: year, month, day, hour, minute, second, year to "
        "month, day to hour, day to minute, day to second, hour to minute, hour to second, "
        "minute to second)",
        "schema/s.yaml:9:11: entities.Visit.columns.e.type: unknown type 'time(x)' (the "
        "precision of time is a whole number 0 to 6)",
        "schema/s.yaml:10:23: entities.Visit.columns.f.precision: `precision` applies only to "
        "type interval or numeric or time or timestamp or timestamptz or timetz, not date",
    ]
