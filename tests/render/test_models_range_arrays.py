"""Arrays of range and multirange types through the generated models: lists of
``Range`` and of ``MultiRange`` written with psycopg 3 and read back the same with
psycopg (sync) and asyncpg (async), NULL arrays, NULL elements, empty ranges and
multiranges and empty arrays included. A MultiRange is a list, which ARRAY took for a
second dimension: it handed each range to the multirange's processors, so writing
failed with either driver and reading failed with asyncpg (TypeError: 'Range' object
is not iterable)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from driver_round_trip import generated_modules
from migration_harness import assert_matches_models, migrated_project
from pgcluster import PgCluster

SCHEMA = """\
database: {name: slots}
entities:
  Slot:
    columns:
      id: {type: bigint, primary_key: true}
      spans: {type: array, of: int4range, nullable: true}
      sets: {type: array, of: int4multirange, nullable: true}
      dates: {type: array, of: datemultirange, nullable: true}
"""


def _rows() -> list[tuple[Any, ...]]:
    import datetime

    from sqlalchemy.dialects.postgresql import MultiRange, Range

    one, two = Range(1, 3), Range(5, 8)
    day = Range(datetime.date(2026, 1, 1), datetime.date(2026, 1, 2))
    return [
        (1, [one, two], [MultiRange([one, two]), MultiRange([one])], [MultiRange([day])]),
        (2, None, None, None),
        (3, [], [], []),
        (4, [None, Range(empty=True)], [None, MultiRange()], [MultiRange(), None]),
    ]


def _slots(m: ModuleType, ids: set[int]) -> list[Any]:
    return [m.Slot(id=i, spans=s, sets=t, dates=d) for i, s, t, d in _rows() if i in ids]


def _queries(m: ModuleType) -> dict[str, Any]:
    from sqlalchemy import func, select

    s = m.Slot
    return {
        "rows": select(s).order_by(s.id),
        "set_count": select(func.cardinality(s.sets)).order_by(s.id),
    }


def _shape(result: dict[str, Any]) -> dict[str, Any]:
    rows = [(s.id, s.spans, s.sets, s.dates) for s in result.pop("rows")]
    return {"rows": rows, **result}


async def _async(m: ModuleType, database: ModuleType) -> dict[str, Any]:
    engine = database.get_async_engine()
    try:
        async with database.get_async_sessionmaker()() as session:
            return _shape(
                {name: (await session.scalars(q)).all() for name, q in _queries(m).items()}
            )
    finally:
        await engine.dispose()


async def _async_write(m: ModuleType, database: ModuleType, sets: list[Any]) -> None:
    engine = database.get_async_engine()
    try:
        async with database.get_async_sessionmaker()() as session:
            session.add(m.Slot(id=10, sets=sets))
            await session.commit()
    finally:
        await engine.dispose()


def test_arrays_of_ranges_and_multiranges_with_both_drivers(
    pg: PgCluster, pg_db: str, tmp_path: Path
) -> None:
    url = pg.url(pg_db)
    root = migrated_project(tmp_path / "p", SCHEMA, url)
    with generated_modules(root, url) as (m, database):
        with database.get_sessionmaker()() as session:
            session.add_all(_slots(m, {1, 2, 3, 4}))
            session.commit()
        read_async = asyncio.run(_async(m, database))
        # asyncpg's own array encoder takes a multirange (a list) for a sub-array and
        # refuses it: writing an array of multiranges needs psycopg (see the docs).
        from sqlalchemy.dialects.postgresql import MultiRange, Range
        from sqlalchemy.exc import DBAPIError

        with pytest.raises(DBAPIError, match="invalid array element"):
            asyncio.run(_async_write(m, database, [MultiRange([Range(1, 3)])]))
        with database.get_sessionmaker()() as session:
            read_sync = _shape(
                {name: session.scalars(q).all() for name, q in _queries(m).items()}
            )
    expected = {"rows": _rows(), "set_count": [2, None, 0, 2]}
    assert read_sync == expected
    assert read_async == expected
    for row in read_sync["rows"] + read_async["rows"]:
        for value in (row[2] or []) + (row[3] or []):
            assert value is None or type(value).__name__ == "MultiRange", row
    assert pg.sql("SELECT id, sets FROM slots ORDER BY id", pg_db) == (
        '1|{"{[1,3),[5,8)}","{[1,3)}"}\n2|\n3|{}\n4|{NULL,"{}"}\n'
    )
    assert_matches_models(pg, pg_db, root / "generated" / "models.py", [], "range arrays")
