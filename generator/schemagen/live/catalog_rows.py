"""Rows and JSON of the catalog queries read into the shapes' values.

Owns a constraint's and an index's row added to their table's shape (with the
foreign-key action and match codes), and the readers that ``introspect`` and
``import`` share: a REPLICA IDENTITY code, a table's policies and a
materialized view's indexes from their JSON (and the index a view is CLUSTERed
ON), key column numbers named, an identity's options (and PostgreSQL's own for
its type), the collations of an index's keys, and a quoted identifier unquoted.
"""

from __future__ import annotations

from typing import Any

from ..model.schema import DbSequence, ReplicaIdentity
from ..model.sequences import TYPE_RANGES, effective
from .shapes import ForeignKeyShape, IndexShape, PolicyShape, TableShape, UniqueShape

#: ``pg_constraint.confdeltype`` / ``confupdtype`` codes, as the schema spells actions.
FK_ACTION_CODES = {
    "a": "NO ACTION",
    "r": "RESTRICT",
    "c": "CASCADE",
    "n": "SET NULL",
    "d": "SET DEFAULT",
}
#: ``pg_constraint.confmatchtype`` codes, as the DDL spells them.
FK_MATCH_CODES = {"s": "SIMPLE", "f": "FULL", "p": "PARTIAL"}


#: ``pg_policy.polcmd`` -> the language's ``command``.
POLICY_COMMAND_CODES = {"*": "all", "r": "select", "a": "insert", "w": "update", "d": "delete"}


#: ``pg_class.relreplident`` -> the model's kind (``d``, DEFAULT, is None).
_IDENTITY_CODES = {"f": "full", "n": "nothing", "i": "index"}


def replica_identity(code: str, index: str | None) -> ReplicaIdentity | None:
    """The model's identity of ``relreplident`` ``code`` (``index``: the one of USING INDEX)."""
    kind = _IDENTITY_CODES.get(code)
    return None if kind is None else ReplicaIdentity(kind, index if kind == "index" else None)


def read_policies(rows: list[list[Any]] | None) -> dict[str, PolicyShape]:
    """The policies of one table from the tables query's JSON, by name."""
    return {
        name: PolicyShape(
            POLICY_COMMAND_CODES.get(cmd, cmd), permissive, tuple(sorted(roles)), using, check,
            comment,
        )
        for name, cmd, permissive, roles, using, check, comment in rows or ()
    }


def read_view_indexes(
    rows: list[list[Any]] | None, opclasses: dict[int, str]
) -> dict[str, IndexShape]:
    """A materialized view's indexes from :data:`VIEW_INDEXES`' JSON, by name, as
    :func:`add_index_row` reads a table's; ``opclasses``: the name of each non-default
    operator class."""
    found = {}
    for row in rows or ():
        name, unique, method, nkey, keys, classes, predicate, orders, not_distinct = row[:9]
        collations = row[10][:nkey]
        if row[12] is not None:  # an expression key: its collation where it is its own
            collations = expression_collations(collations, row[11], keys, row[12])
        items = tuple(unquote_ident(k) for k in keys)
        found[name] = IndexShape(
            columns=items[:nkey],
            unique=unique,
            method=method,
            # JSON spells an oid as a string
            opclasses=tuple(opclasses.get(int(oid)) for oid in classes[:nkey]),
            predicate=predicate,
            include=items[nkey:],
            orders=() if set(orders[:nkey]) <= {"ASC"} else tuple(orders[:nkey]),
            nulls_not_distinct=not_distinct,
            # none of its own (the common case) reads as no collations at all
            collations=tuple(collations) if any(collations) else (),
        )
    return found


def view_index_comments(rows: list[list[Any]] | None) -> tuple[tuple[str, str], ...]:
    """The (index, comment) pairs of :data:`VIEW_INDEXES`' JSON that have a comment,
    sorted."""
    return tuple(sorted((row[0], row[13]) for row in rows or () if row[13] is not None))


def clustered_view_index(rows: list[list[Any]] | None) -> str | None:
    """The index of :data:`VIEW_INDEXES`' JSON that a materialized view is CLUSTERed ON."""
    return next((row[0] for row in rows or () if row[9]), None)


#: The system columns a key may name (a check may name tableoid), by number.
_SYSTEM_COLUMNS = {-1: "ctid", -2: "xmin", -3: "cmin", -4: "xmax", -5: "cmax", -6: "tableoid"}


def key_names(numbers: list[int] | None, columns: dict[int, str]) -> tuple[str, ...]:
    """Name the key columns ``numbers`` (``pg_constraint.conkey``) from ``columns``, the
    table's column names by number as the columns query read them: on the server a
    ``pg_attribute`` lookup per key cost more than the rest of the constraints query.
    An expression key of an exclusion constraint (number 0) names no column and is
    left out; a constraint's columns are never dropped ones (PostgreSQL drops it
    with them)."""
    return tuple(columns[n] if n > 0 else _SYSTEM_COLUMNS[n] for n in numbers or () if n)


def identity_facts(
    type_: str, kind: str, options: list[int] | None
) -> tuple[object, ...] | None:
    """An identity's (always, start, increment, min, max, cycle, cache), or None for
    no identity and for the plain BY DEFAULT one with PostgreSQL's options."""
    if not kind or options is None or type_ not in TYPE_RANGES:
        return None
    start, increment, minimum, maximum, cycle, cache = options
    facts = (kind == "a", start, increment, minimum, maximum, bool(cycle), cache)
    return None if facts == plain_identity(type_) else facts


def plain_identity(type_: str) -> tuple[object, ...]:
    """The facts of ``GENERATED BY DEFAULT AS IDENTITY`` on a ``type_`` column."""
    return (False, *effective(DbSequence("", type_))[1:])


def add_constraint_row(table: TableShape, row: tuple[Any, ...]) -> None:
    """Add the constraint of ``row`` (the constraints query's) to ``table``."""
    _, name, kind, columns, ref_table, ref_columns, on_delete, on_update, check = row[:9]
    deferrable, deferred, match = row[9:12]
    cols = tuple(columns)
    if kind == "p":
        table.primary_key = (name, cols)
    elif kind == "u":
        table.uniques[name] = UniqueShape(cols, deferrable, deferred)
    elif kind == "c":
        table.checks[name] = check
    elif kind == "x":
        table.excludes[name] = check
    else:
        table.foreign_keys[name] = ForeignKeyShape(
            columns=cols,
            ref_table=ref_table,
            ref_columns=tuple(ref_columns),
            on_delete=FK_ACTION_CODES.get(on_delete, on_delete),
            on_update=FK_ACTION_CODES.get(on_update, on_update),
            deferrable=deferrable,
            initially_deferred=deferred,
            match=FK_MATCH_CODES.get(match, match),
        )


def key_collations(
    numbers: list[int], nkey: int, oids: list[int], names: list[str | None], columns: dict[int, int]
) -> list[str | None]:
    """Each key column's collation where it is not its column's (``COLLATE "C"``), else
    None; ``columns``: the table's column collations by column number. An expression
    key (number 0) has its collation here: :func:`expression_collations` keeps it only
    where it is the key's own."""
    return [
        (names[k] if oids[k] != columns.get(n, oids[k]) else None) if n else names[k]
        for k, n in enumerate(numbers[:nkey])
    ]


def expression_collations(
    collations: list[str | None], numbers: list[int], printed: list[str], definition: str
) -> list[str | None]:
    """``collations`` with each expression key's collation of its own: the one
    ``definition`` (``pg_get_indexdef``) says ``COLLATE`` of right after the key's text
    (``printed``: each key as ``pg_get_indexdef`` prints it alone, which it writes in
    the definition the same way). Its name is the catalog's (``collations``' source)."""
    found = list(collations)
    at = definition.find(" (", definition.find(" USING ")) + 2  # the first key
    for k in range(len(collations)):
        # after the first, each key follows ", " (its text may occur in what follows
        # the key before it: a column t in text_pattern_ops)
        start = definition.find(printed[k] if k == 0 else ", " + printed[k], at)
        at = start + len(printed[k]) + (2 if k else 0)
        if numbers[k] == 0 and (start < 0 or not definition.startswith(" COLLATE ", at)):
            found[k] = None
    return found


def add_index_row(
    table: TableShape, row: tuple[Any, ...], columns: dict[int, str], opclasses: dict[int, str]
) -> None:
    """Add the index of ``row``; ``columns``: the table's column names by number,
    ``opclasses``: the name of each non-default operator class."""
    _, name, unique, method, nkey, numbers, printed, classes, predicate, orders = row[:10]
    not_distinct, collations = row[10:12]
    items = tuple(
        columns[n] if n else unquote_ident(printed[k]) for k, n in enumerate(numbers)
    )
    table.indexes[name] = IndexShape(
        columns=items[:nkey],
        unique=unique,
        method=method,
        opclasses=tuple(opclasses.get(oid) for oid in classes[:nkey]),
        predicate=predicate,
        include=items[nkey:],
        # all ascending (the common case) reads as no orders at all
        orders=() if set(orders[:nkey]) <= {"ASC"} else tuple(orders[:nkey]),
        nulls_not_distinct=not_distinct,
        # none of its own (the common case) reads as no collations at all
        collations=tuple(collations[:nkey]) if any(collations[:nkey]) else (),
    )


def unquote_ident(text: str) -> str:
    """``"order"`` -> ``order``: an index column as pg_get_indexdef quotes it."""
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        return text[1:-1].replace('""', '"')
    return text
