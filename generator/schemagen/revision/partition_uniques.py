"""Revision code for a new unique constraint of a partitioned table that holds
rows, built without holding the table locked.

PostgreSQL 15 builds no index of a partitioned table CONCURRENTLY and refuses
``ADD CONSTRAINT ... USING INDEX`` on one; ``ALTER TABLE ... ADD CONSTRAINT ...
UNIQUE`` on it builds every partition's index under ACCESS EXCLUSIVE. But when
the table's constraint index is made, PostgreSQL (``DefineIndex``) looks in each
partition for an equivalent index not yet attached that already backs a unique
constraint of that partition, and attaches it instead of building one. So, in
the online stage, for each leaf partition (those the database holds when the
upgrade runs, a sub-partitioned one's in turn): ``CREATE UNIQUE INDEX
CONCURRENTLY`` (writes go on), then ``ALTER TABLE partition ADD CONSTRAINT ...
UNIQUE USING INDEX`` (a brief ACCESS EXCLUSIVE lock on the partition, no scan);
and last the table's ``ADD CONSTRAINT ... UNIQUE``, which attaches them (a brief
ACCESS EXCLUSIVE lock on the table, SHARE on its partitions, no build). A
sub-partitioned partition's own constraint and index are made by that statement
(they hold no rows), named by PostgreSQL.

A leaf's index is named as PostgreSQL names the index it builds for the
table's constraint (``ChooseRelationName``: ``<partition>_<columns>_key``, cut to
63 bytes the way ``makeObjectName`` cuts, ``key1``, ``key2``... while the name is a
relation or constraint of the partition's schema), so the result is what
``create_all`` makes. The steps come one at a time from the database
(:class:`~schemagen.revision.render.Stepwise`), each resumable: a leaf whose
index backs its constraint is done; a valid index, not yet one, is made its
constraint; an INVALID one (a build that failed or was killed) is dropped
``CONCURRENTLY`` and built again. Rows that repeat the columns are searched for
over the whole table first, with the message naming the constraint.
"""

from __future__ import annotations

from ..model.schema import UniqueConstraint
from ..model.sqltext import deferral_sql
from ..operations.constraint import AddConstraint
from ..operations.sqlutil import quote_ident, quote_table, sql_literal
from .render import Rendered, Stepwise, execute
from .validation import repeated_rows_sql

#: PostgreSQL's NAMEDATALEN - 1: the bytes a name keeps
_NAME_BYTES = 63

#: The next step: $table is the partitioned table (a regclass literal), $name the
#: constraint's name, $columns the ARRAY of its columns (quoted by PostgreSQL's
#: quote_ident, as pg_get_indexdef quotes them), $leaf_name the name
#: PostgreSQL would give a leaf's index (over f.relname, f.relnamespace), $add the
#: table's ADD CONSTRAINT, $deferral the leaves' deferrability clause.
_NEXT_STEP = """\
WITH RECURSIVE cols (cols) AS (
  SELECT array_to_string(ARRAY(
    SELECT quote_ident(col) FROM unnest($columns) WITH ORDINALITY AS k (col, n) ORDER BY n
  ), ', ')
), own (cols, def) AS (
  -- how pg_get_indexdef ends for such an index (a partition's name may hold USING)
  SELECT cols, ' USING btree (' || cols || ')' FROM cols
), tables (rel, depth) AS (
  SELECT inhrelid, 1 FROM pg_inherits
  WHERE inhparent = $table::regclass AND NOT inhdetachpending
  UNION ALL
  SELECT i.inhrelid, t.depth + 1 FROM pg_inherits i
  JOIN tables t ON i.inhparent = t.rel WHERE NOT i.inhdetachpending
), leaves AS (
  SELECT t.rel, t.depth, r.relname::text AS relname, r.relnamespace
  FROM tables t JOIN pg_class r ON r.oid = t.rel WHERE r.relkind = 'r'
), found AS (
  SELECT l.*, x.ix, x.valid, x.backed FROM leaves l CROSS JOIN own
  LEFT JOIN LATERAL (
    SELECT i.indexrelid AS ix, i.indisvalid AS valid, c.oid IS NOT NULL AS backed
    FROM pg_index i
    LEFT JOIN pg_constraint c ON c.conrelid = i.indrelid AND c.conindid = i.indexrelid
    WHERE i.indrelid = l.rel AND i.indisunique AND NOT i.indisprimary
    AND right(pg_get_indexdef(i.indexrelid), length(own.def)) = own.def
    AND NOT EXISTS (SELECT FROM pg_inherits h WHERE h.inhrelid = i.indexrelid)
    AND (c.oid IS NULL OR c.contype = 'u')
    ORDER BY c.oid IS NOT NULL DESC, i.indisvalid DESC, i.indexrelid LIMIT 1
  ) x ON true
  WHERE x.backed IS NOT TRUE
)
SELECT CASE
  WHEN EXISTS (
    SELECT FROM pg_constraint WHERE conrelid = $table::regclass AND conname = $name
  ) THEN NULL
  WHEN f.rel IS NULL THEN $add
  WHEN f.ix IS NOT NULL AND f.valid THEN format(
    'ALTER TABLE %s ADD CONSTRAINT %I UNIQUE USING INDEX %I$deferral',
    f.rel::regclass, ix.relname, ix.relname)
  WHEN f.ix IS NOT NULL THEN format('DROP INDEX CONCURRENTLY IF EXISTS %s', f.ix::regclass)
  ELSE format('CREATE UNIQUE INDEX CONCURRENTLY %I ON %s (%s)', (
    SELECT n.name FROM generate_series(0, 999) p,
    LATERAL (SELECT $leaf_name AS name) n
    WHERE NOT EXISTS (
      SELECT FROM pg_class WHERE relname = n.name AND relnamespace = f.relnamespace
    ) AND NOT EXISTS (
      SELECT FROM pg_constraint WHERE conname = n.name AND connamespace = f.relnamespace
    )
    ORDER BY p LIMIT 1
  ), f.rel::regclass, own.cols)
END
FROM own
LEFT JOIN LATERAL (SELECT * FROM found ORDER BY depth, rel::regclass::text LIMIT 1) f ON true
LEFT JOIN pg_class ix ON ix.oid = f.ix"""


def next_step_sql(table: str, uq: UniqueConstraint) -> str:
    """SQL giving the next statement that adds ``uq`` to the partitioned ``table``
    (a leaf partition's index or constraint, then the table's constraint), or
    NULL once the table has it."""
    cols = ", ".join(quote_ident(c) for c in uq.columns)
    add = (
        f"ALTER TABLE {quote_table(table)} ADD CONSTRAINT {quote_ident(uq.name)} "
        f"UNIQUE ({cols}){deferral_sql(uq)}"
    )
    fields = {
        "$table": sql_literal(quote_table(table)),
        "$name": sql_literal(uq.name),
        "$columns": f"ARRAY[{', '.join(sql_literal(c) for c in uq.columns)}]::text[]",
        "$leaf_name": leaf_name_sql("f.relname", name_addition(uq.columns), "p"),
        "$add": sql_literal(add),
        "$deferral": deferral_sql(uq),  # (words only: no quote, no %)
    }
    sql = _NEXT_STEP
    for key, value in fields.items():
        sql = sql.replace(key, value)
    return sql


def name_addition(columns: tuple[str, ...]) -> str:
    """PostgreSQL's ``ChooseIndexNameAddition``: the columns joined by ``_``, up to
    the first that brings the text to 64 bytes or more."""
    out = ""
    for col in columns:
        out += ("_" if out else "") + col.encode()[:_NAME_BYTES].decode(errors="ignore")
        if len(out.encode()) > _NAME_BYTES:
            break
    return out


def leaf_name_sql(relname: str, addition: str, attempt: str) -> str:
    """SQL giving PostgreSQL's ``makeObjectName(relname, addition, label)`` of a
    constraint index, ``label`` ``key`` at ``attempt`` 0, ``key<attempt>`` after:
    ``relname`` and ``addition`` cut, the longer first, then turn about, so that
    ``<relname>_<addition>_<label>`` fits in 63 bytes, never inside a character.
    ``relname`` and ``attempt`` are SQL expressions."""
    label = f"('key' || CASE WHEN {attempt} = 0 THEN '' ELSE {attempt}::text END)"
    add = sql_literal(addition)
    b2 = len(addition.encode())

    def cut(text: str, room: str) -> str:
        return (
            f"(SELECT left({text}, max(k)) FROM generate_series(0, length({text})) k "
            f"WHERE octet_length(left({text}, k)) <= {room})"
        )

    # e: bytes over; d: the two parts' difference; the longer loses up to d, then
    # the addition and the name lose one each in turn (the addition first)
    first = (
        "CASE WHEN e <= 0 THEN b1 WHEN e <= abs(b1 - b2) THEN "
        "CASE WHEN b1 > b2 THEN b1 - e ELSE b1 END "
        "ELSE least(b1, b2) - (e - abs(b1 - b2)) / 2 END"
    )
    second = (
        "CASE WHEN e <= 0 THEN b2 WHEN e <= abs(b1 - b2) THEN "
        "CASE WHEN b1 > b2 THEN b2 ELSE b2 - e END "
        "ELSE least(b1, b2) - (e - abs(b1 - b2) + 1) / 2 END"
    )
    return (
        f"(SELECT {cut(relname, 'c1')} || '_' || {cut(add, 'c2')} || '_' || {label} "
        f"FROM (SELECT {first} AS c1, {second} AS c2 FROM (SELECT b1, b2, "
        f"b1 + b2 - ({_NAME_BYTES} - octet_length({label}) - 2) AS e FROM (SELECT "
        f"octet_length({relname}) AS b1, {b2} AS b2) AS l) AS x) AS c)"
    )


def partition_by_partition(operation: AddConstraint, in_place: str) -> Rendered:
    """The online steps that add the unique ``operation.constraint`` to the
    partitioned ``operation.table``: the search for repeated rows (skipped where
    ``in_place``, SQL true once the table has the constraint), then each step
    :func:`next_step_sql` names."""
    table, uq = operation.table, operation.constraint
    assert isinstance(uq, UniqueConstraint)
    find = execute(repeated_rows_sql(table, uq, in_place))
    steps = Stepwise(next_step_sql(table, uq), _offline(table, uq))
    return Rendered((find, steps), autocommit=True)


def _offline(table: str, uq: UniqueConstraint) -> str:
    return (
        f"unique {uq.name} of the partitioned table {table} is built on each partition "
        "the database holds when the upgrade runs"
    )
