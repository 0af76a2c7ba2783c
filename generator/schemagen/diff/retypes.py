"""A table's type changes made one statement: :class:`RetypeColumns`.

Decided once the plan is ordered and settled into stages: the type changes of one
table sit next to each other in the column phase (:mod:`.ordering`), and only those
of the main transaction are joined (a lock-safe nullability step stays its own).

In one ``ALTER TABLE`` every ``USING`` reads the old values of all the columns; as
statements of their own, a later column's ``USING`` read the earlier ones already
converted. A column whose ``using:`` names one joined before it therefore starts a
statement of its own after them, as before (measured on PostgreSQL 15 in
tests/revision/test_retype_using_a_sibling.py: ``(amount::numeric * 100)::bigint``
read '12.5' where it read amount rounded to 13).
"""

from __future__ import annotations

from collections.abc import Sequence

from ..model.sequences import switches_sequence
from ..operations.base import Operation
from ..operations.costs import steps
from ..operations.retype import RetypeColumns
from ..operations.table import AlterColumn
from ..validate.sql import SqlSyntaxError, read_expression

#: The step of a type change that rewrites the table (operations.costs.FACTS).
REWRITES = "alter column type"


def retyped_together(ops: Sequence[Operation]) -> list[Operation]:
    """``ops`` with each run of two or more adjacent type changes of one table that
    rewrite it (:func:`rewrites`) made one :class:`RetypeColumns`, where the first of
    them stood."""
    found: list[Operation] = []
    run: list[AlterColumn] = []
    for op in [*ops, None]:
        if (
            isinstance(op, AlterColumn)
            and rewrites(op)
            and (not run or (run[0].table == op.table and not reads_any(op, run)))
        ):
            run.append(op)
            continue
        found += [RetypeColumns(run[0].table, tuple(run))] if len(run) > 1 else run
        run = [op] if isinstance(op, AlterColumn) and rewrites(op) else []
        if op is not None and not run:
            found.append(op)
    return found


def rewrites(op: AlterColumn) -> bool:
    """A type change in the transaction that PostgreSQL makes by rewriting the table
    (not one it makes in place: binary compatible, or timestamp <-> timestamptz read
    as UTC), with no identity or serial sequence changed beside it (their statements
    must come before or after the very column's ALTER)."""
    old, new = op.old, op.new
    return (
        not op.lock_safe
        and REWRITES in steps(op)
        and old.identity == new.identity
        and old.identity_options == new.identity_options
        and not switches_sequence(old, new)
    )


def reads_any(op: AlterColumn, run: Sequence[AlterColumn]) -> bool:
    """``op``'s ``using:`` names a column of ``run`` (by its old or new name), or
    cannot be read to tell: joined with them, it would read their old values."""
    if op.using is None:
        return False
    try:
        named = {parts[-1] for parts in read_expression(op.using).columns}
    except SqlSyntaxError:
        return True
    return any(named & {other.old.name, other.new.name} for other in run)
