"""The rows there that a table's new rows would meet on a unique key (``seed
--append``). Seed builds a unique column from the row number, which starts past
the rows there; rows deleted since an earlier seed, or written with seed's very
values, hold values the new rows' numbers make again. Before a table's insert, the
plan's probe looks for them; where one is met, :func:`fill_gaps` gives the new rows
the first row numbers, from 1, whose values meet no row there (the gaps the rows
there leave: a bounded value space, ``code LIKE 'T_'``, keeps its room), and refuses
where the numbers its values can take run out. A key counted through its
combinations is numbered by them instead: :func:`past_rows_there` numbers its rows
past the last row number that meets one, until none does."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import psycopg

from ..model.schema import Entity
from .refusals import SeedError
from .values import ident, qualified_ident

#: How often seed numbers a table's rows further on before it gives up.
PASSES = 8
#: The row numbers fill_gaps looks at first (twice the rows asked where more), then
#: twice as many each time until enough are free.
WINDOW = 1_000


def probe_sql(
    ent: Entity, columns: list[str], inner: str, outer: str, source: str, counted: tuple[str, ...]
) -> tuple[str, tuple[str, ...]]:
    """The query of each new row's number (``n``) and, for each key it looks at,
    whether the row meets a row there on it (``m0``, ``m1``, ...); with those keys:
    those whose columns this insert writes, but the one counted through its
    combinations (``counted``, whose combinations there are left out already) and
    those over expressions. ("", ()) when there is none."""
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
    rows = f"SELECT {outer}, v.seed_row_n FROM (SELECT {inner}, n AS seed_row_n FROM {source}) AS v"
    sql = f"SELECT s.seed_row_n AS n, {flags} FROM ({rows}) AS s"
    return sql, tuple(name for name, _, _ in keys)


def _anyone(keys: tuple[str, ...]) -> str:
    """Whether a row of a probe (see probe_sql) meets a row there on any key."""
    return " OR ".join(f"m{i}" for i in range(len(keys)))


def met_any(conn: psycopg.Connection[Any], probe: tuple[str, tuple[str, ...]]) -> bool:
    """Whether a new row of the plan whose ``probe`` this is meets a row there."""
    sql, keys = probe
    if not sql:
        return False
    row = conn.execute(  # type: ignore[arg-type]
        f"SELECT EXISTS (SELECT 1 FROM ({sql}) AS met WHERE {_anyone(keys)})"
    ).fetchone()
    return bool(row and row[0])


def met_table(table: str) -> str:
    """The temporary list of the row numbers whose new row of ``table`` would meet a
    row there (see fill_gaps)."""
    return f"pg_temp.{ident('seed_met_' + table)}"


def free_numbers(table: str, last: int, rows: int) -> str:
    """The source of the first ``rows`` row numbers up to ``last`` whose new row of
    ``table`` meets no row there (those :func:`fill_gaps` lists left out), as ``g(n)``."""
    return (
        f"(SELECT g.n FROM generate_series(1, {last}) AS g(n) WHERE NOT EXISTS "
        f"(SELECT 1 FROM {met_table(table)} AS m WHERE m.n = g.n) ORDER BY g.n "
        f"LIMIT {rows}) AS g"
    )


def fill_gaps(
    conn: psycopg.Connection[Any],
    table: str,
    rows: int,
    last: int,
    refill: Callable[[int], tuple[str, tuple[str, ...]]],
) -> None:
    """Number ``rows`` new rows of ``table`` from 1 where their unique values meet no
    row there: ``refill(last)`` plans them among the row numbers up to ``last`` (the
    values seed makes for them: the value space each must fit) and gives the probe of
    those numbers; the ones it finds meeting a row there are listed (met_table: from
    1, in windows that double until enough are free) and left out (free_numbers).
    Where fewer than ``rows`` are left, ``last`` grows by the shortfall and the table
    is planned again, up to PASSES times; SeedError past that, before any row is
    written. Where its values do not fit that many numbers,
    the refusal says the room the rows there leave among those they fit."""
    tried = held = 0
    keys: tuple[str, ...] = ()
    for _ in range(PASSES):
        try:
            probe = refill(last)
        except SeedError as exc:
            if not tried:
                raise
            fits = _most_fitting(refill, tried, last)
            held, _ = _list_met(conn, table, refill(fits), fits, fits + 1)
            raise SeedError(
                f"cannot seed {table}: rows there hold the values seed makes for its unique "
                f"keys ({', '.join(keys)}) on {held} of the {fits} row numbers it can make "
                f"them for, leaving room for {fits - held} of the {rows} rows asked: {exc}"
            ) from None
        keys = probe[1]
        held, looked = _list_met(conn, table, probe, last, rows)
        free, tried = looked - held, last
        if free >= rows:
            return
        last += rows - free
    raise SeedError(
        f"cannot seed {table}: the values seed makes for its unique keys ({', '.join(keys)}) "
        f"meet rows there again and again: {held} of the first {tried} row numbers make "
        f"values held there, room for {free} of the {rows} rows asked; give a column of "
        "each a value generator (seed: {sql: ...})"
    )


def _list_met(
    conn: psycopg.Connection[Any],
    table: str,
    probe: tuple[str, tuple[str, ...]],
    last: int,
    wanted: int,
) -> tuple[int, int]:
    """List the row numbers up to ``last`` that ``probe`` finds meeting a row there
    (met_table), from 1, in windows that double, until ``wanted`` numbers are left
    free or ``last`` is reached: (how many listed, the numbers looked at). The first
    free numbers are the same as over all of them: a few rows appended to a big table
    with gaps look at about as many numbers as they need, not at every row there
    (measured: 1,000 products appended to 180,000 in corpus case 01, every tenth of
    200,000 deleted: see benchmarks/seed_append.py)."""
    sql, keys = probe
    met = met_table(table)
    conn.execute(f"DROP TABLE IF EXISTS {met}")
    conn.execute(f"CREATE TEMP TABLE {met} (n bigint) ON COMMIT DROP")
    held = looked = 0
    window = max(WINDOW, 2 * wanted)
    while looked < last:
        upto = min(last, looked + window)
        cur = conn.execute(  # type: ignore[arg-type]
            f"INSERT INTO {met} SELECT n FROM ({sql}) AS met "
            f"WHERE n > {looked} AND n <= {upto} AND ({_anyone(keys)})"
        )
        held, looked = held + max(cur.rowcount, 0), upto
        if looked - held >= wanted:
            break
        window *= 2
    return held, looked


def _most_fitting(refill: Callable[[int], object], fits: int, fails: int) -> int:
    """The most row numbers, from ``fits`` (planned) up to below ``fails`` (refused),
    that ``refill`` plans (values fit as many numbers as they fit: halving)."""
    while fails - fits > 1:
        middle = (fits + fails) // 2
        try:
            refill(middle)
            fits = middle
        except SeedError:
            fails = middle
    return fits


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
        each = ", ".join(f"bool_or(m{i})" for i in range(len(keys)))
        row = conn.execute(  # type: ignore[arg-type]
            f"SELECT max(CASE WHEN {_anyone(keys)} THEN n END), {each} FROM ({sql}) AS met"
        ).fetchone()
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
