"""Tables without a primary key in ``models.py``: a module-level ``Table`` each, as
sqlacodegen writes them, since SQLAlchemy's ORM maps no class without a key."""

from __future__ import annotations

import re

from ..model import naming
from ..model.schema import Column, Entity, Schema
from ..util.pycode import Expr, call, layout, py_str
from .columns import column_arguments
from .imports import Imports
from .table_args import table_constraints, table_options


def table_variables(schema: Schema, taken: frozenset[str]) -> dict[str, str]:
    """Entity -> the module variable of its ``Table``, for the entities without a
    primary key: ``t_<table>`` as sqlacodegen names them (``t_<schema>_<table>``
    outside the default schema), clear of every other name of the module."""
    found: dict[str, str] = {}
    used = set(taken)
    for ent in schema.entities:
        if ent.has_primary_key:
            continue
        name = "t_" + re.sub(r"\W", "_", ent.table.replace(".", "_"))
        while name in used:
            name += "_"
        used.add(name)
        found[ent.name] = name
    return found


def table_lines(schema: Schema, ent: Entity, imp: Imports, variable: str, base: str) -> list[str]:
    """``t_events = Table("events", Base.metadata, Column(...), ..., comment=...)``:
    what sqlacodegen writes for a table without a primary key, which SQLAlchemy's
    ORM cannot map as a class. Columns are keyed by their names (no attributes)."""
    columns = [_table_column(schema, ent, col, imp) for col in ent.columns]
    constraints = table_constraints(ent, imp)
    options = table_options(ent)
    value = call(
        imp.name("sqlalchemy", "Table"),
        py_str(naming.split_qualified(ent.table)[1]),
        f"{base}.metadata",
        *columns,
        *constraints,
        **options,
    )
    lines = [f"# {line}".rstrip() for line in (ent.description or "").splitlines()[:1]]
    return lines + layout(value, "", f"{variable} = ")


def _table_column(schema: Schema, ent: Entity, col: Column, imp: Imports) -> Expr:
    """``Column(name, type, ...)`` of a ``Table``: the ``mapped_column`` arguments,
    with NOT NULL said outright (no ``Mapped[...]`` annotation to infer it from)."""
    args, kwargs = column_arguments(schema, ent, col, imp)
    del kwargs["primary_key"], kwargs["autoincrement"]  # never in a table without a key
    return call(
        imp.name("sqlalchemy", "Column"),
        py_str(col.name),
        *args,
        nullable=None if col.nullable else "False",
        **kwargs,
    )
