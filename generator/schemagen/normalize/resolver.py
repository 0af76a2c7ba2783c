"""Resolving names in raw merged YAML: type aliases, mixin columns, foreign-key
types and targets, and where an entity's table lives.

:class:`Resolver` is shared with the semantic checks: it raises
:class:`Unresolved` (a path and a message) where a name does not resolve, and
``validate_refs`` turns those into located issues.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..language.messages import did_you_mean
from ..model import naming
from ..model.frozen import copy_with, fast_init
from ..model.pgtypes import PGTYPE, is_known, parse_type_name
from ..model.schema import BASE_TYPES, ColumnType
from ..model.sequences import SERIAL_TYPES
from ..model.temporal import spelling_hint
from ..model.typemap import collatable
from ..source.loader import Sources, YamlPath, mapping

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


def pg_schema(spec: dict[str, Any], home: str | None) -> str | None:
    """The PostgreSQL schema ``spec`` names (``schema:``), else ``home`` (the
    database's); ``None`` for the default one, public."""
    name = spec.get("schema") or home
    return None if name in (None, "public") else str(name)


def table_of(src: Sources, entity: str) -> str:
    """The table name of an entity (``table:`` or the default), without its schema."""
    return str(mapping(src.entities.get(entity)).get("table") or naming.default_table_name(entity))


def qualified_table_of(src: Sources, entity: str) -> str:
    """The table of an entity as the model keys it: ``billing.invoices`` in a schema."""
    home = pg_schema(mapping(src.database), None)
    schema = pg_schema(mapping(src.entities.get(entity)), home)
    return naming.qualify(schema, table_of(src, entity))


def entities_of_table(src: Sources, text: str) -> list[str]:
    """The entities whose table ``text`` names, as ``secondary:`` names one: by the
    table's name alone, in whatever PostgreSQL schema it lives (two entities where the
    name is used in two), or with its schema before a dot (``billing.product_tags``;
    ``public.product_tags`` for one of public)."""
    said, dot, bare = text.rpartition(".")
    schema = pg_schema({"schema": said}, None) if dot else None
    return [
        entity
        for entity in sorted(src.entities)
        if table_of(src, entity) == bare
        and (not dot or naming.split_qualified(qualified_table_of(src, entity))[0] == schema)
    ]
