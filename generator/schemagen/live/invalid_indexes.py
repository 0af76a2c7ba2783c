"""An INVALID index in the database (a concurrent or partition-by-partition
build that failed or was cancelled): what it leaves unenforced, and how to finish
or drop it.
"""

from __future__ import annotations

from ..findings import Finding
from ..model.naming import split_qualified
from ..model.sqltext import quote_in
from .drift import finding
from .partition_indexes import without_copies
from .shapes import (
    AttachedTo,
    InvalidIndex,
)


def invalid_index(found: InvalidIndex, home: str | None) -> Finding:
    """The finding for ``found``, with how to finish its build or drop it; ``home``:
    the current schema, which qualifies the hint's DROP of an index of one of its tables
    (keyed bare), so the DROP runs whatever the search_path."""
    table, index, partitioned, top = found[:4]
    # the index's name whole (one made by hand may hold a dot), in its table's schema,
    # read apart (the table's key does not split back where its name holds a dot)
    where = quote_in(found.schema or split_qualified(table)[0] or home, index)
    if partitioned or top is not None:
        # PostgreSQL refuses DROP INDEX CONCURRENTLY of a partitioned index, and the
        # rerun finishes the build rather than starting it again
        named, finish = without_copies(found, where)
        return finding(
            f"index {index} on {table}",
            "is INVALID: its build partition by partition failed or was cancelled "
            "before every partition's index was attached, so a partition without one "
            f"is neither indexed nor, for a unique index, checked{named}",
            f"index {index}: {_part_of(top)}fix what made the build fail (e.g. duplicate "
            "rows), then rerun `alembic upgrade head`: it builds and attaches the "
            "partitions' missing indexes, and the index is valid once the last is "
            f"attached (by hand: {_drop_by_hand(where, index, top, home)}it holds ACCESS "
            f"EXCLUSIVE on {top.table if top else table} and each of its partitions until "
            f"it commits; the rerun then builds it again){finish}",
        )
    return finding(
        f"index {index} on {table}",
        "is INVALID: a CREATE INDEX CONCURRENTLY failed or was cancelled, so it "
        "enforces nothing and serves no query",
        f"index {index}: fix what made the build fail (e.g. duplicate rows), then rerun "
        "the alembic upgrade or downgrade that failed: it drops the INVALID index and "
        f"builds it again (by hand: DROP INDEX CONCURRENTLY {where})",
    )


def _part_of(top: AttachedTo | None) -> str:
    if top is None:
        return ""
    return f"it is attached to index {top.name} on {top.table}, whose build it is part of: "


def _drop_by_hand(where: str, index: str, top: AttachedTo | None, home: str | None) -> str:
    """The DROP INDEX that PostgreSQL takes: an index attached to another is
    dropped only with the one at the top of its tree ("index ... requires it");
    ``where``: the index qualified."""
    if top is None:
        return (
            f"DROP INDEX {where}, not CONCURRENTLY, which PostgreSQL refuses for "
            "a partitioned index: "
        )
    name = quote_in(top.schema or home, top.name)
    return (
        f"DROP INDEX {name}, which drops it with every index attached below it; not "
        f"{index} alone, which PostgreSQL refuses while it is attached, nor CONCURRENTLY, "
        "which it refuses for a partitioned index: "
    )
