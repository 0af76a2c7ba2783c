"""The rows each table's counted key holds, known before any insert: a count asked
by name (``--rows-per``) past them is refused up front, before a row is written.

A unique key made only of foreign keys and columns of few values holds as many rows
as its combinations (see :mod:`.uniques`); with the parents' counts (the rows there
and those asked) and the combinations the rows there hold, that is known before the
seed writes. So every table is sized here in insert order, as :func:`.plan.plan_table`
sizes it, a count ``--rows`` shares out capped (its children then count its capped
rows): the refusal comes before the parents' inserts, which a rollback would undo
but whose sequence numbers it would not give back.

Not where a foreign key picks among its parent's rows (those holding a value in a
nullable key, or one that fits a narrower column: see :class:`.context.KeyPick`):
how many of the new rows qualify is known once they are made. Such a table, and any
table below it, is left to the refusal in the seed's transaction (rolled back,
nothing written).
"""

from __future__ import annotations

from typing import Any

import psycopg

from ..model.schema import Entity, Schema
from .collisions import held_keys
from .context import TableContext, key_pick
from .order import insert_order
from .plan import size_table


def refuse_unmet_counts(
    conn: psycopg.Connection[Any],
    schema: Schema,
    wanted: dict[str, int],
    existing: dict[str, int],
    seed: int,
    asked: frozenset[str],
) -> None:
    """SeedError, before any insert, for the first table (in insert order) whose
    count asked by name its counted key cannot hold, or whose key no count of parent
    rows would make room for (see the module)."""
    order, deferred = insert_order(schema)
    counts = {t: existing[t] + wanted.get(t, 0) for t in existing}
    ctx = TableContext(schema, seed, counts=counts, existing=existing, asked=asked)
    unknown: set[str] = set()
    for ent in order:
        if _picks_unknown(schema, ent, deferred[ent.table], unknown):
            unknown.add(ent.table)
            continue
        if existing[ent.table]:
            for key, count in held_keys(conn, ent).items():
                ctx.held[(ent.table, key)] = count
        # (a count --rows shares out is capped in ctx.counts, as the seed will)
        size_table(ctx, ent, wanted.get(ent.table, 0), deferred[ent.table])


def _picks_unknown(schema: Schema, ent: Entity, deferred: set[str], unknown: set[str]) -> bool:
    """Whether a foreign key of ``ent`` filled by its insert picks among rows not
    counted yet: a pick of its parent's rows, or a parent left unknown."""
    return any(
        fk.ref_table in unknown or bool(key_pick(schema, ent, fk))
        for fk in ent.foreign_keys
        if fk.name not in deferred
    )
