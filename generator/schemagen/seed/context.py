"""What planning one table needs to know about the rest: the rows each table will
hold, and the numbered temporary copies of the keys its foreign keys pick from."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from ..model.schema import Entity, ForeignKey, Schema
from .checks import columns_named, conjuncts
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
    #: (table, pick) -> how many of its rows a key with that pick picks from (see KeyPick)
    valued: dict[tuple[str, KeyPick], int] = field(default_factory=dict)
    #: table -> row numbers passed over after its rows there, so that its new rows'
    #: unique values meet none of theirs (see collisions)
    skipped: dict[str, int] = field(default_factory=dict)
    #: table -> the last row number its new rows may take, from 1, each one whose
    #: unique values meet none of the rows there (see collisions.fill_gaps)
    filling: dict[str, int] = field(default_factory=dict)
    #: (table, a unique key's columns) -> the rows there holding a combination of it
    #: (see collisions.held_keys); a table not in it holds none but those there
    held: dict[tuple[str, tuple[str, ...]], int] = field(default_factory=dict)
    #: the tables whose rows were asked by name (--rows-per): a key that cannot hold
    #: them refuses, where it caps a count --rows shares out (see plan.plan_table)
    asked: frozenset[str] = frozenset()

    def holding(self, table: str, key: tuple[str, ...]) -> int:
        """The rows there taking a combination of ``key`` (all there, if not known)."""
        return self.held.get((table, key), self.existing.get(table, 0))


#: The greatest value of an integer type narrower than bigint (its least: -1 - it).
INTEGER_MAX = {"smallint": 32767, "integer": 2147483647}
_WIDTH = {"smallint": 2, "integer": 4, "bigint": 8}


@dataclass(frozen=True)
class KeyPick:
    """Which of a parent's rows a foreign key over its ``columns`` picks from, where
    not all: where ``valued``, those holding a value in each column (see
    :func:`valued_keys`) and, for each (column, type) of ``fits``, a value that fits
    in that narrower type (a smallint column referencing an integer key takes no key
    above 32767); for ``checks``, (name, expression) of the checks of the key's table
    naming only its columns (``as_columns``, those of ``columns`` in order), a key
    they take (``region_id > 2``: a key of 1 or 2 would fail the insert)."""

    columns: tuple[str, ...] = ()
    valued: bool = False
    fits: tuple[tuple[str, str], ...] = ()
    checks: tuple[tuple[str, str], ...] = ()
    as_columns: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.valued or bool(self.fits) or bool(self.checks)

    def where(self) -> str:
        """The condition on the parent's rows ("" for all)."""
        held = [
            f"{ident(c)} IS NOT NULL"
            for c in self.columns
            if self.valued and c not in dict(self.fits)
        ]
        fit = [
            f"{ident(c)} BETWEEN {-1 - INTEGER_MAX[kind]} AND {INTEGER_MAX[kind]}"
            for c, kind in self.fits
        ]
        return " AND ".join(held + fit + self._taken())

    def _taken(self) -> list[str]:
        """The checks as conditions on the parent's row: each read with the key's
        columns named as the referencing table names them (the nearest FROM: a bare
        name is the key's, whatever the parent's own columns are called). A CHECK
        fails only where its expression is false."""
        if not self.checks:
            return []
        pairs = zip(self.columns, self.as_columns, strict=True)
        renamed = ", ".join(f"{ident(ref)} AS {ident(c)}" for ref, c in pairs)
        return [
            f"(SELECT ({expression}) IS NOT FALSE FROM (SELECT {renamed}) AS seed_key)"
            for _, expression in self.checks
        ]

    def words(self) -> str:
        """``holding (code)``, ``holding id within smallint``, ``holding (id) that
        check c (region_id > 2) takes``, for a message."""
        parts = [f"({', '.join(self.columns)})"] if self.valued and not self.checks else []
        parts += [f"{c} within {kind} ({-1 - INTEGER_MAX[kind]} to {INTEGER_MAX[kind]})"
                  for c, kind in self.fits]  # fmt: skip
        if self.checks:
            said = " and ".join(f"{name} ({expression})" for name, expression in self.checks)
            verb = "check" if len(self.checks) == 1 else "checks"
            parts.append(
                f"({', '.join(self.columns)}) that {verb} {said} "
                + ("takes" if len(self.checks) == 1 else "take")
            )
        return "holding " + " and ".join(parts) if parts else ""


#: A key that picks from all of its parent's rows.
ALL_ROWS = KeyPick()


def keys_table(table: str, pick: KeyPick = ALL_ROWS) -> str:
    """The temporary, numbered copy of a table's referenced keys; with a ``pick``, of
    its rows that pick holds (see :func:`key_pick`)."""
    name = "seed_keys_" + table
    if pick:  # a digest keeps the name short and apart from other picks
        said = ",".join(pick.columns) if pick.valued else "fit:" + ",".join(pick.columns)
        said += "".join(f";{c}:{kind}" for c, kind in pick.fits)
        said += "".join(f";check:{name}" for name, _ in pick.checks)
        name += "_" + hashlib.md5(said.encode()).hexdigest()[:8]
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


def key_pick(schema: Schema, ent: Entity, fk: ForeignKey) -> KeyPick:
    """The parent's rows ``fk`` of ``ent`` may pick: see :class:`KeyPick`. A column
    narrower than the integer it references (``{type: smallint, references: ...}``)
    takes only the keys that fit in it; one that checks of ``ent`` name alone, only
    the keys they take (unless the user's value generator makes the key)."""
    parent = schema.entity_by_table(fk.ref_table)
    fits = []
    for column, ref in zip(fk.columns, fk.ref_columns, strict=True):
        mine, theirs = ent.column(column).type.kind, parent.column(ref).type.kind
        if mine in INTEGER_MAX and theirs in _WIDTH and _WIDTH[mine] < _WIDTH[theirs]:
            fits.append((ref, mine))
    checks = () if _generated(ent, fk) else key_checks(ent, fk)
    return KeyPick(
        fk.ref_columns,
        bool(valued_keys(schema, fk)),
        tuple(fits),
        checks,
        fk.columns if checks else (),
    )


def key_checks(ent: Entity, fk: ForeignKey) -> tuple[tuple[str, str], ...]:
    """(name, expression) of each check of ``ent``, or part it ANDs, naming columns of
    ``fk`` and no other (an OR of them too: ``region_id < 2 OR region_id > 3``), by
    name."""
    return tuple(
        sorted(
            (check.name, part)
            for check in ent.checks
            for part in conjuncts(check.expression)
            if (named := columns_named(part)) and named <= set(fk.columns)
        )
    )


def _generated(ent: Entity, fk: ForeignKey) -> bool:
    """Whether the user's value generator makes a column of ``fk`` (see select)."""
    return any((col := ent.column(c)).seed is not None and bool(col.seed.sql) for c in fk.columns)


def parent_rows(ctx: TableContext, ent: Entity, fk: ForeignKey) -> int:
    """How many parent rows ``fk`` of ``ent`` picks from: those its pick holds (once
    the parent is filled), else all."""
    pick = key_pick(ctx.schema, ent, fk)
    if pick and (fk.ref_table, pick) in ctx.valued:
        return ctx.valued[(fk.ref_table, pick)]
    return ctx.counts.get(fk.ref_table, 0)
