"""Sequences in models.py: standalone ones, and the sequences of ``serial`` columns.

``create_all`` must make what the migrations make. A table's lone ``serial`` key
is easy: SQLAlchemy writes it ``SERIAL``, which makes the sequence, the default
and ``OWNED BY``. Any other serial column (one that is not a key, part of a
composite key, a second serial column, one whose sequence is of another type)
gets what ``SERIAL`` would have made, said outright: its sequence attached to the
column (created before the table, dropped after it, skipped when already gone
with the table; ORM inserts call it), the ``nextval`` default and ``ALTER
SEQUENCE ... OWNED BY``, run after ``create_all``.

Where the default is declared follows Alembic's autogenerate, so that ``alembic
check`` sees no difference: it takes an ``integer`` or ``bigint`` column whose
default is ``nextval`` of a sequence the column owns for a ``SERIAL`` and
compares it as having no default, so the model declares none (the DDL sets it);
a ``smallint`` one keeps its default, so the model declares it, in the form
Alembic compares (``nextval('t_c_seq')``, without the ``::regclass`` cast).

``name`` arguments are ``Imports.name`` of :mod:`.imports`: they import a name
from a module and return the name to use in code.
"""

from __future__ import annotations

from dataclasses import astuple

from ..model import naming
from ..model.domains import default_sql
from ..model.schema import Column, DbSequence, Entity, IdentityOptions, Schema
from ..model.sequences import (
    identity_kwargs,
    identity_rename_sql,
    nextval_names,
    owned_by_sql,
    serial_name,
)
from ..model.sqltext import quote_name, quote_qualified
from ..model.typemap import domain_variable
from ..util.pycode import INDENT, Expr, call, layout, py_str, pytuple
from .listeners import Namer, factory_lines, table_listener_lines

#: Sequence data types SQLAlchemy must be told (bigint is its default).
_SEQUENCE_TYPES = {"smallint": "SmallInteger", "integer": "Integer"}


def made_by_serial(ent: Entity, col: Column) -> bool:
    """Whether ``create_all`` writes ``col`` as ``SERIAL`` (a table's lone serial
    key whose sequence is of the column's type, name and options, as ``SERIAL``
    makes it)."""
    return (
        col.serial
        and col.sequence_type is None
        and col.sequence_name is None
        and col.sequence_options is None
        and col.primary_key
        and len(ent.primary_key.columns) == 1
    )


def needs_own_sequence(ent: Entity, col: Column) -> bool:
    """A serial column that SQLAlchemy does not write ``SERIAL``: models.py says its
    sequence, default and OWNED BY outright."""
    return col.serial and not made_by_serial(ent, col)


def model_default(ent: Entity, col: Column) -> str | None:
    """The ``server_default`` SQL text models.py declares for a serial column that
    :func:`needs_own_sequence` (see the module doc)."""
    if col.type.kind != "smallint":
        return None
    return f"nextval('{serial_name(ent.table, col)}')"


def column_sequence(ent: Entity, col: Column, name: Namer) -> Expr:
    """``Sequence("t_c_seq", data_type=Integer())`` for the column's arguments, with
    the sequence's options where it has some (``Identity``'s keywords: the same)."""
    pg_schema, seq = naming.split_qualified(serial_name(ent.table, col))
    kind = _SEQUENCE_TYPES.get(col.sequence_type or col.type.kind)
    opts = col.sequence_options
    options = identity_kwargs(IdentityOptions(False, *astuple(opts)) if opts else None)
    return call(
        name("sqlalchemy", "Sequence"),
        py_str(seq),
        data_type=call(name("sqlalchemy", kind)) if kind else None,
        schema=py_str(pg_schema) if pg_schema else None,
        **dict(options),
    )


def owned_by_lines(schema: Schema, name: Namer, base: str) -> list[str]:
    """The defaults and ``OWNED BY`` of the serial columns that
    :func:`needs_own_sequence`, and the names of identity sequences that have one of
    their own, run after create_all for each table it makes."""
    statements: dict[str, list[str]] = {}
    named = False  # an identity's sequence of a name of its own
    for ent in schema.entities:
        for col in ent.columns:
            if col.identity and col.sequence_name is not None:
                # Identity() cannot name its sequence: renamed once the table is made
                statements.setdefault(ent.table, []).append(identity_rename_sql(ent.table, col))
                named = True
            if not needs_own_sequence(ent, col):
                continue
            seq = serial_name(ent.table, col)
            table = statements.setdefault(ent.table, [])
            if model_default(ent, col) is None:
                table.append(
                    f"ALTER TABLE {quote_qualified(ent.table)} ALTER COLUMN {quote_name(col.name)} "
                    f"SET DEFAULT nextval('{seq}'::regclass)"
                )
            table.append(owned_by_sql(DbSequence(seq, owned_by=f"{ent.table}.{col.name}")))
    if not statements:
        return []
    return table_listener_lines(
        statements,
        constant="SERIAL_DDL",
        comment=(
            "Serial columns that are no lone key: the default and OWNED BY serial makes; "
            "identity sequences of a name of their own, renamed."
            if named
            else "Serial columns that are no lone key: the default and OWNED BY serial makes."
        ),
        name=name,
        base=base,
    )


def domain_called(schema: Schema) -> dict[str, list[str]]:
    """``{sequence: the domains whose DEFAULT calls it}``, both in schema order."""
    called: dict[str, list[str]] = {}
    for dom in schema.domains:
        default = default_sql(dom)
        for seq in nextval_names(default) if default is not None else []:
            if dom.name not in called.setdefault(seq, []):
                called[seq].append(dom.name)
    return called


def standalone_lines(schema: Schema, name: Namer, base: str) -> list[str]:
    """The standalone sequences: attached to the metadata so create_all makes them,
    except those a domain's default calls (:func:`domain_sequence_lines`)."""
    # a serial column's sequence is SERIAL's own, or its column's (see above)
    called = domain_called(schema)
    standalone = [s for s in schema.sequences if s.owned_by is None and s.name not in called]
    if not standalone:
        return []
    items = [_sequence_call(seq, name, metadata=f"{base}.metadata") for seq in standalone]
    lines = ["# Standalone sequences (nextval defaults use them); create_all makes them."]
    return lines + layout(pytuple(items), "", "SEQUENCES = ")


def domain_sequence_lines(schema: Schema, name: Namer) -> list[str]:
    """The standalone sequences a domain's DEFAULT calls, made by the domains' DDL
    events: create_all makes the metadata's domains (its before_create event) before
    the metadata's sequences, and drop_all drops them after, both of which PostgreSQL
    refuses. Each domain that calls one creates it first (if it is not there yet:
    several may call it, and a table's create makes its domains alone); the domain
    that drop_all drops last of them (it drops domains in the order they were
    defined) drops it after itself."""
    called = domain_called(schema)
    sequences = [s for s in schema.sequences if s.owned_by is None and s.name in called]
    if not sequences:
        return []
    lines = [
        *_ddl_helper_lines(name),
        "# Sequences a domain's DEFAULT calls: create_all makes the metadata's domains",
        "# before its sequences, so each domain makes them before itself instead.",
    ]
    listen = f"{name('sqlalchemy', 'event')}.listen"
    for seq in sequences:
        variable = sequence_variable(seq.name)
        lines += layout(_sequence_call(seq, name), "", f"{variable} = ")
        domains = called[seq.name]
        for dom in domains:
            ddl = call(SEQUENCE_HELPER, variable, create="True")
            lines += layout(call(listen, domain_variable(dom), py_str("before_create"), ddl))
        ddl = call(SEQUENCE_HELPER, variable, create="False")
        lines += layout(call(listen, domain_variable(domains[-1]), py_str("after_drop"), ddl))
    return lines


def sequence_variable(name: str) -> str:
    """The module-level name models.py gives the ``Sequence`` that a domain calls."""
    return name.replace(".", "_").upper() + "_SEQUENCE"


#: The listener factory models.py defines when a domain's default calls a sequence.
SEQUENCE_HELPER = "_domain_sequence"


def _ddl_helper_lines(name: Namer) -> list[str]:
    """A typed listener factory (``Sequence.create`` and ``drop`` with checkfirst)."""
    return factory_lines(
        name,
        f"{SEQUENCE_HELPER}(sequence: {name('sqlalchemy', 'Sequence')}, create: bool)",
        "A domain's listener: create ``sequence`` before it, or drop it after.",
        [
            "if create:",
            f"{INDENT}sequence.create(connection, checkfirst=True)",
            "else:",
            f"{INDENT}sequence.drop(connection, checkfirst=True)",
        ],
    )


def _sequence_call(seq: DbSequence, name: Namer, metadata: str | None = None) -> Expr:
    """``Sequence("name", start=..., ...)`` with the options the YAML gave."""
    kind = _SEQUENCE_TYPES.get(seq.data_type)
    pg_schema, seq_name = naming.split_qualified(seq.name)
    return call(
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
        metadata=metadata,
    )
