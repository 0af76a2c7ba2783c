"""The DDL view of a schema: what a migration must carry, and nothing else.

The head revision's snapshot is stored as :func:`snapshot_text`. The view
drops what produces no DDL, so that editing it never asks for a revision:

- relationships, Python attribute names, mixin provenance, type-alias names;
- enum Python names, member names and descriptions (an enum is keyed by its
  PostgreSQL type name: ``Enum.name == Enum.db_name`` and every
  ``ColumnType.enum`` names the type), and ``on_update_now`` (ORM-side);
- index descriptions, ``serves`` and ``concurrently`` (how an index is built or
  used, not what it is), and column ``seed`` hints (for ``schemagen seed``);
- ``renamed_from`` hints (they steer the diff, then they are no-ops);
- the database name, description and naming convention (names are final);
- a function's YAML key, and whether schemagen made a function or trigger;
- a view's declared column types and ORM key (a view is keyed by its
  database name);
- a domain's description (for the docs; domains get no COMMENT).

Table and column descriptions stay: they are ``COMMENT ON`` DDL.

:func:`same_ddl` is the equality of the migration invariant
``apply(old, diff(old, new)) ~ new``: DDL views equal up to column order
(PostgreSQL appends added columns; order is not schema).
"""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from ..model.data import short_fields, to_short_data
from ..model.frozen import copy_with
from ..model.routines import View
from ..model.schema import (
    Column,
    ColumnType,
    Database,
    Entity,
    Enum,
    EnumValue,
    Index,
    Schema,
    sorted_named,
)
from ..util.identity import Memo, by_identity


def ddl_view(schema: Schema) -> Schema:
    """Project ``schema`` onto what DDL can observe (see the module docstring).

    Computed once per schema object (the model is frozen): ``plan`` and
    ``migrate`` ask for the same schema's view several times, and at 2,000
    tables each took about a second.
    """
    cached = schema.__dict__.get(_VIEW_KEY)
    if cached is None:
        cached = _ddl_view(schema)
        schema.__dict__[_VIEW_KEY] = cached
        cached.__dict__[_VIEW_KEY] = cached  # the view of a view is itself (tested)
    return cached  # type: ignore[no-any-return]


#: Where :func:`ddl_view` keeps a schema's view: in the instance's ``__dict__``,
#: beside its cached properties (not a field: equality and data ignore it).
_VIEW_KEY = "_schemagen_ddl_view"


def _ddl_view(schema: Schema) -> Schema:
    db_names = {en.name: en.db_name for en in schema.enums}
    enums = sorted_named(_enum_view(en) for en in schema.enums)
    # Equal columns recur across tables (a mixin's timestamps, ``id``): each distinct
    # one's view is made once and shared, as the frozen model allows.
    columns: dict[Column, Column] = {}
    entities = sorted_named(_entity_view(ent, db_names, columns) for ent in schema.entities)
    database = Database(name="", extensions=tuple(sorted(schema.database.extensions)))
    return Schema(
        database=database,
        enums=enums,
        entities=entities,
        sequences=schema.sequences,
        domains=tuple(
            dataclasses.replace(d, type=_type_view(d.type, db_names), description=None)
            for d in schema.domains
        ),
        functions=tuple(
            dataclasses.replace(fn, key="", generated=False) for fn in schema.functions
        ),
        triggers=tuple(dataclasses.replace(tg, generated=False) for tg in schema.triggers),
        views=sorted_named(_view_view(v) for v in schema.views),
        policies=schema.policies,
    )


def _view_view(view: View) -> View:
    # Declared column types and the ORM key are for models.py and the docs only.
    indexes = tuple(_index_view(ix) for ix in view.indexes)
    return dataclasses.replace(view, name=view.view, columns=(), key=(), indexes=indexes)


def snapshot_data(schema: Schema) -> Any:
    """The DDL view of ``schema`` as plain data, fields at their default left out."""
    return to_short_data(ddl_view(schema))


#: Lines already rendered: each item's canonical JSON, once per item object.
Lines = Memo[Any, str]


def snapshot_text(schema: Schema, lines: Lines | None = None) -> str:
    """What ``migrate`` stores: :func:`snapshot_data` as JSON, one table or enum a line.

    Compact (the C encoder writes it; 2,000 tables took seconds indented and
    24 MB), yet a change to one table is a change to one line in a review.
    ``Schema.from_json`` reads it, and the older indented snapshots too.
    """
    return view_text(ddl_view(schema), {} if lines is None else lines)


def view_text(view: Schema, lines: Lines) -> str:
    """:func:`snapshot_text` of a schema that already is a DDL view (the states between
    the parts of one change): each table's line is rendered once per ``lines`` memo,
    however many parts repeat it."""
    parts = []
    data = short_fields(view)
    for key in sorted(data):
        value = data[key]
        if isinstance(value, tuple) and value:
            body = ",\n".join(_line(item, lines) for item in value)
            parts.append(f"{json.dumps(key)}: [\n{body}\n]")
        else:
            parts.append(f"{json.dumps(key)}: {canonical(to_short_data(value))}")
    return "{" + ",\n".join(parts) + "}\n"


def _line(item: Any, lines: Lines) -> str:
    return by_identity(lines, item, _short_json)


def _short_json(item: Any) -> str:
    return canonical(to_short_data(item))


def canonical(data: Any) -> str:
    """Canonical compact JSON: the C encoder, and unlike ``==`` on the data it
    tells ``true`` from ``1``."""
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def matches_snapshot(text: str, schema: Schema) -> bool:
    """Whether a stored snapshot's text is ``schema``'s: nothing to migrate.

    Compared as text, as :func:`snapshot_text` writes it (its sha256 was
    verified against the revision). A snapshot of an older format (indented,
    every field) never matches here; the diff then finds nothing, only slower.
    """
    return text == snapshot_text(schema)


def same_ddl(a: Schema, b: Schema) -> bool:
    """Whether two schemas have the same DDL, ignoring column order."""
    return _order_free(ddl_view(a)) == _order_free(ddl_view(b))


def empty_schema() -> Schema:
    """The schema before the first revision: no enum, no table, no extension."""
    return Schema(database=Database(name=""))


def _enum_view(en: Enum) -> Enum:
    values = tuple(EnumValue(value=v.value, member="") for v in en.values)
    return Enum(name=en.db_name, db_name=en.db_name, values=values)


def _type_view(ct: ColumnType, db_names: dict[str, str]) -> ColumnType:
    if ct.alias is None and ct.of is None and ct.enum is None:
        return ct  # already as the view has it (most columns)
    of = _type_view(ct.of, db_names) if ct.of is not None else None
    enum = db_names.get(ct.enum, ct.enum) if ct.enum is not None else None
    return copy_with(ct, alias=None, of=of, enum=enum)


def _column_view(col: Column, db_names: dict[str, str]) -> Column:
    return copy_with(
        col,
        type=_type_view(col.type, db_names),
        on_update_now=False,
        attribute="",
        renamed_from=None,
        mixin=None,
        seed=None,
        using=None,
    )


def _index_view(ix: Index) -> Index:
    return copy_with(ix, description=None, concurrently=True, serves=())


def _entity_view(ent: Entity, db_names: dict[str, str], columns: dict[Column, Column]) -> Entity:
    views = []
    for col in ent.columns:
        view = columns.get(col)
        if view is None:
            view = columns[col] = _column_view(col, db_names)
        views.append(view)
    return copy_with(
        ent,
        columns=tuple(views),
        indexes=sorted_named(_index_view(ix) for ix in ent.indexes),
        mixins=(),
        relationships=(),
        renamed_from=None,
    )


def _order_free(schema: Schema) -> Schema:
    entities = tuple(
        dataclasses.replace(ent, columns=tuple(sorted(ent.columns, key=lambda c: c.name)))
        for ent in schema.entities
    )
    return dataclasses.replace(schema, entities=entities)
