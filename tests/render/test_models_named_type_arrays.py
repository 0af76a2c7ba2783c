"""Arrays of types that psycopg knows no loader for by oid, through the generated
models: an extension's type (citext, ltree, cube, PostGIS geometry), a type the schema
names that only the database defines (``tag_label``), and arrays of domains over such
types. psycopg returned each array's text (``'{a,B}'``), which ARRAY read as a list of
characters (a geometry array failed); asyncpg returned lists. Both drivers must give
the same lists, empty lists, NULL arrays and NULL elements included, and filters on the
columns must keep the element type's own operators (citext's ``=`` ignores case)."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

from driver_round_trip import both_drivers, generated_modules
from migration_harness import migrated_project
from pgcluster import PgCluster

# tag_label is made by hand before the migration: the schema names it, the database
# defines it (validate warns about a name it does not know).
SCHEMA = """\
database: {name: shelf, extensions: [citext, ltree, cube, postgis]}
domains:
  email: {type: citext, checks: {email_has_at: "VALUE LIKE '%@%'"}}
  tag_ref: {type: tag_label}
  place: {type: "geometry(Point,4326)"}
entities:
  Item:
    columns:
      id: {type: bigint, primary_key: true}
      names: {type: array, of: citext, nullable: true}
      emails: {type: array, of: email, nullable: true}
      labels: {type: array, of: tag_label, nullable: true}
      label_refs: {type: array, of: tag_ref, nullable: true}
      paths: {type: array, of: ltree, nullable: true}
      boxes: {type: array, of: cube, nullable: true}
  Site:
    columns:
      id: {type: bigint, primary_key: true}
      spots: {type: array, of: "geometry(Point,4326)", nullable: true}
      places: {type: array, of: place, nullable: true}
"""
TAG_LABEL = "CREATE TYPE tag_label AS ENUM ('red', 'green, \"light\"')"
GREEN = 'green, "light"'

ROWS: list[tuple[Any, ...]] = [
    # id, names, emails, labels, label_refs, paths, boxes
    (1, ["Ann", "bob", "{x,}"], ["A@x.io", "b@y.io"], ["red", GREEN], [GREEN],
     ["top.a", "top.b"], ["(1, 2)", "(1, 2),(3, 4)"]),
    (2, None, None, None, None, None, None),
    (3, [], [], [], [], [], []),
    (4, [None, "BOB"], [None], [None, "red"], [None], [None], [None]),
]
# Written in SQL, as another client would; writing them through the models is
# test_models_geometry_arrays.py's. Reading them is this test's.
SITES = (
    "INSERT INTO sites VALUES (1, ARRAY['SRID=4326;POINT(1 2)', NULL]::geometry[],"
    " '{}'), (2, NULL, ARRAY['SRID=4326;POINT(3 4)']::geometry[])"
)


def _items(m: ModuleType, ids: set[int]) -> list[Any]:
    return [
        m.Item(id=i, names=n, emails=e, labels=la, label_refs=lr, paths=p, boxes=b)
        for i, n, e, la, lr, p, b in ROWS
        if i in ids
    ]


def _queries(m: ModuleType) -> dict[str, Any]:
    from sqlalchemy import any_, func, select

    item = m.Item
    ids = select(item.id).order_by(item.id)
    return {
        "rows": select(item).order_by(item.id),
        # citext's = (case-insensitive): the filter sees the column, not text[]
        "any_name": ids.where(any_(item.names) == "BOB"),
        "names_contain": ids.where(item.names.contains(["ann"])),
        "any_email": ids.where(any_(item.emails) == "b@y.io"),
        "first_path": select(item.paths[1]).order_by(item.id),
        "sites": select(m.Site).order_by(m.Site.id),
        "spot_count": select(func.cardinality(m.Site.spots)).order_by(m.Site.id),
    }


def _shape(result: dict[str, Any]) -> dict[str, Any]:
    from geoalchemy2.elements import WKBElement

    def points(values: list[Any] | None) -> list[Any] | None:
        if values is None:
            return None
        assert all(v is None or isinstance(v, WKBElement) for v in values), values
        return [None if v is None else (v.srid, v.desc.lower()) for v in values]

    rows = result.pop("rows")
    return {
        "rows": [(i.id, i.names, i.emails, i.labels, i.label_refs, i.paths, i.boxes)
                 for i in rows],
        "sites": [(s.id, points(s.spots), points(s.places)) for s in result.pop("sites")],
        **result,
    }


# The points' EWKB in hex: SRID 4326, x and y as little-endian doubles.
POINT_1_2 = "0101000020e6100000000000000000f03f0000000000000040"
POINT_3_4 = "0101000020e610000000000000000008400000000000001040"

EXPECTED = {
    "rows": ROWS,
    # a domain's elements as its base type's (models.py's Domain): WKBElements too
    "sites": [(1, [(4326, POINT_1_2), None], []), (2, None, [(4326, POINT_3_4)])],
    "any_name": [1, 4],
    "names_contain": [1],
    "any_email": [1],
    "first_path": ["top.a", None, None, None],
    "spot_count": [2, None],
}


def test_arrays_of_types_psycopg_does_not_know_hold_lists_with_both_drivers(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    url = pg.url(pg_db)
    pg.sql(TAG_LABEL, pg_db)
    root = migrated_project(tmp_path / "p", SCHEMA, url)
    pg.sql(SITES, pg_db)
    with generated_modules(root, url) as (m, database):
        # rows 1 and 2 through psycopg, 3 and 4 through asyncpg
        read = both_drivers(database, _items(m, {1, 2}), _items(m, {3, 4}), _queries(m))
        read_sync, read_async = map(_shape, read)
    assert read_async == EXPECTED
    assert read_sync == EXPECTED
    # The DDL is the migration's: the arrays are of the types themselves.
    assert pg.sql(
        "SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute "
        "WHERE attrelid = 'items'::regclass AND attnum > 1 ORDER BY attnum", pg_db
    ) == (
        "names|citext[]\nemails|email[]\nlabels|tag_label[]\nlabel_refs|tag_ref[]\n"
        "paths|ltree[]\nboxes|cube[]\n"
    )
