"""A partitioned table's CHECK constraints as its partitions hold them, for the live
comparison.

PostgreSQL gives every partition a copy of each check of its table (inherited:
``coninhcount`` above 0); the language declares checks on a table alone. So a check a
partition holds of its own is drift: made by hand on it (every write there evaluates
it, and a row another partition takes is refused there alone), or the
``*_move_bound`` check that proves a moved partition's bound ahead of its move
(:class:`schemagen.operations.partition.AddBoundCheck`) left where the move's main
revision never ran. Where the database is not at head, that revision may still run, and
drops it after the attach: the hint then says to upgrade first. The check of a
partition made beside a DEFAULT partition sits on the DEFAULT partition alone (named for
the partition made, which holds none); where the DEFAULT partition is partitioned, the
online revision drops it once the main revision has made the partition, so a failed
online step leaves it with the partition made: the hint says which of these is pending.
Read in the tables
query check makes anyway; each statement names the partition with its PostgreSQL
schema, so that it runs as printed whatever the session's search_path.
"""

from __future__ import annotations

from ..findings import Finding
from ..model.schema import quote_name
from ..model.sqltext import quote_in
from ..operations.partition import MOVE_BOUND, bound_check_name
from .partition_indexes import EXTRA
from .shapes import CatalogName, PartitionCheck

#: Said before the statement: why the schema has no place for it.
ALONE = "the schema declares checks on a table alone (every partition holds its table's): "

#: Said first for a move's check where the database is not at head.
PENDING = (
    "the database is not at head: run `alembic upgrade head` first, whose pending "
    "revision moves the partition and drops the check (made ahead so that the move reads "
    "no row under lock); if it is still reported, "
)

#: Said first, where the database is not at head, for the check of a partition made
#: beside a DEFAULT partition (``{partition}``), which the main revision has not made yet.
PENDING_CREATE = (
    "the database is not at head: run `alembic upgrade head` first, whose pending "
    "revisions make partition {partition} beside this DEFAULT partition and drop the "
    "check (made ahead so that the create reads none of its rows under lock); if it is "
    "still reported, "
)

#: Said first, where the database is not at head, for the check of a partition made
#: beside a partitioned DEFAULT partition (``{partition}``), once the main revision has
#: made it: the online revision drops it (a failed run of it leaves the check).
PENDING_MADE = (
    "the database is not at head: run `alembic upgrade head` first, whose pending "
    "online revision drops the check (made ahead so that partition {partition}, made by "
    "the main revision beside this DEFAULT partition, read none of its rows under lock; "
    "meanwhile it refuses no row: those of the bound go to {partition}); if it is still "
    "reported, "
)


def partition_check_findings(
    table: str,
    checks: tuple[PartitionCheck, ...],
    pending: bool = False,
    partitions: tuple[CatalogName, ...] = (),
) -> list[Finding]:
    """One finding for each check a partition of ``table`` holds of its own, with the
    ``ALTER TABLE ... DROP CONSTRAINT`` that removes it; a move's or a create's where
    the database is not at head (``pending``) upgrading first, which drops it, said as
    :func:`_pending` finds it among ``partitions`` (the table's, any depth)."""
    findings = []
    for partition, schema, name, check, definition in checks:
        drop = f"`ALTER TABLE {quote_in(schema, name)} DROP CONSTRAINT {quote_name(check)}`"
        hint = ALONE + drop
        if pending and check.endswith(MOVE_BOUND):
            hint = _pending(check, checks, partitions) + drop
        message = f"{EXTRA}: made on partition {partition} of {table} alone: {definition}"
        findings.append(Finding("database", f"check {check} on {partition}", message, hint))
    return findings


def _pending(
    check: str, checks: tuple[PartitionCheck, ...], partitions: tuple[CatalogName, ...]
) -> str:
    """What the pending revisions do with ``check``: a partition moved or rebound holds
    it of its own (beside it, the DEFAULT partition's of the same name); one made beside
    a DEFAULT partition holds none, and is in the database once the main revision has
    made it."""
    if any(c.name == check and bound_check_name(c.table) == check for c in checks):
        return PENDING
    made = next((p.name for p in partitions if bound_check_name(p.name) == check), None)
    if made is not None:
        return PENDING_MADE.format(partition=made)
    return PENDING_CREATE.format(partition=check.removesuffix(MOVE_BOUND))
