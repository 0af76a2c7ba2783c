"""Sequences in models.py: standalone ones, and the sequences of ``serial`` columns.

``create_all`` must make what the migrations make. A table's lone ``serial`` key
is easy: SQLAlchemy writes it ``SERIAL``, which makes the sequence, the default
and ``OWNED BY``. Any other serial column (one that is not a key, part of a
composite key, a second serial column) gets what ``SERIAL`` would have made, said
outright: its sequence attached to the column (created before the table, dropped
after it, skipped when already gone with the table; ORM inserts call it), the
``nextval`` default and ``ALTER SEQUENCE ... OWNED BY``, run after ``create_all``.

Where the default is declared follows Alembic's autogenerate, so that ``alembic
check`` sees no difference: it takes an ``integer`` or ``bigint`` column whose
default is ``nextval`` of a sequence the column owns for a ``SERIAL`` and
compares it as having no default, so the model declares none (the DDL sets it);
a ``smallint`` one keeps its default, so the model declares it, in the form
Alembic compares (``nextval('t_c_seq')``, without the ``::regclass`` cast).

``name`` arguments are ``Imports.name`` of :mod:`.models`: they import a name
from a module and return the name to use in code.
"""

from __future__ import annotations

from ..model import naming
from ..model.schema import Column, DbSequence, Entity, Schema
from ..model.sequences import owned_by_sql, serial_sequence
from ..model.sqltext import quote_name, quote_qualified
from ..util.pycode import Expr, call, layout, py_str, pytuple
from .listeners import Namer, listener_lines

#: Sequence data types SQLAlchemy must be told (bigint is its default).
_SEQUENCE_TYPES = {"smallint": "SmallInteger", "integer": "Integer"}


def made_by_serial(ent: Entity, col: Column) -> bool:
    """Whether ``create_all`` writes ``col`` as ``SERIAL`` (a table's lone serial key)."""
    return col.serial and col.primary_key and len(ent.primary_key.columns) == 1


def needs_own_sequence(ent: Entity, col: Column) -> bool:
    """A serial column that SQLAlchemy does not write ``SERIAL``: models.py says its
    sequence, default and OWNED BY outright."""
    return col.serial and not made_by_serial(ent, col)


def model_default(ent: Entity, col: Column) -> str | None:
    """The ``server_default`` SQL text models.py declares for a serial column that
    :func:`needs_own_sequence` (see the module doc)."""
    if col.type.kind != "smallint":
        return None
    return f"nextval('{serial_sequence(ent.table, col.name)}')"


def column_sequence(ent: Entity, col: Column, name: Namer) -> Expr:
    """``Sequence("t_c_seq", data_type=Integer())`` for the column's arguments."""
    pg_schema, seq = naming.split_qualified(serial_sequence(ent.table, col.name))
    kind = _SEQUENCE_TYPES.get(col.type.kind)
    return call(
        name("sqlalchemy", "Sequence"),
        py_str(seq),
        data_type=call(name("sqlalchemy", kind)) if kind else None,
        schema=py_str(pg_schema) if pg_schema else None,
    )


def owned_by_lines(schema: Schema, name: Namer, base: str) -> list[str]:
    """The defaults and ``OWNED BY`` of the serial columns that
    :func:`needs_own_sequence`, run after create_all."""
    statements = []
    for ent in schema.entities:
        for col in ent.columns:
            if not needs_own_sequence(ent, col):
                continue
            seq = serial_sequence(ent.table, col.name)
            if model_default(ent, col) is None:
                statements.append(
                    f"ALTER TABLE {quote_qualified(ent.table)} ALTER COLUMN {quote_name(col.name)} "
                    f"SET DEFAULT nextval('{seq}'::regclass)"
                )
            statements.append(owned_by_sql(DbSequence(seq, owned_by=f"{ent.table}.{col.name}")))
    if not statements:
        return []
    return listener_lines(
        statements,
        constant="SERIAL_DDL",
        event="after_create",
        comment="Serial columns that are no lone key: the default and OWNED BY serial makes.",
        name=name,
        base=base,
    )


def standalone_lines(schema: Schema, name: Namer, base: str) -> list[str]:
    """The standalone sequences, attached to the metadata so create_all makes them."""
    # a serial column's sequence is SERIAL's own, or its column's (see above)
    standalone = [seq for seq in schema.sequences if seq.owned_by is None]
    if not standalone:
        return []
    items: list[Expr] = []
    for seq in standalone:
        kind = _SEQUENCE_TYPES.get(seq.data_type)
        pg_schema, seq_name = naming.split_qualified(seq.name)
        items.append(
            call(
                name("sqlalchemy", "Sequence"),
                py_str(seq_name),
                start=str(seq.start) if seq.start is not None else None,
                increment=str(seq.increment) if seq.increment is not None else None,
                minvalue=str(seq.min_value) if seq.min_value is not None else None,
                maxvalue=str(seq.max_value) if seq.max_value is not None else None,
                cycle="True" if seq.cycle else None,
                cache=str(seq.cache) if seq.cache is not None else None,
                data_type=call(name("sqlalchemy", kind)) if kind else None,
                schema=py_str(pg_schema) if pg_schema else None,
                metadata=f"{base}.metadata",
            )
        )
    lines = ["# Standalone sequences (nextval defaults use them); create_all makes them."]
    return lines + layout(pytuple(items), "", "SEQUENCES = ")
