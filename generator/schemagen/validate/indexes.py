"""Indexes that fit their columns: methods, operator classes, collations.

Owns the index methods and operator classes (named bare) and the extensions they need, the
default operator class a method has (or lacks) for a column's type, key
collations on collatable keys, ``include`` and ``unique`` on methods that
allow them, and json columns (no equality) kept out of primary keys and uniques.
"""

from __future__ import annotations

from ..language.messages import did_you_mean
from ..model.pgtypes import PGTYPE
from ..model.schema import Column, Entity, Index, IndexKey, Schema
from ..model.typemap import key_collatable
from ..source.loader import Sources, YamlPath
from .collations import uncollatable_type
from .names import check_unqualified
from .reporter import Reporter, column_path, index_path, type_text, unique_path

#: Operator classes that come from an extension, not from core PostgreSQL.
OPCLASS_EXTENSIONS: dict[str, str] = {
    "gin_trgm_ops": "pg_trgm",
    "gist_trgm_ops": "pg_trgm",
    "gin_bigm_ops": "pg_bigm",
    "gin__int_ops": "intarray",
    "gist__int_ops": "intarray",
    "gist__intbig_ops": "intarray",
    "gist_int4_ops": "btree_gist",
    "gist_int8_ops": "btree_gist",
    "gist_text_ops": "btree_gist",
    "gist_timestamptz_ops": "btree_gist",
    "gist_uuid_ops": "btree_gist",
}
GIN_DEFAULT_KINDS = frozenset({"array", "jsonb"})


def check_indexes(schema: Schema, entity: Entity, src: Sources, report: Reporter) -> None:
    """Operator classes, their extensions, and index methods that fit the columns."""
    extensions = set(schema.database.extensions)
    for index in entity.indexes:
        path = index_path(src, entity, index.name, index.columns)
        ops = dict(index.ops)
        if index.unique and index.using != "btree":
            report.error((*path, "unique"), f"a unique index must use btree, not {index.using}")
        if index.nulls_not_distinct and not index.unique:
            report.error((*path, "nulls_not_distinct"), "nulls_not_distinct needs unique: true")
        check_index_method(index.using, path, extensions, report)
        if index.include and index.using not in ("btree", "gist", "spgist"):
            report.error(
                (*path, "include"),
                f"`include` works only with btree and gist indexes, not {index.using}",
            )
        _check_key_collations(schema, entity, index.keys, path, report)
        for name in index.columns:
            opclass = ops.get(name)
            if opclass is None:
                problem = default_opclass_problem(index.using, entity.column(name), extensions)
                if problem:
                    report.error(path, problem)
                continue
            needed = OPCLASS_EXTENSIONS.get(opclass)
            if needed and needed not in extensions:
                report.error(
                    (*path, "ops", name),
                    f"operator class {opclass} needs the {needed} extension; add it to "
                    "database.extensions",
                )
    check_json_equality(entity, src, report)


def _check_key_collations(
    schema: Schema, entity: Entity, keys: tuple[IndexKey, ...], path: YamlPath, report: Reporter
) -> None:
    """A key's collation: on a type that has collations, in the default order."""
    for number, key in enumerate(keys):
        column = entity.column(key.column) if key.collation and key.column else None
        where = (*path, "columns", str(number), "collation")
        if column is not None and not key_collatable(column.type):
            report.error(
                where,
                "a collation applies to columns of a type with collations (string, text, "
                f"citext, or an array of one), not {column.type.pgtype or column.type.kind}",
            )
        elif key.collation and key.expression is not None and (
            kind := uncollatable_type(key.expression, entity, schema)
        ):
            report.error(
                where,
                f"{key.expression} is of type {kind}, which has no collation: "
                "PostgreSQL refuses COLLATE on it",
            )
        elif key.collation and (key.descending or key.nulls):
            # SQLAlchemy reflects no key collation: Alembic would compare the
            # text() such a key needs with the bare ordered column (or the
            # expression alone), and differ.
            report.error(
                where,
                "not yet: a key with a collation of its own keeps the default order "
                "(ASC NULLS LAST); Alembic could not compare it",
            )


#: Index methods that core PostgreSQL has, and those that extensions add.
CORE_INDEX_METHODS = frozenset({"btree", "hash", "gist", "spgist", "gin", "brin"})
METHOD_EXTENSIONS = {"hnsw": "vector", "ivfflat": "vector", "bloom": "bloom", "rum": "rum"}


def check_index_method(
    using: str, path: YamlPath, extensions: set[str], report: Reporter
) -> None:
    """An extension's method needs its extension; an unknown one can only be checked
    by a database (a warning)."""
    if using in CORE_INDEX_METHODS:
        return
    needed = METHOD_EXTENSIONS.get(using)
    if needed is None:
        known = sorted(CORE_INDEX_METHODS | set(METHOD_EXTENSIONS))
        report.warning(
            (*path, "using"),
            f"index method '{using}' is not one schemagen knows{did_you_mean(using, known)}; "
            "only a database can verify it (`schemagen check --database`)",
        )
    elif needed not in extensions:
        report.error(
            (*path, "using"),
            f"index method {using} comes from the {needed} extension; add {needed} to "
            "database.extensions",
        )


def default_opclass_problem(using: str, col: Column, extensions: set[str]) -> str | None:
    """Why PostgreSQL has no default operator class for this column and method, or None."""
    kind, shown = col.type.kind, type_text(col.type)
    if kind == PGTYPE:
        # tsvector (GIN, GiST), ranges and geometry (GiST), inet (GiST) have default
        # classes; for the rest only the database can tell (check --database, upgrade).
        return None
    if using == "gin" and kind not in GIN_DEFAULT_KINDS:
        if kind == "json":
            return (
                f"GIN on json column '{col.name}' needs an operator class (json has no "
                "default one); use type jsonb"
            )
        return (
            f"GIN on {shown} column '{col.name}' needs an operator class in `ops` "
            f"(e.g. {col.name}: gin_trgm_ops)"
        )
    if using in ("btree", "hash") and kind == "json":
        return (
            f"json column '{col.name}' cannot be in a {using} index (json has no equality); "
            "use type jsonb"
        )
    if using == "gist" and kind in ("json", "jsonb", "array"):
        of = col.type.of
        if of is not None and of.kind == "integer" and "intarray" in extensions:
            return None  # intarray makes gist__int_ops the default for integer[]
        return f"GiST has no default operator class for {shown} column '{col.name}'"
    if using == "gist" and "btree_gist" not in extensions:
        return (
            f"GiST on {shown} column '{col.name}' needs the btree_gist extension; add it to "
            "database.extensions"
        )
    if using == "brin" and kind in ("json", "jsonb", "array", "boolean"):
        return f"BRIN has no default operator class for {shown} column '{col.name}'"
    return None


def check_json_equality(entity: Entity, src: Sources, report: Reporter) -> None:
    """json (unlike jsonb) has no equality: it cannot be in a primary key or unique constraint."""
    json_columns = {c.name for c in entity.columns if c.type.kind == "json"}
    for uq in entity.uniques:
        for name in json_columns.intersection(uq.columns):
            report.error(
                unique_path(src, entity, uq.name, uq.columns),
                f"json column '{name}' cannot be unique (json has no equality); use type jsonb",
            )
    for name in json_columns.intersection(entity.primary_key.columns):
        report.error(
            column_path(src, entity, name),
            f"json column '{name}' cannot be in the primary key; use type jsonb",
        )


def check_opclass_names(schema: Schema, src: Sources, report: Reporter) -> None:
    """Operator classes (an index's, an exclusion constraint's, a materialized view's
    index's) are named bare: ``public.gin_trgm_ops`` passed the extension check
    (which knows gin_trgm_ops), was written as it is and worked, and ``check
    --database`` then found the index's opclass gin_trgm_ops where the schema said
    public.gin_trgm_ops, at head."""
    for entity in schema.entities:
        for index in entity.indexes:
            path = index_path(src, entity, index.name, index.columns)
            _check_index_opclasses(report, path, index)
        for ex in entity.excludes:
            for number, element in enumerate(ex.elements):
                where = ("entities", entity.name, "exclude", ex.name, "elements", str(number))
                _check_opclass(report, (*where, "ops"), element.ops)
    for view in schema.views:
        for index in view.indexes:
            _check_index_opclasses(report, ("views", view.name, "indexes", index.name), index)


def _check_index_opclasses(report: Reporter, path: YamlPath, index: Index) -> None:
    for column, opclass in index.ops:
        _check_opclass(report, (*path, "ops", column), opclass)
    for number, key in enumerate(index.keys):
        if key.expression is not None:  # a column key's is in index.ops
            _check_opclass(report, (*path, "columns", str(number), "ops"), key.ops)


def _check_opclass(report: Reporter, path: YamlPath, opclass: str | None) -> None:
    if opclass is not None:
        bare = opclass.rpartition(".")[2]
        home = (
            "operator classes are named as the migrations' search path finds them "
            "(pg_catalog's, and public's, where the extensions are)"
        )
        if '"' not in opclass:
            home += f", so say {bare}"
        check_unqualified(report, path, opclass, "operator class", home=home)
