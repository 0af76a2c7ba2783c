"""The rows there that a table's new rows would meet on a unique key (``seed
--append``). Seed builds a unique column from the row number, which starts past
the rows there; rows deleted since an earlier seed, or written with seed's very
values, hold values the new rows' numbers make again. Before a table's insert,
:func:`past_rows_there` looks for them and numbers the new rows past the last
row number that meets one, until none does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg

from ..model.schema import Entity
from .refusals import SeedError
from .values import ident, qualified_ident

#: How often seed numbers a table's rows further on before it gives up.
PASSES = 8


def probe_sql(
    ent: Entity, columns: list[str], inner: str, outer: str, source: str, counted: tuple[str, ...]
) -> tuple[str, tuple[str, ...]]:
    """The query of the last row number whose new row meets a row there on a unique
    key, and of each key whether one does; with the keys it looks at: those whose
    columns this insert writes, but the one counted through its combinations
    (``counted``, whose combinations there are left out already) and those over
    expressions. ("", ()) when there is none."""
    keys: list[tuple[str, tuple[str, ...], str | None]] = []
    if ent.has_primary_key:
        keys.append(("primary key", ent.primary_key.columns, None))
    keys += [(u.name, u.columns, None) for u in ent.uniques]
    keys += [
        (ix.name, ix.columns, ix.where)
        for ix in ent.indexes
        if ix.unique and not any(k.expression for k in ix.keys)
    ]
    keys = [k for k in keys if k[1] != counted and k[1] and set(k[1]) <= set(columns)]
    if not keys:
        return "", ()
    table = qualified_ident(ent.table)
    met = []
    for _, cols, where in keys:
        match = " AND ".join(f"e.{ident(c)} = s.{ident(c)}" for c in cols)
        # (a bare name in the WHERE is the row there's: e is the nearest)
        match += f" AND ({where})" if where else ""
        met.append(f"EXISTS (SELECT 1 FROM {table} AS e WHERE {match})")
    flags = ", ".join(f"{m} AS m{i}" for i, m in enumerate(met))
    anyone = " OR ".join(f"m{i}" for i in range(len(met)))
    each = ", ".join(f"bool_or(m{i})" for i in range(len(met)))
    rows = f"SELECT {outer}, v.seed_row_n FROM (SELECT {inner}, n AS seed_row_n FROM {source}) AS v"
    sql = (
        f"SELECT max(CASE WHEN {anyone} THEN seed_row_n END), {each} FROM "
        f"(SELECT s.seed_row_n, {flags} FROM ({rows}) AS s) AS met"
    )
    return sql, tuple(name for name, _, _ in keys)


def held_keys(conn: psycopg.Connection[Any], ent: Entity) -> dict[tuple[str, ...], int]:
    """Each unique key's columns (without expressions) -> the rows there holding a
    value in each of them, inside its WHERE for a partial one: the combinations of
    the key they take (a row holding a NULL in one, or outside the WHERE, takes none).
    One query for the table."""
    keys: list[tuple[tuple[str, ...], str | None]] = []
    if ent.has_primary_key:
        keys.append((ent.primary_key.columns, None))
    keys += [(u.columns, None) for u in ent.uniques]
    keys += [
        (ix.columns, ix.where)
        for ix in ent.indexes
        if ix.unique and ix.columns and not any(k.expression for k in ix.keys)
    ]
    keys = [(cols, where) for cols, where in keys if cols]
    if not keys:
        return {}
    counts = []
    for cols, where in keys:
        held = " AND ".join(f"{ident(c)} IS NOT NULL" for c in cols)
        held += f" AND ({where})" if where else ""
        counts.append(f"count(*) FILTER (WHERE {held})")
    row = conn.execute(  # type: ignore[arg-type]
        f"SELECT {', '.join(counts)} FROM {qualified_ident(ent.table)}"
    ).fetchone()
    assert row is not None
    found: dict[tuple[str, ...], int] = {}
    for (cols, _), count in zip(keys, row, strict=True):
        found[cols] = min(found.get(cols, count), int(count))
    return found


def past_rows_there(
    conn: psycopg.Connection[Any],
    table: str,
    first: int,
    probe: tuple[str, tuple[str, ...]],
    replan: Callable[[int], tuple[int, tuple[str, tuple[str, ...]]]],
) -> int:
    """The row numbers passed over so that no new row of ``table`` meets a row there
    on a unique key: 0 when the plan's ``probe`` finds none; else the plan is made
    again (``replan(skipped)`` gives its first row number and probe) from past the
    last row number that meets one, up to PASSES times. SeedError past that,
    naming the keys, before any row is written."""
    skipped = 0
    for _ in range(PASSES):
        sql, keys = probe
        if not sql:
            return skipped
        row = conn.execute(sql).fetchone()  # type: ignore[arg-type]
        if row is None or row[0] is None:
            return skipped
        met = [key for key, hit in zip(keys, row[1:], strict=True) if hit]
        skipped += int(row[0]) - first + 1
        first, probe = replan(skipped)
    raise SeedError(
        f"cannot seed {table}: the values seed makes for its unique keys "
        f"({', '.join(met)}) meet rows there again and again (numbered past {skipped} "
        "of them); give a column of each a value generator (seed: {sql: ...})"
    )
