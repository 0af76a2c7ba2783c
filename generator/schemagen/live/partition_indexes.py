"""A partitioned table's indexes as its partitions hold them, for the live comparison.

PostgreSQL gives every partition a copy of each index of its table, attached to it;
the language declares a partition's indexes on its table alone. So an index made by
hand on one partition, a copy of no index of its parent, is drift (the planner uses
it for that partition's rows, and every write there maintains it), and a table's
index some partition has no copy of (made ``ON ONLY`` by hand, or a build partition
by partition cut short: :mod:`schemagen.revision.partition_indexes`) is INVALID and
leaves that partition's rows unindexed. Both are read in queries check makes anyway
(the tables query, the INVALID indexes'), and each finding's statements name their
objects with their PostgreSQL schema, so they run as printed whatever the session's
search_path.
"""

from __future__ import annotations

from ..findings import Finding
from ..model.schema import quote_name
from ..model.sqltext import printed_sql_text, quote_in
from .shapes import InvalidIndex, PartitionIndex

EXTRA = "in the database but not in the schema"


#: Said first where the database is not at head: a build ahead of its transaction
#: (revision.partition_uniques: a partitioned table's new key) leaves each partition's
#: index alone until the pending revision takes it; dropped, that revision builds it
#: again under its lock.
PENDING = (
    "the database is not at head: run `alembic upgrade head` first, whose pending "
    "revisions may take it (a build ahead of its transaction, as a partitioned table's "
    "new key's, makes each partition's index first); if it is still reported, "
)


def partition_index_findings(
    table: str, indexes: tuple[PartitionIndex, ...], pending: bool = False
) -> list[Finding]:
    """One finding for each index made on one partition of ``table`` alone: attach it
    where it has the definition of its parent's INVALID index, else drop it; where the
    database is not at head (``pending``), first upgrade, which may take it."""
    findings = []
    for partition, schema, name, partitioned, copy_of, _ in indexes:
        where = quote_in(schema, name)
        drop = f"`DROP INDEX CONCURRENTLY {where}`"
        if partitioned:
            drop = (
                f"`DROP INDEX {where}` (not CONCURRENTLY, which PostgreSQL refuses for a "
                f"partitioned index: it holds ACCESS EXCLUSIVE on {partition} and each of "
                "its partitions until it commits; it drops the copies on them)"
            )
        alone = f"made on partition {partition} of {table} alone"
        if copy_of is None:
            message = f"{EXTRA}: {alone}, a copy of no index of its parent"
            hint = (
                "the schema declares a partition's indexes on its table (every partition "
                f"gets a copy): {drop}"
            )
        else:
            parent, parent_schema, index = copy_of
            message = (
                f"{EXTRA}: {alone}, of the definition of index {index} on {parent} but "
                "not attached to it"
            )
            attach = _attach(quote_in(parent_schema, index), where)
            hint = f"attach it: `{attach}` (or drop it: {drop})"
        hint = PENDING + hint if pending else hint
        findings.append(Finding("database", f"index {name} on {partition}", message, hint))
    return findings


def _attach(index: str, copy: str) -> str:
    return f"ALTER INDEX {index} ATTACH PARTITION {copy}"


def without_copies(found: InvalidIndex, where: str) -> tuple[str, str]:
    """What a partitioned INVALID index's message and hint add for the partitions of
    its table without their copy of it (``where``: the index, quoted and qualified):
    their names, and how to finish it by hand, each partition's copy attached (an
    index of the same definition there) or built and attached."""
    if not found.uncovered or found.definition is None:
        return "", ""
    steps = []
    unique = "UNIQUE " if found.unique else ""
    # as printed, but one line without a backtick: a predicate's literal may hold either
    definition = printed_sql_text(found.definition)
    for part in found.uncovered:
        if part.candidate is not None:
            steps.append(f"`{_attach(where, quote_in(part.schema, part.candidate))}`")
            continue
        name = f"{part.name}_{found.name}"
        table = quote_in(part.schema, part.name)
        copy = quote_in(part.schema, name)
        if part.partitioned:
            build = (
                f"`CREATE {unique}INDEX {quote_name(name)} ON {table}{definition}` (not "
                "CONCURRENTLY, which PostgreSQL refuses for a partitioned table: it holds "
                f"SHARE on {part.partition} and each of its partitions while it builds)"
            )
        else:
            build = (
                f"`CREATE {unique}INDEX CONCURRENTLY {quote_name(name)} ON {table}"
                f"{definition}`"
            )
        steps.append(f"{build}, `{_attach(where, copy)}`")
    names = ", ".join(part.partition for part in found.uncovered)
    return (
        f"; without one: {names}",
        "; or finish it by hand, building and attaching each partition's: " + "; ".join(steps),
    )
