"""Revision code for a constraint replaced in place (registered on the dispatcher).

A foreign key's or check's new definition is swapped in ``NOT VALID`` in one
statement, then validated; a unique's new columns get their index built while
the old constraint holds, then swapped in (no moment without either), the index
built before the main transaction where it can be (``PrebuildUniqueIndex``); a
deferral changes. A rerun of a swap after a failure ends where the first run
would have.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import naming
from ..model.schema import Schema, UniqueConstraint
from ..model.sqltext import deferral_sql, do_block
from ..operations.constraint import (
    AlterForeignKeyDeferral,
    AlterUniqueDeferral,
    PrebuildUniqueIndex,
    ReplaceCheck,
    ReplaceForeignKey,
    ReplaceUnique,
)
from ..operations.sqlutil import quote_ident, quote_table
from .constraints import (
    add_constraint,
    constraint_sql,
    drop_constraint,
    unique_in_place,
    unique_index_sql,
    validate_constraint,
)
from .indexes import drop_invalid_index
from .render import Guarded, Stmt, execute, render_operation
from .validation import repeated_rows_sql


@render_operation.register(ReplaceForeignKey)
def _(operation: ReplaceForeignKey, state: Schema) -> list[Stmt]:
    # One statement, so one transaction: the old key is gone only where the new
    # one, NOT VALID, already checks every row written. A rerun swaps again (the
    # same brief locks) and validates: the same end whichever key it finds (under
    # a new name, the new one is dropped too, so that it can be added again).
    alter = f"ALTER TABLE {quote_table(operation.table)}"
    name = quote_ident(operation.new.name)
    # (validated: false: the swap alone; false -> true: VALIDATE alone)
    if operation.validates_only:
        return [validate_constraint(operation.table, operation.new)]
    drops = "".join(
        f"DROP CONSTRAINT IF EXISTS {quote_ident(n)}, "
        for n in dict.fromkeys((operation.old.name, operation.new.name))
    )
    swap = execute(
        f"{alter} {drops}ADD CONSTRAINT {name} {constraint_sql(operation.new)} NOT VALID"
    )
    if not operation.new.validated:
        return [swap]
    return [swap, validate_constraint(operation.table, operation.new)]


@render_operation.register(AlterForeignKeyDeferral)
def _(operation: AlterForeignKeyDeferral, state: Schema) -> list[Stmt]:
    # Both words always said: ALTER CONSTRAINT sets what it is not told to its default.
    fk = operation.new
    deferrable = "DEFERRABLE" if fk.deferrable or fk.initially_deferred else "NOT DEFERRABLE"
    initially = "DEFERRED" if fk.initially_deferred else "IMMEDIATE"
    return [
        execute(
            f"ALTER TABLE {quote_table(operation.table)} ALTER CONSTRAINT "
            f"{quote_ident(fk.name)} {deferrable} INITIALLY {initially}"
        )
    ]


@render_operation.register(ReplaceCheck)
def _(operation: ReplaceCheck, state: Schema) -> list[Stmt]:
    # as a foreign key's swap: one statement, then VALIDATE; a rerun swaps again
    # (validated: false: the swap alone; false -> true: VALIDATE alone)
    if operation.validates_only:
        return [validate_constraint(operation.table, operation.new)]
    alter = f"ALTER TABLE {quote_table(operation.table)}"
    name = quote_ident(operation.new.name)
    swap = execute(
        f"{alter} DROP CONSTRAINT IF EXISTS {name}, "
        f"ADD CONSTRAINT {name} {constraint_sql(operation.new)} NOT VALID"
    )
    if not operation.new.validated:
        return [swap]
    return [swap, validate_constraint(operation.table, operation.new)]


@render_operation.register(ReplaceUnique)
def _(operation: ReplaceUnique, state: Schema) -> list[Stmt | Guarded]:
    old, new = operation.old, operation.new
    alter = f"ALTER TABLE {quote_table(operation.table)} DROP CONSTRAINT"
    if operation.prebuilt in ("new", "both"):
        # its index built and searched before the transaction (PrebuildUniqueIndex):
        # attached, no scan under the lock
        return [
            execute(
                f"{alter} {quote_ident(old.name)}, ADD CONSTRAINT {quote_ident(new.name)} "
                f"UNIQUE USING INDEX {quote_ident(operation.index)}{deferral_sql(new)}"
            )
        ]
    if not operation.lock_safe:
        # Rows that repeat the new columns would fail the build with
        # PostgreSQL's "could not create unique index" (one key value): they are
        # searched for first, so that the failure names the constraint and a
        # query that lists them; the transaction rolls back, the old one holds.
        cols = ", ".join(quote_ident(c) for c in new.columns)
        table = operation.table
        find = (
            [execute(repeated_rows_sql(table, new, unique_in_place(table, new), held_by=old))]
            if operation.checks_rows
            else []
        )
        return [
            *find,
            execute(
                f"{alter} {quote_ident(old.name)}, ADD CONSTRAINT {quote_ident(new.name)} "
                f"UNIQUE ({cols}){deferral_sql(new)}"
            ),
        ]
    # The new index is built while the old constraint holds, then one statement
    # drops the old and attaches the new: no moment without either. Every step
    # asks whether the swap is done (the new name over the new columns), so a
    # rerun after a failure anywhere skips what is done and never builds the
    # index again once it was attached (under one name, as the old's).
    table, index = operation.table, operation.index
    done = unique_in_place(table, new)
    swap = (
        f"{alter} IF EXISTS {quote_ident(old.name)}, ADD CONSTRAINT {quote_ident(new.name)} "
        f"UNIQUE USING INDEX {quote_ident(index)}{deferral_sql(new)}"
    )
    build = _UniqueBuild(table, index, new, operation.checks_rows, old)
    return [
        *_unique_index_build(build, done),
        execute(do_block(f" BEGIN IF NOT {done} THEN {swap}; END IF; END ")),
    ]


@dataclass(frozen=True)
class _UniqueBuild:
    """A unique index built concurrently: where, under which name, for which
    constraint; ``search``: whether rows may repeat its columns; ``held_by``: the
    constraint that holds meanwhile, if any."""

    table: str
    index: str
    new: UniqueConstraint
    search: bool
    held_by: UniqueConstraint | None


def _unique_index_build(build: _UniqueBuild, done: str | None) -> list[Stmt | Guarded]:
    """The idempotent steps that build a unique index concurrently: an INVALID
    leftover dropped, the rows searched for repeats (where they may repeat), the
    build; each skipped once ``done`` (SQL: the constraint is in place; None: it
    cannot be yet)."""
    table, index, new = build.table, build.index, build.new
    steps: list[Stmt | Guarded] = [drop_invalid_index(index, table)]
    if build.search:
        unless = done or "false"
        steps.append(execute(repeated_rows_sql(table, new, unless, held_by=build.held_by)))
    sql = execute(unique_index_sql(table, index, new))
    return [*steps, sql if done is None else Guarded(f"SELECT NOT {done}", (sql,))]


@render_operation.register(PrebuildUniqueIndex)
def _(operation: PrebuildUniqueIndex, state: Schema) -> list[Stmt | Guarded]:
    # Before the main transaction, which attaches it: a swap's old constraint and
    # the columns still there, under the previous revision's names.
    if operation.undo:
        name = quote_table(naming.in_schema_of(operation.table, operation.index))
        return [execute(f"DROP INDEX CONCURRENTLY IF EXISTS {name}")]
    build = _UniqueBuild(
        operation.table, operation.index, operation.new, operation.checks_rows, operation.held_by
    )
    return _unique_index_build(build, None)


@render_operation.register(AlterUniqueDeferral)
def _(operation: AlterUniqueDeferral, state: Schema) -> list[Stmt]:
    return [
        drop_constraint(operation.table, operation.old),
        add_constraint(operation.table, operation.new),
    ]
