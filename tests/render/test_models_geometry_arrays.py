"""PostGIS geometry through the generated models, written and read with psycopg 3
(sync) and asyncpg (async): a geometry column, an array of geometry, a column of a
domain over geometry and an array of that domain, NULLs, NULL elements and empty
arrays included. Skipped with its reason where the test cluster has no PostGIS."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from driver_round_trip import both_drivers, generated_modules
from migration_harness import migrated_project
from pgcluster import PgCluster

SCHEMA = """\
database: {name: atlas, extensions: [postgis]}
domains:
  place: {type: "geometry(Point,4326)"}
entities:
  Site:
    columns:
      id: {type: bigint, primary_key: true}
      spot: {type: "geometry(Point,4326)", nullable: true}
      spots: {type: array, of: "geometry(Point,4326)", nullable: true}
      home: {type: place, nullable: true}
      places: {type: array, of: place, nullable: true}
"""
P12, P34 = "SRID=4326;POINT(1 2)", "SRID=4326;POINT(3 4)"
ROWS: list[tuple[Any, ...]] = [
    # id, spot, spots, home, places: EWKT, or None
    (1, P12, [P12, None, P34], P34, [P34]),
    (2, None, None, None, None),
    (3, P34, [], P12, []),
    (4, P12, [None], None, [P12, P12]),
    (5, P12, [P12, None, P34], P34, [P34]),  # row 1 again
]


def _has_postgis(pg: PgCluster) -> bool:
    return pg.sql(
        "SELECT count(*) FROM pg_available_extensions WHERE name = 'postgis'", "postgres"
    ).strip() == "1"


def _sites(m: ModuleType, ids: set[int]) -> list[Any]:
    from geoalchemy2.elements import WKTElement

    def geo(value: str | None) -> Any:
        return None if value is None else WKTElement(value, extended=True)

    def geos(values: list[str | None] | None) -> list[Any] | None:
        return None if values is None else [geo(v) for v in values]

    return [
        m.Site(id=i, spot=geo(s), spots=geos(ss), home=geo(h), places=geos(ps))
        for i, s, ss, h, ps in ROWS
        if i in ids
    ]


# The points' EWKB in hex, as GeoAlchemy2 reads them: SRID 4326, x and y as
# little-endian doubles.
EWKB = {
    P12: "0101000020e6100000000000000000f03f0000000000000040",
    P34: "0101000020e610000000000000000008400000000000001040",
}


def _ewkt(value: Any) -> str | None:
    """A geometry read back (GeoAlchemy2's WKBElement) as the EWKT it was written as."""
    from geoalchemy2.elements import WKBElement

    if value is None:
        return None
    assert isinstance(value, WKBElement), value
    assert value.srid == 4326, value.srid
    return {hexed: ewkt for ewkt, hexed in EWKB.items()}[str(value.desc).lower()]


def _read(rows: list[Any]) -> list[tuple[Any, ...]]:
    def many(values: list[Any] | None) -> list[str | None] | None:
        return None if values is None else [_ewkt(v) for v in values]

    return [(s.id, _ewkt(s.spot), many(s.spots), _ewkt(s.home), many(s.places)) for s in rows]


def test_geometry_and_arrays_of_it_are_written_and_read_with_both_drivers(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    if not _has_postgis(pg):
        pytest.skip("PostGIS is not installed in the test cluster's PostgreSQL")
    url = pg.url(pg_db)
    root = migrated_project(tmp_path / "p", SCHEMA, url)
    with generated_modules(root, url) as (m, database):
        from sqlalchemy import select

        # rows 1, 3 and 5 through psycopg, 2 and 4 through asyncpg
        sites = {"sites": select(m.Site).order_by(m.Site.id)}
        read = both_drivers(database, _sites(m, {1, 3, 5}), _sites(m, {2, 4}), sites)
        read_sync, read_async = (_read(result["sites"]) for result in read)
    assert read_sync == ROWS
    assert read_async == ROWS
    # What the database holds, as PostGIS prints it.
    assert pg.sql(
        "SELECT id, ST_AsEWKT(spot), array_to_string(ARRAY(SELECT coalesce(ST_AsEWKT(g), "
        "'null') FROM unnest(spots) g), ' '), ST_AsEWKT(home), cardinality(places) "
        "FROM sites ORDER BY id", pg_db
    ) == (
        f"1|{P12}|{P12} null {P34}|{P34}|1\n2||||\n3|{P34}||{P12}|0\n"
        f"4|{P12}|null||2\n5|{P12}|{P12} null {P34}|{P34}|1\n"
    )
