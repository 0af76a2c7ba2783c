"""Shared round trip of the generated models' tests with both drivers: the
generated modules of a migrated project, rows written through psycopg (the sync
session) and through asyncpg (the async one), then the same queries read through
each, so a test compares what each driver gives back for the one table."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Any

from migration_harness import project_env


@contextmanager
def generated_modules(root: Path, url: str) -> Iterator[tuple[ModuleType, ModuleType]]:
    """The generated ``models`` and ``database`` modules of the project at ``root``,
    imported in its environment (its database at ``url``); the sync engine is
    disposed on leaving."""
    with project_env(root, url):
        models = importlib.import_module("generated.models")
        database = importlib.import_module("generated.database")
        try:
            yield models, database
        finally:
            database.get_engine().dispose()


def both_drivers(
    database: ModuleType,
    sync_rows: Sequence[Any],
    async_rows: Sequence[Any],
    queries: Mapping[str, Any],
) -> tuple[dict[str, list[Any]], dict[str, list[Any]]]:
    """Write ``sync_rows`` through psycopg, then ``async_rows`` through asyncpg and
    read ``queries`` there, then read them through psycopg: (what psycopg read,
    what asyncpg read), each query's scalars as a list. ``database`` is the
    generated ``database`` module; the sync engine is left to the caller."""
    with database.get_sessionmaker()() as session:
        session.add_all(sync_rows)
        session.commit()
    read_async = asyncio.run(_async(database, async_rows, queries))
    with database.get_sessionmaker()() as session:
        read_sync = {name: list(session.scalars(q).all()) for name, q in queries.items()}
    return read_sync, read_async


async def _async(
    database: ModuleType, rows: Sequence[Any], queries: Mapping[str, Any]
) -> dict[str, list[Any]]:
    engine = database.get_async_engine()
    try:
        async with database.get_async_sessionmaker()() as session:
            session.add_all(rows)
            await session.commit()
        async with database.get_async_sessionmaker()() as session:
            return {name: list((await session.scalars(q)).all()) for name, q in queries.items()}
    finally:
        await engine.dispose()
