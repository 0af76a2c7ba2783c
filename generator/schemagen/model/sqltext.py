"""SQL text shared by models.py, Alembic revisions and the live-database check.

A column's server default must read the same in the generated models, in every
revision and in the comparison with a live database, or ``alembic check`` and
``schemagen check`` would report drift that is not there. This module is the one
place that turns a :class:`~schemagen.model.schema.Default` into SQL.
"""

from __future__ import annotations

import re

from .naming import partition_table, split_qualified
from .schema import (
    CheckConstraint,
    Column,
    Default,
    Entity,
    ExcludeConstraint,
    ExcludeElement,
    ForeignKey,
    Index,
    IndexKey,
    Partition,
    UniqueConstraint,
    quote_name,
)

# What SQLAlchemy's text() takes for a bind parameter (its BIND_PARAMS): a colon and
# a run of word characters, neither preceded nor followed by a colon or word
# character ("::" casts and "[:space:]" are fine). Only those are escaped: text()
# unescapes exactly those, and would leave any other backslash in the SQL.
_BIND_LIKE = re.compile(r"(?<![:\w$\\]):(?=[\w$]+(?![:\w$]))")


_TIMES = frozenset({"date", "time", "timestamp", "timestamptz"})

#: SQL's current-time keywords that ``default:`` takes on date and time columns,
#: with the kinds each fits (PostgreSQL casts the value to the column's type;
#: ``CURRENT_TIME`` is a time with time zone, which casts to ``time`` and ``timetz`` only). The
#: default is then the keyword itself, so PostgreSQL prints it back as written
#: (``now()`` and ``CURRENT_TIMESTAMP`` are one value but two texts in a dump).
TIME_KEYWORDS: dict[str, frozenset[str]] = {
    "current_timestamp": _TIMES | {"timetz"},
    "localtimestamp": _TIMES,
    "current_date": frozenset({"date", "timestamp", "timestamptz"}),
    "current_time": frozenset({"time", "timetz"}),
    "localtime": frozenset({"time", "timetz"}),
}


def sql_string(value: str) -> str:
    """A standard SQL string literal: single quotes doubled, nothing else escaped."""
    return "'" + value.replace("'", "''") + "'"


def default_expression(default: Default, json_type: str | None = None) -> str:
    """The SQL expression of a server default (``'USD'``, ``0``, ``true``, ``now()``).

    Strings are plain string literals: PostgreSQL casts them to the column's type
    (``'active'`` becomes ``'active'::product_status``). JSON defaults carry the
    cast to ``json_type`` (``'{}'::jsonb``) when it is given, exactly as
    PostgreSQL prints them back: Alembic then sees equal text and does not try
    ``'[]'::json = '[]'`` on the server, which fails (json has no ``=``).
    """
    if default.kind == "json" and json_type:
        return f"{sql_string(default.value)}::{json_type}"
    if default.kind in ("string", "json"):
        return sql_string(default.value)
    if default.kind == "now":
        return "now()"
    return default.value  # number, boolean ("true"/"false") and raw SQL


def default_sql(col: Column) -> str | None:
    """The SQL expression of ``col``'s server default, or ``None`` when it has none."""
    if col.default is None:
        return None
    kind = col.type.kind
    return default_expression(col.default, kind if kind in ("json", "jsonb") else None)


def text_source(sql: str) -> str:
    """``sql`` escaped for SQLAlchemy's ``text()``: colons that would start a bind
    parameter (``'10:30'``) are written ``\\:`` so the SQL reaches the database as is."""
    if ":" not in sql:  # most SQL: no search (a template substitution per call)
        return sql
    return _BIND_LIKE.sub(r"\\:", sql)




def index_key_sql(index: Index, key: IndexKey) -> str:
    """One key of ``index`` as CREATE INDEX writes it, operator class included
    (a column key's class is in ``index.ops``)."""
    ops = key.ops or (dict(index.ops).get(key.column) if key.column is not None else None)
    column = quote_name(key.column) if key.column is not None else None
    return IndexKey(
        key.column, key.expression, key.descending, key.nulls, ops, key.collation
    ).sql(column)


def column_key_options(index: Index) -> dict[str, str]:
    """What follows each column key written as the column itself (no order or
    NULLS of its own), by column: its collation of its own and its operator class
    (``COLLATE "C" text_pattern_ops``), as SQLAlchemy's ``postgresql_ops`` writes
    them. Alembic compares such a key as its column (it reflects neither)."""
    ops = dict(index.ops)
    keys = index.keys or tuple(IndexKey(column=c) for c in index.columns)
    found: dict[str, str] = {}
    for key in keys:
        if key.column is None or key.descending or key.nulls:
            continue
        words = [f"COLLATE {quote_name(key.collation)}"] if key.collation else []
        words += [ops[key.column]] if key.column in ops else []
        if words:
            found[key.column] = " ".join(words)
    return found


def expression_key_text(key: IndexKey) -> str:
    """An expression key in parentheses, as a key of CREATE INDEX needs it
    (``(title || code)``) and as models.py names it in ``postgresql_ops``."""
    return f"({key.expression})"


def expression_key_options(index: Index) -> dict[str, str]:
    """What follows each expression key with a collation of its own, by
    :func:`expression_key_text`: its collation and operator class (``COLLATE "C"
    text_pattern_ops``), as SQLAlchemy's ``postgresql_ops`` writes them. Alembic then
    compares the expression alone, as SQLAlchemy reflects it (no key collation)."""
    found: dict[str, str] = {}
    for key in index.keys:
        if key.expression is not None and key.collation is not None:
            words = [f"COLLATE {quote_name(key.collation)}", *([key.ops] if key.ops else [])]
            found[expression_key_text(key)] = " ".join(words)
    return found


def exclude_element_sql(element: ExcludeElement) -> str:
    """``room_id WITH =``, ``(lower(name)) text_pattern_ops WITH =``."""
    if element.expression is not None:
        text = f"({element.expression})"
    else:
        text = quote_name(str(element.column))
    if element.ops:
        text += f" {element.ops}"
    return f"{text} WITH {element.operator}"


def exclude_sql(constraint: ExcludeConstraint) -> str:
    """The body of ``ADD CONSTRAINT name ...``: ``EXCLUDE USING gist (...) WHERE (...)``."""
    elements = ", ".join(exclude_element_sql(e) for e in constraint.elements)
    sql = f"EXCLUDE USING {constraint.using} ({elements})"
    if constraint.where:
        sql += f" WHERE ({constraint.where})"
    return sql


def deferral_sql(key: ForeignKey | UniqueConstraint) -> str:
    """`` DEFERRABLE [INITIALLY DEFERRED]`` as the key says, or nothing."""
    if not key.deferrable:
        return ""
    return " DEFERRABLE INITIALLY DEFERRED" if key.initially_deferred else " DEFERRABLE"


def not_valid_check_sql(table: str, check: CheckConstraint) -> str:
    """``ALTER TABLE ... ADD CONSTRAINT ... NOT VALID`` of a check declared
    ``validated: false``: PostgreSQL makes a NOT VALID check written inside
    ``CREATE TABLE`` valid, so the revisions and create_all add it after its table."""
    return (
        f"ALTER TABLE {quote_qualified(table)} ADD CONSTRAINT {quote_name(check.name)} "
        f"CHECK ({check.expression}) NOT VALID"
    )


def quote_in(schema: str | None, name: str) -> str:
    """``name`` in ``schema`` (bare where None), each quoted where PostgreSQL needs
    quotes (``sales."order"``, ``public."x.notes_stats"``): the one rule by which SQL
    text names an object, given its schema and name apart, so a dot in either is part of
    it, never a separator."""
    return quote_name(name) if schema is None else f"{quote_name(schema)}.{quote_name(name)}"


def quote_qualified(name: str, home: str | None = None) -> str:
    """A table (or view, index, function...) as the model keys it (``billing.payouts``),
    quoted by :func:`quote_in`. Only for the model's keys, whose names hold no ``.``: an
    object read from the catalog has its schema and name apart (its name may hold a dot:
    ``"x.notes_stats"``), and is named with :func:`quote_in`.

    ``home``: the current schema, which then names a bare key's (``public."Notes"``):
    what ``check --database`` prints for the user to run names its schema, so that it
    finds the object whatever the session's search_path.
    """
    schema, bare = split_qualified(name)
    return quote_in(schema if schema is not None else home, bare)


def sql_text(value: str) -> str:
    """A string literal that is one line as Python splits lines and holds no backtick,
    for a finding's hint: :func:`sql_string`, or, when ``value`` holds a character
    ``str.splitlines`` breaks at (a newline, a carriage return, NEL, U+2028, U+2029...)
    or a backtick, an ``E''`` literal that spells each as an escape (``E'a\\u2028b'``,
    ``E'\\u0060code\\u0060'``), so that a hint printed line by line keeps the
    statement whole, the backticks around it end it where it ends, and it sets the exact
    text."""
    if not any(_escaped(char) for char in value):
        return sql_string(value)
    escaped = (
        "\\\\" if char == "\\"
        else "''" if char == "'"
        else _ESCAPES.get(char, f"\\u{ord(char):04X}") if _escaped(char)
        else char
        for char in value
    )
    return "E'" + "".join(escaped) + "'"


def _escaped(char: str) -> bool:
    """A character :func:`sql_text` spells as an escape: one that breaks a line, or a
    backtick (hints mark their statements with backticks)."""
    return char == "`" or len(f"a{char}b".splitlines()) > 1


#: A string literal as PostgreSQL prints one (``pg_get_expr``), with its ``E`` if any,
#: or a quoted identifier (which may hold a quote of its own: ``"it's"``).
_PRINTED_LITERAL = re.compile(r"\"(?:[^\"]|\"\")*\"|(\b[eE])?'((?:[^']|'')*)'")


def printed_sql_text(printed: str) -> str:
    """``printed``, SQL as PostgreSQL prints it (a partition bound: ``FOR VALUES IN
    ('it''s', 'a<newline>b')``, each character of a standard string literal as written),
    with each such literal written as :func:`sql_text` writes it, so that a hint holding
    it stays one line, ends its statement where it ends and runs as printed. An ``E''``
    literal (printed so only where standard_conforming_strings is off) and a quoted
    identifier are kept as they are."""
    return _PRINTED_LITERAL.sub(
        lambda m: (
            m.group(0) if m.group(2) is None or m.group(1)
            else sql_text(m.group(2).replace("''", "'"))
        ),
        printed,
    )


#: The escapes of ``E''`` literals that read best (the others: ``\\uXXXX``).
_ESCAPES = {"\n": "\\n", "\r": "\\r", "\f": "\\f"}


def partition_sql(parent: str, partition: Partition) -> str:
    """``CREATE TABLE p PARTITION OF parent FOR VALUES ... [PARTITION BY ...]``: the
    partition takes its columns, keys, indexes and foreign keys from the parent, and
    is made in the parent's PostgreSQL schema."""
    table = quote_qualified(partition_table(parent, partition.name))
    sql = f"CREATE TABLE {table} PARTITION OF {quote_qualified(parent)} {partition.bound_sql()}"
    if partition.partition_by is not None:
        sql += f" PARTITION BY {partition.partition_by.sql()}"
    return sql


def partition_statements(entity: Entity) -> list[str]:
    """Every partition of ``entity``, in name order (the DEFAULT one last: a bound
    added after it would have to scan it), each partitioned one followed by its own."""
    return partition_tree_sql(entity.table, entity.partitions)


def partition_tree_sql(parent: str, partitions: tuple[Partition, ...]) -> list[str]:
    """``partitions`` of ``parent`` (a table, or a partition keyed as a table is), each
    partition partitioned in turn right before its own partitions."""
    stmts = []
    for part in sorted(partitions, key=lambda p: (p.default, p.name)):
        stmts.append(partition_sql(parent, part))
        stmts += partition_tree_sql(partition_table(parent, part.name), part.partitions)
    return stmts


def do_block(body: str) -> str:
    """``DO $tag$<body>$tag$``, with a dollar tag that ``body`` cannot end early:
    ``$schemagen$``, or ``$schemagen1$``, ``$schemagen2$``, ... where the body
    holds it (a check's or a predicate's literal may). A tag is taken only where
    the body holds neither ``$tag`` nor ``tag$``, so that none is formed across
    the body's edges either."""
    tag, n = "schemagen", 0
    while f"${tag}" in body or f"{tag}$" in body:
        n += 1
        tag = f"schemagen{n}"
    return f"DO ${tag}${body}${tag}$"
