"""The columns of ``models.py``: ``mapped_column(...)`` with its annotation, and the
arguments it shares with a ``Table``'s ``Column``: the type, a single-column
foreign key, identity, sequence, generated expression, server default and
on-update, comment. Also a column's Python attribute (``column_key``), by which
table-level constructs find it."""

from __future__ import annotations

from ..model.schema import INTEGER_TYPES, Column, Entity, ForeignKey, Schema
from ..model.sequences import identity_kwargs
from ..model.sqltext import default_sql, text_source
from ..util.pycode import INDENT, Call, Expr, Str, call, layout, py_str
from . import sequences
from .column_types import column_annotation, column_type_expr
from .imports import Imports


def column_key(ent: Entity, column: str) -> str:
    """The Python attribute (the Column's key) of ``column``; table-level constructs
    such as Index and UniqueConstraint find columns by key. A ``Table`` (no primary
    key) keys its columns by name."""
    if ent.has_column(column) and ent.has_primary_key:
        col = ent.column(column)
        return col.attribute or col.name
    return column


def column_lines(schema: Schema, ent: Entity, col: Column, imp: Imports) -> list[str]:
    """``attribute: Mapped[...] = mapped_column(...)``: the lines of ``col`` in its class
    (``imp.column_lines`` remembers them; the caller must not change the list)."""
    if col.serial:  # its sequence and default are named after the table
        return _column_lines(schema, ent, col, imp)
    # Everything else the lines depend on besides the column itself: its own foreign
    # key, and whether it is a lone primary key (``_serial_by_accident``). Equal
    # columns recur across tables (a mixin's timestamps, ``id``, ``name``): hashing
    # one is a tenth of laying it out again.
    key = (col, _single_fk(ent, col), col.primary_key and len(ent.primary_key.columns) == 1)
    found = imp.column_lines.get(key)
    if found is None:
        found = imp.column_lines[key] = _column_lines(schema, ent, col, imp)
    return found


def _column_lines(schema: Schema, ent: Entity, col: Column, imp: Imports) -> list[str]:
    annotation = column_annotation(col, imp)
    attribute = col.attribute or col.name
    args, kwargs = column_arguments(schema, ent, col, imp)
    if attribute != col.name:
        args.insert(0, py_str(col.name))
    value = call(imp.name("sqlalchemy.orm", "mapped_column"), *args, **kwargs)
    mapped = imp.name("sqlalchemy.orm", "Mapped")
    return layout(value, INDENT, f"{attribute}: {mapped}[{annotation}] = ")


def column_arguments(
    schema: Schema, ent: Entity, col: Column, imp: Imports
) -> tuple[list[Expr], dict[str, Expr | None]]:
    """The positional and keyword arguments of a column, after its name: the same
    for ``mapped_column`` and ``Column``."""
    args: list[Expr] = [column_type_expr(schema, col, imp)]
    fk = _single_fk(ent, col)
    if fk is not None:
        args.append(_foreign_key(fk, imp))
    if col.identity:
        options = identity_kwargs(col.identity_options)
        args.append(call(imp.name("sqlalchemy", "Identity"), **dict(options)))
    if sequences.needs_own_sequence(ent, col):
        args.append(sequences.column_sequence(ent, col, imp.name))
    if col.generated is not None:
        computed = imp.name("sqlalchemy", "Computed")
        args.append(call(computed, Str(text_source(col.generated)), persisted="True"))
    kwargs: dict[str, Expr | None] = {
        "primary_key": "True" if col.primary_key else None,
        "autoincrement": "False" if _serial_by_accident(ent, col) else None,
        "server_default": _server_default(schema, ent, col, imp),
        **_on_update(schema, col, imp),
        "comment": Str(col.description) if col.description else None,
    }
    return args, kwargs


def _on_update(schema: Schema, col: Column, imp: Imports) -> dict[str, Expr | None]:
    """``onupdate=func.now()``; with ``on_update_now: trigger`` the database sets
    the value, and ``server_onupdate=FetchedValue()`` tells the ORM to read it back
    instead of sending its own."""
    if not col.on_update_now:
        return {}
    if schema.database.on_update_now == "trigger":
        return {"server_onupdate": f"{imp.name('sqlalchemy', 'FetchedValue')}()"}
    return {"onupdate": f"{imp.name('sqlalchemy', 'func')}.now()"}


def _serial_by_accident(ent: Entity, col: Column) -> bool:
    """A lone integer primary key that is no identity: SQLAlchemy would make it
    SERIAL in create_all unless told otherwise, and the migrations would not."""
    return (
        col.primary_key
        and not col.identity
        and not col.serial
        and col.type.kind in INTEGER_TYPES
        and len(ent.primary_key.columns) == 1
    )


def _single_fk(ent: Entity, col: Column) -> ForeignKey | None:
    for fk in ent.foreign_keys:
        if fk.columns == (col.name,):
            return fk
    return None


def _foreign_key(fk: ForeignKey, imp: Imports) -> Expr:
    target = f"{fk.ref_table}.{fk.ref_columns[0]}"
    return call(
        imp.name("sqlalchemy", "ForeignKey"),
        py_str(target),
        **foreign_key_kwargs(fk),
    )


def foreign_key_kwargs(fk: ForeignKey) -> dict[str, Expr | None]:
    """The options a key's ``ForeignKey`` and ``ForeignKeyConstraint`` both take (its
    actions, deferrability, MATCH, name, NOT VALID), in the order they are written."""
    return {
        "ondelete": py_str(fk.on_delete) if fk.on_delete else None,
        "onupdate": py_str(fk.on_update) if fk.on_update else None,
        "deferrable": "True" if fk.deferrable else None,
        "initially": py_str("DEFERRED") if fk.initially_deferred else None,
        "match": py_str(fk.match) if fk.match else None,
        "name": py_str(fk.name),
        **not_valid_key_kwargs(fk),
    }


def not_valid_key_kwargs(fk: ForeignKey) -> dict[str, Expr | None]:
    """A key declared ``validated: false``: PostgreSQL makes a key written inside
    CREATE TABLE valid, so create_all adds it after the tables (``use_alter``)
    ``NOT VALID``, as the migrations do."""
    if fk.validated:
        return {}
    return {"use_alter": "True", "postgresql_not_valid": "True"}


def _server_default(schema: Schema, ent: Entity, col: Column, imp: Imports) -> Expr | None:
    if col.default is None:
        # A column of a domain with a DEFAULT takes the domain's: FetchedValue() (no
        # DDL) tells the ORM so, which would otherwise insert NULL into the column.
        dom = col.type.domain
        if dom is not None and schema.domain(dom).default is not None:
            return f"{imp.name('sqlalchemy', 'FetchedValue')}()"
        return None
    # A serial key: SQLAlchemy's create_all writes SERIAL, which makes the sequence,
    # its OWNED BY and the default exactly as the migrations do.
    if sequences.made_by_serial(ent, col):
        return None
    if col.serial:
        sql = sequences.model_default(ent, col)
        return None if sql is None else Call(imp.name("sqlalchemy", "text"), (Str(sql),))
    if col.default.kind == "now":
        return f"{imp.name('sqlalchemy', 'func')}.now()"
    sql = default_sql(col)
    assert sql is not None
    return Call(imp.name("sqlalchemy", "text"), (Str(text_source(sql)),))
