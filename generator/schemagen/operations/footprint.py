"""How many relations a statement that rewrites a table locks until its transaction
ends, counted from the schema model.

A plan is cut into transactions by its operations' estimates (:attr:`.base.Operation.locks`,
:mod:`.stages`), so each must be an upper bound of what PostgreSQL takes. A rewrite
takes far more than its table: measured on PostgreSQL 15 in ``pg_locks`` (distinct
relations of the backend, tests/revision/test_lock_estimates.py), a type change of an
indexed column of a table with four indexes locks 12, not 2. It locks:

- the table, and its TOAST table and TOAST index, with the new pair the rewrite makes
  (four, where the table has a TOAST table: an upper bound), and the transient table
  the rows are written into;
- every index of the table, rebuilt, and once more each index over a changed column,
  made again under a new OID while the old one stays locked;
- a partitioned table's partitions (any depth), each all of that;
- for a foreign key PostgreSQL makes again under the statement, the other table and
  every index of it, which the planner of the key's check opens.

A type change PostgreSQL makes without rewriting (binary compatible: a varchar
widened or made text, more numeric precision) locks far less: the table, each index
over a changed column twice (made again under a new OID, its file kept; an expression
or partial index naming the column too), the TOAST table and index the new type may
make where the table had none, each partition likewise, and for a foreign key made
again under it the other table and its partitions alone (its check is not run again):
measured, a varchar widened under a unique index 3 relations, varchar to text on a
table of two partitions with an index on it 13 (4 of them the new TOAST pairs).

A foreign key locks each partition of a partitioned table it is on or references
(its copies), and where it is checked, every index of both tables.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..model.schema import Entity, indexes_holding, partition_tree

#: The TOAST table and its index, the old pair and the new one a rewrite makes, and
#: the transient table it writes the rows into.
REWRITTEN_STORAGE = 5

#: The TOAST table and index a type change without rewrite may make (varchar(10) to
#: text on a table with no TOAST table yet): counted on every table, an upper bound.
TOAST_PAIR = 2


def index_count(entity: Entity) -> int:
    """The indexes of ``entity``: its primary key, unique and exclusion constraints,
    and indexes."""
    keyed = 1 if entity.has_primary_key else 0
    return keyed + len(entity.uniques) + len(entity.indexes) + len(entity.excludes)


def partitions(entity: Entity) -> int:
    """The partitions of ``entity``'s table, at any depth."""
    return sum(1 for _ in partition_tree(entity.partitions))


def rewritten(entity: Entity, columns: Iterable[str] = ()) -> int:
    """Relations a statement that rewrites ``entity``'s table locks, ``columns``
    changing type (each index over one is made again)."""
    indexes = index_count(entity)
    again = indexes_holding(entity, columns)
    table = 1 + REWRITTEN_STORAGE + indexes + again
    if entity.partition_by is None:
        return table
    # the partitioned table holds no rows: itself and its (partitioned) indexes
    return 1 + indexes + again + partitions(entity) * table


def retyped_in_place(entity: Entity, columns: Iterable[str]) -> int:
    """Relations a type change of ``columns`` that PostgreSQL makes without rewriting
    ``entity``'s table locks: the table, each index over a changed column old and new,
    a TOAST pair, each partition likewise (a partitioned table holds no TOAST table)."""
    again = 2 * indexes_holding(entity, columns)
    table = 1 + again + TOAST_PAIR
    if entity.partition_by is None:
        return table
    return 1 + again + partitions(entity) * table


def read(entity: Entity) -> int:
    """Relations a query reading ``entity``'s table locks: the table and every index
    of it (the planner opens them all), each partition's too."""
    return (1 + index_count(entity)) * (1 + partitions(entity))
