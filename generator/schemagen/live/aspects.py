"""How a finding words one aspect in which a live object differs from the schema's:
``<aspect> <database's> in the database, <schema's> in the schema``.

Shared by the comparison of tables (:mod:`.tables`) and of materialized views
(:mod:`.routines`), whose indexes are described the same way.
"""

from __future__ import annotations

from .shapes import IndexShape


def aspect(label: str, exp: object, act: object) -> list[str]:
    """One line when ``exp`` and ``act`` differ, none when they are equal."""
    if exp == act:
        return []
    return [f"{label} {show(act)} in the database, {show(exp)} in the schema"]


def show(value: object) -> str:
    """A value as a finding spells it: tuples in parentheses, yes/no, none for None."""
    if isinstance(value, tuple):
        return "(" + ", ".join(or_none(v) for v in value) + ")"
    if isinstance(value, bool):
        return "yes" if value else "no"
    return or_none(value)  # type: ignore[arg-type]


def or_none(value: str | None) -> str:
    return "none" if value is None else value


def describe_index(exp: IndexShape, act: IndexShape) -> list[str]:
    """A line for each aspect in which index ``act`` differs from ``exp``."""
    return (
        aspect("columns", exp.columns, act.columns)
        + aspect("unique:", exp.unique, act.unique)
        + aspect("method", exp.method, act.method)
        + aspect("operator classes", exp.opclasses, act.opclasses)
        + aspect("predicate", exp.predicate, act.predicate)
        + aspect("INCLUDE", exp.include, act.include)
        + aspect("key order", exp.orders or "all ASC", act.orders or "all ASC")
        + aspect("nulls_not_distinct:", exp.nulls_not_distinct, act.nulls_not_distinct)
        + aspect(
            "key collations", _collation_words(exp.collations), _collation_words(act.collations)
        )
    )


def _collation_words(collations: tuple[str | None, ...]) -> str:
    """``(C, -)``: each key's collation of its own, ``-`` for none; ``none`` for an index
    whose keys have none."""
    return f"({', '.join(c or '-' for c in collations)})" if collations else "none"
