"""Raw merged YAML (:class:`~schemagen.source.loader.Sources`) -> the frozen :class:`Schema`.

Everything is resolved here once, so that no later stage reads raw YAML: type
aliases, mixin columns, foreign-key types and targets, names from the naming
convention, defaults in canonical form, and both sides of every relationship.

:class:`Resolver` is shared with the semantic checks: it raises
:class:`Unresolved` (a path and a message) where a name does not resolve, and
``validate_refs`` turns those into located issues. :func:`normalize` runs only
on sources that passed those checks.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from ..language.messages import did_you_mean
from ..model import naming
from ..model.frozen import copy_with, fast_init
from ..model.pgtypes import PGTYPE, is_known, parse_type_name
from ..model.schema import (
    BASE_TYPES,
    FK_ACTIONS,
    INTEGER_TYPES,
    NO_PRIMARY_KEY,
    CheckConstraint,
    Column,
    ColumnType,
    Database,
    DbSequence,
    Default,
    Entity,
    Enum,
    EnumValue,
    ExcludeConstraint,
    ExcludeElement,
    ForeignKey,
    IdentityOptions,
    Index,
    IndexKey,
    Partition,
    PartitionKey,
    PrimaryKey,
    Schema,
    SeedHint,
    SequenceOptions,
    UniqueConstraint,
)
from ..model.sequences import custom_sequence_name, serial_of, serial_sequence
from ..model.sqltext import TIME_KEYWORDS
from ..model.storage import type_storage
from ..model.temporal import spelling_hint
from ..model.typemap import collatable
from ..source.loader import Sources, YamlPath, mapping, unique_columns
from .domains import build_domains
from .relationships import attach_relationships
from .security import replica_identity, row_security

#: ``type: serial`` and its kin, as PostgreSQL spells them -> the integer kind.
SERIAL_TYPES = {"smallserial": "smallint", "serial": "integer", "bigserial": "bigint"}

_NEXTVAL_CAST = re.compile(r"nextval\('([^']+)'::regclass\)")
TIME_KINDS = frozenset({"date", "time", "timetz", "timestamp", "timestamptz"})
RELATIONSHIP_OPTIONS = ("cascade", "order_by", "lazy", "uselist", "passive_deletes")
#: The parameters of a ``type:`` mapping that are numbers.
_TYPE_NUMBERS = ("length", "precision", "scale")
_ABSENT = object()


def no_key_to_reference(entity: str, unique: list[str]) -> str:
    """Why ``references: Entity`` cannot name an entity without a primary key."""
    example = f"{entity}.{unique[0]}" if unique else f"{entity}.<a unique column>"
    return (
        f"entity {entity} has no primary key to reference (it says primary_key: false); "
        f"reference a unique column instead, e.g. {example}"
    )


class Unresolved(Exception):
    """A name in the YAML that does not resolve; ``path`` is where it was written.

    An empty ``message`` means the name refers to a definition that was left out
    for its own errors: nothing more to report.
    """

    def __init__(self, path: YamlPath, message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


@fast_init  # one per column of every entity: 32,000 at 2,000 tables
@dataclass(frozen=True)
class RawColumn:
    """A column as written, with where it was written (an entity or a mixin)."""

    entity: str
    name: str
    spec: dict[str, Any]
    path: YamlPath
    mixin: str | None = None


class Resolver:
    """Resolve types, columns and references of merged sources, with memoization."""

    def __init__(self, src: Sources) -> None:
        self.src = src
        self._aliases: dict[str, ColumnType] = {}
        self._alias_stack: list[str] = []
        self._columns: dict[str, list[RawColumn]] = {}
        self._primary_keys: dict[str, tuple[str, ...]] = {}
        self._types: dict[tuple[str, str], ColumnType] = {}
        self._type_stack: list[tuple[str, str]] = []
        self._spec_types: dict[tuple[Any, ...], ColumnType] = {}

    # --- columns --------------------------------------------------------------

    def columns(self, entity: str) -> list[RawColumn]:
        """The entity's columns in table order: own PK, mixin columns, the rest."""
        if entity not in self._columns:
            self._columns[entity] = self._collect(entity)
        return self._columns[entity]

    def _collect(self, entity: str) -> list[RawColumn]:
        spec = mapping(self.src.entities.get(entity))
        own = [
            RawColumn(entity, name, mapping(col), ("entities", entity, "columns", name))
            for name, col in mapping(spec.get("columns")).items()
        ]
        from_mixins = []
        for mixin in spec.get("mixins") or []:
            mixin_spec = mapping(self.src.mixins.get(mixin))
            for name, col in mapping(mixin_spec.get("columns")).items():
                path = ("mixins", mixin, "columns", name)
                from_mixins.append(RawColumn(entity, name, mapping(col), path, mixin))
        # Declaration order; mixin columns go right after the entity's own primary
        # key (the contract; before its other columns when the key comes first).
        pk_names = self._declared_pk(spec)
        lead = max((i + 1 for i, c in enumerate(own) if c.name in pk_names), default=0)
        ordered = own[:lead] + from_mixins + own[lead:]
        seen: set[str] = set()
        result = []
        for col in ordered:
            if col.name not in seen:
                seen.add(col.name)
                result.append(col)
        return result

    @staticmethod
    def _declared_pk(spec: dict[str, Any]) -> set[str]:
        listed = spec.get("primary_key")
        if isinstance(listed, list):
            return {str(c) for c in listed}
        return {n for n, c in mapping(spec.get("columns")).items() if mapping(c).get("primary_key")}

    def column(self, entity: str, name: str) -> RawColumn | None:
        """The raw column ``name`` of ``entity`` (own or from a mixin), if any."""
        for col in self.columns(entity):
            if col.name == name:
                return col
        return None

    def primary_key(self, entity: str) -> list[str]:
        """Names of the primary-key columns, in table order."""
        # Asked for every column that references the entity: remembered.
        if entity not in self._primary_keys:
            listed = mapping(self.src.entities.get(entity)).get("primary_key")
            if isinstance(listed, list):  # the key's own order, apart from the columns'
                pk = tuple(str(c) for c in listed)
            elif listed is False:  # a table without a primary key
                pk = ()
            else:
                pk = tuple(c.name for c in self.columns(entity) if c.spec.get("primary_key"))
            self._primary_keys[entity] = pk
        return list(self._primary_keys[entity])

    def keyless(self, entity: str) -> bool:
        """Whether the entity says ``primary_key: false`` (a table without a primary key)."""
        return mapping(self.src.entities.get(entity)).get("primary_key") is False

    def unique_columns(self, entity: str) -> list[str]:
        """Columns that say ``unique: true`` alone (what a reference may name instead)."""
        return [c.name for c in self.columns(entity) if c.spec.get("unique") is True]

    # --- references -------------------------------------------------------------

    def reference(self, col: RawColumn) -> tuple[str, str]:
        """The (entity, column) that a ``references:`` column points at."""
        path = (*col.path, "references")
        target = str(col.spec["references"])
        entity, _, name = target.partition(".")
        if self.src.is_broken("entities", entity):
            raise Unresolved(path, "")
        if entity not in self.src.entities:
            hint = did_you_mean(entity, sorted(self.src.entities))
            raise Unresolved(path, f"unknown entity '{entity}'{hint}")
        if name:
            if self.column(entity, name) is None:
                names = [c.name for c in self.columns(entity)]
                hint = did_you_mean(name, names)
                raise Unresolved(path, f"entity {entity} has no column '{name}'{hint}")
            return entity, name
        pk = self.primary_key(entity)
        if not pk and self.keyless(entity):
            raise Unresolved(path, no_key_to_reference(entity, self.unique_columns(entity)))
        if not pk:
            raise Unresolved(path, f"entity {entity} has no primary key to reference")
        if len(pk) > 1:
            raise Unresolved(
                path,
                f"entity {entity} has a composite primary key ({', '.join(pk)}); "
                f"reference one column, e.g. {entity}.{pk[0]}",
            )
        return entity, pk[0]

    # --- types ------------------------------------------------------------------

    def column_type(self, col: RawColumn) -> ColumnType:
        """The resolved type of a column (from ``type:``, else from what it references)."""
        key = (col.entity, col.name)
        if key in self._types:
            return self._types[key]
        if key in self._type_stack:
            raise Unresolved(
                (*col.path, "references"),
                "cannot infer the type: the foreign keys refer to each other in a cycle; "
                "give one of them a `type`",
            )
        self._type_stack.append(key)
        try:
            result = self._column_type(col)
        finally:
            self._type_stack.pop()
        self._types[key] = result
        return result

    def _column_type(self, col: RawColumn) -> ColumnType:
        if "type" in col.spec:
            ctype = self.spec_type(col.spec, col.path)
        elif "references" in col.spec:
            ref_entity, ref_name = self.reference(col)
            target = self.column(ref_entity, ref_name)
            assert target is not None
            # A referencing column has the key's type, not its collation (as in DDL).
            ctype = self.column_type(target)
            if ctype.collation is not None:
                ctype = copy_with(ctype, collation=None)
        else:
            raise Unresolved(col.path, "column needs a `type` (or `references`)")
        collation = col.spec.get("collation")
        if collation is None:
            return ctype
        if not collatable(ctype):
            raise Unresolved(
                (*col.path, "collation"),
                f"a collation applies to string and text columns, not {ctype.kind}",
            )
        return copy_with(ctype, collation=str(collation))

    def spec_type(self, spec: dict[str, Any], path: YamlPath) -> ColumnType:
        """Resolve a mapping with ``type:`` and optional parameters.

        A schema writes a few types over thousands of columns: each distinct one
        is resolved once (the frozen result is shared). ``path`` only places an
        error, and a mapping that fails is resolved again, to fail where it is."""
        try:
            key = _type_key(spec)
            return self._spec_types[key]
        except KeyError:
            result = self._spec_types[key] = self._spec_type(spec, path)
            return result
        except TypeError:  # a value that cannot be a key (a mapping under `of:`)
            return self._spec_type(spec, path)

    def _spec_type(self, spec: dict[str, Any], path: YamlPath) -> ColumnType:
        name = spec.get("type")
        if not isinstance(name, str):
            raise Unresolved(path, "missing required key 'type'")
        if name in SERIAL_TYPES:
            return ColumnType(kind=SERIAL_TYPES[name])
        if name in self.src.domains and name not in BASE_TYPES:
            return self.domain_type(name, path)
        if name in BASE_TYPES:
            base, alias = ColumnType(kind=name), None
        elif name in self.src.types:
            base, alias = self.alias_type(name), name
        elif self.src.is_broken("types", name):
            raise Unresolved(path, "")
        else:
            base, alias = self._named_type(name, path), None
            if base.kind != name:
                params = {k: spec[k] for k in ("length", "precision", "scale") if k in spec}
                return copy_with(base, **params) if params else base
        changes: dict[str, Any] = {"alias": alias}
        for key in ("length", "precision", "scale", "enum"):
            if key in spec:
                changes[key] = spec[key]
        if "of" in spec:
            of = spec["of"]
            of_spec = of if isinstance(of, dict) else {"type": of}
            changes["of"] = self.spec_type(of_spec, (*path, "of"))
        # a base type needs no copy
        result = ColumnType(kind=name, **changes) if alias is None else copy_with(base, **changes)
        if result.kind == "enum":
            self._check_enum(result, spec, path)
        return result

    def domain_type(self, name: str, path: YamlPath) -> ColumnType:
        """A column typed by domain ``name``: the domain's base type (without its
        collation, which is the domain's) marked with the domain's qualified name."""
        if self.src.is_broken("domains", name):
            raise Unresolved(path, "")
        spec = mapping(self.src.domains[name])
        if spec.get("type") in self.src.domains:
            raise Unresolved(
                ("domains", name, "type"),
                f"domain {name}: its type is the domain {spec['type']}; a domain's type is "
                "a base type, an alias or a PostgreSQL type by name",
            )
        base = self.spec_type(spec, ("domains", name))
        home = pg_schema(mapping(self.src.database), None)
        qualified = naming.qualify(pg_schema(spec, home), str(spec.get("db_name") or name))
        return copy_with(base, collation=None, alias=None, domain=qualified)

    def _named_type(self, name: str, path: YamlPath) -> ColumnType:
        """A PostgreSQL type by name (``tsvector``, ``vector(3)``), unless the name is
        no type name, or a likely typo of a language type or alias."""
        parsed = parse_type_name(name)
        options = [*BASE_TYPES, *sorted(self.src.types)]
        hint = did_you_mean(name, options)
        known = parsed is not None and (parsed.kind != PGTYPE or is_known(str(parsed.pgtype)))
        if parsed is None or (hint and not known):
            hint = spelling_hint(name) or hint
            raise Unresolved((*path, "type"), f"unknown type '{name}'{hint}")
        enum = self._enum_named(parsed)
        if enum is not None:
            # A type by name is made by no statement of the schema's: models.py's
            # create_all made the column before the enum's type, and failed.
            wanted = f"type: enum, enum: {enum}"
            wanted = f"of: {{{wanted}}}" if path[-1] == "of" else wanted
            raise Unresolved(
                (*path, "type"),
                f"type '{name}' names the enum {enum}, which is no PostgreSQL type by "
                f"name: write `{wanted}`",
            )
        return parsed

    def _enum_named(self, parsed: ColumnType) -> str | None:
        """The declared enum a type by name names (its YAML name in any case, or its
        PostgreSQL type name without the schema), or None."""
        if parsed.kind != PGTYPE or parsed.args:
            return None
        for enum, spec in self.src.enums.items():
            db_name = str(mapping(spec).get("db_name") or naming.snake_case(enum))
            if parsed.pgtype in (enum.lower(), db_name.lower()):
                return enum
        return None

    def _check_enum(self, ctype: ColumnType, spec: dict[str, Any], path: YamlPath) -> None:
        if ctype.enum is None:
            raise Unresolved((*path, "type"), "type enum needs `enum:` (the name of an enum)")
        if self.src.is_broken("enums", ctype.enum):
            raise Unresolved(path, "")
        if ctype.enum not in self.src.enums:
            where = (*path, "enum") if "enum" in spec else (*path, "type")
            hint = did_you_mean(ctype.enum, sorted(self.src.enums))
            raise Unresolved(where, f"unknown enum '{ctype.enum}'{hint}")

    def alias_type(self, name: str) -> ColumnType:
        """Resolve a ``types:`` alias (its ``alias`` field names the innermost alias)."""
        if name in self._aliases:
            return self._aliases[name]
        if name in self._alias_stack:
            cycle = [*self._alias_stack[self._alias_stack.index(name) :], name]
            raise Unresolved(("types", cycle[0], "type"), f"type alias cycle: {' -> '.join(cycle)}")
        self._alias_stack.append(name)
        try:
            result = self.spec_type(mapping(self.src.types[name]), ("types", name))
        finally:
            self._alias_stack.pop()
        self._aliases[name] = result
        return result


def _type_key(spec: dict[str, Any]) -> tuple[Any, ...]:
    """What decides the type that a ``type:`` mapping resolves to. A number keeps
    its class in the key: 2, 2.0 and True are equal as dict keys, but not as the
    parameters of a type."""
    get = spec.get
    key: tuple[Any, ...] = (get("type"), get("enum", _ABSENT), get("of", _ABSENT))
    for name in _TYPE_NUMBERS:
        if name in spec:
            value = spec[name]
            key += (name, value, type(value))
    return key


# --- defaults -------------------------------------------------------------------


def default_of(value: Any, ctype: ColumnType) -> Default:
    """Canonical :class:`Default` of a YAML ``default:`` value."""
    if isinstance(value, bool):
        return Default("boolean", "true" if value else "false")
    if isinstance(value, int | float):
        return Default("number", repr(value))
    if isinstance(value, str):
        if value == "now" and ctype.kind in TIME_KINDS:
            return Default("now", "")
        if value.lower() in TIME_KEYWORDS and ctype.kind in TIME_KINDS:
            # `current_timestamp` is SQL's keyword, the same default as {sql: ...}
            return Default("sql", value.upper())
        return Default("string", value)
    if isinstance(value, dict) and set(value) == {"sql"} and isinstance(value["sql"], str):
        # nextval('s'::regclass) and nextval('s') are one default; Alembic compares
        # the second form (it strips the cast from what the database prints).
        return Default("sql", _NEXTVAL_CAST.sub(r"nextval('\1')", value["sql"]))
    if value == [] and ctype.kind == "array":
        # `default: []` on an array column means the empty array, which SQL spells '{}'.
        return Default("sql", "'{}'")
    return Default("json", json.dumps(value, sort_keys=True, separators=(",", ":")))


# --- the whole schema -----------------------------------------------------------


def naming_convention(src: Sources) -> dict[str, str]:
    """The default naming convention overridden key by key by the database block."""
    merged = dict(naming.DEFAULT_NAMING_CONVENTION)
    overrides = mapping(mapping(src.database).get("naming_convention"))
    merged.update({k: str(v) for k, v in overrides.items()})
    return merged


def normalize(src: Sources, resolver: Resolver | None = None) -> Schema:
    """Build the frozen, canonical :class:`Schema` from sources that passed validation."""
    resolver = resolver or Resolver(src)
    convention = naming_convention(src)
    db = mapping(src.database)
    home = pg_schema(db, None)
    database = Database(
        name=str(db.get("name", "")),
        dialect=str(db.get("dialect", "postgresql")),
        description=db.get("description"),
        extensions=tuple(sorted(set(db.get("extensions") or ()))),
        naming_convention=tuple(sorted(convention.items())),
        schema=home,
    )
    enums = tuple(
        build_enum(name, mapping(src.enums[name]), home) for name in sorted(src.enums)
    )
    entities = [build_entity(resolver, name, convention) for name in sorted(src.entities)]
    entities = attach_relationships(src, entities)
    declared = [build_sequence(n, mapping(src.sequences[n]), home) for n in sorted(src.sequences)]
    owned = [s for s in serial_sequences(entities) if s.name not in src.sequences]
    sequences = tuple(sorted([*declared, *owned], key=lambda seq: seq.name))
    return Schema(
        database=database, enums=enums, entities=tuple(entities), sequences=sequences,
        domains=build_domains(
            src.domains, lambda name: resolver.domain_type(name, ("domains", name)), default_of
        ),
    )


def pg_schema(spec: dict[str, Any], home: str | None) -> str | None:
    """The PostgreSQL schema ``spec`` names (``schema:``), else ``home`` (the
    database's); ``None`` for the default one, public."""
    name = spec.get("schema") or home
    return None if name in (None, "public") else str(name)


def build_sequence(name: str, spec: dict[str, Any], home: str | None = None) -> DbSequence:
    """One ``sequences:`` entry; options left out stay ``None`` (PostgreSQL's defaults)."""
    return DbSequence(
        name=naming.qualify(pg_schema(spec, home), name),
        data_type=str(spec.get("type", "bigint")),
        start=spec.get("start"),
        increment=spec.get("increment"),
        min_value=spec.get("min"),
        max_value=spec.get("max"),
        cycle=bool(spec.get("cycle", False)),
        cache=spec.get("cache"),
    )


def build_enum(name: str, spec: dict[str, Any], home: str | None = None) -> Enum:
    """One enum, values in declaration order."""
    values = []
    for item in spec.get("values") or []:
        if isinstance(item, dict):
            value, description = str(item["value"]), item.get("description")
        else:
            value, description = str(item), None
        values.append(EnumValue(value, naming.enum_member_name(value), description))
    return Enum(
        name=name,
        db_name=naming.qualify(
            pg_schema(spec, home), str(spec.get("db_name") or naming.snake_case(name))
        ),
        values=tuple(values),
        description=spec.get("description"),
    )


def table_of(src: Sources, entity: str) -> str:
    """The table name of an entity (``table:`` or the default), without its schema."""
    return str(mapping(src.entities.get(entity)).get("table") or naming.default_table_name(entity))


def qualified_table_of(src: Sources, entity: str) -> str:
    """The table of an entity as the model keys it: ``billing.invoices`` in a schema."""
    home = pg_schema(mapping(src.database), None)
    schema = pg_schema(mapping(src.entities.get(entity)), home)
    return naming.qualify(schema, table_of(src, entity))


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
        foreign_keys=_sorted(build_foreign_keys(resolver, raw_columns, table, convention)),
        uniques=_sorted(build_uniques(spec, raw_columns, table, convention)),
        checks=_sorted(build_check(str(k), v) for k, v in mapping(spec.get("checks")).items()),
        indexes=_sorted(build_indexes(spec, raw_columns, table, convention)),
        renamed_from=spec.get("renamed_from"),
        excludes=_sorted(build_excludes(spec)),
        partition_by=build_partition_key(spec.get("partition_by")),
        partitions=_sorted(build_partitions(spec)),
        row_level_security=row_security(spec.get("row_level_security")),
        replica_identity=replica_identity(spec.get("replica_identity")),
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
    """The ``partitions:`` entries: table name -> bound."""

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


def _sorted(items: Any) -> tuple[Any, ...]:
    return tuple(sorted(items, key=lambda item: item.name))


def build_column(
    resolver: Resolver, col: RawColumn, *, single_pk: bool, in_pk: bool | None = None
) -> Column:
    """One column: type resolved, default canonical, identity decided."""
    spec = col.spec
    ctype = resolver.column_type(col)
    default = default_of(spec["default"], ctype) if "default" in spec else None
    serial = spec.get("type") in SERIAL_TYPES
    named = None
    if serial:
        # qualified: a table in another schema has its sequence there (app.t_id_seq)
        table = qualified_table_of(resolver.src, col.entity)
        named = _sequence_name(spec, table, col.name)
        seq = serial_sequence(table, col.name) if named is None else _in_schema(table, named)
        default = Default("sql", f"nextval('{seq}'::regclass)")
    primary = bool(spec.get("primary_key")) if in_pk is None else in_pk
    generated = spec.get("generated")
    # ``identity:`` makes any integer column one; an integer lone key is one unless
    # it references a key, has a default or an expression, or says ``identity: false``.
    said = spec.get("identity")
    if isinstance(said, dict) and "name" in said:  # an identity's sequence of its own name
        table = qualified_table_of(resolver.src, col.entity)
        named = custom_sequence_name(table, col.name, _in_schema(table, str(said["name"])))
    identity = (said is not None and said is not False) or (
        said is None
        and generated is None
        and primary
        and single_pk
        and ctype.kind in INTEGER_TYPES
        and "references" not in spec
        and default is None
    )
    return Column(
        name=col.name,
        type=ctype,
        nullable=bool(spec.get("nullable", False)) and not primary,
        primary_key=primary,
        identity=identity,
        default=default,
        on_update_now=spec.get("on_update") == "now",
        attribute=str(spec.get("attribute") or col.name),
        description=spec.get("description"),
        renamed_from=spec.get("renamed_from"),
        mixin=col.mixin,
        seed=seed_hint(spec.get("seed")),
        using=spec.get("using"),
        generated=str(generated) if generated is not None else None,
        identity_options=identity_options(spec.get("identity")),
        serial=serial,
        sequence_type=_sequence_type(spec, ctype) if serial else None,
        sequence_name=named if serial or identity else None,
        sequence_options=_sequence_options(spec) if serial else None,
        statistics=_statistics(spec.get("statistics")),
        storage=_storage(spec.get("storage"), ctype),
    )


def _statistics(value: Any) -> int | None:
    """``statistics:``; -1 is PostgreSQL's default, no setting."""
    return value if isinstance(value, int) and value >= 0 else None


def _storage(value: Any, ctype: ColumnType) -> str | None:
    """``storage:``; the type's own storage is no setting (PostgreSQL shows none)."""
    return str(value) if value and value != type_storage(ctype) else None


def _sequence_options(spec: dict[str, Any]) -> SequenceOptions | None:
    """A serial column's ``sequence: {start: ..., ...}``, as ``sequences:`` say them."""
    said = spec.get("sequence")
    if not isinstance(said, dict):
        return None
    options = SequenceOptions(**_sequence_fields(said))
    return None if options == SequenceOptions() else options


def _sequence_fields(said: dict[str, Any]) -> dict[str, Any]:
    """The sequence options a mapping says (``start``, ``min``, ...), as the model's
    fields: a serial's ``sequence:`` and an identity's ``identity:`` say them alike."""
    return {
        "start": said.get("start"),
        "increment": said.get("increment"),
        "min_value": said.get("min"),
        "max_value": said.get("max"),
        "cycle": bool(said.get("cycle", False)),
        "cache": said.get("cache"),
    }


def _sequence_name(spec: dict[str, Any], table: str, column: str) -> str | None:
    """A serial column's ``sequence: {name: ...}`` where it is not serial's own name."""
    said = spec.get("sequence")
    name = said.get("name") if isinstance(said, dict) else None
    if name is None:
        return None
    return custom_sequence_name(table, column, _in_schema(table, str(name)))


def _in_schema(table: str, name: str) -> str:
    """``name`` in the PostgreSQL schema of ``table`` (an owned sequence lives there)."""
    return f"{table.rsplit('.', 1)[0]}.{name}" if "." in table else name


def _sequence_type(spec: dict[str, Any], ctype: ColumnType) -> str | None:
    """A serial column's ``sequence: {type: ...}`` where it is not the column's type."""
    said = spec.get("sequence")
    kind = said.get("type") if isinstance(said, dict) else None
    return str(kind) if kind is not None and kind != ctype.kind else None


def serial_sequences(entities: list[Entity]) -> list[DbSequence]:
    """The sequence of each ``serial`` column, OWNED BY it."""
    return [
        serial_of(ent.table, col)
        for ent in entities
        for col in ent.columns
        if col.serial
    ]


def identity_options(spec: Any) -> IdentityOptions | None:
    """``identity: always`` / ``by default`` / ``{always: true, start: 10, ...}``;
    ``None`` where it says no more than the implicit BY DEFAULT identity."""
    if spec == "always":
        return IdentityOptions(always=True)
    if not isinstance(spec, dict):
        return None
    options = IdentityOptions(always=bool(spec.get("always", False)), **_sequence_fields(spec))
    return None if options == IdentityOptions() else options


def seed_hint(spec: Any) -> SeedHint | None:
    """A column's ``seed:`` mapping, numbers as floats (the JSON Schema checked them)."""
    if not isinstance(spec, dict):
        return None

    def number(key: str) -> float | None:
        value = spec.get(key)
        return float(value) if value is not None else None

    sql = spec.get("sql")
    return SeedHint(sql=str(sql) if sql is not None else None, skew=number("skew"),
                    nulls=number("nulls"))


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
