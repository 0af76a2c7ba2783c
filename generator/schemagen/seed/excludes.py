"""Rows that respect exclusion constraints.

Two rows conflict only when *every* element's operator holds for them, so one
element that never holds between two seeded rows is enough:

- a range column compared with ``&&``: seed gives it a range of its own per row
  number (``n``), so no two rows' ranges overlap, whatever the other elements;
- a single-column primary key or unique column compared with ``=``: its values
  already differ row by row;
- a column the user gave a value generator (``seed: {sql: ...}``), alone or in
  an expression element: the user answers for it.

Any other exclusion constraint is a :class:`~.plan.SeedError` that says so and
how to help, rather than an ``exclusion_violation`` from the server.
"""

from __future__ import annotations

import dataclasses

from ..errors import SchemagenError
from ..model.schema import Column, Entity, ExcludeConstraint, SeedHint
from ..model.sqltext import exclude_sql
from .checks import columns_named

_EPOCH = "timestamptz '2020-01-01 00:00:00+00'"
#: Range type -> a range of row ``n`` that no other row's range overlaps.
DISJOINT: dict[str, str] = {
    "tstzrange": f"tstzrange({_EPOCH} + n * interval '1 hour', "
    f"{_EPOCH} + n * interval '1 hour' + interval '45 minutes')",
    "tsrange": "tsrange(timestamp '2020-01-01' + n * interval '1 hour', "
    "timestamp '2020-01-01' + n * interval '1 hour' + interval '45 minutes')",
    "daterange": "daterange(date '2000-01-01' + n::integer, date '2000-01-01' + n::integer + 1)",
    "int4range": "int4range((2 * n)::integer, (2 * n + 1)::integer)",
    "int8range": "int8range(2 * n::bigint, 2 * n::bigint + 1)",
    "numrange": "numrange(2 * n::numeric, 2 * n::numeric + 1)",
}


def kept_apart(ent: Entity, error: type[SchemagenError]) -> Entity:
    """``ent`` with value generators that keep its rows apart under each exclusion
    constraint; ``error`` (the seed's error) when seed cannot."""
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
        seeded = dataclasses.replace(
            column, seed=dataclasses.replace(hint, sql=DISJOINT[str(column.type.pgtype)])
        )
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


def _range_element(ent: Entity, ex: ExcludeConstraint) -> Column | None:
    for el in ex.elements:
        if el.column is not None and el.operator == "&&" and ent.has_column(el.column):
            col = ent.column(el.column)
            if col.type.pgtype in DISJOINT and not col.generated:
                return col
    return None
