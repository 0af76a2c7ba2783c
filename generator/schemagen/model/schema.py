"""The normalized schema model: frozen dataclasses between parsing and everything else.

Everything here is resolved: type aliases are expanded, mixin columns are merged
into their entities, foreign-key column types are copied from the referenced key,
every constraint and index has its final database name (from the naming
convention where the YAML gave none), and both sides of every relationship exist.

Canonical order, so that equal schemas compare and serialize equal:
- ``Schema.enums`` and ``Schema.entities`` sorted by name;
- ``Entity.columns`` in declaration order, mixin columns right after the
  entity's last own primary-key column (``PrimaryKey.columns`` may have an
  order of its own: an entity's ``primary_key:`` list);
- ``Entity.foreign_keys``, ``uniques``, ``checks``, ``excludes``, ``indexes`` sorted by name;
- ``Entity.relationships`` sorted by attribute name;
- ``Enum.values`` in declaration order (PostgreSQL enum order matters).

The model holds no source locations; those live in :class:`SourceMap` so that a
snapshot of the model does not change when a YAML file is reformatted.
"""

from __future__ import annotations

import functools
import json
import re
import typing
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from .data import from_data, to_data
from .frozen import fast_init
from .naming import SQL_KEYWORDS

#: Base column kinds of the schema language (``type:`` values that are not aliases).
BASE_TYPES: tuple[str, ...] = (
    "smallint",
    "integer",
    "bigint",
    "string",
    "text",
    "boolean",
    "numeric",
    "float",
    "double",
    "date",
    "time",
    "timetz",
    "timestamp",
    "timestamptz",
    "interval",
    "uuid",
    "json",
    "jsonb",
    "bytes",
    "enum",
    "array",
)

INTEGER_TYPES: frozenset[str] = frozenset({"smallint", "integer", "bigint"})

#: ``on_delete`` / ``on_update_fk`` values, as PostgreSQL spells them.
FK_ACTIONS: dict[str, str] = {
    "cascade": "CASCADE",
    "set null": "SET NULL",
    "restrict": "RESTRICT",
    "no action": "NO ACTION",
}

#: Field metadata: left out of :func:`to_data` while it holds its default, so that
#: keys which produce no DDL leave snapshots (and their checksums) as they were.
OMIT_DEFAULT = {"omit_default": True}

DefaultKind = Literal["string", "number", "boolean", "json", "now", "sql"]


def sparse(default: Any) -> Any:
    """A field added after the first release: ``default``, and left out of
    :func:`to_data` while unchanged (:data:`OMIT_DEFAULT`), so snapshots of schemas
    that do not use it stay byte for byte what they were."""
    return field(default=default, metadata=OMIT_DEFAULT)


@fast_init
@dataclass(frozen=True)
class ColumnType:
    """A resolved column type. ``kind`` is one of :data:`BASE_TYPES`."""

    kind: str
    length: int | None = None
    precision: int | None = None
    scale: int | None = None
    enum: str | None = None  # enum name as declared in YAML (e.g. "ProductStatus")
    of: ColumnType | None = None  # element type of an array
    alias: str | None = None  # the ``types:`` alias the YAML used, for the docs
    # kind "pgtype": a PostgreSQL type by name (``vector``) and its parameters (``1536``)
    pgtype: str | None = sparse(None)
    args: tuple[str, ...] = sparse(())
    # COLLATE of a string or text column (``"C"``, ``"en-x-icu"``); None: the database's
    collation: str | None = sparse(None)
    # a column typed by a domain: the domain's (qualified) name; the fields above
    # are then the domain's base type (what Python, seed and casts see)
    domain: str | None = sparse(None)
    # an interval's fields, lower case as format_type prints them (``day to second``);
    # ``precision`` above is a time's, timestamp's or interval's fractional digits
    fields: str | None = sparse(None)


@fast_init
@dataclass(frozen=True)
class Default:
    """A server default.

    ``value`` is canonical text: the string itself for ``string``; the number as
    written by ``repr`` for ``number``; ``"true"``/``"false"`` for ``boolean``;
    compact JSON with sorted keys for ``json``; ``""`` for ``now``; the raw SQL
    expression for ``sql``.
    """

    kind: DefaultKind
    value: str


@fast_init
@dataclass(frozen=True)
class SeedHint:
    """How ``schemagen seed`` fills a column where its own choice does not fit.

    ``sql`` is a value generator: a SQL expression over ``n`` (the row number,
    from 1) and ``r`` (a deterministic uniform random number in [0, 1) for this
    row and column). ``skew`` shapes a foreign key's choice of parent: 1 is
    uniform, larger values put more rows on fewer parents. ``nulls`` is the
    share of NULLs in a nullable column. Seeding only; no DDL.
    """

    sql: str | None = None
    skew: float | None = None
    nulls: float | None = None


@fast_init
@dataclass(frozen=True)
class IdentityOptions:
    """``GENERATED {ALWAYS | BY DEFAULT} AS IDENTITY (options)`` of an identity column
    that says ``identity:``; ``None`` options take PostgreSQL's defaults."""

    always: bool = False
    start: int | None = None
    increment: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    cycle: bool = False
    cache: int | None = None

    def sequence(self, name: str, data_type: str) -> DbSequence:
        """The options as the identity's sequence (for the sequence rules and texts)."""
        return DbSequence(
            name, data_type, self.start, self.increment, self.min_value, self.max_value,
            self.cycle, self.cache,
        )


@fast_init
@dataclass(frozen=True)
class SequenceOptions:
    """A serial column's sequence options where they are not PostgreSQL's defaults
    (``sequence: {start: 1000, ...}``, as ``sequences:`` entries say them); ``None``
    options take PostgreSQL's defaults."""

    start: int | None = None
    increment: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    cycle: bool = False
    cache: int | None = None


@fast_init
@dataclass(frozen=True)
class Column:
    """A table column."""

    name: str
    type: ColumnType
    nullable: bool = False
    primary_key: bool = False
    identity: bool = False  # integer single-column PK: GENERATED BY DEFAULT AS IDENTITY
    default: Default | None = None
    on_update_now: bool = False  # ORM-side onupdate=func.now()
    attribute: str = ""  # Python attribute name; equals ``name`` unless ``attribute:`` said
    description: str | None = None
    renamed_from: str | None = None
    mixin: str | None = None  # the mixin that contributed this column, if any
    seed: SeedHint | None = field(default=None, metadata=OMIT_DEFAULT)  # for ``seed``; no DDL
    #: SQL converting the old value when the type changes (``using:``): a hint
    #: for the next migration, like renamed_from; snapshots leave it out.
    using: str | None = field(default=None, metadata=OMIT_DEFAULT)
    # GENERATED ALWAYS AS (expression) STORED: the SQL expression
    generated: str | None = sparse(None)
    # identity: with ALWAYS or sequence options (None: BY DEFAULT, PostgreSQL's options)
    identity_options: IdentityOptions | None = sparse(None)
    # ``type: serial``: an integer with a nextval default of its own sequence (OWNED BY)
    serial: bool = sparse(False)
    # a serial column's sequence type where it is not the column's (``sequence:``;
    # a dump of PostgreSQL before 10 made every one bigint); the sequence in
    # ``Schema.sequences`` says it too, and AlterSequence keeps the two alike
    sequence_type: str | None = sparse(None)
    # a serial column's sequence name (bare: it lives in the table's schema) where it
    # is not ``<table>_<column>_seq`` (``sequence: {name: ...}``; PostgreSQL keeps
    # the old name when the table is renamed); see model.sequences.serial_name
    sequence_name: str | None = sparse(None)
    # a serial column's sequence options where they are not PostgreSQL's defaults
    # (``sequence: {start: ..., cache: ...}``); the sequence in ``Schema.sequences``
    # says them too, and AlterSequence keeps the two alike
    sequence_options: SequenceOptions | None = sparse(None)
    # ALTER COLUMN ... SET STATISTICS (0 to 10000; None: PostgreSQL's default, -1) and
    # SET STORAGE (plain, main, external, extended; None: the type's own)
    statistics: int | None = sparse(None)
    storage: str | None = sparse(None)


@fast_init
@dataclass(frozen=True)
class PrimaryKey:
    """The primary key; :data:`NO_PRIMARY_KEY` (no name, no columns) for a table
    without one (``primary_key: false``: an event log, a staging table)."""

    name: str
    columns: tuple[str, ...]


#: The key of a table that has none; ``Entity.has_primary_key`` tells it apart.
NO_PRIMARY_KEY = PrimaryKey("", ())


@fast_init
@dataclass(frozen=True)
class ForeignKey:
    """A foreign-key constraint on the entity that owns it (the referencing side)."""

    name: str
    columns: tuple[str, ...]
    ref_entity: str
    ref_table: str
    ref_columns: tuple[str, ...]
    on_delete: str | None = None  # "CASCADE", "SET NULL", "RESTRICT", "NO ACTION" or None
    on_update: str | None = None
    deferrable: bool = sparse(False)
    initially_deferred: bool = sparse(False)
    match: str | None = sparse(None)  # "FULL"; None: MATCH SIMPLE, PostgreSQL's default
    #: false: left ``NOT VALID`` on purpose (``validated: false``): rows written are
    #: checked, the rows there when it was added never were
    validated: bool = sparse(True)

    @property
    def match_sql(self) -> str:
        """`` MATCH FULL`` where the key says so, else nothing."""
        return f" MATCH {self.match}" if self.match else ""


@fast_init
@dataclass(frozen=True)
class UniqueConstraint:
    """A named unique constraint; ``deferrable`` / ``initially_deferred`` as a
    foreign key's (checked at the end of the statement, or at commit)."""

    name: str
    columns: tuple[str, ...]
    deferrable: bool = sparse(False)
    initially_deferred: bool = sparse(False)


@fast_init
@dataclass(frozen=True)
class CheckConstraint:
    """A named check; ``validated`` false is one left ``NOT VALID`` on purpose
    (``{expression: ..., validated: false}``): rows written are checked, the rows
    that were there when it was added never were."""

    name: str
    expression: str
    validated: bool = sparse(True)


@fast_init
@dataclass(frozen=True)
class ExcludeElement:
    """One element of an exclusion constraint: a column or an expression compared
    ``WITH`` an operator (``room_id WITH =``, ``during WITH &&``)."""

    operator: str
    column: str | None = None
    expression: str | None = None
    ops: str | None = None  # operator class, when not the type's default


@fast_init
@dataclass(frozen=True)
class ExcludeConstraint:
    """``EXCLUDE USING method (element WITH operator, ...) [WHERE (predicate)]``:
    no two rows for which every operator returns true."""

    name: str
    elements: tuple[ExcludeElement, ...]
    using: str = "gist"
    where: str | None = None


PARTITION_METHODS: tuple[str, ...] = ("range", "list", "hash")


@fast_init
@dataclass(frozen=True)
class PartitionKey:
    """``PARTITION BY RANGE|LIST|HASH (key, ...)``: each key a column or an expression."""

    method: str  # "range", "list" or "hash"
    columns: tuple[str | None, ...]  # per key: the column, or None for an expression
    expressions: tuple[str | None, ...] = ()  # per key: the expression, or None

    def keys_sql(self) -> str:
        """``paid_on`` or ``(lower(region))``, comma-separated."""
        return ", ".join(
            quote_name(col) if col is not None else f"({expr})"
            for col, expr in zip(self.columns, self._expressions, strict=True)
        )

    def sql(self) -> str:
        """``RANGE (paid_on)``: what ``PARTITION BY`` says and ``pg_get_partkeydef`` prints."""
        return f"{self.method.upper()} ({self.keys_sql()})"

    @property
    def _expressions(self) -> tuple[str | None, ...]:
        return self.expressions or tuple(None for _ in self.columns)


@fast_init
@dataclass(frozen=True)
class Partition:
    """One partition of a partitioned table: its own table and its bound.

    Bound values are SQL literals (``'2026-01-01'``, ``10``, ``NULL``) or
    ``MINVALUE`` / ``MAXVALUE``; exactly one kind of bound is set. A partition
    partitioned in turn (a sub-partitioned one) has its own key and partitions,
    made in its table's PostgreSQL schema as its own are."""

    name: str  # the partition's table name
    default: bool = False
    start: tuple[str, ...] = ()  # FROM (...)
    end: tuple[str, ...] = ()  # TO (...)
    values: tuple[str, ...] = ()  # IN (...)
    modulus: int | None = None
    remainder: int | None = None
    partition_by: PartitionKey | None = None  # partitioned in turn: its own key
    partitions: tuple[Partition, ...] = ()  # and its own partitions, sorted by name

    def bound_sql(self) -> str:
        """``FOR VALUES FROM ('2026-01-01') TO ('2026-02-01')``, ``IN (...)``,
        ``WITH (modulus 4, remainder 0)`` or ``DEFAULT``."""
        if self.default:
            return "DEFAULT"
        if self.modulus is not None:
            return f"FOR VALUES WITH (modulus {self.modulus}, remainder {self.remainder})"
        if self.values:
            return f"FOR VALUES IN ({', '.join(self.values)})"
        return f"FOR VALUES FROM ({', '.join(self.start)}) TO ({', '.join(self.end)})"


def partition_tree(
    partitions: tuple[Partition, ...], above: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], Partition]]:
    """Every partition at every level, each with the names of the partitions above it
    (``()`` for a table's own), a partitioned one before its partitions."""
    for part in partitions:
        yield above, part
        yield from partition_tree(part.partitions, (*above, part.name))


def quote_name(name: str) -> str:
    """An identifier as SQL needs it: bare when PostgreSQL would neither fold it
    (capitals) nor read a keyword (``order``, ``user``)."""
    if re.match(r"^[a-z_][a-z0-9_$]*$", name) and name not in SQL_KEYWORDS:
        return name
    return '"' + name.replace('"', '""') + '"'


@fast_init
@dataclass(frozen=True)
class IndexKey:
    """One key of an index that is more than a plain ascending column: an
    expression (``lower(email)``) or a column with ``DESC`` / ``NULLS FIRST|LAST``."""

    column: str | None = None
    expression: str | None = None
    descending: bool = False
    nulls: str | None = None  # "FIRST" or "LAST"; None: PostgreSQL's default for the order
    ops: str | None = None  # operator class of an expression key
    collation: str | None = sparse(None)  # COLLATE of a column key, when not the column's

    @property
    def plain_column(self) -> bool:
        """Whether the key is a column as it is: no order, NULLS or collation of its own."""
        plain = not self.descending and not self.nulls and self.collation is None
        return self.column is not None and self.expression is None and plain

    def sql(self, column_text: str | None = None) -> str:
        """The key as CREATE INDEX writes it: ``(lower(email)) DESC NULLS LAST``,
        ``name COLLATE "C"``."""
        text = f"({self.expression})" if self.expression is not None else column_text
        words = [str(text if text is not None else self.column)]
        if self.collation is not None:
            words.append(f"COLLATE {quote_name(self.collation)}")
        if self.ops:
            words.append(self.ops)
        if self.descending:
            words.append("DESC")
        if self.nulls:
            words.append(f"NULLS {self.nulls}")
        return " ".join(words)


@fast_init
@dataclass(frozen=True)
class Index:
    name: str
    columns: tuple[str, ...]
    unique: bool = False
    using: str = "btree"
    ops: tuple[tuple[str, str], ...] = ()  # (column, operator class), in column order
    where: str | None = None
    include: tuple[str, ...] = ()
    concurrently: bool = True  # create CONCURRENTLY when added to an existing table
    description: str | None = None
    # SQL queries the index is for (``schemagen prove``); no DDL
    serves: tuple[str, ...] = field(default=(), metadata=OMIT_DEFAULT)
    # Every key in order, when one is an expression or has an order; ``columns``
    # then holds the plain column keys only (what lint and the docs look at).
    keys: tuple[IndexKey, ...] = sparse(())
    nulls_not_distinct: bool = sparse(False)  # PostgreSQL 15: NULLs count as equal


RelationshipKind = Literal["many_to_one", "one_to_many", "many_to_many"]


@fast_init
@dataclass(frozen=True)
class Relationship:
    """One ORM relationship attribute on its entity.

    For ``many_to_one``, ``foreign_key`` names the FK constraint on this entity;
    for ``one_to_many`` it names the FK constraint on ``target``. ``foreign_key``
    is ``None`` only for ``many_to_many`` (which says ``secondary``).
    ``remote_side`` is set for a self-referencing many-to-one: the referenced
    columns. ``foreign_key_columns`` are attribute names to pass as
    ``foreign_keys=`` when the two entities are joined by more than one FK.
    """

    name: str
    kind: RelationshipKind
    target: str
    back_populates: str | None = None
    foreign_key: str | None = None
    foreign_key_columns: tuple[str, ...] = ()
    ambiguous: bool = False  # more than one FK joins the pair: render foreign_keys=
    secondary: str | None = None  # association table name, many-to-many only
    cascade: str | None = None
    order_by: str | None = None
    lazy: str | None = None
    passive_deletes: bool = False
    remote_side: tuple[str, ...] = ()
    uselist: bool | None = None


@fast_init
@dataclass(frozen=True)
class ReplicaIdentity:
    """``REPLICA IDENTITY`` other than ``DEFAULT``: what logical replication sends of
    an updated or deleted row's old version. ``kind`` is ``full``, ``nothing`` or
    ``index`` (``USING INDEX index``: a unique index or constraint of the table)."""

    kind: str
    index: str | None = None


@fast_init
@dataclass(frozen=True)
class Entity:
    name: str
    table: str  # qualified outside the default schema: billing.invoices (naming.qualify)
    columns: tuple[Column, ...]
    primary_key: PrimaryKey
    description: str | None = None
    mixins: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    uniques: tuple[UniqueConstraint, ...] = ()
    checks: tuple[CheckConstraint, ...] = ()
    indexes: tuple[Index, ...] = ()
    relationships: tuple[Relationship, ...] = ()
    renamed_from: str | None = None
    excludes: tuple[ExcludeConstraint, ...] = sparse(())  # sorted by name
    partition_by: PartitionKey | None = sparse(None)
    partitions: tuple[Partition, ...] = sparse(())  # sorted by name
    # row-level security: None (off), "enable" or "force" (ENABLE + FORCE: the owner too)
    row_level_security: str | None = sparse(None)
    # REPLICA IDENTITY: None for DEFAULT (the primary key)
    replica_identity: ReplicaIdentity | None = sparse(None)
    # CLUSTER ON: the index (as the language names it) a bare CLUSTER sorts by; None: none
    cluster_on: str | None = sparse(None)

    @property
    def has_primary_key(self) -> bool:
        """False for a table without a primary key (``primary_key: false``)."""
        return bool(self.primary_key.columns)

    def column(self, name: str) -> Column:
        try:
            return self._column_index[name]
        except KeyError:
            raise KeyError(f"{self.name} has no column {name!r}") from None

    def has_column(self, name: str) -> bool:
        return name in self._column_index

    @functools.cached_property
    def _column_index(self) -> dict[str, Column]:
        return _index(self.columns, lambda col: col.name)


@fast_init
@dataclass(frozen=True)
class EnumValue:
    value: str
    member: str  # Python enum member name (a valid identifier)
    description: str | None = None


@fast_init
@dataclass(frozen=True)
class Enum:
    name: str  # Python class name, as declared
    db_name: str  # PostgreSQL type name, qualified outside the default schema
    values: tuple[EnumValue, ...]
    description: str | None = None

    @property
    def value_names(self) -> tuple[str, ...]:
        return tuple(v.value for v in self.values)


@fast_init
@dataclass(frozen=True)
class DbSequence:
    """A standalone sequence (``CREATE SEQUENCE``); ``None`` options take PostgreSQL's
    defaults (start at the minimum, increment 1, the type's range, cache 1)."""

    name: str
    data_type: str = "bigint"  # smallint, integer or bigint
    start: int | None = None
    increment: int | None = None
    min_value: int | None = None
    max_value: int | None = None
    cycle: bool = False
    cache: int | None = None
    # "table.column" of a ``serial`` column's sequence (OWNED BY); None: standalone
    owned_by: str | None = sparse(None)


@fast_init
@dataclass(frozen=True)
class Domain:
    """``CREATE DOMAIN name AS type [COLLATE] [DEFAULT] [NOT NULL] [CONSTRAINT c CHECK (...)]``:
    a named type with its checks (over ``VALUE``), used by columns like a type.
    ``type`` is the base type (its ``collation`` the domain's COLLATE)."""

    name: str  # qualified outside the default schema: billing.email
    type: ColumnType
    not_null: bool = False
    default: Default | None = None
    checks: tuple[CheckConstraint, ...] = ()  # sorted by name
    description: str | None = None


@fast_init
@dataclass(frozen=True)
class Database:
    name: str
    dialect: str = "postgresql"
    description: str | None = None
    extensions: tuple[str, ...] = ()  # sorted
    naming_convention: tuple[tuple[str, str], ...] = ()  # sorted (key, template) pairs
    # who keeps ``on_update: now`` columns: "orm" or "trigger"
    on_update_now: str = field(default="orm", metadata=OMIT_DEFAULT)
    # the project's default PostgreSQL schema (``database.schema``), whose objects'
    # names are qualified all the same; None: the connection's (public). The docs
    # name pages by it; the DDL never depends on it (the DDL view drops it).
    schema: str | None = sparse(None)


@fast_init
@dataclass(frozen=True)
class Argument:
    """One function argument: its SQL type, and its name when it has one."""

    type: str
    name: str | None = None


@fast_init
@dataclass(frozen=True)
class Function:
    """A SQL or PL/pgSQL function. ``key`` is its YAML key (overloads need two keys)."""

    key: str
    name: str
    returns: str
    body: str
    arguments: tuple[Argument, ...] = ()
    language: str = "plpgsql"
    volatility: str = "volatile"
    security: str = "invoker"
    description: str | None = None
    reads: tuple[str, ...] = ()  # relations the body names, sorted
    generated: bool = False  # made by schemagen (database-side on_update: now)
    #: The body between the dollar quotes exactly as written, not on lines of its own.
    verbatim: bool = False

    @property
    def identity(self) -> str:
        """``name(type, type)``: what tells overloads apart (and what DROP names)."""
        return f"{self.name}({', '.join(a.type for a in self.arguments)})"


@fast_init
@dataclass(frozen=True)
class Trigger:
    """A trigger on a table that calls a function (by its ``key`` in the schema)."""

    name: str
    table: str
    function: str  # the function's identity, ``name()``
    timing: str = "before"  # before, after, instead of
    events: tuple[str, ...] = ("update",)
    level: str = "row"  # row or statement
    when: str | None = None
    description: str | None = None
    generated: bool = False
    #: REFERENCING OLD TABLE AS / NEW TABLE AS: the names the function reads the
    #: statement's old and new rows by (transition tables; AFTER triggers only)
    old_table: str | None = sparse(None)
    new_table: str | None = sparse(None)

    @property
    def function_name(self) -> str:
        return self.function.split("(", 1)[0]


#: A policy's ``command``: what ``CREATE POLICY ... FOR`` names (``all`` by default).
POLICY_COMMANDS: tuple[str, ...] = ("all", "select", "insert", "update", "delete")
#: ``row_level_security:`` in the model: ENABLE, or ENABLE and FORCE (the owner too).
ROW_SECURITY: tuple[str, ...] = ("enable", "force")


@fast_init
@dataclass(frozen=True)
class Policy:
    """A row-level security policy (``CREATE POLICY``) on a table. ``roles`` sorted,
    ``public`` for every role; ``using`` filters the rows a command sees, ``with_check``
    the rows it writes."""

    name: str
    table: str  # qualified outside the default schema, as Entity.table
    command: str = "all"
    roles: tuple[str, ...] = ("public",)
    permissive: bool = True
    using: str | None = None
    with_check: str | None = None
    description: str | None = None


@fast_init
@dataclass(frozen=True)
class View:
    """A view or materialized view: SQL plus documented, typed columns."""

    name: str  # class name in models.py, as declared
    view: str  # database name
    sql: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]  # the columns the read-only ORM class is keyed by
    materialized: bool = False
    description: str | None = None
    indexes: tuple[Index, ...] = ()  # materialized views only
    reads: tuple[str, ...] = ()  # tables and views the SQL names, sorted

    @property
    def kind(self) -> str:
        return "materialized view" if self.materialized else "view"


@fast_init
@dataclass(frozen=True)
class Schema:
    database: Database
    enums: tuple[Enum, ...] = ()
    entities: tuple[Entity, ...] = ()
    # by identity (see model.routines); by (table, name); by name
    functions: tuple[Function, ...] = field(default=(), metadata=OMIT_DEFAULT)
    triggers: tuple[Trigger, ...] = field(default=(), metadata=OMIT_DEFAULT)
    views: tuple[View, ...] = field(default=(), metadata=OMIT_DEFAULT)

    def function(self, identity: str) -> Function:
        """The function whose ``name(types)`` is ``identity``."""
        for fn in self.functions:
            if fn.identity == identity:
                return fn
        raise KeyError(f"no function {identity!r}")

    def triggers_on(self, table: str) -> tuple[Trigger, ...]:
        """The triggers of ``table``, by name."""
        return tuple(tg for tg in self.triggers if tg.table == table)
    sequences: tuple[DbSequence, ...] = sparse(())  # sorted by name
    domains: tuple[Domain, ...] = sparse(())  # sorted by name
    policies: tuple[Policy, ...] = sparse(())  # by (table, name)

    def policies_on(self, table: str) -> tuple[Policy, ...]:
        """The row-level security policies of ``table``, by name."""
        return tuple(p for p in self.policies if p.table == table)

    @property
    def pg_schemas(self) -> tuple[str, ...]:
        """The PostgreSQL schemas other than the default that tables, enum types,
        domains, sequences, functions and views live in (their names are qualified:
        ``billing.invoices``), sorted."""
        names = [e.table for e in self.entities] + [e.db_name for e in self.enums]
        names += [s.name for s in self.sequences] + [d.name for d in self.domains]
        names += [f.name for f in self.functions] + [v.view for v in self.views]
        return _pg_schemas(names)

    def entity(self, name: str) -> Entity:
        try:
            return self._entity_index[name]
        except KeyError:
            raise KeyError(f"no entity {name!r}") from None

    def entity_by_table(self, table: str) -> Entity:
        try:
            return self._table_index[table]
        except KeyError:
            raise KeyError(f"no table {table!r}") from None

    def enum(self, name: str) -> Enum:
        try:
            return self._enum_index[name]
        except KeyError:
            raise KeyError(f"no enum {name!r}") from None

    def has_enum(self, name: str) -> bool:
        return name in self._enum_index

    def domain(self, name: str) -> Domain:
        """The domain of (qualified) ``name``."""
        for dom in self.domains:
            if dom.name == name:
                return dom
        raise KeyError(f"no domain {name!r}")

    def domain_columns(self, name: str) -> tuple[tuple[Entity, Column], ...]:
        """Every column typed by domain ``name`` (or an array of it), with its entity."""
        return tuple(
            (ent, col)
            for ent in self.entities
            for col in ent.columns
            if column_domain(col) == name
        )

    def foreign_keys_to(self, entity: str) -> tuple[tuple[Entity, ForeignKey], ...]:
        """Every foreign key that references ``entity`` (its own included), with the
        entity that holds it, in entity order, then constraint order."""
        return self._references.get(entity, ())

    def enum_columns(self, enum: str) -> tuple[tuple[Entity, Column], ...]:
        """Every column whose values come from ``enum`` (directly or as array
        elements), with its entity, in entity order, then table order."""
        return self._enum_users.get(enum, ())

    # The lookups above run thousands of times per render; a scan each time made
    # them quadratic. The indexes are computed once per (immutable) instance and
    # live in its __dict__, outside the dataclass fields: equality, hashing,
    # repr and to_data do not see them.

    @functools.cached_property
    def _entity_index(self) -> dict[str, Entity]:
        return _index(self.entities, lambda ent: ent.name)

    @functools.cached_property
    def _table_index(self) -> dict[str, Entity]:
        return _index(self.entities, lambda ent: ent.table)

    @functools.cached_property
    def _enum_index(self) -> dict[str, Enum]:
        return _index(self.enums, lambda en: en.name)

    @functools.cached_property
    def _references(self) -> dict[str, tuple[tuple[Entity, ForeignKey], ...]]:
        found: dict[str, list[tuple[Entity, ForeignKey]]] = {}
        for ent in self.entities:
            for fk in ent.foreign_keys:
                found.setdefault(fk.ref_entity, []).append((ent, fk))
        return {name: tuple(pairs) for name, pairs in found.items()}

    @functools.cached_property
    def _enum_users(self) -> dict[str, tuple[tuple[Entity, Column], ...]]:
        found: dict[str, list[tuple[Entity, Column]]] = {}
        for ent in self.entities:
            for col in ent.columns:
                name = column_enum(col)
                if name is not None:
                    found.setdefault(name, []).append((ent, col))
        return {name: tuple(pairs) for name, pairs in found.items()}

    def to_json(self) -> str:
        """Serialize to canonical JSON (sorted keys, two-space indent, trailing newline)."""
        return json.dumps(to_data(self), indent=2, sort_keys=True, ensure_ascii=False) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Schema:
        """Rebuild a Schema from :meth:`to_json` output."""
        return from_data(cls, json.loads(text))


@fast_init
@dataclass(frozen=True)
class SourceLocation:
    file: str  # path as shown to the user, relative to the project root
    line: int  # 1-based
    column: int  # 1-based


#: A SourceLocation as a plain ``(file, line, column)`` tuple: a schema has one
#: for every YAML node, and only the few that an issue needs become objects.
Place = tuple[str, int, int]


@fast_init
@dataclass(frozen=True)
class SourceMap:
    """Where each YAML path was written: ``("entities", "Product", "columns", "title")``."""

    #: A dict, or a mapping that looks each path up when asked (source.loader.Locations).
    locations: Mapping[tuple[str, ...], Place] = field(default_factory=dict)

    def find(self, path: tuple[str, ...]) -> SourceLocation | None:
        """Return the location of ``path`` or of its nearest located ancestor."""
        while path:
            place = self.locations.get(path)
            if place is not None:
                return SourceLocation(*place)
            path = path[:-1]
        return None


def leads_an_index(entity: Entity, columns: tuple[str, ...]) -> bool:
    """Whether a B-tree index of ``entity`` (primary key, unique constraint or a
    full, non-partial index) starts with exactly ``columns``, in any order: the
    index a foreign key needs, so that finding or deleting a parent's children
    does not scan the whole table."""
    want = set(columns)
    leading = [entity.primary_key.columns, *(u.columns for u in entity.uniques)]
    leading += [i.columns for i in entity.indexes if i.using == "btree" and not i.where]
    return any(set(cols[: len(want)]) == want for cols in leading)


def in_an_index(entity: Entity, column: str) -> bool:
    """Whether an index of ``entity`` holds ``column`` (its primary key, a unique or
    exclusion constraint, an index's key, ``INCLUDE`` or ``WHERE``): PostgreSQL
    rebuilds such an index when the column's type changes operator class. An
    expression or predicate counts when it names the column as a word."""
    return indexes_holding(entity, (column,)) > 0


def indexes_holding(entity: Entity, columns: Iterable[str]) -> int:
    """How many indexes of ``entity`` hold any of ``columns``, as :func:`in_an_index`
    tells one: PostgreSQL makes each again when such a column's type changes."""
    wanted = set(columns)
    if not wanted:
        return 0
    named = re.compile(
        r"\b(?:" + "|".join(re.escape(c) for c in sorted(wanted)) + r")\b", re.IGNORECASE
    )
    found = 0
    for held, texts in _index_terms(entity):
        if wanted & set(held) or any(t is not None and named.search(t) for t in texts):
            found += 1
    return found


def _index_terms(entity: Entity) -> Iterator[tuple[tuple[str, ...], tuple[str | None, ...]]]:
    """Each index of ``entity`` (its primary key, unique and exclusion constraints,
    indexes) as the columns it holds and the SQL texts that may name others."""
    if entity.has_primary_key:
        yield entity.primary_key.columns, ()
    for uq in entity.uniques:
        yield uq.columns, ()
    for ix in entity.indexes:
        keys = tuple(k.column for k in ix.keys if k.column)
        yield (*ix.columns, *ix.include, *keys), (ix.where, *(k.expression for k in ix.keys))
    for ex in entity.excludes:
        held = tuple(e.column for e in ex.elements if e.column)
        yield held, (ex.where, *(e.expression for e in ex.elements))


def column_enum(column: Column) -> str | None:
    """The enum a column's values come from (directly or as array elements), if any."""
    ctype = column.type.of if column.type.kind == "array" else column.type
    if ctype is not None and ctype.kind == "enum":
        return ctype.enum
    return None


def data_pg_schemas(data: dict[str, Any]) -> tuple[str, ...]:
    """:attr:`Schema.pg_schemas` of a schema still as data (:func:`to_data` or a
    snapshot), before :func:`from_data` rebuilds it: reading the database can
    start meanwhile."""
    names = [e["table"] for e in data.get("entities", ())]
    names += [e["db_name"] for e in data.get("enums", ())]
    names += [s["name"] for s in data.get("sequences", ())]
    names += [d["name"] for d in data.get("domains", ())]
    names += [f["name"] for f in data.get("functions", ())]
    names += [v["view"] for v in data.get("views", ())]
    return _pg_schemas(names)


def _pg_schemas(names: list[str]) -> tuple[str, ...]:
    return tuple(sorted({n.partition(".")[0] for n in names if "." in n}))


class _Named(typing.Protocol):
    @property
    def name(self) -> str: ...


_N = typing.TypeVar("_N", bound=_Named)


def sorted_named(items: typing.Iterable[_N]) -> tuple[_N, ...]:
    """Named model objects sorted by name: the model's canonical order (see the module
    docstring), which normalize builds and every operation's ``apply`` keeps."""
    return tuple(sorted(items, key=lambda item: item.name))


def column_domain(column: Column) -> str | None:
    """The domain a column's values are of (directly or as array elements), if any."""
    ctype = column.type.of if column.type.kind == "array" else column.type
    return ctype.domain if ctype is not None else None


_T = typing.TypeVar("_T")


def _index(items: tuple[_T, ...], key: typing.Callable[[_T], str]) -> dict[str, _T]:
    """``key(item) -> item``; the first item wins a duplicate key, as a scan would."""
    index: dict[str, _T] = {}
    for item in items:
        index.setdefault(key(item), item)
    return index
