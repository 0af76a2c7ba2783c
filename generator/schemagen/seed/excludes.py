"""Rows that respect exclusion constraints.

Two rows conflict only when *every* element's operator holds for them, so one
element that never holds between two seeded rows is enough:

- a range column compared with ``&&``: seed gives it a range of its own per row
  number (``n``), so no two rows' ranges overlap, whatever the other elements, nor
  any range there (``--append``: see :func:`disjoint`); where every exclusion over
  it also compares columns with ``=`` (``room_id WITH =, during WITH &&``), only
  from the ranges there of rows holding the row's values in them (see
  :func:`apart_groups` and :func:`within_group`);
- a single-column primary key or unique column compared with ``=``: its values
  already differ row by row;
- a column the user gave a value generator (``seed: {sql: ...}``), alone or in
  an expression element: the user answers for it.

Any other exclusion constraint is a :class:`~.plan.SeedError` that says so and
how to help, rather than an ``exclusion_violation`` from the server.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import psycopg

from ..errors import SchemagenError
from ..model.schema import Column, Entity, ExcludeConstraint, Schema, SeedHint
from ..model.sqltext import exclude_sql
from .checks import columns_named
from .refusals import SeedError
from .values import ident, qualified_ident

_EPOCH = "timestamptz '2020-01-01 00:00:00+00'"
_HOUR = "interval '1 hour'"
_SPAN = "interval '45 minutes'"
#: Range type -> (its origin, the range of row ``n`` from a start {b} on, the range of
#: row ``n`` ending before {m}): no two rows' ranges overlap, nor the rows' after {b}
#: any range ending by {b}, nor the rows' before {m} any range starting at {m} or later.
SPACED: dict[str, tuple[str, str, str]] = {
    "tstzrange": (
        _EPOCH,
        f"tstzrange({{b}} + n * {_HOUR}, {{b}} + n * {_HOUR} + {_SPAN})",
        f"tstzrange({{m}} - (n + 1) * {_HOUR}, {{m}} - (n + 1) * {_HOUR} + {_SPAN})",
    ),
    "tsrange": (
        "timestamp '2020-01-01'",
        f"tsrange({{b}} + n * {_HOUR}, {{b}} + n * {_HOUR} + {_SPAN})",
        f"tsrange({{m}} - (n + 1) * {_HOUR}, {{m}} - (n + 1) * {_HOUR} + {_SPAN})",
    ),
    "daterange": (
        "date '2000-01-01'",
        "daterange({b} + n::integer, {b} + n::integer + 1)",
        "daterange({m} - n::integer - 1, {m} - n::integer)",
    ),
    "int4range": (
        "0",
        "int4range(({b} + 2 * n)::integer, ({b} + 2 * n + 1)::integer)",
        "int4range(({m} - 2 * n - 2)::integer, ({m} - 2 * n - 1)::integer)",
    ),
    "int8range": (
        "0::bigint",
        "int8range({b} + 2 * n::bigint, {b} + 2 * n::bigint + 1)",
        "int8range({m} - 2 * n::bigint - 2, {m} - 2 * n::bigint - 1)",
    ),
    "numrange": (
        "0::numeric",
        "numrange({b} + 2 * n::numeric, {b} + 2 * n::numeric + 1)",
        "numrange({m} - 2 * n::numeric - 2, {m} - 2 * n::numeric - 1)",
    ),
}


def disjoint(table: str, column: Column) -> str:
    """The range of row ``n`` of ``column``: apart from every other row's and from
    the ranges there (``seed --append``): after the last of them ends, or, where one
    is unbounded above (still open), before the first of them starts. On an empty
    table, from the type's origin (read once: uncorrelated sub-selects)."""
    origin, after, before = SPACED[str(column.type.pgtype)]
    t, c = qualified_ident(table), ident(column.name)
    start = f"greatest({origin}, (SELECT max(upper({c})) FROM {t}))"
    end = f"(SELECT min(lower({c})) FROM {t})"
    still_open = f"(SELECT bool_or(upper_inf({c}) AND NOT isempty({c})) FROM {t})"
    return f"(CASE WHEN {still_open} THEN {before.format(m=end)} ELSE {after.format(b=start)} END)"


def within_group(
    table: str, column: Column, groups: tuple[str, ...], value: str, whole: bool
) -> str:
    """The range ``value`` (row ``n``'s own, from the type's origin: see kept_apart)
    moved apart from the ranges there of the rows holding this row's values in
    ``groups`` (``v.<column>``, the outer select's; all rows there without them):
    after the last of them ends or, where one is still open, mirrored before the
    first of them starts (so the new rows' ranges stay apart from each other). Rows
    holding other values, or a NULL, are no bound: an exclusion's ``=`` never holds
    between them and this row. ``whole``: ``groups`` are all of apart_groups' for the
    column, whose bounds :func:`group_bounds` read once; else read here."""
    origin = SPACED[str(column.type.pgtype)][0]
    kind, c = str(column.type.pgtype), ident(column.name)
    match = " AND ".join(f"e.{ident(g)} = v.{ident(g)}" for g in groups)
    if whole and groups:
        # One index probe of the group's bounds a row: each sub-select below read all
        # the group's rows there for each new row (quadratic as a group grows).
        rows = f"FROM {bounds_table(table, column.name)} AS e WHERE {match}"
        high, low, still = "e.seed_high", "e.seed_low", "e.seed_open"
    else:
        rows = f"FROM {qualified_ident(table)} AS e" + (f" WHERE {match}" if match else "")
        high, low = f"max(upper(e.{c}))", f"min(lower(e.{c}))"
        still = f"bool_or(upper_inf(e.{c}) AND NOT isempty(e.{c}))"
    start = f"greatest({origin}, (SELECT {high} {rows}))"
    end = f"(SELECT {low} {rows})"
    still_open = f"(SELECT {still} {rows})"
    low, high = f"(lower({value}) - {origin})", f"(upper({value}) - {origin})"
    after = f"{kind}({start} + {low}, {start} + {high})"
    before = f"{kind}({end} - {high}, {end} - {low})"
    return f"(CASE WHEN {still_open} THEN {before} ELSE {after} END)"


def bounds_table(table: str, column: str) -> str:
    """The temporary table of each group's bounds of ``column``'s ranges there (see
    group_bounds)."""
    return f"pg_temp.{ident('seed_bounds_' + table + '_' + column)}"


def group_bounds(
    conn: psycopg.Connection[Any], schema: Schema, wanted: dict[str, int], existing: dict[str, int]
) -> None:
    """For each range column kept apart within groups (apart_groups) of a table
    holding rows and asked more, list once, before any insert, each group's (its values in the
    group's columns, no NULL among them) last upper bound (``seed_high``), first lower
    bound (``seed_low``) and whether a range of it is still open (``seed_open``), keyed
    by the group, for :func:`within_group` to look up by each new row's values. The
    rows there of a table do not change before its own insert."""
    for ent in sorted(schema.entities, key=lambda e: e.table):
        if not existing.get(ent.table) or wanted.get(ent.table, 0) <= 0:
            continue
        for name, groups in sorted(apart_groups(ent).items()):
            if not groups:
                continue
            c, by = ident(name), ", ".join(ident(g) for g in groups)
            bounds = bounds_table(ent.table, name)
            held = " AND ".join(f"{ident(g)} IS NOT NULL" for g in groups)
            conn.execute(f"DROP TABLE IF EXISTS {bounds}")  # type: ignore[arg-type]
            conn.execute(  # type: ignore[arg-type]
                f"CREATE TEMP TABLE {bounds} ON COMMIT DROP AS SELECT {by}, "
                f"max(upper({c})) AS seed_high, min(lower({c})) AS seed_low, "
                f"bool_or(upper_inf({c}) AND NOT isempty({c})) AS seed_open "
                f"FROM {qualified_ident(ent.table)} WHERE {held} GROUP BY {by}"
            )
            conn.execute(f"ALTER TABLE {bounds} ADD PRIMARY KEY ({by})")  # type: ignore[arg-type]
            conn.execute(f"ANALYZE {bounds}")  # type: ignore[arg-type]


def apart_groups(ent: Entity) -> dict[str, tuple[str, ...]]:
    """Each range column seed keeps apart (see kept_apart) -> the columns every
    exclusion over it compares with ``=`` as well: its new rows need be apart only
    from the rows there holding their values in them (``()``: from all)."""
    found: dict[str, set[str]] = {}
    for ex in ent.excludes:
        column = None if _already_apart(ent, ex) else _range_element(ent, ex)
        if column is None:
            continue
        equal = {
            el.column
            for el in ex.elements
            if el.column is not None and el.operator == "=" and ent.has_column(el.column)
        }
        found[column.name] = found.get(column.name, equal) & equal
    return {name: tuple(sorted(cols)) for name, cols in found.items()}


def kept_apart(ent: Entity, error: type[SchemagenError]) -> Entity:
    """``ent`` with value generators that keep its rows apart under each exclusion
    constraint; ``error`` (the seed's error) when seed cannot. A range column kept
    apart within groups (see apart_groups) takes row ``n``'s own range from the
    type's origin, which :func:`within_group` moves where the table holds rows."""
    groups = apart_groups(ent)
    for ex in ent.excludes:
        if _already_apart(ent, ex):
            continue
        column = _range_element(ent, ex)
        if column is None:
            raise error(
                f"cannot seed {ent.table}: exclusion constraint {ex.name} ({exclude_sql(ex)}) "
                "has no element seed can keep apart. Seed keeps rows apart through a range "
                "column compared with && (one range per row) or a unique column compared "
                "with =. Give a column it names a value generator, e.g. under "
                f"entities.{ent.name}.columns.<column>: "
                'seed: {sql: "<SQL over n, the row number, that differs row by row>"}'
            )
        hint = column.seed or SeedHint()
        origin, after, _ = SPACED[str(column.type.pgtype)]
        sql = after.format(b=origin) if groups.get(column.name) else disjoint(ent.table, column)
        seeded = dataclasses.replace(column, seed=dataclasses.replace(hint, sql=sql))
        ent = dataclasses.replace(
            ent, columns=tuple(seeded if c.name == column.name else c for c in ent.columns)
        )
    return ent


def _already_apart(ent: Entity, ex: ExcludeConstraint) -> bool:
    unique = {ent.primary_key.columns, *(u.columns for u in ent.uniques)}
    generated = {c.name for c in ent.columns if c.seed is not None and c.seed.sql}
    for el in ex.elements:
        named = {el.column} if el.column is not None else columns_named(str(el.expression))
        if named & generated:
            return True  # the user's value generator answers for it
        if el.operator == "=" and (el.column,) in unique:
            return True
    return False


def refuse_unbounded_ranges(
    conn: psycopg.Connection[Any], schema: Schema, wanted: dict[str, int], existing: dict[str, int]
) -> None:
    """SeedError, before any insert, where a range column seed keeps apart under an
    exclusion constraint holds ranges there unbounded above and below (see
    :func:`disjoint`): no range after or before them all is apart from every one.
    Kept apart within groups (see apart_groups), only where the rows of one group
    (holding one value, no NULL, in each of its columns) hold both."""
    for ent in sorted(schema.entities, key=lambda e: e.table):
        if not existing.get(ent.table) or wanted.get(ent.table, 0) <= 0:
            continue
        groups = apart_groups(ent)
        for ex in ent.excludes:
            column = None if _already_apart(ent, ex) else _range_element(ent, ex)
            if column is None:
                continue
            row = _unbounded(conn, ent.table, column.name, groups[column.name])
            if row is None:
                continue
            above, below, group = row
            raise SeedError(
                f"cannot seed {ent.table}: exclusion constraint {ex.name} keeps "
                f"{column.name} apart (&&), and the ranges there{group} are unbounded above "
                f"({_rows(above)}) and below ({_rows(below)}), so no range seed makes "
                f"after or before them is apart from all; give {column.name} a value "
                f"generator, e.g. under entities.{ent.name}.columns.{column.name}: "
                'seed: {sql: "<SQL over n, the row number, giving a range apart from the '
                'rows there>"}'
            )


def _unbounded(
    conn: psycopg.Connection[Any], table: str, column: str, groups: tuple[str, ...]
) -> tuple[int, int, str] | None:
    """(rows there unbounded above, below, `` of room_id 1`` naming the group) of the
    first group (in order of its values; the whole table without ``groups``) whose
    ranges of ``column`` are unbounded both ways, or None."""
    c = ident(column)
    by = ", ".join(ident(g) for g in groups)
    said = " || ', ' || ".join(
        "'" + g.replace("'", "''") + f" ' || {ident(g)}::text" for g in groups
    )
    grouped = (
        f", {said} FROM {qualified_ident(table)} WHERE "
        + " AND ".join(f"{ident(g)} IS NOT NULL" for g in groups)
        + f" GROUP BY {by}"
        if groups
        else f", '' FROM {qualified_ident(table)}"
    )
    above = f"count(*) FILTER (WHERE upper_inf({c}) AND NOT isempty({c}))"
    below = f"count(*) FILTER (WHERE lower_inf({c}) AND NOT isempty({c}))"
    row = conn.execute(  # type: ignore[arg-type]
        f"SELECT {above}, {below}{grouped} HAVING {above} > 0 AND {below} > 0"
        + (f" ORDER BY {by}" if groups else "")
        + " LIMIT 1"
    ).fetchone()
    if row is None:
        return None
    return int(row[0]), int(row[1]), f" of {row[2]}" if groups else ""


def _rows(count: int) -> str:
    return f"{count} row" if count == 1 else f"{count} rows"


def _range_element(ent: Entity, ex: ExcludeConstraint) -> Column | None:
    for el in ex.elements:
        if el.column is not None and el.operator == "&&" and ent.has_column(el.column):
            col = ent.column(el.column)
            if col.type.pgtype in SPACED and not col.generated:
                return col
    return None
