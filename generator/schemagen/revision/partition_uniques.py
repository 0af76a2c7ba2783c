"""Revision code for a new unique constraint or primary key of a partitioned table
that holds rows, built without holding the table locked.

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

A new primary key of a partitioned table is built the same way around the
transaction that swaps it (it cannot be added before the old one is dropped): its
leaves' unique indexes ``CONCURRENTLY`` in the drops revision before it
(:func:`key_indexes_built`; named as a unique constraint's, which ``USING INDEX``
renames), then in the transaction, after the old key is dropped, each made its
partition's key ``USING INDEX`` under the name PostgreSQL gives it
(``<partition>_pkey``: :func:`attach_key_indexes_sql`), and the table's ``ADD
PRIMARY KEY`` attaches them.
"""

from __future__ import annotations

from ..model.schema import Index, PrimaryKey, UniqueConstraint
from ..model.sqltext import deferral_sql, do_block
from ..operations.constraint import AddConstraint
from ..operations.sqlutil import quote_ident, quote_table, sql_literal
from .partition_indexes import foreign_partitions_sql
from .render import Rendered, Stepwise, execute
from .validation import repeated_rows_sql

#: PostgreSQL's NAMEDATALEN - 1: the bytes a name keeps
_NAME_BYTES = 63

#: The table's leaf partitions (rel, depth, relname, relnamespace), at any depth, and
#: own.cols, own.def: the key's columns quoted by PostgreSQL's quote_ident (as
#: pg_get_indexdef quotes them) and how pg_get_indexdef ends for its index (a
#: partition's name may hold USING). $table: the table (a regclass literal); $columns:
#: the ARRAY of its columns.
_LEAVES = """\
WITH RECURSIVE cols (cols) AS (
  SELECT array_to_string(ARRAY(
    SELECT quote_ident(col) FROM unnest($columns) WITH ORDINALITY AS k (col, n) ORDER BY n
  ), ', ')
), own (cols, def) AS (
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
)"""

#: An index ``i`` of leaf ``l`` that may be the key's: unique, over its columns and
#: nothing else, attached to no index; ``c``: the constraint it backs, if any.
_MATCH = """\
    FROM pg_index i
    LEFT JOIN pg_constraint c ON c.conrelid = i.indrelid AND c.conindid = i.indexrelid
    WHERE i.indrelid = l.rel AND i.indisunique AND NOT i.indisprimary
    AND right(pg_get_indexdef(i.indexrelid), length(own.def)) = own.def
    AND NOT EXISTS (SELECT FROM pg_inherits h WHERE h.inhrelid = i.indexrelid)"""

#: The next step, after _LEAVES: the first leaf still $pending (x: its index, if
#: any) gets its index built (named $leaf_name over f.relname and f.relnamespace),
#: an INVALID one dropped, or a valid one made its unique constraint ($deferral);
#: when none is left, $add; NULL once $done.
_NEXT_STEP = """, found AS (
  SELECT l.*, x.ix, x.valid, x.backed FROM leaves l CROSS JOIN own
  LEFT JOIN LATERAL (
    SELECT i.indexrelid AS ix, i.indisvalid AS valid, c.oid IS NOT NULL AS backed
$match
    AND $backing
    ORDER BY c.oid IS NOT NULL DESC, i.indisvalid DESC, i.indexrelid LIMIT 1
  ) x ON true
  WHERE $pending
)
SELECT CASE
  WHEN $done THEN NULL
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

#: After _LEAVES: each leaf's index built for a primary key (valid, backing no
#: constraint) and the name PostgreSQL gives a partition's key ($key_name over
#: l.relname and l.relnamespace).
_KEY_INDEXES = """
SELECT l.rel::regclass AS rel, x.ix, ($key_name) AS name
FROM leaves l CROSS JOIN own
JOIN LATERAL (
  SELECT (SELECT relname FROM pg_class WHERE oid = i.indexrelid) AS ix
$match
  AND c.oid IS NULL AND i.indisvalid
  ORDER BY i.indexrelid LIMIT 1
) x ON true
ORDER BY l.depth, l.rel::regclass::text"""

#: After _LEAVES: the leaf indexes built for a primary key that are left (valid or
#: not, backing no constraint).
_LEFT_OVER = """
SELECT x.ix::regclass AS ix
FROM leaves l CROSS JOIN own
JOIN LATERAL (
  SELECT i.indexrelid AS ix
$match
  AND c.oid IS NULL
) x ON true"""


def _fill(sql: str, table: str, columns: tuple[str, ...], **fields: str) -> str:
    """``_LEAVES`` then ``sql``, their $fields filled (each at most once a key)."""
    values = {
        "$match": _MATCH,
        **{f"${key}": value for key, value in fields.items()},
        "$table": sql_literal(quote_table(table)),
        "$columns": f"ARRAY[{', '.join(sql_literal(c) for c in columns)}]::text[]",
    }
    text = _LEAVES + sql
    for key, value in values.items():
        text = text.replace(key, value)
    return text


def next_step_sql(table: str, uq: UniqueConstraint) -> str:
    """SQL giving the next statement that adds ``uq`` to the partitioned ``table``
    (a leaf partition's index or constraint, then the table's constraint), or
    NULL once the table has it."""
    cols = ", ".join(quote_ident(c) for c in uq.columns)
    add = (
        f"ALTER TABLE {quote_table(table)} ADD CONSTRAINT {quote_ident(uq.name)} "
        f"UNIQUE ({cols}){deferral_sql(uq)}"
    )
    done = (
        f"EXISTS (SELECT FROM pg_constraint WHERE conrelid = {sql_literal(quote_table(table))}"
        f"::regclass AND conname = {sql_literal(uq.name)})"
    )
    return _fill(
        _NEXT_STEP,
        table,
        uq.columns,
        backing="(c.oid IS NULL OR c.contype = 'u')",
        pending="x.backed IS NOT TRUE",
        done=done,
        add=sql_literal(add),
        deferral=deferral_sql(uq),  # (words only: no quote, no %)
        leaf_name=leaf_name_sql("f.relname", name_addition(uq.columns), "p"),
    )


def key_index_step_sql(table: str, pk: PrimaryKey) -> str:
    """SQL giving the next statement that builds the unique index of ``pk``'s
    columns on a leaf partition of ``table`` (an INVALID one dropped first), or
    NULL once each leaf has one, valid; named as a unique constraint's
    (``<partition>_<columns>_key``), which ``USING INDEX`` renames."""
    return _fill(
        _NEXT_STEP,
        table,
        pk.columns,
        backing="c.oid IS NULL",
        pending="x.valid IS NOT TRUE",
        done="false",
        add="NULL",
        deferral="",
        leaf_name=leaf_name_sql("f.relname", name_addition(pk.columns), "p"),
    )


def attach_key_indexes_sql(table: str, pk: PrimaryKey) -> str:
    """A DO block (in the transaction, after the previous key is dropped) that makes
    each leaf's index built for ``pk`` that partition's primary key ``USING
    INDEX``, named as PostgreSQL names it (``<partition>_pkey``): the table's ``ADD
    PRIMARY KEY`` then attaches them. A leaf without one (made since) gets its
    index built by that statement."""
    name = _free_name("l", leaf_name_sql("l.relname", None, "p", "pkey"))
    found = _fill(_KEY_INDEXES, table, pk.columns, key_name=name)
    return do_block(
        "\nDECLARE\n    leaf record;\nBEGIN\n"
        f"    FOR leaf IN {found} LOOP\n"
        "        EXECUTE format('ALTER TABLE %s ADD CONSTRAINT %I PRIMARY KEY USING INDEX %I', "
        "leaf.rel, leaf.name, leaf.ix);\n"
        "    END LOOP;\nEND "
    )


def _free_name(leaf: str, candidate: str) -> str:
    """SQL: the first of ``candidate`` (over attempt ``p``) that no relation or
    constraint of ``leaf``'s schema has."""
    return (
        f"SELECT n.name FROM generate_series(0, 999) p, LATERAL (SELECT {candidate} AS name) n "
        f"WHERE NOT EXISTS (SELECT FROM pg_class WHERE relname = n.name AND relnamespace = "
        f"{leaf}.relnamespace) AND NOT EXISTS (SELECT FROM pg_constraint WHERE conname = "
        f"n.name AND connamespace = {leaf}.relnamespace) ORDER BY p LIMIT 1"
    )


def name_addition(columns: tuple[str, ...]) -> str:
    """PostgreSQL's ``ChooseIndexNameAddition``: the columns joined by ``_``, up to
    the first that brings the text to 64 bytes or more."""
    out = ""
    for col in columns:
        out += ("_" if out else "") + col.encode()[:_NAME_BYTES].decode(errors="ignore")
        if len(out.encode()) > _NAME_BYTES:
            break
    return out


def leaf_name_sql(relname: str, addition: str | None, attempt: str, word: str = "key") -> str:
    """SQL giving PostgreSQL's ``makeObjectName(relname, addition, label)`` of a
    constraint index, ``label`` ``word`` at ``attempt`` 0, ``<word><attempt>`` after:
    ``relname`` and ``addition`` cut, the longer first, then turn about, so that
    ``<relname>_<addition>_<label>`` fits in 63 bytes, never inside a character; a
    primary key's has no addition (``<relname>_<label>``). ``relname`` and
    ``attempt`` are SQL expressions."""
    label = f"({sql_literal(word)} || CASE WHEN {attempt} = 0 THEN '' ELSE {attempt}::text END)"
    if addition is None:
        room = f"({_NAME_BYTES} - octet_length({label}) - 1)"
        return (
            f"((SELECT left({relname}, max(k)) FROM generate_series(0, length({relname})) k "
            f"WHERE octet_length(left({relname}, k)) <= {room}) || '_' || {label})"
        )
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
    # a foreign partition: PostgreSQL refuses the table's constraint at the end,
    # once every other partition's is made; so it stops here, before any
    foreign = execute(foreign_partitions_sql(table, Index(uq.name, uq.columns, unique=True)))
    find = execute(repeated_rows_sql(table, uq, in_place))
    subject = f"unique {uq.name} of the partitioned table {table}"
    steps = Stepwise(next_step_sql(table, uq), subject, table)
    return Rendered((foreign, find, steps), autocommit=True)


def key_indexes_built(table: str, pk: PrimaryKey, find: str | None) -> Rendered:
    """The steps, before the main transaction, that build each leaf partition's
    unique index for ``pk``, the new primary key of the partitioned ``table``:
    ``find`` (the search for NULL or repeated keys, where rows may hold them),
    then each step :func:`key_index_step_sql` names."""
    subject = f"the indexes of primary key {pk.name} of the partitioned table {table}"
    steps = Stepwise(key_index_step_sql(table, pk), subject, table, plural=True)
    foreign = execute(foreign_partitions_sql(table, Index(pk.name, pk.columns, unique=True)))
    found = (execute(find),) if find else ()
    return Rendered((foreign, *found, steps), autocommit=True)


def key_indexes_dropped(table: str, pk: PrimaryKey) -> Rendered:
    """The drops revision's downgrade: the leaf indexes built for ``pk`` that no
    key took (the main upgrade never ran), dropped (a DO block: ``DROP INDEX``, a
    brief lock on each partition; none is left once the main upgrade ran)."""
    found = _fill(_LEFT_OVER, table, pk.columns)
    sql = do_block(
        "\nDECLARE\n    leaf record;\nBEGIN\n"
        f"    FOR leaf IN {found} LOOP\n"
        "        EXECUTE format('DROP INDEX IF EXISTS %s', leaf.ix);\n"
        "    END LOOP;\nEND "
    )
    return Rendered((execute(sql),), autocommit=True)
