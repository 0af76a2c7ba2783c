"""A partitioned table's CHECK constraints as its partitions hold them, for the live
comparison.

PostgreSQL gives every partition a copy of each check of its table (inherited:
``coninhcount`` above 0); the language declares checks on a table alone. So a check a
partition holds of its own is drift: made by hand on it (every write there evaluates
it, and a row another partition takes is refused there alone), or the
``*_move_bound`` check that proves a moved partition's bound ahead of its move
(:class:`schemagen.operations.partition.AddBoundCheck`) left where the move's main
revision never ran. Where the database is not at head, that revision may still run, and
drops it after the attach: the hint then says to upgrade first. Read in the tables
query check makes anyway; each statement names the partition with its PostgreSQL
schema, so that it runs as printed whatever the session's search_path.
"""

from __future__ import annotations

from ..findings import Finding
from ..model.schema import quote_name
from ..model.sqltext import quote_in
from .partition_indexes import EXTRA
from .shapes import PartitionCheck

#: The name's end that marks a moved partition's check (operations.partition.bound_check_name).
MOVE_BOUND = "_move_bound"

#: Said before the statement: why the schema has no place for it.
ALONE = "the schema declares checks on a table alone (every partition holds its table's): "

#: Said first for a move's check where the database is not at head.
PENDING = (
    "the database is not at head: run `alembic upgrade head` first, whose pending "
    "revision moves the partition and drops the check (made ahead so that the move reads "
    "no row under lock); if it is still reported, "
)


def partition_check_findings(
    table: str, checks: tuple[PartitionCheck, ...], pending: bool = False
) -> list[Finding]:
    """One finding for each check a partition of ``table`` holds of its own, with the
    ``ALTER TABLE ... DROP CONSTRAINT`` that removes it; a move's where the database is
    not at head (``pending``) upgrading first, which drops it."""
    findings = []
    for partition, schema, name, check, definition in checks:
        drop = f"`ALTER TABLE {quote_in(schema, name)} DROP CONSTRAINT {quote_name(check)}`"
        hint = ALONE + drop
        if pending and check.endswith(MOVE_BOUND):
            hint = PENDING + drop
        message = f"{EXTRA}: made on partition {partition} of {table} alone: {definition}"
        findings.append(Finding("database", f"check {check} on {partition}", message, hint))
    return findings
