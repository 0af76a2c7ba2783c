"""Building an :class:`Entity` from its resolved spec: its columns, keys,
checks, indexes, exclusion constraints and partitions, in canonical order."""

from __future__ import annotations

from typing import Any

from ..model import naming
from ..model.frozen import copy_with
from ..model.schema import (
    FK_ACTIONS,
    NO_PRIMARY_KEY,
    CheckConstraint,
    Entity,
    ExcludeConstraint,
    ExcludeElement,
    ForeignKey,
    Index,
    IndexKey,
    Partition,
    PartitionKey,
    PrimaryKey,
    UniqueConstraint,
    sorted_named,
)
from ..source.loader import mapping, unique_columns
from .columns import build_column
from .resolver import RawColumn, Resolver, qualified_table_of, table_of
from .security import replica_identity, row_security


def build_entity(resolver: Resolver, name: str, convention: dict[str, str]) -> Entity:
    """One entity without relationships (those need every entity's foreign keys)."""
    src = resolver.src
    spec = mapping(src.entities[name])
    table = table_of(src, name)
    raw_columns = resolver.columns(name)
    pk_names = resolver.primary_key(name)
    columns = tuple(
        build_column(resolver, col, single_pk=len(pk_names) == 1, in_pk=col.name in pk_names)
        for col in raw_columns
    )
    pk = NO_PRIMARY_KEY  # primary_key: false
    if pk_names:
        key = tuple(pk_names)
        pk_name = str(spec.get("primary_key_name") or "") or naming.apply_convention(
            convention["pk"], table_name=table, columns=key
        )
        pk = PrimaryKey(name=pk_name, columns=key)
    return Entity(
        name=name,
        table=qualified_table_of(src, name),
        columns=columns,
        primary_key=pk,
        description=spec.get("description"),
        mixins=tuple(spec.get("mixins") or ()),
        foreign_keys=sorted_named(build_foreign_keys(resolver, raw_columns, table, convention)),
        uniques=sorted_named(build_uniques(spec, raw_columns, table, convention)),
        checks=sorted_named(build_check(str(k), v) for k, v in mapping(spec.get("checks")).items()),
        indexes=sorted_named(build_indexes(spec, raw_columns, table, convention)),
        renamed_from=spec.get("renamed_from"),
        excludes=sorted_named(build_excludes(spec)),
        partition_by=build_partition_key(spec.get("partition_by")),
        partitions=sorted_named(build_partitions(spec)),
        row_level_security=row_security(spec.get("row_level_security")),
        replica_identity=replica_identity(spec.get("replica_identity")),
        cluster_on=spec.get("cluster_on"),
    )


def build_partition_key(spec: Any) -> PartitionKey | None:
    """``partition_by: {range: [paid_on]}`` (the JSON Schema allows one method)."""
    if not isinstance(spec, dict) or len(spec) != 1:
        return None
    ((method, items),) = spec.items()
    items = items if isinstance(items, list) else []
    columns = tuple(str(i) if not isinstance(i, dict) else None for i in items)
    expressions = tuple(str(i["expression"]) if isinstance(i, dict) else None for i in items)
    return PartitionKey(
        method=str(method),
        columns=columns,
        expressions=expressions if any(e is not None for e in expressions) else (),
    )


def bound_literal(value: Any) -> str:
    """A bound value as SQL: a quoted literal, a number, true/false, NULL, or the
    MINVALUE / MAXVALUE keywords."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    if text.upper() in ("MINVALUE", "MAXVALUE"):
        return text.upper()
    return "'" + text.replace("'", "''") + "'"


def build_partitions(spec: dict[str, Any]) -> list[Partition]:
    """The ``partitions:`` entries: table name -> bound, and for a partition
    partitioned in turn its own ``partition_by:`` and ``partitions:``."""

    def values(raw: Any) -> tuple[str, ...]:
        items = raw if isinstance(raw, list) else [raw]
        return tuple(bound_literal(v) for v in items)

    result = []
    for name, entry in mapping(spec.get("partitions")).items():
        entry = mapping(entry)
        modulus, remainder = entry.get("modulus"), entry.get("remainder")
        result.append(
            Partition(
                name=str(name),
                default=bool(entry.get("default")),
                start=values(entry["from"]) if "from" in entry else (),
                end=values(entry["to"]) if "to" in entry else (),
                values=values(entry["in"]) if "in" in entry else (),
                modulus=int(modulus) if modulus is not None else None,
                remainder=int(remainder) if remainder is not None else None,
                partition_by=build_partition_key(entry.get("partition_by")),
                partitions=sorted_named(build_partitions(entry)),
            )
        )
    return result


def build_excludes(spec: dict[str, Any]) -> list[ExcludeConstraint]:
    """The entity's ``exclude:`` entries (the method defaults to gist)."""
    result = []
    for name, entry in mapping(spec.get("exclude")).items():
        entry = mapping(entry)
        elements = tuple(
            ExcludeElement(
                operator=str(el["with"]),
                column=str(el["column"]) if el.get("column") is not None else None,
                expression=str(el["expression"]) if el.get("expression") is not None else None,
                ops=str(el["ops"]) if el.get("ops") else None,
            )
            for el in entry.get("elements") or ()
            if isinstance(el, dict)
        )
        where = entry.get("where")
        result.append(
            ExcludeConstraint(
                name=str(name),
                elements=elements,
                using=str(entry.get("using") or "gist"),
                where=str(where) if where is not None else None,
            )
        )
    return result


def build_foreign_keys(
    resolver: Resolver, columns: list[RawColumn], table: str, convention: dict[str, str]
) -> list[ForeignKey]:
    """A foreign key for every column that says ``references:``."""
    result = []
    for col in columns:
        if "references" not in col.spec:
            continue
        ref_entity, ref_column = resolver.reference(col)
        ref_table = table_of(resolver.src, ref_entity)
        name = naming.apply_convention(
            convention["fk"], table_name=table, columns=(col.name,), referred_table_name=ref_table
        )
        ref_table = qualified_table_of(resolver.src, ref_entity)
        on_delete = col.spec.get("on_delete")
        on_update = col.spec.get("on_update_fk")
        result.append(
            ForeignKey(
                name=name,
                columns=(col.name,),
                ref_entity=ref_entity,
                ref_table=ref_table,
                ref_columns=(ref_column,),
                on_delete=FK_ACTIONS[on_delete] if on_delete else None,
                on_update=FK_ACTIONS[on_update] if on_update else None,
                deferrable=bool(col.spec.get("deferrable") or col.spec.get("initially_deferred")),
                initially_deferred=bool(col.spec.get("initially_deferred")),
                match=fk_match(col.spec.get("match")),
                validated=col.spec.get("validated", True),
            )
        )
    entity = columns[0].entity if columns else ""
    spec = mapping(resolver.src.entities.get(entity))
    for name, entry in mapping(spec.get("foreign_keys")).items():
        result.append(build_composite_fk(resolver, str(name), mapping(entry)))
    return result


def build_composite_fk(resolver: Resolver, name: str, entry: dict[str, Any]) -> ForeignKey:
    """One ``foreign_keys:`` entry: columns referencing a key of another entity."""
    ref_entity = str(entry["references"])
    ref_columns = entry.get("ref_columns") or resolver.primary_key(ref_entity)
    on_delete, on_update = entry.get("on_delete"), entry.get("on_update")
    return ForeignKey(
        name=name,
        columns=tuple(str(c) for c in entry["columns"]),
        ref_entity=ref_entity,
        ref_table=qualified_table_of(resolver.src, ref_entity),
        ref_columns=tuple(str(c) for c in ref_columns),
        on_delete=FK_ACTIONS[on_delete] if on_delete else None,
        on_update=FK_ACTIONS[on_update] if on_update else None,
        deferrable=bool(entry.get("deferrable") or entry.get("initially_deferred")),
        initially_deferred=bool(entry.get("initially_deferred")),
        match=fk_match(entry.get("match")),
        validated=entry.get("validated", True),
    )


def fk_match(word: Any) -> str | None:
    """``match: full`` -> ``FULL``; ``simple`` (or nothing) is PostgreSQL's default."""
    return "FULL" if word == "full" else None


def build_uniques(
    spec: dict[str, Any], columns: list[RawColumn], table: str, convention: dict[str, str]
) -> list[UniqueConstraint]:
    """Column ``unique: true`` (named by the convention) and the ``unique:`` entries."""
    result = [
        UniqueConstraint(
            naming.apply_convention(convention["uq"], table_name=table, columns=(col.name,)),
            (col.name,),
        )
        for col in columns
        if col.spec.get("unique")
    ]
    for name, entry in mapping(spec.get("unique")).items():
        deferral = mapping(entry)
        result.append(
            UniqueConstraint(
                str(name),
                tuple(str(c) for c in unique_columns(entry)),
                deferrable=bool(deferral.get("deferrable") or deferral.get("initially_deferred")),
                initially_deferred=bool(deferral.get("initially_deferred")),
            )
        )
    return result


def build_indexes(
    spec: dict[str, Any], columns: list[RawColumn], table: str, convention: dict[str, str]
) -> list[Index]:
    """Column ``index: true`` (named by the convention) and the ``indexes:`` entries."""
    result = [
        Index(
            naming.apply_convention(convention["ix"], table_name=table, columns=(col.name,)),
            (col.name,),
        )
        for col in columns
        if col.spec.get("index")
    ]
    for name, entry in mapping(spec.get("indexes")).items():
        result.append(build_index(str(name), entry))
    return result


def _index_key(item: Any) -> IndexKey:
    """One ``columns:`` item of an index: a name, or {column|expression, order, nulls, ops}."""
    if not isinstance(item, dict):
        return IndexKey(column=str(item))
    descending = item.get("order") == "desc"
    nulls = str(item["nulls"]).upper() if item.get("nulls") else None
    if nulls == ("FIRST" if descending else "LAST"):
        nulls = None  # PostgreSQL's default for the order: one spelling
    return IndexKey(
        column=str(item["column"]) if "column" in item else None,
        expression=str(item["expression"]) if "expression" in item else None,
        descending=descending,
        nulls=nulls,
        ops=str(item["ops"]) if "ops" in item else None,
        collation=str(item["collation"]) if "collation" in item else None,
    )


def build_index(name: str, entry: Any) -> Index:
    """One ``indexes:`` entry, short form (a list of columns) or long form."""
    if isinstance(entry, list):
        return Index(name, tuple(str(c) for c in entry))
    keys = tuple(_index_key(item) for item in entry["columns"])
    plain = all(k.plain_column for k in keys)
    cols = tuple(k.column for k in keys if k.column is not None and k.expression is None)
    ops_spec = mapping(entry.get("ops"))
    ops_spec.update({k.column: k.ops for k in keys if k.column is not None and k.ops})
    if not plain:
        keys = tuple(copy_with(k, ops=None) if k.column is not None else k for k in keys)
    return Index(
        name=name,
        columns=cols,
        keys=() if plain else keys,
        nulls_not_distinct=bool(entry.get("nulls_not_distinct", False)),
        unique=bool(entry.get("unique", False)),
        using=str(entry.get("using", "btree")),
        ops=tuple((c, str(ops_spec[c])) for c in cols if c in ops_spec),
        where=entry.get("where"),
        include=tuple(str(c) for c in entry.get("include") or ()),
        concurrently=bool(entry.get("concurrently", True)),
        description=entry.get("description"),
        serves=tuple(str(q) for q in entry.get("serves") or ()),
    )


def build_check(name: str, entry: Any) -> CheckConstraint:
    """A check from its entry: an SQL expression, or ``{expression: ...,
    validated: false}`` for one left ``NOT VALID`` on purpose."""
    if isinstance(entry, dict):
        return CheckConstraint(name, str(entry["expression"]), entry.get("validated", True))
    return CheckConstraint(name, str(entry))
