"""Revision code for a new index of a partitioned table that holds rows, built
without blocking its writers.

PostgreSQL 15 builds no index of a partitioned table CONCURRENTLY, and ``CREATE
INDEX`` on one holds SHARE on every partition (writes wait) for the whole build.
Its documented way (Partition Maintenance, in the partitioning chapter) is taken
instead, in the online stage: ``CREATE INDEX ... ON ONLY`` the table (at once;
the index is INVALID), then for each partition ``CREATE INDEX CONCURRENTLY`` and
``ALTER INDEX ... ATTACH PARTITION``; a sub-partitioned partition gets its own
``ON ONLY`` index, attached, and its partitions' in turn. The table's index is
valid once every partition's is attached.

Which partitions exist is known only when the upgrade runs (an application or
pg_partman may have made them), so the revision asks the database, through
pg_inherits, for one step at a time (:class:`~schemagen.revision.render.Stepwise`)
until none is left: ``CREATE INDEX CONCURRENTLY`` cannot run in a DO block.
Every step is resumable: a partition whose index is attached is done; an index
of the same definition, not attached, is attached if valid and dropped
(``CONCURRENTLY``) if INVALID (a build that failed or was killed), then built
again. A partition's index is unnamed, so PostgreSQL names it as ``CREATE INDEX``
on the table would (``<partition>_<columns>_idx``), and the result is what
``create_all`` makes. ``alembic upgrade --sql`` refuses the revision before
writing any of its statements: the steps depend on the database.

A unique index's repeated rows are searched for over the whole table first
(:func:`~schemagen.revision.validation.repeated_index_rows_sql`). A unique
constraint is not built this way: PostgreSQL 15 refuses ``ADD CONSTRAINT ...
USING INDEX`` on a partitioned table, so it is added in the transaction.
"""

from __future__ import annotations

from ..model.naming import in_schema_of
from ..model.schema import Index
from ..operations.constraint import CreateIndex
from ..operations.sqlutil import quote_table, sql_literal
from .render import Rendered, Stepwise, execute
from .validation import repeated_index_rows_sql

#: The next step of the build: $table and $index are the partitioned table and its
#: index, as regclass literals. A table of the tree is done when an index of the
#: tree (the top one and those attached below it) is on it; else, once its
#: parent's is, its index is attached, dropped (INVALID, on a partition) or made.
_NEXT_STEP = """\
WITH RECURSIVE tables (rel, parent, depth) AS (
  SELECT inhrelid, inhparent, 1 FROM pg_inherits
  WHERE inhparent = $table::regclass AND NOT inhdetachpending
  UNION ALL
  SELECT i.inhrelid, i.inhparent, t.depth + 1 FROM pg_inherits i
  JOIN tables t ON i.inhparent = t.rel WHERE NOT i.inhdetachpending
), tree (ix) AS (
  SELECT $index::regclass::oid
  UNION ALL
  SELECT i.inhrelid FROM pg_inherits i JOIN tree ON i.inhparent = tree.ix
), indexed AS (
  SELECT x.indrelid AS rel, x.indexrelid AS ix FROM tree JOIN pg_index x ON x.indexrelid = tree.ix
), own AS (
  SELECT CASE WHEN indisunique THEN 'UNIQUE ' ELSE '' END AS kind,
    substring(pg_get_indexdef(indexrelid) FROM ' USING .*$') AS definition
  FROM pg_index WHERE indexrelid = $index::regclass
)
SELECT CASE
  WHEN found.ix IS NOT NULL AND (found.indisvalid OR r.relkind = 'p')
  THEN format('ALTER INDEX %s ATTACH PARTITION %s', up.ix::regclass, found.ix::regclass)
  WHEN found.ix IS NOT NULL THEN format('DROP INDEX CONCURRENTLY IF EXISTS %s', found.ix::regclass)
  WHEN r.relkind = 'p'
  THEN format('CREATE %sINDEX ON ONLY %s%s', own.kind, t.rel::regclass, own.definition)
  ELSE format('CREATE %sINDEX CONCURRENTLY ON %s%s', own.kind, t.rel::regclass, own.definition)
END
FROM tables t JOIN pg_class r ON r.oid = t.rel JOIN indexed up ON up.rel = t.parent CROSS JOIN own
LEFT JOIN LATERAL (
  SELECT x.indexrelid AS ix, x.indisvalid FROM pg_index x
  WHERE x.indrelid = t.rel AND x.indisunique = (own.kind <> '')
  AND substring(pg_get_indexdef(x.indexrelid) FROM ' USING .*$') = own.definition
  AND NOT EXISTS (SELECT FROM pg_inherits h WHERE h.inhrelid = x.indexrelid)
  ORDER BY x.indisvalid DESC, x.indexrelid LIMIT 1
) found ON true
WHERE NOT EXISTS (SELECT FROM indexed WHERE indexed.rel = t.rel)
ORDER BY t.depth, t.rel::regclass::text
LIMIT 1"""


def next_step_sql(table: str, index: str) -> str:
    """SQL giving the next statement of ``index``'s build on ``table``'s
    partitions, or NULL when every partition's index is attached."""
    return _NEXT_STEP.replace("$table", sql_literal(quote_table(table))).replace(
        "$index", sql_literal(quote_table(in_schema_of(table, index)))
    )


def partition_by_partition(operation: CreateIndex, on_only: str) -> Rendered:
    """The online build of ``operation.index`` on the partitioned ``operation.table``;
    ``on_only``: its ``CREATE INDEX IF NOT EXISTS ... ON ONLY`` the table."""
    table, ix = operation.table, operation.index
    find = (execute(repeated_index_rows_sql(table, ix)),) if operation.checks_rows else ()
    steps = Stepwise(next_step_sql(table, ix.name), _offline(table, ix))
    return Rendered((*find, execute(on_only), steps), autocommit=True)


def _offline(table: str, ix: Index) -> str:
    return (
        f"index {ix.name} of the partitioned table {table} is built on each partition "
        "the database holds when the upgrade runs"
    )
