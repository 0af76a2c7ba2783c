"""Foreign keys filled after every insert (a cycle's nullable key, a self
reference): the rows a run inserted, and the UPDATE that gives them parents."""

from __future__ import annotations

from ..model.schema import Entity, ForeignKey
from .context import DEFAULT_FK_SKEW, DEFAULT_NULL_SHARE, TableContext, key_pick, keys_table
from .random import below, salt, uniform
from .values import ident, qualified_ident

#: How the rows of a table without a primary key are told apart while a seed fills
#: their deferred foreign keys: by ctid, which stays put within the transaction
#: (a temporary table cannot have a column named ctid: hence the alias).
ROW_ID = "seed_row_ctid"


def row_keys(ent: Entity) -> list[tuple[str, str]]:
    """(expression on the table, column of the new-rows table) for each column that
    tells the rows of ``ent`` apart: its primary key, else its ctid."""
    if not ent.has_primary_key:
        return [("ctid", ROW_ID)]
    return [(ident(c), ident(c)) for c in ent.primary_key.columns]


def new_rows_table(table: str) -> str:
    """The temporary list of rows this run inserted into ``table`` (for deferred keys)."""
    return f"pg_temp.{ident('seed_new_' + table)}"


def deferred_update(
    ctx: TableContext,
    ent: Entity,
    fks: tuple[ForeignKey, ...],
    first: int,
    apart: frozenset[str] = frozenset(),
) -> str:
    """Fill the deferred foreign keys of the rows this run inserted; a key named in
    ``apart`` (a check asks ``manager_id <> id``) takes the next row of the parent's
    keys where the one picked is the row itself (NULL when it is the only one)."""
    sets = []
    for fk in fks:
        count: int | str = ctx.counts.get(fk.ref_table, 0)
        keys = keys_table(fk.ref_table)
        narrow = key_pick(ctx.schema, ent, fk)
        # (its parent's keys that fit, or that its checks take, counted once there)
        if narrow.fits or narrow.checks:
            keys = keys_table(fk.ref_table, narrow)
            count = f"(SELECT count(*) FROM {keys})"
        # the skew its first column declares, as a key filled in the insert (select.parent_row)
        lead = ent.column(fk.columns[0])
        skew = lead.seed.skew if lead.seed and lead.seed.skew else DEFAULT_FK_SKEW
        pick = f"(1 + {below(count, salt(ctx.seed, ent.table, fk.name), skew, 's.n')})"
        whole = bool(fk.match) and len(fk.columns) > 1
        for col_name, ref in zip(fk.columns, fk.ref_columns, strict=True):
            # a MATCH FULL key is NULL in all its columns or in none: one draw and one
            # share (its first column's) for all
            col = ent.column(fk.columns[0] if whole else col_name)
            share = (
                col.seed.nulls if col.seed and col.seed.nulls is not None else DEFAULT_NULL_SHARE
            )
            drawn = fk.name if whole else col_name
            u = uniform(salt(ctx.seed, ent.table, drawn, "null"), "s.n")
            value = f"(SELECT k.{ident(ref)} FROM {keys} AS k WHERE k.rn = {pick})"
            if fk.name in apart:
                other = f"1 + {pick} % {count}"
                value = (
                    f"(SELECT k.{ident(ref)} FROM {keys} AS k WHERE "
                    f"k.rn IN ({pick}, {other}) AND k.{ident(ref)} <> t.{ident(ref)} "
                    f"ORDER BY k.rn = {pick} DESC LIMIT 1)"
                )
            sets.append(f"{ident(col_name)} = CASE WHEN {u} < {share!r} THEN NULL ELSE {value} END")
    keys = ", ".join(name for _, name in row_keys(ent))
    match = " AND ".join(f"t.{expr} = s.{name}" for expr, name in row_keys(ent))
    return (
        f"UPDATE {qualified_ident(ent.table)} AS t SET {', '.join(sets)} FROM (SELECT "
        f"row_number() OVER (ORDER BY {keys}) + {first - 1} AS n, {keys} "
        f"FROM {new_rows_table(ent.table)}) AS s WHERE {match}"
    )
