"""A NOT NULL foreign key column narrower than the integer key it references (a
smallint column referencing an integer key) whose parent will hold no key that fits
in it: refused before any insert, where that can be known.

It can where the parent's rows that fit are counted before the seed writes (the rows
there) and its new rows' keys are known before they are made: none asked, or numbered
by an identity or serial sequence whose next numbers are read from the sequence
(after ``--append`` moved it past the rows there). Otherwise (a key seed makes by its
own rule, a composite key, a self reference filled after the insert) the refusal
stays where the key's values are chosen (:mod:`.select`), in the seed's transaction,
once the parent's rows are there: it is rolled back, nothing written.
"""

from __future__ import annotations

from typing import Any

import psycopg

from ..model.schema import Entity, ForeignKey, Schema
from .context import INTEGER_MAX, KeyPick, key_pick
from .refusals import SeedError
from .sequences import upcoming_numbers
from .values import qualified_ident


def refuse_unfit_keys(
    conn: psycopg.Connection[Any], schema: Schema, wanted: dict[str, int], existing: dict[str, int]
) -> None:
    """SeedError, before any insert, for the first NOT NULL narrow key column of a
    table asked rows whose parent will hold no key that fits in it (see the module)."""
    for ent in sorted(schema.entities, key=lambda e: e.table):
        if wanted.get(ent.table, 0) <= 0:
            continue
        for fk in ent.foreign_keys:
            why = _no_key_fits(conn, schema, ent, fk, wanted, existing)
            if why is not None:
                raise SeedError(why)


def _no_key_fits(
    conn: psycopg.Connection[Any],
    schema: Schema,
    ent: Entity,
    fk: ForeignKey,
    wanted: dict[str, int],
    existing: dict[str, int],
) -> str | None:
    pick = key_pick(schema, ent, fk)
    if len(fk.columns) != 1 or not pick.fits or fk.ref_table == ent.table:
        return None
    col = ent.column(fk.columns[0])
    if col.nullable or col.seed is not None:
        return None  # NULL where no key fits; the user's generator answers for its values
    parent = schema.entity_by_table(fk.ref_table)
    ref = parent.column(fk.ref_columns[0])
    if ref.seed is not None or not (ref.identity or ref.serial):
        return None  # the new keys are seed's own rule's: known once made
    if existing.get(parent.table, 0) and _fitting_rows(conn, parent.table, pick):
        return None
    refused = f"cannot seed {ent.table}: {parent.table} has no rows {pick.words()}"
    refused += f" to reference by {fk.name}"
    rows = wanted.get(parent.table, 0)
    if rows <= 0:
        return refused
    numbers = upcoming_numbers(conn, parent.table, ref.name)
    if numbers is None:
        return None
    shown, first, step = numbers
    kind = dict(pick.fits)[ref.name]
    if _any_within(first, step, rows, -1 - INTEGER_MAX[kind], INTEGER_MAX[kind]):
        return None
    last = first + step * (rows - 1)
    return (
        f"{refused}, and the {rows} it would seed are numbered {first} to {last} by "
        f"{shown}: refused before any row is written"
    )


def _fitting_rows(conn: psycopg.Connection[Any], table: str, pick: KeyPick) -> int:
    row = conn.execute(  # type: ignore[arg-type]
        f"SELECT count(*) FROM {qualified_ident(table)} WHERE {pick.where()}"
    ).fetchone()
    return int(row[0]) if row else 0


def _any_within(first: int, step: int, count: int, low: int, high: int) -> bool:
    """Whether first, first + step, ... (count numbers) holds one in [low, high]."""
    if step < 0:
        return _any_within(-first, -step, count, -high, -low)
    k = -((first - low) // step) if first < low else 0  # the first at or past low
    return k < count and first + k * step <= high
