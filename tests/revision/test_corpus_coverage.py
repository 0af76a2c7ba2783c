"""The migration corpus covers every operation the issue lists (no database needed).

Each corpus case is loaded as ``schemagen`` loads ``schema/`` and diffed; the
operations of its upgrade and of its downgrade (both run on PostgreSQL by
``test_migration_corpus``) are classified into the features below. Every
feature must be exercised by at least one case, and the coverage table in
``tests/corpus/README.md`` must name, per feature, cases that really exercise it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from migration_harness import Case, load_case, write_schema
from schemagen.api import load_schema
from schemagen.config import load_project
from schemagen.diff.compare import diff
from schemagen.model.domains import default_sql as domain_default
from schemagen.model.routines import domain_calls, table_calls
from schemagen.model.schema import (
    CheckConstraint,
    Column,
    Entity,
    ExcludeConstraint,
    ForeignKey,
    Index,
    Schema,
    UniqueConstraint,
    partition_tree,
)
from schemagen.model.sequences import nextval_names
from schemagen.operations.clustering import SetClusterOn
from schemagen.operations.costs import binary_compatible
from schemagen.operations.domain import (
    AddDomainCheck,
    AlterDomain,
    CreateDomain,
    DropDomain,
    DropDomainCheck,
    MoveDomain,
)
from schemagen.operations.partition import (
    AddBoundCheck,
    AttachPartition,
    CreatePartition,
    DetachPartition,
    DropPartition,
    bound_provable,
)
from schemagen.operations.plan import (
    AddColumn,
    AddConstraint,
    AddEnumValue,
    AddPrimaryKey,
    AlterColumn,
    AlterForeignKeyDeferral,
    AlterTableComment,
    AlterUniqueDeferral,
    CreateEnum,
    CreateExtension,
    CreateIndex,
    CreateTable,
    DropColumn,
    DropConstraint,
    DropEnum,
    DropEnumValue,
    DropExtension,
    DropIndex,
    DropPrimaryKey,
    DropTable,
    Operation,
    Plan,
    PrebuildPrimaryKeyIndexes,
    PrebuildUniqueIndex,
    RenameColumn,
    RenameConstraint,
    RenameTable,
    ReplaceCheck,
    ReplaceEnum,
    ReplaceForeignKey,
    ReplaceUnique,
)
from schemagen.operations.replication import SetReplicaIdentity
from schemagen.operations.retype import RetypeColumns
from schemagen.operations.routines import (
    CreateFunction,
    CreateTrigger,
    CreateView,
    DropFunction,
    DropTrigger,
    DropView,
    ReplaceFunction,
)
from schemagen.operations.schema import CreateSchema, DropSchema, MoveEnum
from schemagen.operations.security import AlterPolicy, CreatePolicy, DropPolicy, SetRowSecurity
from schemagen.operations.sequence import (
    AlterSequence,
    CreateSequence,
    MoveSequence,
    RenameSequence,
)
from schemagen.operations.stages import stages
from schemagen.operations.storage import SetColumnSettings
from schemagen.operations.typechange import (
    converts_in_time_zone,
    is_narrowing,
    needs_using,
    zone_only_change,
)

CORPUS = Path(__file__).resolve().parents[1] / "corpus"
README = CORPUS / "README.md"


class Change:
    """One corpus case as plans: its upgrade, its downgrade, and both schemas."""

    def __init__(self, case: Case, old: Schema, new: Schema) -> None:
        self.case, self.old, self.new = case, old, new
        self.upgrade: Plan = diff(old, new)
        # a table's type changes joined in one statement count as each (RetypeColumns)
        self.steps = _each_alter(self.upgrade.operations)
        self.ops: tuple[Operation, ...] = self.steps + _each_alter(
            self.upgrade.reverse().operations
        )

    def any(self, kind: type | tuple[type, ...], test: Callable[..., bool] = bool) -> bool:
        return any(isinstance(op, kind) and test(op) for op in self.ops)


def _under_default(schema: Schema, op: AttachPartition) -> bool:
    """Whether ``op`` attaches its partition under a DEFAULT partition of ``schema``."""
    if not op.within:
        return False
    tree = partition_tree(schema.entity_by_table(op.table).partitions)
    return any(p.name == op.within[-1] and p.default for _, p in tree)


def _each_alter(ops: tuple[Operation, ...]) -> tuple[Operation, ...]:
    return tuple(
        alter for op in ops for alter in (op.alters if isinstance(op, RetypeColumns) else (op,))
    )


def _trades(c: Change, *, same_name: bool) -> bool:
    """A unique of ``c`` swapped in the transaction for one over a column the plan
    adds, the old over one it drops, the ADD COLUMN before it and the DROP COLUMN after."""
    ops = list(c.upgrade.operations)
    for i, op in enumerate(ops):
        if not (isinstance(op, ReplaceUnique) and op.early and not op.lock_safe):
            continue
        if (op.old.name == op.new.name) != same_name:
            continue
        added = {o.column.name for o in ops[:i] if isinstance(o, AddColumn) and o.table == op.table}
        dropped = {
            o.column.name for o in ops[i:] if isinstance(o, DropColumn) and o.table == op.table
        }
        if added & set(op.new.columns) and dropped & set(op.old.columns):
            return True
    return False


def _altered(what: Callable[[AlterColumn], bool]) -> Callable[[Change], bool]:
    return lambda c: c.any(AlterColumn, what)


def _constraint(op_type: type, kind: type) -> Callable[[Change], bool]:
    return lambda c: c.any(op_type, lambda op: isinstance(op.constraint, kind))


def _index(what: Callable[[CreateIndex], bool]) -> Callable[[Change], bool]:
    return lambda c: c.any(CreateIndex, what)


def _collated_key_of_citext_or_array(c: Change) -> bool:
    """A new index (on a table holding rows) and a new table's index with a column key
    of a citext or array column that has a collation of its own."""

    def collated(entity: Entity, index: Index) -> bool:
        return any(
            k.collation
            and k.column
            and (entity.column(k.column).type.kind == "array"
                 or entity.column(k.column).type.pgtype == "citext")
            for k in index.keys
        )  # fmt: skip

    return (
        c.any(CreateIndex, lambda op: collated(c.new.entity_by_table(op.table), op.index))
        and c.any(CreateTable, lambda op: any(collated(op.entity, i) for i in op.entity.indexes))
        and c.any(DropIndex)
        and bool(c.case.setup)
    )


def _fk_cycle(c: Change) -> bool:
    created = {op.entity.table for op in c.upgrade.operations if isinstance(op, CreateTable)}
    return any(
        isinstance(op, AddConstraint) and isinstance(op.constraint, ForeignKey)
        and op.table in created for op in c.upgrade.operations
    )


def _key_swapped(c: Change) -> bool:
    """A foreign key of a table holding rows changed in place, never dropped first."""
    swapped = [op for op in c.upgrade.operations if isinstance(op, ReplaceForeignKey)]
    dropped = {(op.table, op.constraint.name) for op in c.upgrade.operations
               if isinstance(op, DropConstraint) and isinstance(op.constraint, ForeignKey)}
    return bool(swapped) and bool(c.case.setup) and not any(
        (op.table, op.new.name) in dropped for op in swapped
    )


def _cluster_moved(c: Change) -> bool:
    """A table's CLUSTER ON mark moved from one index to another it had."""
    marks = [op for op in c.upgrade.operations if isinstance(op, SetClusterOn)]
    return any(
        a.first and b.table == a.table and b.new not in (None, a.old)
        for a in marks
        for b in marks
    )


def _key_widths(c: Change) -> bool:
    """Keys across integer widths: a key column's width changed under its kept key,
    the key it references widened under a narrower column (each AlterColumn naming
    the key PostgreSQL makes again), and a new table made with a key column of
    another width than the key it references, on rows."""
    tables = {e.table: e for e in c.new.entities}

    def own(op: AlterColumn) -> bool:
        return any(fk.name == name for name, _ in op.keys for fk in tables[op.table].foreign_keys)

    def narrow(op: CreateTable) -> bool:
        return any(
            op.entity.column(col).type.kind != tables[fk.ref_table].column(ref).type.kind
            for fk in op.entity.foreign_keys
            for col, ref in zip(fk.columns, fk.ref_columns, strict=True)
        )

    widened = c.any(AlterColumn, lambda op: bool(op.keys) and not own(op))
    return c.any(AlterColumn, lambda op: bool(op.keys) and own(op)) and widened and (
        c.any(CreateTable, narrow) and bool(c.case.setup)
    )


def _self_fk(c: Change) -> bool:
    return any(fk.ref_table == ent.table for ent in c.new.entities for fk in ent.foreign_keys
               if ent.table not in {e.table for e in c.old.entities}
               or fk not in c.old.entity_by_table(ent.table).foreign_keys)


def _new_enum_new_column(c: Change) -> bool:
    created = {op.enum.db_name for op in c.upgrade.operations if isinstance(op, CreateEnum)}
    names = {en.name: en.db_name for en in c.new.enums}
    return c.any(AddColumn, lambda op: op.column.type.kind == "enum"
                 and names.get(op.column.type.enum, op.column.type.enum) in created)


def _mixin_added(c: Change) -> bool:
    before = {e.name: set(e.mixins) for e in c.old.entities}
    return any(set(e.mixins) - before.get(e.name, set(e.mixins)) for e in c.new.entities)


def _domain_calls_new_sequence(c: Change) -> bool:
    """A domain whose default calls a sequence that the upgrade creates before it."""
    ops = c.upgrade.operations
    made = {op.sequence.name: i for i, op in enumerate(ops) if isinstance(op, CreateSequence)}
    return any(
        isinstance(op, CreateDomain)
        and any(made.get(name, i) < i for name in nextval_names(domain_default(op.domain) or ""))
        for i, op in enumerate(ops)
    )


def _table_calls_new_function(c: Change) -> bool:
    """A new table whose default, generated column or check calls a function that
    the upgrade creates before it, and a dropped table whose default called a
    function that the upgrade drops after it."""
    ops = c.upgrade.operations
    made = {op.function.name: i for i, op in enumerate(ops) if isinstance(op, CreateFunction)}
    gone = {op.function.name: i for i, op in enumerate(ops) if isinstance(op, DropFunction)}
    return any(
        isinstance(op, CreateTable) and any(made.get(n, i) < i for n in table_calls(op.entity))
        for i, op in enumerate(ops)
    ) and any(
        isinstance(op, DropTable) and any(gone.get(n, i) > i for n in table_calls(op.entity))
        for i, op in enumerate(ops)
    )


def _domain_calls_new_function(c: Change) -> bool:
    """A new domain whose default or check calls a function the upgrade creates before
    it, a new function taking a domain the upgrade creates before it, and a dropped
    domain whose default called a function the upgrade drops after it."""
    ops = c.upgrade.operations
    made = {op.function.name: i for i, op in enumerate(ops) if isinstance(op, CreateFunction)}
    gone = {op.function.name: i for i, op in enumerate(ops) if isinstance(op, DropFunction)}
    domains = {op.domain.name: i for i, op in enumerate(ops) if isinstance(op, CreateDomain)}
    return (
        any(
            isinstance(op, CreateDomain)
            and any(made.get(n, i) < i for n in domain_calls(op.domain))
            for i, op in enumerate(ops)
        )
        and any(
            isinstance(op, CreateFunction)
            and any(domains[a.type] < i for a in op.function.arguments if a.type in domains)
            for i, op in enumerate(ops)
        )
        and any(
            isinstance(op, DropDomain) and any(gone.get(n, i) > i for n in domain_calls(op.domain))
            for i, op in enumerate(ops)
        )
    )


def _named_identity(col: Column) -> bool:
    return col.identity and col.sequence_name is not None


def _identity_sequence_names(c: Change) -> bool:
    """Identity sequences of a name of their own made by CREATE TABLE, ADD COLUMN and
    ADD GENERATED, and one renamed alone, on rows."""
    return (
        c.any(CreateTable, lambda op: any(_named_identity(col) for col in op.entity.columns))
        and c.any(AddColumn, lambda op: _named_identity(op.column))
        and c.any(AlterColumn, lambda op: not op.old.identity and _named_identity(op.new))
        and c.any(
            AlterColumn,
            lambda op: op.old.identity
            and op.new.identity
            and op.old.sequence_name != op.new.sequence_name,
        )
        and bool(c.case.setup)
    )


def _nextval_in_expression(col: Column) -> bool:
    sql = col.default.value if col.default is not None and col.default.kind == "sql" else ""
    return bool(nextval_names(sql)) and not re.fullmatch(r"nextval\('[^']*'\)", sql)


def _rows_survive(kind: type) -> Callable[[Change], bool]:
    return lambda c: c.any(kind) and bool(c.case.setup) and bool(c.case.check_after)


def _value_in_the_middle(op: AddEnumValue) -> bool:
    return op.before is not None and op.before != op.remaining[0]


def _view_rebuilt_around_alter(c: Change) -> bool:
    ops = c.steps
    altered = [i for i, op in enumerate(ops) if isinstance(op, AlterColumn)]
    drops = [i for i, op in enumerate(ops) if isinstance(op, DropView)]
    creates = [i for i, op in enumerate(ops) if isinstance(op, CreateView)]
    return bool(altered and drops and creates) and max(drops) < min(altered) and max(
        altered
    ) < min(creates)


def _overloaded(c: Change) -> bool:
    names = [fn.name for fn in c.new.functions]
    return c.any(CreateFunction) and len(names) != len(set(names))


def _renamed_keys_around_retype(c: Change) -> int:
    """How many foreign keys the upgrade drops and adds again under a new name, both
    in the transaction, around a type change of one of their columns."""
    ops = c.steps
    retyped = {(op.table, op.new.name) for op in ops
               if isinstance(op, AlterColumn) and op.old.type != op.new.type}
    dropped = {(op.table, op.constraint.columns, op.constraint.name) for op in ops
               if isinstance(op, DropConstraint) and isinstance(op.constraint, ForeignKey)
               and not op.lock_safe}
    return sum(
        1
        for op in ops
        if isinstance(op, AddConstraint) and isinstance(op.constraint, ForeignKey)
        and not op.lock_safe
        and any(t == op.table and cols == op.constraint.columns and name != op.constraint.name
                for t, cols, name in dropped)
        and any((op.table, col) in retyped for col in op.constraint.columns)
    )


#: Feature -> predicate over a case. Names are those of the README table.
FEATURES: dict[str, Callable[[Change], bool]] = {
    "create table": lambda c: c.any(CreateTable),
    "drop table": lambda c: c.any(DropTable),
    "add column": lambda c: c.any(AddColumn),
    "drop column": lambda c: c.any(DropColumn),
    "alter type with USING cast": _altered(lambda op: needs_using(op.old.type, op.new.type)),
    "alter type without cast": _altered(
        lambda op: op.old.type != op.new.type and not needs_using(op.old.type, op.new.type)
    ),
    "alter nullability": _altered(lambda op: op.old.nullable != op.new.nullable),
    "alter server default": _altered(lambda op: op.old.default != op.new.default),
    "alter column comment": _altered(lambda op: op.old.description != op.new.description),
    "table comment": lambda c: c.any(AlterTableComment),
    "rename table (rows kept)": _rows_survive(RenameTable),
    "rename column (rows kept)": _rows_survive(RenameColumn),
    "rename constraint or index": lambda c: c.any(RenameConstraint),
    "index method (gin, brin, hash)": _index(lambda op: op.index.using != "btree"),
    "index operator class": _index(lambda op: bool(op.index.ops)),
    "partial index (where)": _index(lambda op: op.index.where is not None),
    "covering index (include)": _index(lambda op: bool(op.index.include)),
    "unique index": _index(lambda op: op.index.unique),
    "index CONCURRENTLY on an existing table": _index(lambda op: op.concurrently),
    "index with concurrently: false": _index(lambda op: not op.concurrently),
    "drop index CONCURRENTLY": lambda c: c.any(DropIndex, lambda op: op.concurrently),
    "add unique constraint": _constraint(AddConstraint, UniqueConstraint),
    "drop unique constraint": _constraint(DropConstraint, UniqueConstraint),
    "add check constraint": _constraint(AddConstraint, CheckConstraint),
    "drop check constraint": _constraint(DropConstraint, CheckConstraint),
    "add foreign key": _constraint(AddConstraint, ForeignKey),
    "drop foreign key": _constraint(DropConstraint, ForeignKey),
    "foreign key changed in place (on_delete, on_update, match, deferrable with them: swapped "
    "NOT VALID, then VALIDATE)": _key_swapped,
    "check left NOT VALID on purpose (validated: false): added so to a table holding rows "
    "that break it and after a new table's CREATE TABLE; validated in place (false -> true) "
    "and swapped NOT VALID again (true -> false)": lambda c: (
        c.any(AddConstraint, lambda op: isinstance(op.constraint, CheckConstraint)
              and not op.constraint.validated and op.lock_safe)
        and c.any(CreateTable, lambda op: any(not ck.validated for ck in op.entity.checks))
        and c.any(ReplaceCheck, lambda op: op.validates_only)
        and c.any(ReplaceCheck, lambda op: op.old.validated and not op.new.validated)
        and bool(c.case.setup)
    ),  # fmt: skip
    "foreign key left NOT VALID on purpose (validated: false): added so to a table holding "
    "rows that reference nothing and after a new table's CREATE TABLE; validated in place "
    "(false -> true) and swapped NOT VALID again (true -> false)": lambda c: (
        c.any(AddConstraint, lambda op: isinstance(op.constraint, ForeignKey)
              and not op.constraint.validated and op.lock_safe)
        and c.any(CreateTable, lambda op: any(not fk.validated for fk in op.entity.foreign_keys))
        and c.any(ReplaceForeignKey, lambda op: op.validates_only)
        and c.any(ReplaceForeignKey, lambda op: op.old.validated and not op.new.validated)
        and bool(c.case.setup)
    ),  # fmt: skip
    "check changed in place (swapped NOT VALID, then VALIDATE); one an enum rebuild holds "
    "dropped and added around it": lambda c: (
        c.any(ReplaceCheck)
        and c.any(DropConstraint, lambda op: isinstance(op.constraint, CheckConstraint))
        and c.any((ReplaceEnum, DropEnumValue))
        and bool(c.case.setup)
    ),
    "primary key dropped and added": lambda c: c.any(DropPrimaryKey) and c.any(AddPrimaryKey),
    "create enum": lambda c: c.any(CreateEnum),
    "drop enum": lambda c: c.any(DropEnum),
    "enum value ADD VALUE BEFORE": lambda c: c.any(AddEnumValue, lambda op: op.before),
    "enum value ADD VALUE AFTER": lambda c: c.any(AddEnumValue, lambda op: op.after),
    "enum value removed (new type, cast, swap)": lambda c: c.any(
        (ReplaceEnum, DropEnumValue), lambda op: op.destructive
    ),
    "create extension": lambda c: c.any(CreateExtension),
    "drop extension": lambda c: c.any(DropExtension),
    "foreign-key cycle (ADD CONSTRAINT after both tables)": _fk_cycle,
    "enum value added in the middle": lambda c: c.any(AddEnumValue, _value_in_the_middle),
    "new enum used by a new column": _new_enum_new_column,
    "self-referencing foreign key": _self_fk,
    "composite primary key": lambda c: c.any(
        CreateTable, lambda op: len(op.entity.primary_key.columns) > 1
    ),
    "mixin added to an entity": _mixin_added,
    "NOT NULL with a default backfills NULLs (rows kept)": lambda c: c.any(
        AlterColumn, lambda op: op.backfills
    ) and bool(c.case.setup),
    "split: enum values, drops, one transaction, online (four revisions)": lambda c: [
        stage.kind for stage in stages(c.upgrade)
    ] == ["enum values", "drops", "main", "online"],
    "drops before the main revision (the downgrade adds them back lock-safe)": lambda c: (
        "drops" in [stage.kind for stage in stages(c.upgrade)]
        and c.any(RenameTable) and c.any(RenameColumn)
    ),
    "lock-safe recipes (NOT VALID + VALIDATE, USING INDEX, SET NOT NULL via CHECK)": lambda c: (
        c.any(AddConstraint, lambda op: op.lock_safe)
        and c.any(AlterColumn, lambda op: op.lock_safe and not op.new.nullable)
    ),
    "array default [] (the empty array)": lambda c: any(
        col.type.kind == "array" and col.default is not None and col.default.value == "'{}'"
        for ent in c.new.entities for col in ent.columns
    ),
    "create view": lambda c: c.any(CreateView, lambda op: not op.view.materialized),
    "view rebuilt around a column type change": _view_rebuilt_around_alter,
    "materialized view with a unique index": lambda c: c.any(
        CreateView, lambda op: op.view.materialized and any(ix.unique for ix in op.view.indexes)
    ),
    "materialized view index keys with options of their own (collation, order, expression)":
        lambda c: c.any(
            CreateView,
            lambda op: any(
                not key.plain_column for ix in op.view.indexes for key in ix.keys
            ),
        ),
    "function replaced in place": lambda c: c.any(ReplaceFunction),
    "serial column whose sequence is of another type (sequence:): changed in place on rows, "
    "created so": (
        lambda c: c.any(
            AlterSequence,
            lambda op: op.new.owned_by is not None and op.old.data_type != op.new.data_type,
        )
        and c.any(
            CreateTable, lambda op: any(col.sequence_type for col in op.entity.columns)
        )
        and bool(c.case.setup)
    ),
    "serial column whose sequence has a name of its own (sequence: {name: ...}): kept "
    "through its table's rename, renamed alone on rows, created so": (
        lambda c: c.any(RenameSequence)
        and c.any(
            RenameTable,
            lambda op: op.old_table != op.new_table
            and any(
                col.serial and col.name not in op.identity_columns
                for ent in c.old.entities if ent.table == op.old_table
                for col in ent.columns
            ),
        )
        and c.any(CreateTable, lambda op: any(col.sequence_name for col in op.entity.columns))
        and bool(c.case.setup)
    ),
    "serial column whose sequence has options of its own (sequence: {start: ...}): changed "
    "in place on rows, created so": (
        lambda c: c.any(
            AlterSequence,
            lambda op: op.new.owned_by is not None
            and op.old.data_type == op.new.data_type
            and op.old != op.new,
        )
        and c.any(CreateTable, lambda op: any(col.sequence_options for col in op.entity.columns))
        and bool(c.case.setup)
    ),
    "primary key named by primary_key_name: renamed in place on rows, created so": (
        lambda c: c.any(RenameConstraint, lambda op: op.kind == "primary_key")
        and c.any(
            CreateTable,
            lambda op: op.entity.primary_key.name
            not in (f"pk_{op.entity.table}", f"{op.entity.table}_pkey"),
        )
        and bool(c.case.setup)
    ),
    "primary key named by primary_key_name that needs quotes: renamed in place on rows, "
    "created so": (
        lambda c: c.any(
            RenameConstraint, lambda op: op.kind == "primary_key" and op.new != op.new.lower()
        )
        and c.any(
            CreateTable,
            lambda op: op.entity.primary_key.name != op.entity.primary_key.name.lower(),
        )
        and bool(c.case.setup)
    ),
    "function body verbatim between its dollar quotes, replaced in place and created": (
        lambda c: c.any(ReplaceFunction, lambda op: op.new.verbatim and not op.old.verbatim)
        and c.any(CreateFunction, lambda op: op.function.verbatim)
    ),
    "function overloaded by signature": _overloaded,
    "create trigger": lambda c: c.any(CreateTrigger),
    "drop trigger": lambda c: c.any(DropTrigger),
    "triggers with transition tables (old_table and new_table), on a table holding rows": (
        lambda c: c.any(CreateTrigger, lambda op: op.trigger.old_table is not None)
        and c.any(CreateTrigger, lambda op: op.trigger.new_table is not None)
        and bool(c.case.setup)
    ),
    "replica identity set (full, nothing, using index), changed and put back to default on "
    "tables holding rows; back to default first where its index is dropped concurrently or "
    "its column loses NOT NULL, and set online after its index's concurrent build": lambda c: (
        c.any(SetReplicaIdentity, lambda op: op.new is not None and op.new.kind == "full")
        and c.any(SetReplicaIdentity, lambda op: op.new is not None and op.new.kind == "nothing")
        and c.any(SetReplicaIdentity, lambda op: op.new is not None and op.new.kind == "index")
        and c.any(SetReplicaIdentity, lambda op: op.stage == "drops")
        and c.any(SetReplicaIdentity, lambda op: op.stage == "online")
        and c.any(SetReplicaIdentity, lambda op: op.new is None and not op.first)
        and bool(c.case.setup)
    ),
    "CLUSTER ON set, moved to another index and cleared on tables holding rows; cleared "
    "first where its index is dropped concurrently or rebuilt, and set online after the "
    "concurrent build of the index it names": lambda c: (
        c.any(SetClusterOn, lambda op: op.old is None and op.new is not None)
        and c.any(SetClusterOn, lambda op: op.new is None and not op.first)
        and c.any(SetClusterOn, lambda op: op.first and op.stage == "drops")
        and c.any(SetClusterOn, lambda op: op.new is not None and op.stage == "online")
        and _cluster_moved(c)
        and bool(c.case.setup)
    ),
    "foreign key across integer widths (a column's own type: beside references:): a "
    "key column narrowed and widened under its kept key, the key it references widened "
    "under a narrower column (PostgreSQL makes the key again in the ALTER), a new "
    "table's narrow and wide key columns, on rows": _key_widths,
    "column statistics target and storage set, changed and put back to the default on "
    "tables holding rows; a retyped column's storage set again; a new column's, a new "
    "table's and a dropped one's made with it": lambda c: (
        c.any(SetColumnSettings, lambda op: op.new[0] is not None and op.old[0] is None)
        and c.any(SetColumnSettings, lambda op: op.new[1] is not None and op.old[1] is None)
        and c.any(SetColumnSettings, lambda op: None not in (op.old[0], op.new[0]))
        and c.any(SetColumnSettings, lambda op: op.new == (None, None))
        and c.any(AlterColumn, lambda op: op.old.type != op.new.type and bool(op.new.storage))
        and c.any(AddColumn, lambda op: op.column.statistics is not None)
        and c.any(DropColumn, lambda op: op.column.storage is not None)
        and c.any(CreateTable, lambda op: any(col.storage for col in op.entity.columns))
        and bool(c.case.setup)
    ),
    "row-level security enabled, forced and disabled on tables holding rows": lambda c: (
        c.any(SetRowSecurity, lambda op: op.old is None and op.new == "enable")
        and c.any(SetRowSecurity, lambda op: op.new == "force")
        and c.any(SetRowSecurity, lambda op: op.new is None)
        and bool(c.case.setup)
    ),
    "policy created, altered in place, its command changed (drop + create), dropped": (
        lambda c: c.any(CreatePolicy) and c.any(AlterPolicy) and c.any(DropPolicy)
        and bool(
            {op.policy.name for op in c.upgrade.operations if isinstance(op, CreatePolicy)}
            & {op.policy.name for op in c.upgrade.operations if isinstance(op, DropPolicy)}
        )
    ),
    "policies dropped and made again around an enum rebuild and a renamed column": (
        lambda c: c.any((ReplaceEnum, DropEnumValue), lambda op: bool(c.old.policies))
        and c.any(RenameColumn)
        and bool(
            {op.policy.name for op in c.upgrade.operations if isinstance(op, CreatePolicy)}
            & {op.policy.name for op in c.upgrade.operations if isinstance(op, DropPolicy)}
        )
        and bool(c.case.setup)
    ),
    "PostgreSQL schema created": lambda c: c.any(CreateSchema),
    "PostgreSQL schema dropped": lambda c: c.any(DropSchema),
    "table moved to another PostgreSQL schema (rows kept)": lambda c: c.any(
        RenameTable, lambda op: op.old_table.partition(".")[0] != op.new_table.partition(".")[0]
    )
    and bool(c.case.setup),
    "triggers on tables outside the default PostgreSQL schema, made again when a table moves": (
        lambda c: c.any(CreateTrigger, lambda op: "." in op.trigger.table)
        and c.any(RenameTable, lambda op: "." in op.old_table and "." in op.new_table)
        and bool(c.case.setup)
    ),
    "functions in the project's default PostgreSQL schema, called by triggers of two schemas": (
        lambda c: c.any(CreateFunction, lambda op: "." in op.function.name)
        and c.any(CreateTrigger, lambda op: "." in op.trigger.function)
        and len({t.table.partition(".")[0] for t in c.new.triggers}) > 1
        and bool(c.case.setup)
    ),
    "views and a materialized view in the project's default PostgreSQL schema, one in its own": (
        lambda c: c.any(CreateView, lambda op: op.view.view.startswith(f"{c.new.database.schema}."))
        and c.any(CreateView, lambda op: op.view.materialized and "." in op.view.view)
        and len({v.view.partition(".")[0] for v in c.new.views}) > 1
        and bool(c.case.setup)
    ),
    "enum type moved to another PostgreSQL schema (columns kept), with a value added": (
        lambda c: c.any(MoveEnum) and c.any(AddEnumValue) and bool(c.case.setup)
    ),
    "columns of a table in another PostgreSQL schema altered under a view that reads it": (
        lambda c: c.any(AlterColumn, lambda op: "." in op.table)
        and c.any(CreateView, lambda op: any("." in r for r in op.view.reads))
    ),
    "domain moved to another PostgreSQL schema (columns kept)": (
        lambda c: c.any(MoveDomain) and bool(c.case.setup)
    ),
    "standalone sequence moved to another PostgreSQL schema (current value kept)": (
        lambda c: c.any(MoveSequence) and bool(c.case.setup) and bool(c.case.check_down)
    ),
    "one table name in two PostgreSQL schemas": lambda c: any(
        len({e.table.rpartition(".")[2] for e in s.entities}) < len(s.entities)
        for s in (c.old, c.new)
    ),
    "exclusion constraint: on a new table, added, changed (drop + add), dropped": lambda c: (
        c.any(CreateTable, lambda op: bool(op.entity.excludes))
        and c.any(AddConstraint, lambda op: isinstance(op.constraint, ExcludeConstraint))
        and c.any(DropConstraint, lambda op: isinstance(op.constraint, ExcludeConstraint))
    ),
    "domain created before its columns, dropped after them": lambda c: (
        c.any(CreateDomain) and c.any(DropDomain)
        and any(col.type.domain for s in (c.old, c.new) for e in s.entities for col in e.columns)
    ),
    "column of a table holding rows changed to a domain (rows kept)": lambda c: c.any(
        AlterColumn, lambda op: op.new.type.domain is not None and op.old.type.domain is None
    )
    and bool(c.case.setup),
    "domain named by db_name that needs quotes: created, a column holding rows changed to it": (
        lambda c: c.any(CreateDomain, lambda op: op.domain.name != op.domain.name.lower())
        and c.any(
            AlterColumn,
            lambda op: op.new.type.domain is not None
            and op.new.type.domain != op.new.type.domain.lower(),
        )
        and bool(c.case.setup)
    ),
    "domain check added and dropped on rows, default and NOT NULL changed": lambda c: (
        c.any(AddDomainCheck) and c.any(DropDomainCheck) and c.any(AlterDomain)
        and bool(c.case.setup)
    ),
    "partitioned table created with its partitions, dropped, made again": lambda c: (
        c.any(CreateTable, lambda op: bool(op.entity.partitions))
        and c.any(DropTable, lambda op: bool(op.entity.partitions))
    ),
    "partition added, bound changed (drop + create)": lambda c: (
        c.any(CreatePartition) and c.any(DropPartition, lambda op: not op.concurrently)
    ),
    "partition dropped with DETACH PARTITION CONCURRENTLY (before the main revision)": (
        lambda c: c.any(DropPartition, lambda op: op.concurrently)
    ),
    "index of a partitioned table built partition by partition (ON ONLY, each partition's "
    "CONCURRENTLY, attached) in the online revision; a unique one searched for repeats "
    "first, on rows": lambda c: (
        c.any(CreateIndex, lambda op: op.partitioned and not op.index.unique)
        and c.any(CreateIndex, lambda op: op.partitioned and op.checks_rows)
    ),
    "unique constraint of a partitioned table built partition by partition in the online "
    "revision (rows searched for repeats first; each partition's unique index CONCURRENTLY, "
    "made its constraint USING INDEX; the table's ADD CONSTRAINT attaches them), a deferrable "
    "one; one dropped added back so by the downgrade, on rows": lambda c: (
        c.any(AddConstraint, lambda op: op.partitioned and op.lock_safe and not op.prebuilt)
        and c.any(
            AddConstraint,
            lambda op: op.partitioned and isinstance(op.constraint, UniqueConstraint)
            and op.constraint.deferrable,
        )
        and c.any(DropConstraint, lambda op: op.partitioned and op.lock_safe)
        and bool(c.case.setup)
    ),
    "primary key of a partitioned table rebuilt over its partitions' indexes (each built "
    "concurrently in the drops revision, made its partition's key USING INDEX in the "
    "transaction, attached by the table's key), on rows": lambda c: (
        c.any(PrebuildPrimaryKeyIndexes, lambda op: not op.undo)
        and c.any(AddPrimaryKey, lambda op: op.prebuilt)
        and bool(c.case.setup)
    ),
    "integer key without identity (identity: false): identity dropped, added, on rows": (
        lambda c: c.any(AlterColumn, lambda op: op.old.identity and not op.new.identity)
        and c.any(AlterColumn, lambda op: op.new.identity and not op.old.identity)
        and c.any(CreateTable, lambda op: not any(col.identity for col in op.entity.columns))
        and bool(c.case.setup)
    ),
    "time, timestamp and interval precision and fields: rounded (destructive), widened in "
    "place, on rows": lambda c: (
        c.any(AlterColumn, lambda op: op.old.type.kind == op.new.type.kind == "timestamp"
              and is_narrowing(op.old.type, op.new.type))
        and c.any(AlterColumn, lambda op: op.old.type.kind == op.new.type.kind == "timestamp"
                  and binary_compatible(op.old.type, op.new.type))
        and c.any(AlterColumn, lambda op: op.new.type.fields is not None)
        and bool(c.case.setup)
    ),
    "foreign key made MATCH FULL (swapped in place) and a new table with a MATCH FULL key, "
    "on rows": (
        lambda c: c.any(
            ReplaceForeignKey, lambda op: op.new.match == "FULL" and op.old.match is None
        )
        and c.any(CreateTable, lambda op: any(fk.match for fk in op.entity.foreign_keys))
        and bool(c.case.setup)
    ),
    "types with a time zone converted in UTC under a Berlin client (timestamp <-> "
    "timestamptz without a rewrite, date, time), on rows": lambda c: (
        c.any(AlterColumn, lambda op: zone_only_change(op.old.type, op.new.type)
              and op.new.type.kind == "timestamptz")
        and c.any(AlterColumn, lambda op: zone_only_change(op.old.type, op.new.type)
                  and op.new.type.kind == "timestamp")
        and c.any(AlterColumn, lambda op: converts_in_time_zone(op.old.type, op.new.type)
                  and not zone_only_change(op.old.type, op.new.type))
        and c.case.time_zone not in (None, "UTC")
        and bool(c.case.setup)
    ),
    "unique constraint made DEFERRABLE INITIALLY DEFERRED (drop + add in one transaction) "
    "and a DEFERRABLE one added, on rows": lambda c: (
        c.any(AlterUniqueDeferral, lambda op: op.new.initially_deferred)
        and c.any(AddConstraint, lambda op: getattr(op.constraint, "deferrable", False))
        and bool(c.case.setup)
    ),
    "unique constraint over other columns swapped in place (new index built concurrently, "
    "then DROP and ADD ... USING INDEX in one statement; one a new table's key needs, in "
    "the transaction, its old columns kept: each direction's index built concurrently "
    "before it, the downgrade's by the online revision's downgrade), on rows": lambda c: (
        c.any(ReplaceUnique, lambda op: op.online and op.old.name == op.new.name)
        and c.any(ReplaceUnique, lambda op: op.online and op.checks_rows)
        and c.any(ReplaceUnique, lambda op: not op.online and op.prebuilt == "both")
        and c.any(PrebuildUniqueIndex, lambda op: op.stage == "online" and op.undo)
        and bool(c.case.setup)
    ),
    "unique constraint losing a column the plan drops swapped before the drop (in the drops "
    "revision, under the previous revision's names; a partitioned table's in the transaction, "
    "before DROP COLUMN), on rows": lambda c: (
        c.any(ReplaceUnique, lambda op: op.early and op.lock_safe and op.old.name != op.new.name)
        and c.any(ReplaceUnique, lambda op: op.early and not op.lock_safe)
        and c.any(RenameColumn)
        and [stage.kind for stage in stages(c.upgrade)] == ["drops", "main"]
        and bool(c.case.setup)
    ),
    "unique constraint trading a column the plan drops for one it adds swapped in the "
    "transaction (after ADD COLUMN, before DROP COLUMN; rows searched for repeats), under one "
    "name and a new one, on rows": lambda c: _trades(c, same_name=True)
    and _trades(c, same_name=False)
    and [stage.kind for stage in stages(c.upgrade)] == ["main"]
    and bool(c.case.setup),
    "unique constraint trading a column the plan drops for one the table has swapped in the "
    "transaction (after the renames, before DROP COLUMN; its index built concurrently in the "
    "drops revision under the previous revision's names, attached USING INDEX), on rows": (
        lambda c: c.any(
            ReplaceUnique,
            lambda op: op.early
            and op.prebuilt == "new"
            and op.old.name != op.new.name
            and not set(op.new.columns) <= set(op.old.columns),
        )
        and c.any(PrebuildUniqueIndex, lambda op: not op.undo)
        and c.any(RenameColumn)
        and not any(isinstance(op, AddColumn) for op in c.upgrade.operations)
        and [stage.kind for stage in stages(c.upgrade)] == ["drops", "main"]
        and bool(c.case.setup)
    ),
    "unique constraint traded under its name for one over a column the table has: its index "
    "built concurrently as name_swap in the drops revision, attached USING INDEX in the "
    "transaction; a partitioned table's built in the transaction, on rows": lambda c: (
        c.any(
            PrebuildUniqueIndex,
            lambda op: op.held_by is not None and op.held_by.name == op.new.name,
        )
        and c.any(ReplaceUnique, lambda op: op.early and op.prebuilt == "" and not op.lock_safe)
        and [stage.kind for stage in stages(c.upgrade)] == ["drops", "main"]
        and bool(c.case.setup)
    ),
    "new unique constraint added in the transaction, rows searched for repeats first: one a "
    "new table's foreign key needs at once (its index built concurrently in the drops "
    "revision, attached USING INDEX; a partitioned table's built under the lock, the key's "
    "copies on each partition no drift), on rows": lambda c: (
        c.any(AddConstraint, lambda op: _in_transaction_unique(op) and op.prebuilt)
        and c.any(
            AddConstraint,
            lambda op: _in_transaction_unique(op)
            and c.new.entity_by_table(op.table).partition_by is not None,
        )
        and c.any(PrebuildUniqueIndex, lambda op: op.held_by is None)
        and c.any(CreateTable, lambda op: bool(op.entity.foreign_keys))
        and bool(c.case.setup)
    ),
    "foreign key whose deferrability alone changes altered in place (ALTER CONSTRAINT in "
    "the transaction, no drop, no VALIDATE), each way, on rows": lambda c: (
        c.any(AlterForeignKeyDeferral, lambda op: op.new.initially_deferred)
        and c.any(AlterForeignKeyDeferral, lambda op: op.old.deferrable and not op.new.deferrable)
        and not c.any(ReplaceForeignKey)
        and bool(c.case.setup)
    ),
    "foreign key and check changed while a column they name changes type: dropped before "
    "the ALTER and added after it in the transaction (binary compatible: swapped after "
    "it); a partitioned table's changed check in the transaction, on rows": lambda c: (
        c.any(AddConstraint, lambda op: not op.lock_safe and isinstance(op.constraint, ForeignKey))
        and c.any(AddConstraint, lambda op: not op.lock_safe
                  and isinstance(op.constraint, CheckConstraint))
        and c.any(ReplaceCheck)
        and "drops" not in [stage.kind for stage in stages(c.upgrade)]
        and bool(c.case.setup)
    ),
    "foreign key renamed and changed while a column it names changes type: paired by what "
    "it is, dropped before the ALTER and added after it in the transaction (a conventional "
    "name that followed its table's rename; a partitioned table's), on rows": (
        lambda c: _renamed_keys_around_retype(c) >= 3
        and c.any(RenameTable)
        and [stage.kind for stage in stages(c.upgrade)] == ["main"]
        and bool(c.case.setup)
    ),
    "index key with a collation of its own: key changed (drop + create), index added, on rows": (
        lambda c: c.any(CreateIndex, lambda op: any(k.collation for k in op.index.keys))
        and c.any(DropIndex)
        and bool(c.case.setup)
    ),
    "index key with a collation of its own on a citext or array column (text[], citext[], "
    "varchar[]): key changed (drop + create), index added, new table, on rows": (
        _collated_key_of_citext_or_array
    ),
    "expression index key with a collation of its own: key changed (drop + create), "
    "index added, on rows": (
        lambda c: c.any(
            CreateIndex,
            lambda op: any(k.collation and k.expression for k in op.index.keys),
        )
        and c.any(DropIndex)
        and bool(c.case.setup)
    ),
    "partitions added and dropped in a PostgreSQL schema other than public": lambda c: (
        c.any(CreatePartition, lambda op: "." in op.table)
        and c.any(DropPartition, lambda op: "." in op.table)
    ),
    "sub-partitions (a partition partitioned in turn): added and dropped in a kept partition "
    "(DETACH CONCURRENTLY where no DEFAULT is beside), a partition made again for a changed "
    "sub-partition key, one added with its own partitions, a table created and dropped with "
    "them, on rows": lambda c: (
        c.any(CreatePartition, lambda op: bool(op.within))
        and c.any(DropPartition, lambda op: bool(op.within) and op.concurrently)
        and c.any(DropPartition, lambda op: op.remade and bool(op.partition.partitions))
        and c.any(CreatePartition, lambda op: not op.remade and bool(op.partition.partitions))
        and c.any(CreateTable, lambda op: any(p.partitions for p in op.entity.partitions))
        and c.any(DropTable, lambda op: any(p.partitions for p in op.entity.partitions))
        and bool(c.case.setup)
    ),
    "partition moved between levels with a new partition key (a leaf of the table under a "
    "new partition, a sub-partition up to the table as its partition goes, each partitioned "
    "in turn): dropped where it was and made again, empty, where it goes, each move and its "
    "lost rows said, beside moves that keep their rows, on rows": lambda c: (
        c.any(DropPartition, lambda op: any(n == op.partition.name for n, _ in op.moves))
        and c.any(CreatePartition, lambda op: any(n != op.partition.name for n, _ in op.moves))
        and c.any(DropPartition, lambda op: any(n != op.partition.name for n, _ in op.moves))
        and c.any(CreatePartition, lambda op: any(n == op.partition.name for n, _ in op.moves))
        and c.any(AttachPartition)
        and bool(c.case.setup)
    ),
    "partition moved between levels keeping its rows (leaves of the table under a new "
    "partition, sub-partitions up to the table as their partition goes: detached, then "
    "attached to the new parent, in the main transaction), on rows": lambda c: (
        c.any(DetachPartition, lambda op: not op.within)
        and c.any(DetachPartition, lambda op: bool(op.within))
        and c.any(AttachPartition, lambda op: not op.within)
        and c.any(AttachPartition, lambda op: bool(op.within))
        and c.any(DropPartition, lambda op: not op.concurrently and op.risk() is None)
        and bool(c.case.setup)
    ),
    "partition moved between levels beside a DEFAULT partition holding rows (up to the "
    "table as its partition goes: a check of the same name on the DEFAULT partition, "
    "validated ahead, spares the attach its read, and none of its rows is counted "
    "first, the partition left holding the bound) and under a new DEFAULT partition "
    "beside a new sibling taking part of its bound (its check holding the DEFAULT's "
    "bound), on rows": lambda c: (
        c.any(
            AddBoundCheck,
            lambda op: op.placed is not None and op.kept_out and bool(op.held_by),
        )
        and c.any(AttachPartition, lambda op: _under_default(c.new, op))
        and c.any(AddBoundCheck, lambda op: op.bound is None and bool(op.above))
        and bool(c.case.setup)
    ),
    "partition whose bound changes keeping its rows (a partition with its sub-partitions, "
    "beside a DEFAULT partition holding rows; sub-partitions trading a range; a partition "
    "made the DEFAULT one: detached, then attached again with its new bound in the main "
    "transaction, the bound proven ahead by a check validated in the drops revision where a "
    "check can say it), on rows": lambda c: (
        c.any(
            AttachPartition,
            lambda op: bool(op.other_bound and not op.within and op.partition.partitions),
        )
        and c.any(AttachPartition, lambda op: bool(op.other_bound) and bool(op.within))
        and c.any(AttachPartition, lambda op: bool(op.other_bound) and op.partition.default)
        and c.any(AddBoundCheck, lambda op: op.bound is not None and bool(op.beside))
        and not c.any(DropPartition)
        and bool(c.case.setup)
    ),
    "partition whose bound changes as sub-partitions under it change theirs, all keeping "
    "their rows (the one under it detached first and attached after it, holding its "
    "parent's check between: one with a bound a check says, one made the DEFAULT "
    "sub-partition), beside DEFAULT partitions holding rows, on rows": lambda c: (
        c.any(
            AttachPartition,
            lambda op: bool(op.other_bound and op.carried and bound_provable(op.partition)),
        )
        and c.any(AttachPartition, lambda op: bool(op.carried) and op.partition.default)
        and c.any(AddBoundCheck, lambda op: op.bound is not None and bool(op.beside))
        and not c.any(DropPartition)
        and bool(c.case.setup)
    ),
    "domain default calling a standalone sequence (created before the domain, dropped after)": (
        _domain_calls_new_sequence
    ),
    "function called by a new table's default, generated column and check (created before "
    "the tables), and one a dropped table's default called (dropped after it)": (
        _table_calls_new_function
    ),
    "function called by a new domain's check or default (created before the domain), one "
    "taking a new domain (created after it), and one a dropped domain's default called "
    "(dropped after it)": _domain_calls_new_function,
    "identity sequence of a name of its own (identity: {name: ...}): a new table's, a new "
    "column's, an identity added to a column, a name changed alone, on rows": (
        _identity_sequence_names
    ),
    "column default calling nextval inside a larger expression, on a table holding rows": (
        lambda c: c.any(AddColumn, lambda op: _nextval_in_expression(op.column))
        and bool(c.case.setup)
    ),
    "table without a primary key (primary_key: false) created and dropped, holding repeated "
    "rows": lambda c: (
        c.any(CreateTable, lambda op: not op.entity.has_primary_key)
        and c.any(DropTable, lambda op: not op.entity.has_primary_key)
        and bool(c.case.setup)
    ),
    "primary key added to tables that had none (single and composite), on rows; the "
    "downgrade drops it": lambda c: (
        c.any(AddPrimaryKey, lambda op: op.keyless and len(op.primary_key.columns) == 1)
        and c.any(AddPrimaryKey, lambda op: op.keyless and len(op.primary_key.columns) > 1)
        and c.any(DropPrimaryKey, lambda op: op.keyless)
        and bool(c.case.setup)
    ),
    "primary keys dropped (single with its identity, composite): tables that say "
    "primary_key: false now, on rows; the downgrade adds them back": lambda c: (
        any(isinstance(op, DropPrimaryKey) and op.keyless for op in c.upgrade.operations)
        and c.any(DropPrimaryKey, lambda op: op.keyless and len(op.primary_key.columns) > 1)
        and c.any(AlterColumn, lambda op: op.old.identity and not op.new.identity)
        and bool(c.case.setup)
    ),
}


def _in_transaction_unique(op: AddConstraint) -> bool:
    return not op.lock_safe and isinstance(op.constraint, UniqueConstraint)


def _load(root: Path, files: dict[str, str]) -> Schema:
    write_schema(root, files)
    schema = load_schema(load_project(root)).schema
    assert schema is not None
    return schema


def _changes(tmp: Path) -> tuple[Change, ...]:
    found = []
    for folder in sorted(p for p in CORPUS.iterdir() if (p / "before").is_dir()):
        case = load_case(folder)
        root = tmp / case.name
        old, new = _load(root / "old", case.before), _load(root / "new", case.after)
        found.append(Change(case, old, new))
    return tuple(found)


@pytest.fixture(scope="module")
def changes(tmp_path_factory: pytest.TempPathFactory) -> tuple[Change, ...]:
    return _changes(tmp_path_factory.mktemp("corpus"))


def covering(changes: tuple[Change, ...]) -> dict[str, list[str]]:
    """Feature -> the names of the cases that exercise it."""
    return {name: [c.case.name for c in changes if test(c)] for name, test in FEATURES.items()}


def readme_table() -> dict[str, list[str]]:
    """The README's ``| feature | cases |`` rows."""
    rows = {}
    for line in README.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) == 2 and cells[0] in FEATURES:
            rows[cells[0]] = re.findall(r"`(\d+_\w+)`", cells[1])
    return rows


def test_every_operation_is_exercised_by_a_case(changes: tuple[Change, ...]) -> None:
    missing = [name for name, cases in covering(changes).items() if not cases]
    assert not missing, f"no corpus case exercises: {missing}"


def test_the_readme_coverage_table_is_true(changes: tuple[Change, ...]) -> None:
    table, actual = readme_table(), covering(changes)
    assert sorted(table) == sorted(FEATURES), "the README table lists other features"
    for name, cases in table.items():
        assert cases, f"README: no case named for {name!r}"
        wrong = [case for case in cases if case not in actual[name]]
        assert not wrong, f"README: {wrong} do not exercise {name!r}; these do: {actual[name]}"
