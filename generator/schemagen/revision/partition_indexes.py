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

A foreign partition stops the build before it starts
(:func:`foreign_partitions_sql`): no index can be built on one, and the table's
index would never become valid. A partition's index is found by its definition,
which is cut from ``pg_get_indexdef`` after the head's exact length (a quoted
name may hold the word USING).

A unique index's repeated rows are searched for over the whole table first
(:func:`~schemagen.revision.validation.repeated_index_rows_sql`). A unique
constraint is not built this way (PostgreSQL 15 refuses ``ADD CONSTRAINT ...
USING INDEX`` on a partitioned table) but by
:mod:`~schemagen.revision.partition_uniques`.
"""

from __future__ import annotations

import re

from ..model.naming import current_schema_key_sql, in_schema_of
from ..model.schema import Index
from ..model.sqltext import do_block
from ..operations.constraint import CreateIndex
from ..operations.sqlutil import quote_table, sql_literal
from .render import Rendered, Stepwise, execute
from .validation import repeated_index_rows_sql

#: The definition of index $ix from its method on (`` USING btree (kind) WHERE
#: ...``), which a partition's index is built with and compared by: what
#: pg_get_indexdef says after ``CREATE [UNIQUE ]INDEX <name> ON [ONLY ]<schema>.<table>``,
#: that head cut at its length, not at the first `` USING ``, which a quoted name
#: may hold (a partition's index is named after its table). An unquoted name
#: starts no word ``ONLY`` (it is a keyword, so quoted).
_DEFINITION = """\
(SELECT substr(d.def, length(d.head) + length(d.rel) + 1
    + CASE WHEN substr(d.def, length(d.head) + 1, 5) = 'ONLY ' THEN 5 ELSE 0 END)
  FROM (SELECT pg_get_indexdef(i.indexrelid) AS def,
    format('CREATE %sINDEX %s ON ', CASE WHEN i.indisunique THEN 'UNIQUE ' END,
      quote_ident(c.relname)) AS head,
    quote_ident(n.nspname) || '.' || quote_ident(t.relname) AS rel
  FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
  JOIN pg_class t ON t.oid = i.indrelid JOIN pg_namespace n ON n.oid = t.relnamespace
  WHERE i.indexrelid = $ix) d)"""

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
  SELECT CASE WHEN o.indisunique THEN 'UNIQUE ' ELSE '' END AS kind,
    $definition(o.indexrelid) AS definition
  FROM pg_index o WHERE o.indexrelid = $index::regclass
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
  AND $definition(x.indexrelid) = own.definition
  AND NOT EXISTS (SELECT FROM pg_inherits h WHERE h.inhrelid = x.indexrelid)
  ORDER BY x.indisvalid DESC, x.indexrelid LIMIT 1
) found ON true
WHERE NOT EXISTS (SELECT FROM indexed WHERE indexed.rel = t.rel)
ORDER BY t.depth, t.rel::regclass::text
LIMIT 1"""


def index_definition_sql(ix: str) -> str:
    """SQL giving the definition of the index whose oid ``ix`` (SQL) gives, from its
    method on, as a partition's copy of it is built and compared by (the USING part
    of ``pg_get_indexdef``, cut after its head's exact length)."""
    return _DEFINITION.replace("$ix", ix)


def next_step_sql(table: str, index: str) -> str:
    """SQL giving the next statement of ``index``'s build on ``table``'s
    partitions, or NULL when every partition's index is attached."""
    query = re.sub(
        r"\$definition\(([a-z.]+)\)", lambda m: _DEFINITION.replace("$ix", m[1]), _NEXT_STEP
    )
    return query.replace("$table", sql_literal(quote_table(table))).replace(
        "$index", sql_literal(quote_table(in_schema_of(table, index)))
    )


def foreign_partitions_sql(table: str, ix: Index) -> str:
    """A DO block that raises, before anything of ``ix`` is built, when a partition
    of ``table`` (at any depth) is a foreign table: PostgreSQL builds no index on
    one, and an index built ``ON ONLY`` the table and attached partition by
    partition stays INVALID while one is a partition (it counts every partition;
    ``CREATE INDEX`` on the table itself skips foreign ones, and refuses a unique
    index)."""
    way = (
        "a unique index cannot cover a foreign partition (PostgreSQL refuses one on a "
        "table that has any): detach them (ALTER TABLE ... DETACH PARTITION) or leave "
        "the unique out"
        if ix.unique
        else "set concurrently: false on the index, so that it is built in the transaction "
        "by CREATE INDEX on the table, which skips foreign partitions (writes to every "
        "partition wait for the build), or detach them (ALTER TABLE ... DETACH PARTITION)"
    )
    message = f"cannot build index {ix.name} on {table} partition by partition: its partition"
    # each named by its key, as the table is: regclass's text is bare wherever the
    # search_path finds it first (another schema's x read as public's x would)
    key = current_schema_key_sql("c.relnamespace", "c.relname::text")
    return do_block(
        "\nDECLARE\n    found text;\n    many boolean;\nBEGIN\n"
        f"    SELECT string_agg(k.key, ', ' ORDER BY k.key COLLATE \"C\"), "
        "count(*) > 1 INTO found, many\n"
        f"    FROM pg_partition_tree({sql_literal(quote_table(table))}::regclass) p "
        "JOIN pg_class c ON c.oid = p.relid "
        f"CROSS JOIN LATERAL (SELECT {key} AS key) k WHERE c.relkind = 'f';\n"
        "    IF found IS NOT NULL THEN\n"
        "        RAISE EXCEPTION USING ERRCODE = 'feature_not_supported',\n"
        f"            MESSAGE = format({sql_literal(message + '%s %s %s')}, "
        "CASE WHEN many THEN 's' END, found, "
        "CASE WHEN many THEN 'are foreign tables' ELSE 'is a foreign table' END),\n"
        "            DETAIL = 'PostgreSQL builds no index on a foreign table, and an index "
        "built ON ONLY the table and attached partition by partition is never valid while "
        "a foreign table is a partition',\n"
        f"            HINT = {sql_literal(way + ', then run the same alembic command again')};\n"
        "    END IF;\nEND "
    )


def partition_by_partition(operation: CreateIndex, on_only: str) -> Rendered:
    """The online build of ``operation.index`` on the partitioned ``operation.table``;
    ``on_only``: its ``CREATE INDEX IF NOT EXISTS ... ON ONLY`` the table."""
    table, ix = operation.table, operation.index
    find = (execute(repeated_index_rows_sql(table, ix)),) if operation.checks_rows else ()
    subject = f"index {ix.name} of the partitioned table {table}"
    steps = Stepwise(next_step_sql(table, ix.name), subject, table)
    foreign = execute(foreign_partitions_sql(table, ix))
    return Rendered((foreign, *find, execute(on_only), steps), autocommit=True)
