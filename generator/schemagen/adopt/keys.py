"""Index keys, foreign keys and sequences, from the catalog's words to the language's.

Each function returns the YAML spec of one object, writing only what differs
from what the language assumes when a key is left out, so an imported schema
reads like one written by hand: ``{column: starts_at, order: desc}`` and not
``{column: starts_at, order: desc, nulls: first}``; a sequence's ``start`` only
when it is not where PostgreSQL would start it.
"""

from __future__ import annotations

from typing import Any

from ..live.shapes import ForeignKeyShape, IndexShape
from ..model.inlists import in_lists
from ..model.schema import FK_ACTIONS
from ..model.sequences import TYPE_RANGES

FK_WORDS = {v: k for k, v in FK_ACTIONS.items()}

#: ``live.introspect``'s key order words -> (order, nulls) as the language says them.
_ORDERS: dict[str, dict[str, str]] = {
    "ASC": {},
    "DESC": {"order": "desc"},
    "NULLS FIRST": {"nulls": "first"},
    "DESC NULLS LAST": {"order": "desc", "nulls": "last"},
}


def index_keys(ix: IndexShape, expressions: tuple[bool, ...]) -> list[Any]:
    """The ``columns:`` list of an index: a plain name for an ascending column key,
    else ``{column|expression, order, nulls, ops, collation}``. A column's operator class goes
    to the index's ``ops:`` (see :func:`column_ops`); an expression's stays on its key."""
    keys: list[Any] = []
    for n, text in enumerate(ix.columns):
        expression = n < len(expressions) and expressions[n]
        order = _ORDERS[ix.orders[n]] if ix.orders else {}
        ops = ix.opclasses[n] if n < len(ix.opclasses) else None
        collation = ix.collations[n] if ix.collations else None
        if not expression and not order and collation is None:
            keys.append(text)
            continue
        # an expression's IN lists as x IN (...), so that it reads back the same
        key: dict[str, Any] = {"expression": in_lists(text)} if expression else {"column": text}
        key.update(order)
        if expression and ops:
            key["ops"] = ops
        if collation is not None:
            key["collation"] = collation
        keys.append(key)
    return keys


def index_spec(ix: IndexShape, expressions: tuple[bool, ...]) -> dict[str, Any]:
    """An ``indexes:`` entry (a table's or a materialized view's) for ``ix``, whose
    keys ``expressions`` says are expressions."""
    spec: dict[str, Any] = {"columns": index_keys(ix, expressions)}
    if ix.unique:
        spec["unique"] = True
    if ix.nulls_not_distinct:
        spec["nulls_not_distinct"] = True
    if ix.method != "btree":
        spec["using"] = ix.method
    ops = column_ops(ix, expressions)
    if ops:
        spec["ops"] = ops
    if ix.predicate is not None:
        spec["where"] = in_lists(ix.predicate)
    if ix.include:
        spec["include"] = list(ix.include)
    return spec


def column_ops(ix: IndexShape, expressions: tuple[bool, ...]) -> dict[str, str]:
    """Non-default operator classes of the index's column keys, by column."""
    return {
        column: op
        for n, (column, op) in enumerate(zip(ix.columns, ix.opclasses, strict=False))
        if op and not (n < len(expressions) and expressions[n])
    }


def foreign_key_spec(fk: ForeignKeyShape, target: str, ref_pk: tuple[str, ...]) -> dict[str, Any]:
    """An entity's ``foreign_keys:`` entry (``references`` is the entity ``target``)."""
    spec: dict[str, Any] = {"columns": list(fk.columns), "references": target}
    if fk.ref_columns != ref_pk:
        spec["ref_columns"] = list(fk.ref_columns)
    spec.update(fk_options(fk, on_update_key="on_update"))
    return spec


def fk_options(fk: ForeignKeyShape, *, on_update_key: str) -> dict[str, Any]:
    """``on_delete``, ``on_update`` (a column says ``on_update_fk``: its ``on_update``
    is ``now``), ``match``, ``deferrable`` and ``initially_deferred`` where not the
    default."""
    options: dict[str, Any] = {}
    if fk.on_delete != "NO ACTION":
        options["on_delete"] = FK_WORDS[fk.on_delete]
    if fk.on_update != "NO ACTION":
        options[on_update_key] = FK_WORDS[fk.on_update]
    if fk.match != "SIMPLE":
        options["match"] = fk.match.lower()
    if fk.initially_deferred:
        options["initially_deferred"] = True  # (implies deferrable)
    elif fk.deferrable:
        options["deferrable"] = True
    return options


def sequence_spec(options: tuple[Any, ...]) -> dict[str, Any]:
    """A ``sequences:`` entry for ``pg_sequences``' (type, start, increment, min, max,
    cycle, cache): each option only where it is not PostgreSQL's default given the
    others (the inverse of :func:`schemagen.model.sequences.effective`)."""
    data_type, start, increment, minimum, maximum, cycle, cache = options
    low, high = TYPE_RANGES[data_type]
    spec: dict[str, Any] = {}
    if data_type != "bigint":
        spec["type"] = data_type
    if increment != 1:
        spec["increment"] = increment
    if minimum != (1 if increment > 0 else low):
        spec["min"] = minimum
    if maximum != (high if increment > 0 else -1):
        spec["max"] = maximum
    if start != (minimum if increment > 0 else maximum):
        spec["start"] = start
    if cycle:
        spec["cycle"] = True
    if cache != 1:
        spec["cache"] = cache
    return spec
