"""What a database's structure is, as a drift check compares it: the shapes.

Owns the dataclasses both sides of ``check --database`` fill, the live one
(``introspect``, from pg_catalog) and the schema's (``expected``), and
``import`` reads: a column, an index, a foreign key, a unique constraint, a
policy, a table holding them, and the database holding its tables, enums,
sequences, domains and the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

from ..model.frozen import fast_init
from ..model.schema import ReplicaIdentity
from .domains import DomainShape
from .settings import PartitionSettings


class CatalogName(NamedTuple):
    """An object read from the catalog that no declaration names (extended statistics):
    its key, as the comparison keys it (bare in the current schema, else
    ``schema.name``), and its PostgreSQL schema and name apart, which the hints name it
    by: its name may hold a dot (``"x.notes_stats"``), so the key does not split back."""

    key: str
    schema: str
    name: str


class AttachedTo(NamedTuple):
    """The index at the top of the tree an index is attached to (a partition's,
    built partition by partition): the one PostgreSQL drops, with every index
    attached below it."""

    table: str  # its table, as the model keys it
    schema: str | None  # its PostgreSQL schema; None: the current one
    name: str


class Uncovered(NamedTuple):
    """A partition without its copy of a partitioned table's index (INVALID until
    every partition's is attached)."""

    partition: str  # keyed as a table is
    schema: str  # its PostgreSQL schema
    name: str  # its name there
    partitioned: bool  # partitioned in turn: no CREATE INDEX CONCURRENTLY on it
    # an index on it of the same definition, attached to none, that ATTACH takes
    candidate: str | None


class InvalidIndex(NamedTuple):
    """An INVALID index: left by a failed concurrent build, it enforces nothing and
    serves no query, whatever its definition says."""

    table: str
    name: str
    # a partitioned table's (relkind 'I'), INVALID until every partition's index
    # is attached (a build partition by partition cut short)
    partitioned: bool
    attached_to: AttachedTo | None = None
    # a partitioned index's: UNIQUE, its definition from USING on, and the partitions
    # of its table without their copy of it
    unique: bool = False
    definition: str | None = None
    uncovered: tuple[Uncovered, ...] = ()
    # its table's PostgreSQL schema (the index's), read apart from the key: a table's
    # name may hold a dot (public."x.notes"), so the key does not split back
    schema: str | None = None


class PartitionIndex(NamedTuple):
    """An index made on one partition (any depth) that is a copy of no index of its
    parent (attached to none), valid and no constraint's: the language declares a
    partition's indexes on its table, so it is drift."""

    partition: str  # keyed as a table is
    schema: str  # its PostgreSQL schema (the index's)
    name: str
    partitioned: bool  # a partitioned partition's (relkind 'I'): no DROP CONCURRENTLY
    # the INVALID index of its parent of the same definition, which ATTACH would make
    # it a copy of: (its table keyed as a table is, its PostgreSQL schema, its name)
    copy_of: tuple[str, str, str] | None
    definition: str  # pg_get_indexdef: what import lists it with (adopt.partition_trees)


class PartitionOwn(NamedTuple):
    """Row-level security, a policy, a comment or a column comment a partition (any
    depth) holds of its own: the language declares each on a table alone, and
    PostgreSQL copies none of its table's onto a partition, so each is drift."""

    partition: str  # keyed as a table is
    schema: str  # the partition's PostgreSQL schema
    table: str  # the partition's name in it
    # "row security", "policy", "comment", "column comment" or "index comment" (on
    # one of the partition's indexes, a copy of its table's or its own)
    kind: str
    name: str  # the policy's, the column's or the index's; "" for the others
    # RLS: "enable", "force" or "enable force"; a policy's definition; a comment's text
    detail: str


class ObjectComment(NamedTuple):
    """A comment on one of a table's indexes or constraints (COMMENT ON INDEX, COMMENT
    ON CONSTRAINT): the language declares neither (an index's ``description`` is for
    the docs alone), so it is drift. A key's, unique's or exclusion constraint's index
    has a comment of its own, apart from its constraint's: each is one of these."""

    kind: str  # "index" or "constraint"
    name: str  # the index's or the constraint's
    schema: str | None  # the table's PostgreSQL schema (the index's); None: the current one
    table: str  # the table's name in it
    comment: str


class PartitionCheck(NamedTuple):
    """A CHECK constraint a partition (any depth) holds of its own, not from its table:
    the language declares checks on a table alone, so it is drift (made by hand, or a
    moved partition's ``*_move_bound`` left: operations.partition.AddBoundCheck)."""

    partition: str  # keyed as a table is
    schema: str  # the partition's PostgreSQL schema
    table: str  # the partition's name in it
    name: str  # the constraint's
    definition: str  # pg_get_constraintdef: ``CHECK (...)``, `` NOT VALID`` if not validated


@fast_init  # both sides of a 2,000-table comparison build 64,000 of these
@dataclass(frozen=True)
class ColumnShape:
    """A column as the database sees it (types as ``format_type`` prints them)."""

    type: str
    nullable: bool
    default: str | None  # pg_get_expr of the default; None for none (and identity)
    identity: bool = False
    comment: str | None = None
    generated: str | None = None  # the expression of a GENERATED ... STORED column
    collation: str | None = None  # COLLATE, where it is not the type's own
    # (always, start, increment, min, max, cycle, cache) of an identity that is not
    # BY DEFAULT with PostgreSQL's options for its type; None for those and non-identities
    identity_options: tuple[object, ...] | None = None
    # ALTER COLUMN ... SET STATISTICS (None: not set, -1) and SET STORAGE where it is
    # not the type's own (plain, main, external, extended; None: the type's)
    statistics: int | None = None
    storage: str | None = None
    # the type's own storage (pg_type.typstorage), which a hint names and a partition's
    # column is compared with; not compared (the schema's side does not say it)
    type_storage: str | None = field(default=None, compare=False)
    # an identity's sequence (its bare name: it lives in the table's schema); None else
    identity_sequence: str | None = None


@fast_init
@dataclass(frozen=True)
class IndexShape:
    """An index not owned by a constraint. ``opclasses``: non-default ones, by position."""

    columns: tuple[str, ...]
    unique: bool = False
    method: str = "btree"
    opclasses: tuple[str | None, ...] = ()
    predicate: str | None = None
    include: tuple[str, ...] = ()
    # per key: "ASC", "DESC", "NULLS FIRST", "DESC NULLS LAST"; () when all are ASC
    orders: tuple[str, ...] = ()
    nulls_not_distinct: bool = False
    # per key: a collation of its own (a column key's), else None; () when none has one
    collations: tuple[str | None, ...] = ()


@fast_init
@dataclass(frozen=True)
class ForeignKeyShape:
    columns: tuple[str, ...]
    ref_table: str
    ref_columns: tuple[str, ...]
    on_delete: str = "NO ACTION"
    on_update: str = "NO ACTION"
    deferrable: bool = False
    initially_deferred: bool = False
    match: str = "SIMPLE"  # FULL, SIMPLE (PARTIAL: PostgreSQL makes none)


@fast_init
@dataclass(frozen=True)
class UniqueShape:
    columns: tuple[str, ...]
    deferrable: bool = False
    initially_deferred: bool = False


@fast_init
@dataclass(frozen=True)
class PolicyShape:
    """A row-level security policy; expressions as ``pg_get_expr`` prints them."""

    command: str = "all"  # all, select, insert, update, delete
    permissive: bool = True
    roles: tuple[str, ...] = ("public",)  # sorted
    using: str | None = None
    with_check: str | None = None
    comment: str | None = None


@dataclass
class TableShape:
    """Everything one table holds, keyed by name."""

    columns: dict[str, ColumnShape] = field(default_factory=dict)
    comment: str | None = None
    primary_key: tuple[str, tuple[str, ...]] | None = None  # (name, columns)
    uniques: dict[str, UniqueShape] = field(default_factory=dict)
    checks: dict[str, str] = field(default_factory=dict)  # name -> expression
    # name -> pg_get_constraintdef: EXCLUDE USING gist (room_id WITH =, during WITH &&)
    excludes: dict[str, str] = field(default_factory=dict)
    foreign_keys: dict[str, ForeignKeyShape] = field(default_factory=dict)
    indexes: dict[str, IndexShape] = field(default_factory=dict)
    partition_key: str | None = None  # pg_get_partkeydef: RANGE (paid_on)
    # partition name -> bound as pg_get_expr prints it: FOR VALUES FROM (...) TO (...)
    partitions: dict[str, str] = field(default_factory=dict)
    row_security: str | None = None  # None (off), "enable" or "force" (as the model says)
    policies: dict[str, PolicyShape] = field(default_factory=dict)
    # what the language cannot declare, so the schema's side never has: the names of
    # the table's rules (CREATE RULE) and its extended statistics (CREATE STATISTICS),
    # sorted
    rules: tuple[str, ...] = ()
    statistics: tuple[CatalogName, ...] = ()
    # the same of its partitions (read with it, not as tables): partition (its key as
    # a table's, schema and name) -> (rule names, statistics); only those that have some
    partition_extras: dict[CatalogName, tuple[tuple[str, ...], tuple[CatalogName, ...]]] = field(
        default_factory=dict
    )
    # (relation, index) of each CLUSTER ON mark, the table's own or a partition's (keyed
    # as a table is), sorted: the language declares the table's own alone (cluster_on)
    clustered: tuple[tuple[str, str], ...] = ()
    # the index the schema declares the table CLUSTERed ON (expected shapes only)
    cluster_on: str | None = None
    # each partition partitioned in turn, at any level, named as ``partitions`` names
    # a partition (bare in the table's PostgreSQL schema) -> its pg_get_partkeydef
    partition_keys: dict[str, str] = field(default_factory=dict)
    # the partitions of each partition partitioned in turn, at any level: partition ->
    # its partition name -> bound (named and printed as ``partitions``)
    sub_partitions: dict[str, dict[str, str]] = field(default_factory=dict)
    # REPLICA IDENTITY: None for DEFAULT; USING INDEX of an index dropped since (which
    # PostgreSQL leaves in place: nothing is sent) has no index name
    replica_identity: ReplicaIdentity | None = None
    # the database's side alone: unique constraints of its partitions (any depth)
    # that no constraint of the table holds, (partition, pg_get_constraintdef),
    # sorted: left by a build partition by partition cut short before the table's
    partition_uniques: tuple[tuple[str, str], ...] = ()
    # the database's side alone: indexes made on one of its partitions (any depth),
    # copies of no index of the table's, sorted
    partition_indexes: tuple[PartitionIndex, ...] = ()
    # the database's side alone: CHECK constraints of its partitions (any depth) of
    # their own, not inherited from the table, sorted
    partition_checks: tuple[PartitionCheck, ...] = ()
    # the database's side alone: row-level security, policies, comments and column
    # comments of its partitions (any depth), sorted (live.partition_own)
    partition_own: tuple[PartitionOwn, ...] = ()
    # the database's side alone: comments on its indexes and constraints, sorted
    # (live.object_comments)
    object_comments: tuple[ObjectComment, ...] = ()
    # what a partition holds of its own of the settings the language declares on its
    # table (REPLICA IDENTITY, its columns' statistics target and storage), keyed as a
    # table is: the partitions having some (the schema's side: what it implies)
    partition_settings: dict[str, PartitionSettings] = field(default_factory=dict)
    # the database's side alone: each partition and sub-partition, keyed as a table is,
    # with its schema and name apart, which the hints name it by (a name made by hand
    # may hold a dot, and its key then does not split back); not compared
    partition_names: dict[str, CatalogName] = field(default_factory=dict, compare=False)


@dataclass
class DatabaseShape:
    """The structure of one PostgreSQL schema (namespace), comparable across sources."""

    tables: dict[str, TableShape] = field(default_factory=dict)
    enums: dict[str, tuple[str, ...]] = field(default_factory=dict)
    extensions: frozenset[str] = frozenset()
    # sequences but identities' (standalone ones and serial's, OWNED BY a column):
    # name -> (type, start, increment, min, max, cycle, cache)
    sequences: dict[str, tuple[object, ...]] = field(default_factory=dict)
    # the column that owns a sequence (OWNED BY): name -> "table.column"
    sequence_owners: dict[str, str] = field(default_factory=dict)
    revisions: tuple[str, ...] | None = None  # alembic_version rows; None: no such table
    # every INVALID index (see InvalidIndex)
    invalid_indexes: tuple[InvalidIndex, ...] = ()
    # (table, kind, name) of every check or foreign key left NOT VALID (a revision
    # failed between ADD ... NOT VALID and VALIDATE): old rows were never checked.
    not_valid_constraints: tuple[tuple[str, str, str], ...] = ()
    # the tables of those, by key, with their schema and name apart (a name may hold a
    # dot: public."x.notes" is keyed x.notes), which the hints name them by
    not_valid_tables: dict[str, CatalogName] = field(default_factory=dict)
    domains: dict[str, DomainShape] = field(default_factory=dict)
    # domain.check of every domain check left NOT VALID
    not_valid_domain_checks: tuple[str, ...] = ()
    # the name of each operator class that is not its type's default, by oid: how the
    # indexes of materialized views (read later, with the views) are named too
    opclasses: dict[int, str] = field(default_factory=dict)
    # the current schema, whose objects PostgreSQL prints bare (``FROM stores`` for
    # public.stores) and this shape keys bare; None when the search_path names none
    home: str | None = None
    # the names of the current schema's functions that pg_catalog has too: the search
    # path finds pg_catalog's first, so PostgreSQL prints such a call qualified
    # (public.lower(x)), and lower(x) is the built-in
    shadowed: frozenset[str] = frozenset()
