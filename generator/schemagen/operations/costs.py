"""What each operation costs a live table: the lock it takes, whether it scans or
rewrites the table, whether it runs outside a transaction.

:data:`FACTS` is the one table of facts, one row per kind of step; an operation
is a sequence of steps (:func:`steps`). ``tests/operations/test_costs.py``
checks every row against PostgreSQL: the lock mode a second session sees in
``pg_locks`` while the statement waits, a changed ``relfilenode`` for a
rewrite, the transaction's ``seq_scan`` count for a scan.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from ..model.schema import (
    CheckConstraint,
    Column,
    ExcludeConstraint,
    ForeignKey,
    UniqueConstraint,
)
from ..model.temporal import TEMPORAL_KINDS, typmod_noop
from ..model.volatility import builtin_volatility
from ..validate.sql import SqlSyntaxError, called_functions, parse_expression
from .base import Operation
from .clustering import SetClusterOn
from .constraint import (
    AddConstraint,
    AlterForeignKeyDeferral,
    AlterUniqueDeferral,
    CreateIndex,
    DropConstraint,
    DropIndex,
    PrebuildUniqueIndex,
    RenameConstraint,
    ReplaceCheck,
    ReplaceForeignKey,
    ReplaceUnique,
)
from .domain import (
    AddDomainCheck,
    AlterDomain,
    CreateDomain,
    DropDomain,
    DropDomainCheck,
    MoveDomain,
    RenameDomain,
)
from .partition import (
    AddBoundCheck,
    AttachPartition,
    CreatePartition,
    DetachPartition,
    DropBoundCheck,
    DropPartition,
    bound_provable,
)
from .replication import SetReplicaIdentity
from .retype import RetypeColumns
from .routines import (
    CreateFunction,
    CreateTrigger,
    CreateView,
    DropFunction,
    DropTrigger,
    DropView,
    ReplaceFunction,
)
from .schema import (
    AddEnumValue,
    CreateEnum,
    CreateExtension,
    CreateSchema,
    DropEnum,
    DropEnumValue,
    DropExtension,
    DropSchema,
    MoveEnum,
    ReplaceEnum,
)
from .security import AlterPolicy, CreatePolicy, DropPolicy, SetRowSecurity
from .sequence import (
    AlterSequence,
    CreateSequence,
    DropSequence,
    MoveSequence,
    RenameSequence,
)
from .storage import SetColumnSettings
from .table import (
    AddColumn,
    AddPrimaryKey,
    AlterColumn,
    AlterTableComment,
    CreateTable,
    DropColumn,
    DropPrimaryKey,
    DropTable,
    PrebuildPrimaryKeyIndexes,
    RenameColumn,
    RenameTable,
)
from .typechange import plain, zone_only_change

Effect = Literal["no scan", "scans", "rewrites"]


@dataclass(frozen=True)
class Cost:
    """One step: the strongest lock on the table (``pg_locks.mode``; ``""`` for
    none), what it does to the table's rows, and whether it runs outside a
    transaction."""

    lock: str
    effect: Effect
    outside_transaction: bool = False

    def words(self) -> str:
        """``SHARE UPDATE EXCLUSIVE, scans`` (or ``no table lock``)."""
        if not self.lock:
            return "no table lock"
        return f"{_lock_words(self.lock)}, {self.effect}"


def _lock_words(mode: str) -> str:
    """``ShareUpdateExclusiveLock`` -> ``SHARE UPDATE EXCLUSIVE``."""
    name = mode.removesuffix("Lock")
    return "".join(f" {ch}" if ch.isupper() else ch for ch in name).strip().upper()


_AX = "AccessExclusiveLock"
#: Kind of step -> its cost on the table it changes.
FACTS: dict[str, Cost] = {
    "create table": Cost(_AX, "no scan"),
    "drop table": Cost(_AX, "no scan"),
    "rename table": Cost(_AX, "no scan"),
    "table comment": Cost("ShareUpdateExclusiveLock", "no scan"),
    "add column": Cost(_AX, "no scan"),
    "add column, volatile default": Cost(_AX, "rewrites"),
    "drop column": Cost(_AX, "no scan"),
    "rename column": Cost(_AX, "no scan"),
    "alter column default or comment": Cost(_AX, "no scan"),
    "alter identity": Cost(_AX, "no scan"),
    "alter column type, binary compatible": Cost(_AX, "no scan"),
    "alter column type": Cost(_AX, "rewrites"),
    # timestamp <-> timestamptz in a transaction whose TimeZone is UTC (as revisions
    # run it): PostgreSQL 12+ keeps the table's file; an index on the column is
    # rebuilt (timestamp_ops -> timestamptz_ops), which reads the table
    "alter column type, time zone read as UTC": Cost(_AX, "no scan"),
    "alter column type, time zone read as UTC, indexed": Cost(_AX, "scans"),
    "set not null": Cost(_AX, "scans"),
    "drop not null": Cost(_AX, "no scan"),
    "backfill NULLs": Cost("RowExclusiveLock", "scans", True),
    "add check": Cost(_AX, "scans"),
    "add foreign key": Cost("ShareRowExclusiveLock", "scans"),
    "add unique": Cost(_AX, "scans"),
    # builds its index under the lock: PostgreSQL has no NOT VALID exclusion constraint
    "add exclusion constraint": Cost(_AX, "scans"),
    "add check NOT VALID": Cost(_AX, "no scan", True),
    "add foreign key NOT VALID": Cost("ShareRowExclusiveLock", "no scan", True),
    # DROP CONSTRAINT IF EXISTS and ADD CONSTRAINT ... NOT VALID in one ALTER TABLE
    # (the referenced table is locked ACCESS EXCLUSIVE too, as by any foreign key's drop)
    "swap foreign key NOT VALID": Cost(_AX, "no scan", True),
    "swap check NOT VALID": Cost(_AX, "no scan", True),
    # ALTER CONSTRAINT ... [NOT] DEFERRABLE: the catalog and the key's triggers only
    "alter foreign key deferrability": Cost(_AX, "no scan"),
    "validate constraint": Cost("ShareUpdateExclusiveLock", "scans", True),
    "create unique index concurrently": Cost("ShareUpdateExclusiveLock", "scans", True),
    "attach unique index": Cost(_AX, "no scan", True),
    # before a unique index is built: rows that repeat its key are searched for, so
    # that a failure names them (revision.validation.repeated_rows_sql)
    "find repeated keys": Cost("AccessShareLock", "scans", True),
    # the same, before a unique added or swapped in the transaction is built under its lock
    "find repeated keys, in the transaction": Cost("AccessShareLock", "scans"),
    # before a primary key is added to a keyless table or rebuilt over other columns, in
    # its transaction: rows holding NULL in its columns or repeating them, in one scan
    # (revision.constraints.key_rows_sql)
    "find NULL or repeated keys, in the transaction": Cost("AccessShareLock", "scans"),
    # the same before a partitioned table's key is built partition by partition
    "find NULL or repeated keys": Cost("AccessShareLock", "scans", True),
    # DROP CONSTRAINT IF EXISTS and ADD CONSTRAINT ... UNIQUE USING INDEX in one ALTER TABLE
    "swap unique USING INDEX": Cost(_AX, "no scan", True),
    # the same in the transaction, with an index built CONCURRENTLY before it
    "swap unique USING INDEX, in the transaction": Cost(_AX, "no scan"),
    "attach unique index, in the transaction": Cost(_AX, "no scan"),
    # DROP CONSTRAINT and ADD CONSTRAINT ... UNIQUE in one ALTER TABLE: builds the index
    "swap unique": Cost(_AX, "scans"),
    "set not null, validated check": Cost(_AX, "no scan", True),
    "drop constraint": Cost(_AX, "no scan"),
    "drop constraint, online": Cost(_AX, "no scan", True),
    "drop not null, online": Cost(_AX, "no scan", True),
    "create index": Cost("ShareLock", "scans"),
    "create index concurrently": Cost("ShareUpdateExclusiveLock", "scans", True),
    "drop index": Cost(_AX, "no scan"),
    "drop index concurrently": Cost("ShareUpdateExclusiveLock", "no scan", True),
    # A partitioned table's new index, partition by partition (revision.partition_indexes):
    # CREATE INDEX ... ON ONLY the table (writes to the table wait a moment, none to a
    # partition), each partition's CONCURRENTLY, then ALTER INDEX ... ATTACH PARTITION,
    # which reads the partition (ACCESS SHARE on it; the index itself ACCESS EXCLUSIVE).
    "create index on only the partitioned table": Cost("ShareLock", "no scan", True),
    "create index concurrently on each partition": Cost("ShareUpdateExclusiveLock", "scans", True),
    "attach each partition's index": Cost("AccessShareLock", "no scan", True),
    # A partitioned table's new unique constraint (revision.partition_uniques): each leaf
    # partition's unique index CONCURRENTLY, made that partition's constraint USING INDEX,
    # then the table's ADD CONSTRAINT ... UNIQUE, which attaches them and builds none
    # (ACCESS EXCLUSIVE on the table, SHARE on each partition, for a moment).
    "create unique index concurrently on each partition": Cost(
        "ShareUpdateExclusiveLock", "scans", True
    ),
    "make each partition's unique index its constraint": Cost(_AX, "no scan", True),
    "add unique attaching the partitions' constraints": Cost(_AX, "no scan", True),
    # A partitioned table's new primary key, its partitions' unique indexes built
    # concurrently before the transaction (PrebuildPrimaryKeyIndexes): each made its
    # partition's key USING INDEX (no scan where its columns are NOT NULL already),
    # then the table's ADD PRIMARY KEY attaches them.
    "make each partition's index its primary key, in the transaction": Cost(_AX, "no scan"),
    "add primary key attaching the partitions' keys, in the transaction": Cost(_AX, "no scan"),
    # its downgrade: no DROP INDEX CONCURRENTLY of a partitioned index (each partition's too)
    "drop index, online": Cost(_AX, "no scan", True),
    "rename constraint": Cost(_AX, "no scan"),
    "rename index": Cost("", "no scan"),  # locks the index alone, not its table
    "add primary key": Cost(_AX, "scans"),
    "drop primary key": Cost(_AX, "no scan"),
    "enum type or value": Cost("", "no scan"),
    "move enum type": Cost("", "no scan"),  # the columns refer to the type by OID
    "move domain": Cost("", "no scan"),  # as an enum type
    "rename domain": Cost("", "no scan"),  # as a move: the columns refer to it by OID
    # the defaults call it by OID; the sequence itself is locked until commit
    "move sequence": Cost("", "no scan"),
    "swap enum type of columns": Cost(_AX, "rewrites"),
    "extension": Cost("", "no scan"),
    "function": Cost("", "no scan"),
    "create view": Cost("AccessShareLock", "no scan"),
    "create materialized view": Cost("AccessShareLock", "scans"),
    "drop view": Cost("", "no scan"),  # locks the view alone, not the tables it reads
    "create trigger": Cost("ShareRowExclusiveLock", "no scan"),
    "drop trigger": Cost(_AX, "no scan"),
    "row level security": Cost(_AX, "no scan"),  # ENABLE, DISABLE, [NO] FORCE
    "replica identity": Cost(_AX, "no scan"),  # FULL, NOTHING, DEFAULT, USING INDEX
    # CLUSTER ON, SET WITHOUT CLUSTER: a mark in pg_index; the rows are not sorted
    "cluster on": Cost("ShareUpdateExclusiveLock", "no scan"),
    # ALTER COLUMN ... SET STATISTICS alone; with SET STORAGE (the rows are not
    # rewritten: values written from then on are stored so)
    "set statistics": Cost("ShareUpdateExclusiveLock", "no scan"),
    "set storage": Cost(_AX, "no scan"),
    # the same statement in a drops or online revision (operations.stages)
    "replica identity, outside a transaction": Cost(_AX, "no scan", True),
    "cluster on, outside a transaction": Cost("ShareUpdateExclusiveLock", "no scan", True),
    "create policy": Cost(_AX, "no scan"),
    "alter policy": Cost(_AX, "no scan"),
    "drop policy": Cost(_AX, "no scan"),
    "policy comment": Cost("AccessShareLock", "no scan"),  # COMMENT ON POLICY
    "sequence": Cost("", "no scan"),  # a sequence of its own: no table is touched
    "schema": Cost("", "no scan"),  # a namespace: no table is touched
    "add generated column": Cost(_AX, "rewrites"),  # every row gets its value
    "add identity column": Cost(_AX, "rewrites"),  # every row gets a number
    "domain": Cost("", "no scan"),  # the type alone: create, drop, default, drop a check
    # every table with a column of the domain is scanned under SHARE (writes wait);
    # VALIDATE of a NOT VALID domain check holds the same lock, so it is one step
    "add domain check": Cost("ShareLock", "scans"),
    "domain set not null": Cost("ShareLock", "scans"),
    # on the partitioned (parent) table:
    "create partition": Cost(_AX, "no scan"),
    "drop partition": Cost(_AX, "no scan"),
    "detach partition concurrently": Cost("ShareUpdateExclusiveLock", "no scan", True),
    "drop detached partition": Cost("", "no scan", True),  # the parent is not locked
    # a partition moved between levels, in the transaction: DETACH (not CONCURRENTLY)
    # holds the parent it leaves ACCESS EXCLUSIVE; ATTACH holds the new parent SHARE
    # UPDATE EXCLUSIVE and the partition itself ACCESS EXCLUSIVE (the row here, which
    # is the partition's), reading its rows to prove them inside the new bounds
    "detach partition": Cost(_AX, "no scan"),
    "attach partition": Cost(_AX, "scans"),
    # the same where a CHECK validated ahead implies the bound (AddBoundCheck, outside
    # the transaction): no row is read under the lock; the check is dropped after
    "attach partition, bound implied by a check validated ahead": Cost(_AX, "no scan"),
    # and a DEFAULT partition beside it, which PostgreSQL locks and reads for rows of the
    # bound unless a validated check of its own excludes them (AttachPartition.spared)
    "attach partition: the DEFAULT partition beside it read": Cost(_AX, "scans"),
    # CREATE TABLE ... PARTITION OF reads it the same way (CreatePartition.beside)
    "create partition: the DEFAULT partition beside it read": Cost(_AX, "scans"),
    # unless a validated check of its own excludes the bound (CreatePartition.spared,
    # AddBoundCheck.made): locked, its rows not read; the check is dropped after
    "create partition: the DEFAULT partition beside it excluded by a check validated ahead": (
        Cost(_AX, "no scan")
    ),
    # before a partition's new bound is proven ahead (AddBoundCheck of a rebound partition
    # beside a DEFAULT partition): the DEFAULT's rows the new bound holds are counted, on
    # the DEFAULT partition, which PostgreSQL would scan at the attach for them
    "count rows of the DEFAULT partition in a new bound": Cost("AccessShareLock", "scans", True),
}


#: Kind of step -> the lock it takes on the tables that the foreign keys it adds,
#: drops, swaps or validates reference, where those are other tables (FACTS says
#: the step's own table): adding a key (or a table with keys) locks the referenced
#: table against writes, dropping or swapping one (or dropping a table with keys)
#: takes ACCESS EXCLUSIVE there, validating one reads it under ROW SHARE. Checked
#: against pg_locks by tests/operations/test_costs.py.
REFERENCED: dict[str, str] = {
    "create table": "ShareRowExclusiveLock",
    "drop table": _AX,
    "add foreign key": "ShareRowExclusiveLock",
    "add foreign key NOT VALID": "ShareRowExclusiveLock",
    "swap foreign key NOT VALID": _AX,
    "validate constraint": "RowShareLock",
    "drop constraint": _AX,
    "drop constraint, online": _AX,
}


def referenced_tables(op: Operation) -> tuple[str, ...]:
    """The other tables that the foreign keys ``op`` adds, drops, swaps or validates
    reference, in name order (none for a check or a self-reference)."""
    keys: tuple[ForeignKey, ...]
    if isinstance(op, AddConstraint | DropConstraint) and isinstance(op.constraint, ForeignKey):
        table, keys = op.table, (op.constraint,)
    elif isinstance(op, ReplaceForeignKey):
        table, keys = op.table, (op.new,)
    elif isinstance(op, CreateTable | DropTable):
        table, keys = op.entity.table, op.entity.foreign_keys
    else:
        return ()
    return tuple(sorted({fk.ref_table for fk in keys} - {table}))


def steps(op: Operation) -> tuple[str, ...]:
    """The kinds of step ``op`` runs, in order (keys of :data:`FACTS`)."""
    online = _ONLINE_STEPS.get(type(op)) if op.online else None
    simple = online or _STEPS.get(type(op))
    simple = simple or ((_SIMPLE[type(op)],) if type(op) in _SIMPLE else None)
    if simple is not None:
        return simple
    rule = _RULES.get(type(op))
    if rule is not None:
        return rule(op)
    if isinstance(op, DropConstraint):
        return ("drop constraint, online" if op.lock_safe else "drop constraint",)
    if isinstance(op, DropIndex):
        return (_drop_index(op),)
    if isinstance(op, RenameConstraint):
        return ("rename index" if op.kind == "index" else "rename constraint",)
    if isinstance(op, DropEnumValue | ReplaceEnum):
        return ("swap enum type of columns" if op.usages else "enum type or value",)
    if isinstance(op, SetColumnSettings):
        return ("set storage" if op.storage_changes else "set statistics",)
    if isinstance(op, AddColumn):
        return (_add_column(op.column),)
    if isinstance(op, AlterColumn):
        return _alter_column(op)
    if isinstance(op, CreateView):
        return ("create materialized view" if op.view.materialized else "create view",)
    return _other_steps(op)


def _other_steps(op: Operation) -> tuple[str, ...]:
    if isinstance(op, ReplaceCheck):
        if op.validates_only:
            return ("validate constraint",)
        swap = ("swap check NOT VALID",)
        return (*swap, "validate constraint") if op.new.validated else swap
    if isinstance(op, ReplaceForeignKey):
        if op.validates_only:
            return ("validate constraint",)
        swap_key = ("swap foreign key NOT VALID",)
        return (*swap_key, "validate constraint") if op.new.validated else swap_key
    if isinstance(op, PrebuildUniqueIndex):
        if op.undo:
            return ("drop index concurrently",)
        find = ("find repeated keys",) if op.checks_rows else ()
        return (*find, "create unique index concurrently")
    if isinstance(op, ReplaceUnique):
        if op.prebuilt in ("new", "both"):
            return ("swap unique USING INDEX, in the transaction",)
        if not op.lock_safe:
            find = ("find repeated keys, in the transaction",) if op.checks_rows else ()
            return (*find, "swap unique")
        find = ("find repeated keys",) if op.checks_rows else ()
        return (*find, "create unique index concurrently", "swap unique USING INDEX")
    if isinstance(op, AlterDomain):
        adds = op.new.not_null and not op.old.not_null
        return ("domain set not null" if adds else "domain",)
    if isinstance(op, AlterPolicy):
        old, new = op.old, op.new
        in_place = (old.roles, old.using, old.with_check) != (new.roles, new.using, new.with_check)
        return ("alter policy",) if in_place else ("policy comment",)
    raise TypeError(f"no cost facts for {type(op).__name__}")


#: Operations whose online form is other steps than their plain one.
_ONLINE_STEPS: dict[type, tuple[str, ...]] = {
    DropPartition: ("detach partition concurrently", "drop detached partition"),
    SetReplicaIdentity: ("replica identity, outside a transaction",),  # drops or online
    SetClusterOn: ("cluster on, outside a transaction",),  # drops or online
}

#: Operations of several steps, whatever their fields.
_STEPS: dict[type, tuple[str, ...]] = {
    AlterUniqueDeferral: ("drop constraint", "add unique"),  # one transaction
    DropBoundCheck: ("drop constraint, online",),
}

_SIMPLE: dict[type, str] = {
    AlterForeignKeyDeferral: "alter foreign key deferrability",
    DropPartition: "drop partition",  # the concurrent one: _ONLINE_STEPS
    DetachPartition: "detach partition",
    CreateSequence: "sequence",
    AlterSequence: "sequence",
    RenameSequence: "sequence",
    DropSequence: "sequence",
    CreateTable: "create table",
    DropTable: "drop table",
    RenameTable: "rename table",
    AlterTableComment: "table comment",
    DropColumn: "drop column",
    RenameColumn: "rename column",
    DropPrimaryKey: "drop primary key",
    CreateEnum: "enum type or value",
    MoveEnum: "move enum type",
    MoveDomain: "move domain",
    RenameDomain: "rename domain",
    MoveSequence: "move sequence",
    DropEnum: "enum type or value",
    AddEnumValue: "enum type or value",
    CreateExtension: "extension",
    DropExtension: "extension",
    CreateSchema: "schema",
    DropSchema: "schema",
    CreateFunction: "function",
    ReplaceFunction: "function",
    DropFunction: "function",
    DropView: "drop view",
    CreateTrigger: "create trigger",
    DropTrigger: "drop trigger",
    SetRowSecurity: "row level security",
    SetReplicaIdentity: "replica identity",
    SetClusterOn: "cluster on",
    CreatePolicy: "create policy",
    DropPolicy: "drop policy",
    CreateDomain: "domain",
    DropDomain: "domain",
    DropDomainCheck: "domain",
    AddDomainCheck: "add domain check",
}


def volatile_calls(column: Column) -> list[str]:
    """The calls of ``column``'s default that make it volatile, as PostgreSQL
    decides: functions whose ``pg_proc.provolatile`` is ``v``
    (:mod:`schemagen.model.volatility`), and functions that are not built in (a
    user's or an extension's), which are volatile unless declared otherwise.
    Constants, ``now`` and keywords such as ``CURRENT_TIMESTAMP`` are not."""
    default = column.default
    if default is None or default.kind != "sql":
        return []
    try:
        tree = parse_expression(default.value)
    except SqlSyntaxError:  # validate refuses it first; never call it safe
        return [default.value]
    found = []
    for parts in called_functions(tree):
        builtin = parts[:-1] in ((), ("pg_catalog",))
        if not builtin or builtin_volatility(parts[-1]) in ("volatile", None):
            found.append(".".join(parts) + "()")
    return found


def _add_constraint(op: AddConstraint) -> tuple[str, ...]:
    c = op.constraint
    if isinstance(c, ExcludeConstraint):
        return ("add exclusion constraint",)
    if isinstance(c, CheckConstraint) and not c.validated:
        return ("add check NOT VALID",)  # left so: validated: false
    if isinstance(c, ForeignKey) and not c.validated:
        return ("add foreign key NOT VALID",)  # left so: validated: false
    if not op.lock_safe:
        if isinstance(c, ForeignKey):
            return ("add foreign key",)
        if isinstance(c, UniqueConstraint) and op.prebuilt:
            return ("attach unique index, in the transaction",)
        if isinstance(c, UniqueConstraint):
            return ("find repeated keys, in the transaction", "add unique")
        return ("add check",)
    if isinstance(c, UniqueConstraint) and op.partitioned:
        return (
            "find repeated keys",
            "create unique index concurrently on each partition",
            "make each partition's unique index its constraint",
            "add unique attaching the partitions' constraints",
        )
    if isinstance(c, UniqueConstraint):
        return ("find repeated keys", "create unique index concurrently", "attach unique index")
    first = "add foreign key NOT VALID" if isinstance(c, ForeignKey) else "add check NOT VALID"
    assert isinstance(c, ForeignKey | CheckConstraint)
    return (first, "validate constraint")


def _create_index(op: CreateIndex) -> tuple[str, ...]:
    if op.partitioned:
        searched: tuple[str, ...] = ("find repeated keys",) if op.checks_rows else ()
        return (
            *searched,
            "create index on only the partitioned table",
            "create index concurrently on each partition",
            "attach each partition's index",
        )
    build = "create index concurrently" if op.concurrently else "create index"
    if not op.checks_rows:
        return (build,)
    find = "find repeated keys" if op.concurrently else "find repeated keys, in the transaction"
    return (find, build)


def _prebuild_key(op: PrebuildPrimaryKeyIndexes) -> tuple[str, ...]:
    if op.undo:
        return ("drop index, online",)
    find = ("find NULL or repeated keys",) if op.attach.checks_rows else ()
    return (*find, "create unique index concurrently on each partition")


def _add_primary_key(op: AddPrimaryKey) -> tuple[str, ...]:
    if op.prebuilt:
        # its rows searched and its partitions' indexes built before the transaction
        return (
            "make each partition's index its primary key, in the transaction",
            "add primary key attaching the partitions' keys, in the transaction",
        )
    # a key whose rows may repeat or hold NULL searches them first (key_rows_sql)
    find = ("find NULL or repeated keys, in the transaction",) if op.checks_rows else ()
    return (*find, "add primary key")


#: Operations whose steps a function of their fields decides (:func:`steps`).
def _attach_partition(op: AttachPartition) -> tuple[str, ...]:
    # the checks of the partitions above it rebound with it, which it holds, go too
    carried = ("drop constraint",) if op.carried else ()
    read = ("attach partition: the DEFAULT partition beside it read",)
    default = read if op.beside and not op.spared else ()
    if not bound_provable(op.partition) or not op.checked:
        return ("attach partition", *default, *carried)
    if not op.proven:  # its check still proves the rows ahead, and is dropped
        return ("attach partition", *default, "drop constraint")
    provable = "attach partition, bound implied by a check validated ahead"
    return (provable, *default, "drop constraint")


def _create_partition(op: CreatePartition) -> tuple[str, ...]:
    if op.spared:
        spared = (
            "create partition: the DEFAULT partition beside it excluded by a check validated ahead"
        )
        # the check dropped after, in the online stage where its DEFAULT is partitioned
        return ("create partition", spared, *(() if op.check_after else ("drop constraint",)))
    read = ("create partition: the DEFAULT partition beside it read",) if op.beside else ()
    return ("create partition", *read)


def _add_bound_check(op: AddBoundCheck) -> tuple[str, ...]:
    beside = op.excluded() is not None and not op.held_by
    count = ("count rows of the DEFAULT partition in a new bound",) if beside else ()
    return (*count, "add check NOT VALID", "validate constraint")


def _retype_columns(op: RetypeColumns) -> tuple[str, ...]:
    """Each step its type changes run, once: one statement rewrites the table once."""
    return tuple(dict.fromkeys(step for alter in op.alters for step in _alter_column(alter)))


_RULES: dict[type, Callable[[Any], tuple[str, ...]]] = {
    AttachPartition: _attach_partition,
    AddBoundCheck: _add_bound_check,
    CreatePartition: _create_partition,
    RetypeColumns: _retype_columns,
    AddConstraint: _add_constraint,
    CreateIndex: _create_index,
    AddPrimaryKey: _add_primary_key,
    PrebuildPrimaryKeyIndexes: _prebuild_key,
}


def _drop_index(op: DropIndex) -> str:
    if op.partitioned:
        return "drop index, online"
    return "drop index concurrently" if op.concurrently else "drop index"


def _add_column(col: Column) -> str:
    if col.generated is not None:
        return "add generated column"
    if col.identity:
        return "add identity column"
    # A default that is not volatile is stored once (PostgreSQL 11+); a volatile
    # one (gen_random_uuid()) is evaluated into every row.
    return "add column, volatile default" if volatile_calls(col) else "add column"


def _alter_column(op: AlterColumn) -> tuple[str, ...]:
    old, new = op.old, op.new
    if op.lock_safe:
        if new.nullable:
            return ("drop not null, online",)
        backfill = ("backfill NULLs",) if op.backfills else ()
        recipe = ("add check NOT VALID", "validate constraint", "set not null, validated check")
        return (*backfill, *recipe)
    found: list[str] = []
    if old.type != new.type:
        found.append(_type_change(op))
    if op.backfills:
        found.append("backfill NULLs")
    if old.nullable != new.nullable:
        found.append("drop not null" if new.nullable else "set not null")
    if old.identity != new.identity or old.identity_options != new.identity_options:
        found.append("alter identity")
    if old.default != new.default or old.description != new.description:
        found.append("alter column default or comment")
    return tuple(found) or ("alter column default or comment",)


def _type_change(op: AlterColumn) -> str:
    old, new = op.old.type, op.new.type
    if binary_compatible(old, new):
        return "alter column type, binary compatible"
    # the user's USING is an expression of its own: PostgreSQL rewrites
    if op.using is None and zone_only_change(old, new):
        utc = "alter column type, time zone read as UTC"
        return f"{utc}, indexed" if op.indexed else utc
    return "alter column type"


def binary_compatible(old_type: object, new_type: object) -> bool:
    """Whether PostgreSQL changes the type without rewriting: a longer (or no)
    varchar length, varchar to text, more numeric precision at the same scale, a
    time, timestamp or interval precision (fields) change that is a no-op cast."""
    from ..model.schema import ColumnType

    assert isinstance(old_type, ColumnType) and isinstance(new_type, ColumnType)
    old, new = plain(old_type), plain(new_type)
    if old.kind in ("string", "text") and new.kind == "text":
        return True
    if old.kind == new.kind == "string":
        return new.length is None or (old.length is not None and new.length >= old.length)
    if old.kind == new.kind and old.kind in TEMPORAL_KINDS:
        return typmod_noop(old, new)
    if old.kind == new.kind == "numeric":
        same_scale = (old.scale or 0) == (new.scale or 0)
        wider = new.precision is None or (
            old.precision is not None and new.precision >= old.precision
        )
        return same_scale and wider
    return False


def cost_line(op: Operation) -> str:
    """``lock ACCESS EXCLUSIVE, no scan``; several steps each named, in order. A
    foreign key's step says the lock on the table it references too
    (``lock SHARE ROW EXCLUSIVE, scans; SHARE ROW EXCLUSIVE on stores``)."""
    kinds = steps(op)
    outside = any(FACTS[kind].outside_transaction for kind in kinds)
    where = ", outside a transaction" if outside else ""
    others = ", ".join(referenced_tables(op))

    def words(kind: str) -> str:
        also = REFERENCED.get(kind) if others else None
        return FACTS[kind].words() + (f"; {_lock_words(also)} on {others}" if also else "")

    if len(kinds) == 1:
        fact = FACTS[kinds[0]]
        return f"{'lock ' if fact.lock else ''}{words(kinds[0])}{where}{_keys_made_again(op)}"
    parts = "; ".join(f"{kind} ({words(kind)})" for kind in kinds)
    return f"{parts}{where}{_keys_made_again(op)}"


def _keys_made_again(op: Operation) -> str:
    """What a type change does to the foreign keys PostgreSQL makes again under it
    (AlterColumn.keys): each is dropped and added in the ALTER, which holds ACCESS
    EXCLUSIVE on the other table too and checks the key's rows, reading both tables
    (measured in tests/operations/test_costs.py)."""
    if isinstance(op, RetypeColumns):
        keys = op.keys  # its columns' keys, each once: one statement makes each once
    elif isinstance(op, AlterColumn) and op.old.type != op.new.type:
        keys = op.keys
    else:
        return ""
    if not keys:
        return ""
    others = sorted({table for _, table in keys} - {op.table})
    names = ", ".join(name for name, _ in keys)
    where = f"{_lock_words(_AX)} on {', '.join(others)} while " if others else ""
    return f"; {where}PostgreSQL makes {names} again and checks its rows"


def live_warning(op: Operation) -> str | None:
    """Why ``op`` can never be safe on a live table, and what to do; else ``None``."""
    if isinstance(op, AddPrimaryKey) and not op.prebuilt:
        # The table holds rows (a new table gets its key in CREATE TABLE).
        return (
            f"{op.table}: adding primary key {op.primary_key.name} builds its index while "
            "holding ACCESS EXCLUSIVE (every read and write waits until it ends). On a large "
            "live table build a unique index CONCURRENTLY on NOT NULL columns first, then "
            f"ALTER TABLE {op.table} ADD CONSTRAINT {op.primary_key.name} PRIMARY KEY USING "
            "INDEX <that index> (or run this revision in a maintenance window)"
        )
    if not any(FACTS[step].effect == "rewrites" for step in steps(op)):
        return None
    if isinstance(op, RetypeColumns):
        columns = ", ".join(f"{op.table}.{alter.new.name}" for alter in op.alters)
        return (
            f"{columns}: the type changes rewrite the whole table, once, under an "
            "ACCESS EXCLUSIVE lock (every read and write waits until it ends). On a large "
            "live table add new columns instead, backfill them in batches, switch the code "
            "over, then drop the old columns"
        )
    if isinstance(op, AlterColumn):
        return (
            f"{op.table}.{op.new.name}: the type change rewrites the whole table under an "
            "ACCESS EXCLUSIVE lock (every read and write waits until it ends). On a large "
            "live table add a new column instead, backfill it in batches, switch the code "
            "over, then drop the old column"
        )
    if isinstance(op, AddColumn) and (op.column.identity or op.column.generated is not None):
        return (
            f"{op.table}.{op.column.name}: every row gets its value, rewriting the table "
            "under an ACCESS EXCLUSIVE lock. On a large live table add a plain nullable "
            "column, fill it in batches, then make it what the schema says"
        )
    if isinstance(op, AddColumn):
        calls = ", ".join(volatile_calls(op.column))
        return (
            f"{op.table}.{op.column.name}: the default calls {calls}, which PostgreSQL "
            "counts as volatile (pg_proc.provolatile; a function that is not built in "
            "counts as volatile unless declared otherwise), so it is evaluated for every "
            "row, rewriting the table under an ACCESS EXCLUSIVE lock. On a large live "
            "table add the column without the default, set the default, then backfill "
            "in batches"
        )
    tables = sorted({use.table for use in getattr(op, "usages", ())})
    return (
        f"enum swap rewrites {', '.join(tables) or 'no table'} under ACCESS EXCLUSIVE locks. "
        "On large live tables add enum values instead of removing or reordering them"
    )
