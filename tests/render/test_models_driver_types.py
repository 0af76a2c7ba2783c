"""Types whose values the generated models hold as text (``Mapped[str]``), written and
read with psycopg 3 (sync) and asyncpg (async), compared and filtered, on rows
holding NULLs and duplicates: the same str from both drivers.

- jsonpath: SQLAlchemy's JSONPATH is the type of a path given to ``#>`` (a list of
  keys), whose bind processor wrote None as ``'{}'`` (psycopg: 'syntax error at or
  near "{" of jsonpath input') or ``[]`` (asyncpg: 'expected str, got list');
- money and jsonpath: SQLAlchemy 2.1's MONEY and JSONPATH say no operator class, so
  every comparison warned (an error in this suite);
- point (and the other geometric types), pg_lsn, bit and bit varying, and arrays of
  them: asyncpg decodes them into its own classes (Point, int, BitString) and refuses
  a str for them, where psycopg gives and takes their text."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

from driver_round_trip import both_drivers, generated_modules
from migration_harness import migrated_project
from pgcluster import PgCluster

SCHEMA = """\
database: {name: kinds}
domains:
  spot: {type: point}
  flags3: {type: "bit(3)"}
entities:
  Reading:
    columns:
      id: {type: bigint, primary_key: true}
      path: {type: jsonpath, nullable: true}
      cost: {type: money, nullable: true}
      costs: {type: array, of: money, nullable: true}
      at: {type: point, nullable: true}
      ats: {type: array, of: point, nullable: true}
      area: {type: box, nullable: true}
      areas: {type: array, of: box, nullable: true}
      lsn: {type: pg_lsn, nullable: true}
      lsns: {type: array, of: pg_lsn, nullable: true}
      flags: {type: "bit(3)", nullable: true}
      flagss: {type: array, of: "bit(3)", nullable: true}
      mask: {type: "bit varying(8)", nullable: true}
      masks: {type: array, of: "bit varying(8)", nullable: true}
      home: {type: spot, nullable: true}
      homes: {type: array, of: spot, nullable: true}
      bits: {type: flags3, nullable: true}
"""
COLUMNS = ("path", "cost", "costs", "at", "ats", "area", "areas", "lsn", "lsns", "flags",
           "flagss", "mask", "masks", "home", "homes", "bits")
P = '$."a"[*]?(@ > 1)'
BOX = "(3,4),(1,2)"  # box's array delimiter is ';'
ROWS: list[tuple[Any, ...]] = [
    (1, P, "$1,234.50", ["$1.00", None], "(1,2)", ["(1,2)", None], BOX, [BOX, BOX],
     "16/B374D848", ["0/0", None], "101", ["101", None], "1101", ["1", None], "(1,2)",
     ["(3,4)"], "011"),
    (2, *[None] * len(COLUMNS)),
    (3, "$", "$0.00", [], "(0.5,-2)", [], "(1,1),(0,0)", [], "0/10", [], "000", [], "", [],
     "(0,0)", [], "111"),
    (4, None, "$1,234.50", [None], None, [None], None, [None], None, [None], None, [None],
     None, [None], None, [None], None),
    (5, P, "$1,234.50", ["$1.00", None], "(1,2)", ["(1,2)", None], BOX, [BOX, BOX],
     "16/B374D848", ["0/0", None], "101", ["101", None], "1101", ["1", None], "(1,2)",
     ["(3,4)"], "011"),  # row 1 again
]


def _readings(m: ModuleType, ids: set[int]) -> list[Any]:
    return [m.Reading(id=row[0], **dict(zip(COLUMNS, row[1:], strict=True)))
            for row in ROWS if row[0] in ids]


def _queries(m: ModuleType) -> dict[str, Any]:
    from sqlalchemy import func, literal, select
    from sqlalchemy.dialects.postgresql import JSONB

    r = m.Reading
    ids = select(r.id).order_by(r.id)
    doc = literal({"a": [1, 2, 3]}, JSONB)
    return {
        "rows": select(r).order_by(r.id),
        # jsonpath has no = in PostgreSQL; a path is used by the functions that take one
        "path_used": select(func.jsonb_path_query_array(doc, r.path, type_=JSONB))
        .order_by(r.id),
        "path_null": ids.where(r.path.is_(None)),
        "cost_equal": ids.where(r.cost == "$1,234.50"),
        "cost_above": ids.where(r.cost > "$1.00"),
        "cost_in": ids.where(r.cost.in_(["$0.00", "$9.99"])),
        "costs_length": select(func.cardinality(r.costs)).order_by(r.id),
        "lsn_above": ids.where(r.lsn > "0/10"),
        "flags_equal": ids.where(r.flags == "101"),
        "bits_equal": ids.where(r.bits == "111"),
        "mask_in": ids.where(r.mask.in_(["", "1"])),
        "first_lsn": select(r.lsns[1]).order_by(r.id),
        "first_area": select(r.areas[1]).order_by(r.id),
    }


def _shape(result: dict[str, Any]) -> dict[str, Any]:
    rows = [(r.id, *(getattr(r, c) for c in COLUMNS)) for r in result.pop("rows")]
    return {"rows": rows, **result}


EXPECTED = {
    "rows": ROWS,
    "path_used": [[2, 3], None, [{"a": [1, 2, 3]}], None, [2, 3]],
    "path_null": [2, 4],
    "cost_equal": [1, 4, 5],
    "cost_above": [1, 4, 5],
    "cost_in": [3],
    "costs_length": [2, None, 0, 1, 2],
    "lsn_above": [1, 5],
    "flags_equal": [1, 5],
    "bits_equal": [3],
    "mask_in": [3],
    "first_lsn": ["0/0", None, None, None, "0/0"],
    "first_area": [BOX, None, None, None, BOX],
}


def test_text_valued_types_give_the_same_str_with_both_drivers(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    url = pg.url(pg_db)
    root = migrated_project(tmp_path / "p", SCHEMA, url)
    with generated_modules(root, url) as (m, database):
        # rows 1, 3 and 5 through psycopg, 2 and 4 through asyncpg
        read = both_drivers(database, _readings(m, {1, 3, 5}), _readings(m, {2, 4}), _queries(m))
        read_sync, read_async = map(_shape, read)
    assert read_sync == EXPECTED
    assert read_async == EXPECTED
    assert pg.sql(f"SELECT {', '.join(COLUMNS)} FROM readings ORDER BY id", pg_db) == (
        '$."a"[*]?(@ > 1)|$1,234.50|{$1.00,NULL}|(1,2)|{"(1,2)",NULL}|(3,4),(1,2)'
        "|{(3,4),(1,2);(3,4),(1,2)}|16/B374D848|{0/0,NULL}|101|{101,NULL}|1101|{1,NULL}"
        '|(1,2)|{"(3,4)"}|011\n'
        "|||||||||||||||\n"
        "$|$0.00|{}|(0.5,-2)|{}|(1,1),(0,0)|{}|0/10|{}|000|{}||{}|(0,0)|{}|111\n"
        "|$1,234.50|{NULL}||{NULL}||{NULL}||{NULL}||{NULL}||{NULL}||{NULL}|\n"
        '$."a"[*]?(@ > 1)|$1,234.50|{$1.00,NULL}|(1,2)|{"(1,2)",NULL}|(3,4),(1,2)'
        "|{(3,4),(1,2);(3,4),(1,2)}|16/B374D848|{0/0,NULL}|101|{101,NULL}|1101|{1,NULL}"
        '|(1,2)|{"(3,4)"}|011\n'
    )
