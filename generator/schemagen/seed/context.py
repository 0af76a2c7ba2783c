"""What planning one table needs to know about the rest: the rows each table will
hold, and the numbered temporary copies of the keys its foreign keys pick from."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from ..model.schema import ForeignKey, Schema
from .values import ident

DEFAULT_FK_SKEW = 2.0


DEFAULT_NULL_SHARE = 0.2


@dataclass
class TableContext:
    """What planning one table needs to know about the rest."""

    schema: Schema
    seed: int
    counts: dict[str, int]  # rows each table will hold (existing + this run)
    existing: dict[str, int]
    # Tables whose single integer key runs without gaps from offset + 1: a foreign
    # key to them is the parent's row number plus the offset, with no lookup.
    offsets: dict[str, int] = field(default_factory=dict)
    #: (table, columns) -> its rows holding a value in each column (see valued_keys)
    valued: dict[tuple[str, tuple[str, ...]], int] = field(default_factory=dict)
    #: table -> row numbers passed over after its rows there, so that its new rows'
    #: unique values meet none of theirs (see collisions)
    skipped: dict[str, int] = field(default_factory=dict)


def keys_table(table: str, columns: tuple[str, ...] = ()) -> str:
    """The temporary, numbered copy of a table's referenced keys; with ``columns``,
    of its rows that hold a value in each of them (see :func:`valued_keys`)."""
    name = "seed_keys_" + table
    if columns:  # a digest keeps the name short and apart from other column sets
        name += "_" + hashlib.md5(",".join(columns).encode()).hexdigest()[:8]
    return f"pg_temp.{ident(name)}"


def valued_keys(schema: Schema, fk: ForeignKey) -> tuple[str, ...]:
    """``fk``'s referenced columns when the parent may hold NULL in one of them (a
    nullable unique), else (). Such a key picks among the parent's rows holding a
    value in all of them: a parent's NULL would make a NOT NULL key fail and a
    nullable one NULL more often than its share."""
    parent = schema.entity_by_table(fk.ref_table)
    if any(parent.column(c).nullable for c in fk.ref_columns):
        return fk.ref_columns
    return ()


def parent_rows(ctx: TableContext, fk: ForeignKey) -> int:
    """How many parent rows ``fk`` picks from: the rows holding its referenced
    columns where those may be NULL (once the parent is filled), else all."""
    valued = valued_keys(ctx.schema, fk)
    if valued and (fk.ref_table, valued) in ctx.valued:
        return ctx.valued[(fk.ref_table, valued)]
    return ctx.counts.get(fk.ref_table, 0)
